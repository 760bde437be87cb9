"""Park days between the database and the engine: read a park's consecutive days' observations
(as arrays) and schedules, compute them (`warehouse.metrics.vectorday`), and replace their stored
figures (`store`)."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max, Min

from themepark.choices import EntityType, ScheduleType
from themepark.models import Park, ParkSchedule, Ride

from ..engine_constants import LIVE_HOLD_INTERVALS, METRICS_VERSION
from ..metrics import Obs, ParkDay, RideInfo, park_day_bounds
from ..metrics.timeline import ARCHIVE, LIVE
from ..metrics.vector import NO_WAIT, ObsArrays, StatusCodes
from ..metrics.vectorday import compute_park_days, fingerprints
from ..models import ParkDailyStats
from .packed import packed_columns, packed_rows
from .store import (UTC, DayRows, insert_values, park_day_store, park_days_store,  # noqa: F401 (re-exported)
                    to_datetime)
EPOCH = datetime(1970, 1, 1)
SNAPSHOTS = "ride_status_snapshots"
# A run reads and writes a park's consecutive days this many at a time: one read of their
# observations, one transaction for their rows (docs/statistics-engine.md).
CHUNK_DAYS = 14


def _columns(t: str = "") -> str:
    """The observation columns (of table alias `t`), the time as integer microseconds since the
    epoch where the server can: it spares MySQLdb a datetime per row (3x faster on a park day)."""
    p = f"{t}." if t else ""
    if connection.vendor == "mysql":
        return (f"{p}ride_id, TIMESTAMPDIFF(MICROSECOND, '1970-01-01', {p}recorded_at), {p}status, "
                f"{p}wait_time, {p}data_source")
    return f"{p}ride_id, {p}recorded_at, {p}status, {p}wait_time, {p}data_source"


def live_hold_seconds() -> float:
    return 60.0 * LIVE_HOLD_INTERVALS * settings.COLLECTION_INTERVAL_MINUTES


def to_seconds(value) -> float:
    """A time from `_columns()` (microseconds on MySQL; naive UTC, or a string on SQLite) to POSIX seconds."""
    if isinstance(value, int):
        return value / 1_000_000
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        return value.timestamp()
    return (value - EPOCH).total_seconds()


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------------
def park_rides(park: Park) -> list[RideInfo]:
    """The park's attractions (shows and restaurants are not ranked, docs/metrics.md §4)."""
    rows = park.rides.filter(entity_type=EntityType.ATTRACTION).order_by("name", "pk").values_list("id", "tier")
    return [RideInfo(ride_id, tier, True) for ride_id, tier in rows]


def read_latest(ride_ids: list[int], before: datetime, *, lookback: timedelta = timedelta(days=3)) -> dict[int, Obs]:
    """Each ride's last observation with recorded_at < `before`, however old. First one grouped
    query over the last few days (pruned to one or two partitions); rides silent for longer (a
    refurbishment, a closed season) then get an index dive each on the primary key, which on a
    partitioned table probes every older partition and so is kept for the few that need it."""
    if not ride_ids:
        return {}
    marks = ", ".join(["%s"] * len(ride_ids))
    since = before - lookback
    recent = (f"SELECT {_columns('s')} "
              f"FROM {SNAPSHOTS} s JOIN (SELECT ride_id, MAX(recorded_at) AS last_at FROM {SNAPSHOTS} "
              f"WHERE ride_id IN ({marks}) AND recorded_at >= %s AND recorded_at < %s GROUP BY ride_id) x "
              f"ON s.ride_id = x.ride_id AND s.recorded_at = x.last_at "
              f"WHERE s.recorded_at >= %s AND s.recorded_at < %s")
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(recent, [*ride_ids, _naive(since), _naive(before), _naive(since), _naive(before)])
        for ride_id, at, status, wait, source in cursor.fetchall():
            out[ride_id] = Obs(to_seconds(at), status, wait, source)
        silent = [ride_id for ride_id in ride_ids if ride_id not in out]
        if silent:
            for ride_id, at, status, wait, source in latest_dives(cursor, [(ride_id, since) for ride_id in silent]):
                out[ride_id] = Obs(at, status, wait, source)
    return out


