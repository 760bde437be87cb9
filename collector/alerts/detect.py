"""Detection of alert events at collection time, written to the outbox (AlertEvent).

Only what an active subscription covers is detected: a ride subscription its ride, a park
subscription the park's own open/close and every ride of the park. A ride `went_down` when its
previous observation (within the live hold) was OPERATING and it now reports a down state
(DOWN; CLOSED too where the park's feed has no DOWN), and `reopened` the other way round; ride
events are not raised while the park is closed, so closing time is no breakdown. The park's
open state is the schedule window (or its live status) for ThemeParks.wiki parks, any ride
operating for Queue-Times parks; its previous value is the park's last open/close event, or
the live park state the warehouse keeps for the first one.

Events are keyed on (type, park, ride, moment): writing the same moment twice is a no-op.
`ride_events_replay` applies the same ride rule to stored history (the alerts_replay command).
"""
from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from themepark.choices import RideStatus
from warehouse.aggregation.daily import live_hold_seconds, read_latest
from warehouse.metrics import down_states
from warehouse.models import LiveParkState, RideStatusSnapshot

from ..models import PARK_EVENTS, RIDE_EVENTS, AlertEvent, AlertEventType, AlertSubscription

KEY_NAMESPACE = uuid.UUID("6f1d3c52-1f43-4a57-9a0e-3f1c2b7d9e10")


def event_key(event_type: str, park_id: int, ride_id: int | None, at: datetime) -> uuid.UUID:
    return uuid.uuid5(KEY_NAMESPACE, f"{event_type}:{park_id}:{ride_id or ''}:{at.isoformat()}")


def _interest(park) -> tuple[set, bool, bool]:
    """(ride ids watched by ride subscriptions, whether all rides are watched, whether park events are)."""
    rides, all_rides, park_events = set(), False, False
    subscriptions = AlertSubscription.objects.filter(is_active=True).filter(Q(park=park) | Q(ride__park=park))
    for ride_id, park_id, events in subscriptions.values_list("ride_id", "park_id", "events"):
        wants_ride = any(e in RIDE_EVENTS for e in events or ())
        if ride_id is not None and wants_ride:
            rides.add(ride_id)
        elif park_id is not None:
            all_rides = all_rides or wants_ride
            park_events = park_events or any(e in PARK_EVENTS for e in events or ())
    return rides, all_rides, park_events


def _event(event_type, park, ride_id, names, at, before, after):
    ride = {"id": ride_id, "name": names.get(ride_id, "")} if ride_id else None
    key = event_key(event_type, park.pk, ride_id, at)
    payload = {"id": str(key), "event": event_type, "occurred_at": at.isoformat().replace("+00:00", "Z"),
               "park": {"id": park.pk, "name": park.name, "timezone": park.timezone}, "ride": ride,
               "from": before or None, "to": after or None}
    return AlertEvent(key=key, event_type=event_type, park=park, ride_id=ride_id, occurred_at=at,
                      from_state=before or "", to_state=after or "", payload=payload)


def _previous_park_open(park) -> bool | None:
    last = AlertEvent.objects.filter(park=park, ride__isnull=True, event_type__in=PARK_EVENTS).order_by(
        "-occurred_at", "-pk").values_list("event_type", flat=True).first()
    if last is not None:
        return last == AlertEventType.PARK_OPENED
    return LiveParkState.objects.filter(park=park).values_list("is_open", flat=True).first()


def alert_events_record(park, observations, *, at: datetime, park_open: bool | None = None,
                        names: dict | None = None) -> int:
    """Write the events the park's new `observations` (taken at `at`) show; returns how many
    were new. Call inside the transaction that writes the observations. `park_open`: the
    park's open state if the source knows it (None: any ride operating)."""
    rides, all_rides, park_events = _interest(park)
    if not rides and not all_rides and not park_events:
        return 0
    statuses = {obs.ride_id: obs.status for obs in observations}
    is_open = park_open if park_open is not None else RideStatus.OPERATING in statuses.values()
    if names is None:
        names = dict(park.rides.values_list("pk", "name"))
    events = []
    if park_events:
        before = _previous_park_open(park)
        if before is not None and before != is_open:
            kind = AlertEventType.PARK_OPENED if is_open else AlertEventType.PARK_CLOSED
            events.append(_event(kind, park, None, names, at, "OPEN" if before else "CLOSED",
                                 "OPEN" if is_open else "CLOSED"))
    watched = [ride_id for ride_id in statuses if all_rides or ride_id in rides]
    if is_open and watched:
        down, hold = down_states(park.reports_down), live_hold_seconds()
        for ride_id, previous in read_latest(watched, at).items():
            if at.timestamp() - previous.at > hold:
                continue  # too old to say what changed
            kind = ride_change(previous.status, statuses[ride_id], down)
            if kind:
                events.append(_event(kind, park, ride_id, names, at, previous.status, statuses[ride_id]))
    return events_write(events)


def ride_change(before: str | None, after: str | None, down: frozenset) -> str | None:
    """The ride event a change of status is, if any."""
    if before == RideStatus.OPERATING and after in down:
        return AlertEventType.WENT_DOWN
    if before in down and after == RideStatus.OPERATING:
        return AlertEventType.REOPENED
    return None


def events_write(events: list[AlertEvent]) -> int:
    """Insert the events not stored yet; returns how many were new."""
    if not events:
        return 0
    known = set(AlertEvent.objects.filter(key__in=[e.key for e in events]).values_list("key", flat=True))
    fresh = [e for e in events if e.key not in known]
    AlertEvent.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def ride_events_replay(park, start: datetime, end: datetime, *, dispatch: bool = False) -> int:
    """Detect the ride events of the stored observations of [start, end) for the rides the park's
    subscriptions watch, as collection would have (history, e.g. an imported archive, included).
    The events are marked dispatched unless `dispatch`: replaying the past notifies no webhook
    unless asked. Returns how many events were new."""
    rides, all_rides, _ = _interest(park)
    if all_rides:
        rides = set(park.rides.values_list("pk", flat=True))
    names = dict(park.rides.filter(pk__in=rides).values_list("pk", "name"))
    down, events = down_states(park.reports_down), []
    for ride_id in sorted(rides):
        rows = RideStatusSnapshot.objects.filter(ride_id=ride_id, recorded_at__gte=start, recorded_at__lt=end)
        before = None
        for at, status in rows.order_by("recorded_at").values_list("recorded_at", "status").iterator(chunk_size=5000):
            kind = ride_change(before, status, down)
            if kind:
                event = _event(kind, park, ride_id, names, at, before, status)
                event.dispatched_at = None if dispatch else timezone.now()
                events.append(event)
            before = status
    written = 0
    for i in range(0, len(events), 1000):
        written += events_write(events[i:i + 1000])
    return written
