"""Many parks' few days at once: the incremental run recomputes each park's day in progress (and
yesterday's once), a handful of rows per park, where a park at a time spent most of its time on
round trips (some twenty statements and two commits per park). A batch reads the rides, the
observations (one query per park-day span shared by parks of one time zone) and the schedules
of all its parks together, computes each park with the array engine, and replaces their rows in
one transaction (`store.parks_days_store`), their fingerprints in the next. Figures are the
same as park by park (warehouse/tests/test_batch.py)."""
from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from typing import Callable

from django.db import OperationalError, connection, connections

from themepark.choices import EntityType, ScheduleType
from themepark.models import Park, ParkSchedule, Ride

from ..metrics import RideInfo, park_day_bounds
from ..metrics.vector import ObsArrays
from .daily import (SNAPSHOTS, _columns, _naive, arrays_of, gc_paused, latest_dives, observations_read,
                    park_days_from, to_seconds)
from .runs import CHUNK_DAYS, DEADLOCK_RETRIES, ParkOutcome, Progress, _chunks, _retryable, _roll, _tally
from .store import parks_days_store

logger = logging.getLogger(__name__)


def rides_of(parks: list[Park]) -> dict[int, list[RideInfo]]:
    """Each park's attractions (daily.park_rides) from one query."""
    out: dict[int, list[RideInfo]] = {park.pk: [] for park in parks}
    rows = Ride.objects.filter(park_id__in=list(out), entity_type=EntityType.ATTRACTION).values_list(
        "park_id", "id", "tier")
    for park_id, ride_id, tier in rows.order_by("park_id", "name", "pk"):
        out[park_id].append(RideInfo(ride_id, tier, True))
    return out


def schedules_of(parks: list[Park], first: date, last: date) -> dict[int, dict[date, list[tuple[float, float]]]]:
    """Each park's OPERATING schedule windows per day (daily.read_schedules) from one query."""
    out: dict[int, dict] = {park.pk: {} for park in parks}
    rows = ParkSchedule.objects.filter(park_id__in=list(out), date__gte=first, date__lte=last,
                                       schedule_type=ScheduleType.OPERATING, opening_time__isnull=False,
                                       closing_time__isnull=False)
    for park_id, day, opening, closing in rows.values_list("park_id", "date", "opening_time", "closing_time"):
        out[park_id].setdefault(day, []).append((opening.timestamp(), closing.timestamp()))
    return out