def latest_dives(cursor, rides: list[tuple[int, datetime]]) -> list[tuple]:
    """Each (ride, time)'s last observation before the time by an index dive each (one UNION ALL
    query): rows (ride id, seconds, status, wait, source). Rides with no observation at all before
    their time (a park new to the store) are found first and dive no more (`_with_history`)."""
    rides = _with_history(cursor, rides)
    if not rides:
        return []
    member = (f"(SELECT {_columns()} FROM {SNAPSHOTS} WHERE ride_id = %s AND recorded_at < %s "
              f"ORDER BY recorded_at DESC LIMIT 1)")
    if connection.vendor == "sqlite":  # SQLite wants no parentheses around UNION members
        member = "SELECT * FROM " + member
    cursor.execute(" UNION ALL ".join([member] * len(rides)),
                   [p for ride_id, before in rides for p in (ride_id, _naive(before))])
    return [(ride_id, to_seconds(at), *rest) for ride_id, at, *rest in cursor.fetchall()]


def _with_history(cursor, rides: list[tuple[int, datetime]]) -> list[tuple[int, datetime]]:
    """The (ride, time) pairs whose ride has any observation before the time. A dive, ordered and
    limited, walks into every older partition of the table; an existence test stops at the first
    row it meets, and finds no row cheaply: for 156 rides with no history, 13 ms against 95 ms of
    dives (docs/statistics-engine.md). One query per distinct time."""
    by_time: dict[datetime, list[int]] = {}
    for ride_id, before in rides:
        by_time.setdefault(before, []).append(ride_id)
    rides_table = connection.ops.quote_name(Ride._meta.db_table)
    kept: set[tuple[int, datetime]] = set()
    for before, ids in by_time.items():
        cursor.execute(f"SELECT r.id FROM {rides_table} r WHERE r.id IN ({', '.join(['%s'] * len(ids))}) AND EXISTS "
                       f"(SELECT 1 FROM {SNAPSHOTS} s WHERE s.ride_id = r.id AND s.recorded_at < %s)",
                       [*ids, _naive(before)])
        kept.update((ride_id, before) for (ride_id,) in cursor.fetchall())
    return [pair for pair in rides if pair in kept]


def read_observations(ride_ids: list[int], start: datetime, end: datetime,
                      latest: dict[int, Obs] | None = None) -> dict[int, list[Obs]]:
    """Observations with start <= recorded_at < end (a range on the partition column, so MySQL
    prunes) plus, per ride, the last one before `start`, whose state carries into the span:
    read here, or given as `latest` (complete: a ride missing from it has none)."""
    out: dict[int, list[Obs]] = {ride_id: [] for ride_id in ride_ids}
    for ride_id, obs in (read_latest(ride_ids, start) if latest is None else latest).items():
        if ride_id in out:
            out[ride_id].append(obs)
    if not ride_ids:
        return out
    marks = ", ".join(["%s"] * len(ride_ids))
    sql = (f"SELECT {_columns()} FROM {SNAPSHOTS} WHERE ride_id IN ({marks}) AND recorded_at >= %s "
           f"AND recorded_at < %s ORDER BY ride_id, recorded_at")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ride_ids, _naive(start), _naive(end)])
        for ride_id, at, status, wait, source in cursor.fetchall():
            out[ride_id].append(Obs(to_seconds(at), status, wait, source))
    return out


def read_schedule(park: Park, day: date) -> list[tuple[float, float]]:
    """The day's OPERATING schedule windows (other entry types do not open the park)."""
    rows = ParkSchedule.objects.filter(park=park, date=day, schedule_type=ScheduleType.OPERATING,
                                       opening_time__isnull=False, closing_time__isnull=False)
    return [(o.timestamp(), c.timestamp()) for o, c in rows.values_list("opening_time", "closing_time")]


@dataclass
class Carry:
    """Each ride's last observation before `at`, handed from one park day to the next, so a run
    over consecutive days reads the state a day starts in from the day before, not the table."""

    at: datetime | None = None
    latest: dict[int, Obs] = field(default_factory=dict)


# Benchmarks only: compute the figures of docs/metrics.md version 1 (no spells, kinds or breakdowns), to
# price version 2's on the same data. Never set in the application.
VERSION_1_FIGURES_ONLY = False


def read_schedules(park: Park, first: date, last: date) -> dict[date, list[tuple[float, float]]]:
    """read_schedule for every day first..last in one query."""
    rows = ParkSchedule.objects.filter(park=park, date__gte=first, date__lte=last,
                                       schedule_type=ScheduleType.OPERATING, opening_time__isnull=False,
                                       closing_time__isnull=False)
    out: dict[date, list[tuple[float, float]]] = {}
    for day, opening, closing in rows.values_list("date", "opening_time", "closing_time"):
        out.setdefault(day, []).append((opening.timestamp(), closing.timestamp()))
    return out


