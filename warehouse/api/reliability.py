"""Reads of the reliability figures (docs/metrics.md §7-§9): the kind of each of a ride's down events,
a park's reliability over a period, and the stay-or-go estimate for a ride that is down. (Their
parameters are parsed by the query serializers, query_serializers.py.)"""
from datetime import timedelta

from themepark.choices import EntityType
from themepark.models import Ride

from ..metrics import down_states, mtbf_hours, mttr_minutes, opening_reliability, reopen_estimate
from ..metrics.spells import MIN_SPELLS, time_left
from ..models import DownSpell, DownSpellKind, LiveRideState, RideStatusChange

ESTIMATE_DAYS = 365


def event_kinds(events, *, ride, start_utc, end_utc):
    """Give each downtime event the kind of the stored down spell it overlaps (None outside the open window)."""
    spells = list(DownSpell.objects.filter(ride=ride, started_at__lt=end_utc, ended_at__gt=start_utc)
                  .order_by("started_at").values_list("started_at", "ended_at", "kind"))
    for event in events:
        end = event["end"] or end_utc
        event["kind"] = next((kind for a, b, kind in spells if a < end and event["start"] < b), None)
    return events


def park_reliability(ride_figures: dict[int, dict], park_figure: dict) -> dict:
    """A park's breakdowns, MTBF, MTTR and opening reliability from its rides' figures over the scope,
    its downtime by kind, coverage and comparability."""
    operating = sum(f["operating"] for f in ride_figures.values())
    breakdowns = sum(f.get("breakdowns") or 0 for f in ride_figures.values())
    repair = sum((f.get("downtime_minutes_by_kind") or {}).get("breakdown", 0.0) for f in ride_figures.values())
    on_time = sum(f.get("days_on_time") or 0 for f in ride_figures.values())
    operated = sum(f.get("days_operated") or 0 for f in ride_figures.values())
    return {"breakdowns": breakdowns, "mtbf_hours": mtbf_hours(operating, breakdowns),
            "mttr_minutes": mttr_minutes(repair, breakdowns),
            "opening_reliability": opening_reliability(on_time, operated),
            "downtime_minutes_by_kind": park_figure.get("downtime_minutes_by_kind"),
            "coverage_percentage": park_figure.get("coverage_percentage"),
            "comparable": park_figure.get("comparable", False)}


def _breakdown_lengths(now, **filters):
    since = now - timedelta(days=ESTIMATE_DAYS)
    return list(DownSpell.objects.filter(kind=DownSpellKind.BREAKDOWN, started_at__gte=since, started_at__lt=now,
                                         **filters).values_list("minutes", flat=True))


def down_since(ride, now):
    """When the ride's current down spell began, if its live state is down: the last change into a
    down state (from the statistics run), else its live observation."""
    state = LiveRideState.objects.filter(ride=ride).first()
    down = down_states(ride.park.reports_down)
    if state is None or state.status not in down:
        return state, None
    last = RideStatusChange.objects.filter(ride=ride, changed_at__lte=now).order_by("-changed_at").first()
    if last is not None and last.to_status in down:
        return state, last.changed_at
    return state, state.recorded_at


def stay_or_go(*, ride, now, minutes=None, at=None) -> dict:
    """The stay-or-go answer for `ride` (docs/metrics.md §8): down now for t minutes (or, given
    `minutes`, as if down that long) -> the median and 75th percentile of the time left. With
    `at`, the question is asked at that past moment (over the 365 days before it; needs `minutes`)."""
    state, since = down_since(ride, now) if at is None else (None, None)
    now = at or now
    is_down = since is not None
    t = minutes if minutes is not None else ((now - since).total_seconds() / 60 if is_down else None)
    body = {"ride_id": ride.pk, "ride_name": ride.name, "park_id": ride.park_id,
            "current_status": state.status if state else None, "is_down": is_down, "down_since": since,
            "down_minutes": t, "expected_reopen_minutes": None, "p75_reopen_minutes": None, "spells_used": 0,
            "basis": None}
    if t is None:
        return body
    cutoff = since or now  # the spell in progress is not history
    own = _breakdown_lengths(cutoff, ride=ride)
    pooled = []
    if len(time_left(own, t)) < MIN_SPELLS:
        pooled = _breakdown_lengths(cutoff, park_id=ride.park_id, ride__entity_type=EntityType.ATTRACTION)
    est = reopen_estimate(t, own, pooled)
    body.update(expected_reopen_minutes=est.expected_reopen_minutes, p75_reopen_minutes=est.p75_reopen_minutes,
                spells_used=est.spells_used, basis=est.basis)
    return body


def with_live_estimates(rows, *, now, period):
    """In the live period, each ranking row of a ride down now carries its stay-or-go answer
    (the others carry null)."""
    if period != "live":
        return rows
    rides = {r.pk: r for r in Ride.objects.filter(pk__in=[row["ride_id"] for row in rows]).select_related("park")}
    for row in rows:
        ride = rides.get(row["ride_id"])
        down = ride is not None and row.get("current_status") in down_states(ride.park.reports_down)
        row["reopen_estimate"] = stay_or_go(ride=ride, now=now) if down else None
    return rows