def _latest_of(groups: list[tuple[list[int], datetime]], lookback: timedelta = timedelta(days=3)) -> list[tuple]:
    """read_latest for several groups of rides, each before its own time, in one query (and one
    more for the rides silent over the lookback): rows (ride id, seconds, status, wait, source)."""
    groups = [(ids, before) for ids, before in groups if ids]
    if not groups:
        return []
    members, params = [], []
    for ids, before in groups:  # one grouped member per span: an OR of ranges loses the loose index scan
        members.append(f"SELECT ride_id, MAX(recorded_at) AS last_at FROM {SNAPSHOTS} WHERE ride_id IN "
                       f"({', '.join(['%s'] * len(ids))}) AND recorded_at >= %s AND recorded_at < %s GROUP BY ride_id")
        params += [*ids, _naive(before - lookback), _naive(before)]
    low, high = min(b for _, b in groups) - lookback, max(b for _, b in groups)
    sql = (f"SELECT {_columns('s')} FROM {SNAPSHOTS} s JOIN ({' UNION ALL '.join(members)}) x "
           "ON s.ride_id = x.ride_id AND s.recorded_at = x.last_at WHERE s.recorded_at >= %s AND s.recorded_at < %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, _naive(low), _naive(high)])
        found = {row[0]: row for row in cursor.fetchall()}
        out = [(ride_id, to_seconds(at), *rest) for ride_id, at, *rest in found.values()]
        silent = [(ride_id, before - lookback) for ids, before in groups for ride_id in ids if ride_id not in found]
        if silent:  # the rides silent over the lookback (a refurbishment, a closed season): one dive each
            out += latest_dives(cursor, silent)
    return out


def read_groups(groups: list[tuple[list[RideInfo], datetime, datetime]]) -> ObsArrays:
    """read_arrays for several groups of rides, each over its own span (parks of several time
    zones): one query for their observations, one for each ride's last one before its span. The
    rides are numbered in the order of the groups."""
    place, spans = {}, []
    for rides, start, end in groups:
        ids = [ride.id for ride in rides]
        place.update({ride_id: i for i, ride_id in enumerate(ids, len(place))})
        if end > start and ids:
            spans.append((ids, start, end))
    with gc_paused():
        rows = _latest_of([(ids, start) for ids, start, _ in spans])
        head, packed = len(rows), None
        if spans:
            where = " OR ".join(f"(ride_id IN ({', '.join(['%s'] * len(ids))}) AND recorded_at >= %s "
                                "AND recorded_at < %s)" for ids, _, _ in spans)
            params = [p for ids, start, end in spans for p in (*ids, _naive(start), _naive(end))]
            packed = observations_read(where, params, rows)
        return arrays_of(rows, head, place, packed)


def _part(obs: ObsArrays, first: int, stop: int) -> ObsArrays:
    """The observations of the rides at places first..stop-1, renumbered from 0."""
    lo, hi = (int(i) for i in obs.ride.searchsorted([first, stop]))
    return ObsArrays(obs.ride[lo:hi] - first, obs.at[lo:hi], obs.status[lo:hi], obs.wait[lo:hi], obs.live[lo:hi],
                     obs.names)


def batch_compute(plan: list[tuple[Park, list[date]]], now: datetime):
    """(park, days, rides, results, fingerprints) of every park in `plan` (each with at most a
    chunk of consecutive days), read together."""
    parks = [park for park, _ in plan]
    rides = rides_of(parks)
    first_day = min(days[0] for _, days in plan)
    last_day = max(days[-1] for _, days in plan)
    schedules = schedules_of(parks, first_day, last_day)
    spans: dict[tuple[datetime, datetime], list[tuple[Park, list[date]]]] = {}
    for park, days in plan:
        start, end = park_day_bounds(days[0], park.timezone)[0], park_day_bounds(days[-1], park.timezone)[1]
        spans.setdefault((start, min(end, now)), []).append((park, days))
    out, place = [], 0
    obs = read_groups([([ride for park, _ in members for ride in rides[park.pk]], start, horizon)
                       for (start, horizon), members in spans.items()])
    for members in spans.values():
        for park, days in members:
            own = rides[park.pk]
            prints: dict = {}
            results = park_days_from(park=park, days=days, now=now, rides=own, obs=_part(obs, place, place + len(own)),
                                     schedules=schedules[park.pk], prints=prints)
            place += len(own)
            out.append((park, days, own, results, prints))
    return out


def batch_refresh(plan: list[tuple[Park, list[date]]], now: datetime, *, retries: int, retryable):
    """Compute and store a batch; again (from a fresh read) when InnoDB broke a deadlock or timed out
    a lock wait (park days are replaced whole). Returns batch_compute's list with each item's rows written."""
    for attempt in range(retries):
        try:
            computed = batch_compute(plan, now)
            counts = parks_days_store([(park.pk, [r for r in results if not isinstance(r, Exception)],
                                        [r.id for r in rides], prints)
                                       for park, _days, rides, results, prints in computed])
            return [(*item, rows) for item, rows in zip(computed, counts)]
        except OperationalError as exc:
            if not retryable(exc, attempt):
                raise
            logger.warning("parks %s: %s; recomputing them", [park.pk for park, _ in plan], exc)
            time.sleep(0.05 * (attempt + 1))
    return []


# When every park's planned days fit one chunk (the incremental run), parks are read, computed and
# stored this many at a time (`batch`): one round of statements for all of them.
BATCH_PARKS = 50


def parks_refresh(plan: list[tuple[Park, list[date]]], now: datetime, say: Progress | None = None,
                  check: Callable[[], None] | None = None) -> list[ParkOutcome]:
    """park_refresh for parks whose planned days fit one chunk each, read and stored together."""
    if check is not None:
        check()
    try:
        computed = batch_refresh(plan, now, retries=DEADLOCK_RETRIES, retryable=_retryable)
    except Exception as exc:  # a failing batch (the store) must not stop the other batches
        logger.exception("aggregation of parks %s failed", [park.pk for park, _ in plan])
        computed = [(park, days, None, [exc] * len(days), None, 0) for park, days in plan]
    outs = []
    for park, days, _rides, results, _prints, _rows in computed:
        out, done = ParkOutcome(park.pk), []
        _tally(out, park, days, results, done, say)
        _roll(out, park, done, now, check)
        outs.append(out)
    return outs


def _batches(plan: dict, workers: int) -> list[list[tuple[Park, list[date]]]] | None:
    """The plan cut into batches of parks when each park's days fit one chunk, else None."""
    items = sorted(plan.items(), key=lambda item: item[0].pk)
    if not items or any(len(_chunks(days, CHUNK_DAYS)) != 1 for _, days in items):
        return None
    size = max(1, min(BATCH_PARKS, -(-len(items) // workers)))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _batch_job(job) -> list[ParkOutcome]:
    """A worker process's share: a batch of parks (its own database connection)."""
    members, now, verbose, check = job
    lines: list[str] = []
    try:
        parks = Park.objects.in_bulk([park_id for park_id, _ in members])
        outs = parks_refresh([(parks[park_id], days) for park_id, days in members], now,
                             lines.append if verbose else None, check)
    finally:
        connections.close_all()
    if outs:
        outs[0].lines = lines
    return outs