def read_arrays(rides: list[RideInfo], start: datetime, end: datetime, latest: dict[int, Obs] | None = None
                ) -> ObsArrays:
    """read_observations as arrays for the array engine (`warehouse.metrics.vector`): the rides'
    observations with start <= recorded_at < end in one query, after each ride's last one before
    `start` (read here, or given as `latest`), sorted by the ride's place in `rides`, then time."""
    with gc_paused():
        return _read_arrays(rides, start, end, latest)


@contextmanager
def gc_paused():
    """The cyclic garbage collector off for a while: building a chunk's rows makes hundreds of
    thousands of tuples (none in a cycle), and the collections they set off walked every object of
    the process again and again (half of a chunk's read)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_arrays(rides, start, end, latest):
    place = {r.id: i for i, r in enumerate(rides)}
    before = read_latest(list(place), start) if latest is None else latest
    rows = [(ride_id, obs.at, obs.status, obs.wait, obs.source) for ride_id, obs in before.items() if ride_id in place]
    head = len(rows)
    packed = None
    if place:
        marks = ", ".join(["%s"] * len(place))
        where = f"ride_id IN ({marks}) AND recorded_at >= %s AND recorded_at < %s"
        packed = observations_read(where, [*place, _naive(start), _naive(end)], rows)
    return arrays_of(rows, head, place, packed)


def observations_read(where: str, params: list, rows: list) -> np.ndarray | None:
    """The observations matching `where`: packed by the server on MySQL (`packed.packed_rows`),
    returned; otherwise (or when a ride's text came back cut) appended to `rows` as tuples in
    `_columns()` order, and None returned."""
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            packed = packed_rows(cursor, SNAPSHOTS, where, params)
            if packed is not None:
                return packed
        cursor.execute(f"SELECT {_columns()} FROM {SNAPSHOTS} WHERE {where}", params)  # arrays_of sorts them
        rows += cursor.fetchall()
    return None


def arrays_of(rows: list[tuple], head: int, place: dict[int, int], packed: np.ndarray | None = None) -> ObsArrays:
    """ObsArrays of observation rows (ride id, time, status, wait, source; the first `head` of them
    carried in, their times in seconds, the others' as `_columns()` reads them) and of `packed`
    rows (`packed.packed_rows`), each ride numbered by `place`, sorted by ride, then time."""
    codes = StatusCodes()
    columns = [_row_columns(rows, head, place, codes)] if rows else []
    if packed is not None and len(packed):
        columns.append(packed_columns(packed, place))
    if not columns:
        empty = np.zeros(0, np.int64)
        return ObsArrays(empty, np.zeros(0), empty.astype(np.int16), empty, empty.astype(bool), codes.names)
    ride, at, status, wait, live = (np.concatenate(parts) for parts in zip(*columns))
    order = np.lexsort((at, ride))
    return ObsArrays(ride[order], at[order], status[order], wait[order], live[order], codes.names)


def _row_columns(rows, head, place, codes):
    ride_ids, times, statuses, waits, sources = zip(*rows)
    ride = np.fromiter(map(place.__getitem__, ride_ids), np.int64, len(rows))
    if connection.vendor == "mysql":  # microseconds since the epoch (the carried ones are seconds)
        at = np.empty(len(rows))
        at[:head] = times[:head]
        at[head:] = np.array(times[head:], np.int64) / 1_000_000
    else:
        at = np.array([t if isinstance(t, float) else to_seconds(t) for t in times])
    wait = np.fromiter((NO_WAIT if w is None else w for w in waits), np.int64, len(rows))
    live = np.fromiter((s == LIVE for s in sources), bool, len(rows))
    return ride, at, codes.encode(statuses), wait, live


def _last_observations(rides: list[RideInfo], obs: ObsArrays) -> dict[int, Obs]:
    """Each ride's last observation among `obs` (what the next span's read starts from)."""
    out = {}
    if not len(obs.ride):
        return out
    last = np.flatnonzero(np.r_[obs.ride[1:] != obs.ride[:-1], True])
    for i in last.tolist():
        wait = int(obs.wait[i])
        out[rides[int(obs.ride[i])].id] = Obs(float(obs.at[i]), obs.names[int(obs.status[i])],
                                              None if wait == NO_WAIT else wait, LIVE if obs.live[i] else ARCHIVE)
    return out


def park_days_compute(*, park: Park, days: list[date], now: datetime, rides: list[RideInfo] | None = None,
                      carry: Carry | None = None, prints: dict | None = None) -> list[ParkDay | Exception]:
    """The figures of consecutive park days from one read of their observations and one of their
    schedules, by the array engine (`warehouse.metrics.vectorday`): what the pure engine gives each
    day on its own. With `carry` (the same rides, chunk after chunk), the previous chunk's last
    observations stand in for the read before the first day, and the carry moves on to this
    chunk's end. A day whose computation fails gets its exception in its place, and the others go
    on. `prints` receives each computed day's fingerprint (observations, DOWN ones, sum of waits)."""
    rides = park_rides(park) if rides is None else rides
    bounds = [park_day_bounds(day, park.timezone) for day in days]
    first, horizon = bounds[0][0], min(bounds[-1][1], now)
    if horizon > first:
        known = carry.latest if carry is not None and carry.at == first else None
        obs = read_arrays(rides, first, horizon, latest=known)
    else:
        obs = read_arrays([], first, first)
    if carry is not None:
        carry.at = horizon if horizon > first else None
        carry.latest = _last_observations(rides, obs)
    return park_days_from(park=park, days=days, now=now, rides=rides, obs=obs,
                          schedules=read_schedules(park, days[0], days[-1]), prints=prints)


def park_days_from(*, park: Park, days: list[date], now: datetime, rides: list[RideInfo], obs: ObsArrays,
                   schedules: dict, prints: dict | None = None) -> list[ParkDay | Exception]:
    """park_days_compute from observations and schedules read already."""
    try:
        out = compute_park_days(days=days, tz=park.timezone, rides=rides, obs=obs, schedules=schedules,
                                reports_down=park.reports_down, now=now.timestamp(), live_hold=live_hold_seconds(),
                                reliability=not VERSION_1_FIGURES_ONLY, day_hook=day_hook)
    except Exception as exc:  # the span's arrays failed: every day of it fails
        return [exc] * len(days)
    if prints is not None:
        bounds = [park_day_bounds(day, park.timezone) for day in days]
        starts = np.array([s.timestamp() for s, _ in bounds])
        horizons = np.minimum(np.array([e.timestamp() for _, e in bounds]), now.timestamp())
        for day, result, fingerprint in zip(days, out, fingerprints(obs, starts, horizons)):
            if not isinstance(result, Exception):
                prints[day] = fingerprint
    return out


def day_hook(day: date) -> None:
    """Called before each park day is put together (tests make a day fail here)."""


def park_day_compute(*, park: Park, day: date, now: datetime, rides: list[RideInfo] | None = None,
                     carry: Carry | None = None) -> ParkDay:
    """Read and compute one park day (nothing is written); `carry` as in park_days_compute."""
    result = park_days_compute(park=park, days=[day], now=now, rides=rides, carry=carry)[0]
    if isinstance(result, Exception):
        raise result
    return result


def park_day_refresh(*, park: Park, day: date, now: datetime, rides: list[RideInfo] | None = None,
                     carry: Carry | None = None) -> ParkDay:
    """Compute one park day and store it (`carry`: see park_days_compute)."""
    rides = park_rides(park) if rides is None else rides
    result = park_day_compute(park=park, day=day, now=now, rides=rides, carry=carry)
    park_day_store(park=park, result=result, ride_ids=[r.id for r in rides])
    return result


def days_between(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _older_version(park_ids):
    rows = ParkDailyStats.objects.filter(metrics_version__lt=METRICS_VERSION)
    return rows.filter(park_id__in=list(park_ids)) if park_ids else rows


def older_version_days(park_ids=None) -> int:
    """Park days whose stored figures an older METRICS_VERSION computed (their rows lack the
    newer figures): `aggregate_stats --rebuild` recomputes them."""
    return _older_version(park_ids).count()


def older_version_span(park_ids=None) -> tuple[date, date] | None:
    """First and last park day holding figures of an older METRICS_VERSION (None: there are none)."""
    span = _older_version(park_ids).aggregate(first=Min("date"), last=Max("date"))
    return (span["first"], span["last"]) if span["first"] else None
