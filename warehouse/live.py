"""Live state: each ride's latest observation while within its hold, and per park the counts,
waits and live shame score (docs/metrics.md §5) the `live` period reads. Refreshed after each
collection; one park at a time, each replaced in one transaction."""
from __future__ import annotations

from datetime import datetime, timedelta
from statistics import fmean

from django.db import transaction
from django.utils import timezone

from themepark.choices import EntityType, RideStatus
from themepark.constants import tier_weight
from themepark.models import Park

from .aggregation.daily import live_hold_seconds, read_latest, read_schedule, to_datetime
from .aggregation.runs import parks_selected
from .metrics import down_states, live_shame, park_day_of
from .metrics.timeline import ARCHIVE
from .models import LiveParkState, LiveRideState, RideDailyStats

# Live feeds stamp observations with the source's clock, which may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)


def park_live_refresh(*, park: Park, now: datetime) -> LiveParkState:
    """Replace one park's live rows."""
    rides = list(park.rides.filter(entity_type=EntityType.ATTRACTION).values_list("id", "tier", "is_active"))
    latest = read_latest([r[0] for r in rides], now + CLOCK_SKEW)
    today = park_day_of(now, park.timezone)
    operated = set(RideDailyStats.objects.filter(park=park, operated=True, date__gte=today - timedelta(days=6),
                                                 date__lte=today).values_list("ride_id", flat=True))
    hold, at_now = live_hold_seconds(), now.timestamp()
    states = {}
    for ride_id, _tier, _active in rides:
        obs = latest.get(ride_id)
        known = obs is not None and (obs.source == ARCHIVE or at_now - obs.at <= hold)
        states[ride_id] = (obs.status if known else None, obs.wait if known else None, obs)
        if known and obs.status == RideStatus.OPERATING:
            operated.add(ride_id)
    windows = read_schedule(park, today)
    if windows:
        is_open = any(start <= at_now < end for start, end in windows)
    else:
        is_open = any(status == RideStatus.OPERATING for status, _w, _o in states.values())
    down = down_states(park.reports_down)
    weights = {ride_id: tier_weight(tier) for ride_id, tier, _a in rides}
    down_now = [rid for rid, (status, _w, _o) in states.items() if is_open and rid in operated and status in down]
    statuses = [status for status, _w, _o in states.values()]
    waits = [wait for status, wait, _o in states.values() if status == RideStatus.OPERATING and wait is not None]
    stamps = [obs.at for _s, _w, obs in states.values() if obs is not None]
    park_state = LiveParkState(
        park=park, is_open=is_open, rides_open=statuses.count(RideStatus.OPERATING),
        rides_closed=statuses.count(RideStatus.CLOSED) - sum(1 for r in down_now if states[r][0] == RideStatus.CLOSED),
        rides_down=len(down_now), rides_refurbishment=statuses.count(RideStatus.REFURBISHMENT),
        total_rides=sum(1 for _r, _t, active in rides if active),
        avg_wait_time=fmean(waits) if waits else None, max_wait_time=max(waits) if waits else None,
        shame_score=live_shame((weights[r] for r in down_now), (weights[r] for r in operated if r in weights)),
        last_updated=to_datetime(max(stamps)) if stamps else None)
    ride_rows = [LiveRideState(ride_id=rid, park=park, status=status, wait_time=wait,
                               recorded_at=to_datetime(obs.at) if obs else None,
                               operated_last_7_days=rid in operated)
                 for rid, (status, wait, obs) in states.items()]
    with transaction.atomic():
        LiveRideState.objects.filter(park=park).delete()
        LiveRideState.objects.bulk_create(ride_rows, batch_size=2000)
        LiveParkState.objects.filter(park=park).delete()
        park_state.save(force_insert=True)
    return park_state


def live_state_refresh(*, park_ids=None, now: datetime | None = None) -> None:
    now = now or timezone.now()
    for park in parks_selected(park_ids):
        park_live_refresh(park=park, now=now)
