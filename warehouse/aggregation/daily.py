"""Park days between the database and the pure metrics: read a day's observations and
schedule, compute, and replace that day's stored figures in one transaction."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone as dt_timezone
from typing import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from themepark.choices import EntityType, ScheduleType
from themepark.models import Park, ParkSchedule

from ..engine_constants import LIVE_HOLD_INTERVALS, METRICS_VERSION
from ..metrics import Obs, ParkDay, RideInfo, compute_park_day, park_day_bounds
from ..metrics.spells import LATE_OPENING, PARK_WIDE, STALE_FEED
from ..models import (DownSpell, ParkDailyStats, ParkDayFingerprint, ParkHourlyStats, ParkOperatingSession,
                      RideDailyStats, RideHourlyStats, RideStatusChange, WindowSource)

UTC = dt_timezone.utc
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


def to_datetime(secs: float) -> datetime:
    return datetime.fromtimestamp(secs, tz=UTC)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------------
def park_rides(park: Park) -> list[RideInfo]:
    """The park's attractions (shows and restaurants are not ranked, docs/metrics.md §4)."""
    rows = park.rides.filter(entity_type=EntityType.ATTRACTION).values_list("id", "tier")
    return [RideInfo(ride_id, tier, True) for ride_id, tier in rows]


def read_latest(ride_ids: list[int], before: datetime, *, lookback: timedelta = timedelta(days=3)) -> dict[int, Obs]:
    """Each ride's last observation with recorded_at < `before`, however old. First one grouped
    query over the last few days (pruned to one or two partitions); rides silent for longer (a
    refurbishment, a closed season) then get an index dive each on the primary key, which on a
    partitioned table probes every older partition and so is kept for the few that need it."""
    if not ride_ids:
        return {}
    cols = _columns()
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
            member = (f"(SELECT {cols} FROM {SNAPSHOTS} WHERE ride_id = %s AND recorded_at < %s "
                      f"ORDER BY recorded_at DESC LIMIT 1)")
            if connection.vendor == "sqlite":  # SQLite wants no parentheses around UNION members
                member = "SELECT * FROM " + member
            cursor.execute(" UNION ALL ".join([member] * len(silent)),
                           [p for ride_id in silent for p in (ride_id, _naive(since))])
            for ride_id, at, status, wait, source in cursor.fetchall():
                out[ride_id] = Obs(to_seconds(at), status, wait, source)
    return out


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


def park_day_compute(*, park: Park, day: date, now: datetime, rides: list[RideInfo] | None = None,
                     carry: Carry | None = None, on_read: Callable | None = None) -> ParkDay:
    """Read and compute one park day (nothing is written). With `carry` (the same rides, day
    after day), the previous day's last observations stand in for the read before the day,
    and the carry moves on to this day's end. `on_read(observations, start)` sees what was read
    (start: the day's start in POSIX seconds)."""
    rides = park_rides(park) if rides is None else rides
    start, end = park_day_bounds(day, park.timezone)
    horizon = min(end, now)
    observations = {}
    if horizon > start:
        known = carry.latest if carry is not None and carry.at == start else None
        observations = read_observations([r.id for r in rides], start, horizon, latest=known)
        if on_read is not None:
            on_read(observations, start.timestamp())
    if carry is not None:
        carry.at = horizon if horizon > start else None
        carry.latest = {ride_id: obs[-1] for ride_id, obs in observations.items() if obs}
    return compute_park_day(day=day, tz=park.timezone, rides=rides, observations=observations,
                            schedule=read_schedule(park, day), reports_down=park.reports_down,
                            now=now.timestamp(), live_hold=live_hold_seconds(),
                            reliability=not VERSION_1_FIGURES_ONLY)


def read_schedules(park: Park, first: date, last: date) -> dict[date, list[tuple[float, float]]]:
    """read_schedule for every day first..last in one query."""
    rows = ParkSchedule.objects.filter(park=park, date__gte=first, date__lte=last,
                                       schedule_type=ScheduleType.OPERATING, opening_time__isnull=False,
                                       closing_time__isnull=False)
    out: dict[date, list[tuple[float, float]]] = {}
    for day, opening, closing in rows.values_list("date", "opening_time", "closing_time"):
        out.setdefault(day, []).append((opening.timestamp(), closing.timestamp()))
    return out


def split_days(observations: dict[int, list[Obs]], bounds: list[tuple[float, float]]) -> list[dict[int, list[Obs]]]:
    """Observations read over consecutive park days (with each ride's last one before the first
    day) cut into what `read_observations` gives for each day [start, end): the day's own, after
    the last one before its start."""
    out = [{} for _ in bounds]
    for ride_id, obs in observations.items():
        times = [o.at for o in obs]
        for i, (start, end) in enumerate(bounds):
            lo, hi = bisect_left(times, start), bisect_left(times, end)
            out[i][ride_id] = obs[max(lo - 1, 0):hi]
    return out


def park_days_compute(*, park: Park, days: list[date], now: datetime, rides: list[RideInfo] | None = None,
                      carry: Carry | None = None, on_read: Callable | None = None) -> list[ParkDay | Exception]:
    """park_day_compute for consecutive park days from one read of their observations and one of
    their schedules (with `carry` as there). A day whose computation fails gets its exception in
    its place, and the others go on. `on_read(observations, start)` is called for each day."""
    rides = park_rides(park) if rides is None else rides
    bounds = [park_day_bounds(day, park.timezone) for day in days]
    first, horizon = bounds[0][0], min(bounds[-1][1], now)
    observations = {}
    if horizon > first:
        known = carry.latest if carry is not None and carry.at == first else None
        observations = read_observations([r.id for r in rides], first, horizon, latest=known)
    if carry is not None:
        carry.at = horizon if horizon > first else None
        carry.latest = {ride_id: obs[-1] for ride_id, obs in observations.items() if obs}
    per_day = split_days(observations, [(s.timestamp(), min(e, now).timestamp()) for s, e in bounds])
    schedules = read_schedules(park, days[0], days[-1])
    out, hold = [], live_hold_seconds()
    for day, (start, end), day_obs in zip(days, bounds, per_day):
        try:
            if on_read is not None and min(end, now) > start:
                on_read(day_obs, start.timestamp())
            out.append(compute_park_day(day=day, tz=park.timezone, rides=rides, observations=day_obs,
                                        schedule=schedules.get(day, []), reports_down=park.reports_down,
                                        now=now.timestamp(), live_hold=hold,
                                        reliability=not VERSION_1_FIGURES_ONLY))
        except Exception as exc:  # one bad day must not stop the others
            out.append(exc)
    return out


# ---------------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------------
RIDE_FIGURES = ("operating_minutes", "downtime_minutes", "known_minutes", "wait_known_minutes", "uptime_percentage",
                "avg_wait_minutes", "peak_wait_minutes", "status_changes", "longest_downtime_minutes", "operated",
                "metrics_version", "computed_at")
PARK_FIGURES = ("shame_score", "total_downtime_hours", "weighted_downtime_hours", "effective_park_weight",
                "rides_operated", "rides_down", "uptime_percentage", "avg_wait_minutes", "peak_wait_minutes",
                "open_hours", "metrics_version", "computed_at")

# Daily rows only (docs/metrics.md §8-§9): breakdowns and downtime by kind.
RIDE_RELIABILITY = ("breakdowns", "park_wide_minutes", "late_opening_minutes", "stale_feed_minutes", "opened_on_time")
PARK_RELIABILITY = ("breakdowns", "park_wide_minutes", "late_opening_minutes", "stale_feed_minutes",
                    "weighted_park_wide_hours", "weighted_stale_feed_hours")
SPELL_COLUMNS = ("ride_id", "park_id", "date", "started_at", "ended_at", "minutes", "kind", "cut_by_close")


def _kind_minutes(by_kind):
    return by_kind[PARK_WIDE], by_kind[LATE_OPENING], by_kind[STALE_FEED]


def _ride_reliability(rel):
    return (rel.breakdowns, *_kind_minutes(rel.minutes_by_kind), rel.opened_on_time)


def _park_reliability(fig):
    return (fig.breakdowns, *_kind_minutes(fig.minutes_by_kind), fig.weighted_park_wide_hours,
            fig.weighted_stale_feed_hours)


def _ride_values(fig, stamp):
    return (fig.operating_minutes, fig.downtime_minutes, fig.known_minutes, fig.wait_known_minutes,
            fig.uptime_percentage, fig.avg_wait_minutes, fig.peak_wait, fig.status_changes,
            fig.longest_downtime_minutes, fig.operated, METRICS_VERSION, stamp)


def _park_values(fig, stamp):
    return (fig.shame_score, fig.total_downtime_hours, fig.weighted_downtime_hours, fig.effective_park_weight,
            fig.rides_operated, fig.rides_down, fig.uptime_percentage, fig.avg_wait_minutes, fig.peak_wait_minutes,
            fig.open_hours, METRICS_VERSION, stamp)


def _literal(value) -> str:
    """SQL literal of the values written here: numbers, None, booleans, and strings we made
    ourselves (statuses, adapted dates): no user input reaches this."""
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "''") + "'"


def insert_values(model, columns: tuple[str, ...], rows: list[tuple], *, batch_size: int = 1000) -> None:
    """Plain multi-row INSERTs with the literals formatted here. bulk_create built a model instance
    and prepared every value through its field, and MySQLdb's executemany escapes each value
    again: together most of a park day's time."""
    if not rows:
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch_size):
            values = ",".join("(" + ",".join(map(_literal, row)) + ")" for row in rows[i:i + batch_size])
            cursor.execute(head + values)


class DayRows:
    """The rows of one or more consecutive park days of a park, ready to insert. A later day's hour
    replaces an earlier one's (see `park_day_store`): hours are keyed."""

    def __init__(self):
        self.sessions, self.ride_days, self.park_days, self.changes, self.spells = [], [], [], [], []
        self.ride_hours, self.park_hours = {}, {}
        self.stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        self._hours = {}

    def _hour(self, secs):
        value = self._hours.get(secs)
        if value is None:
            value = self._hours[secs] = connection.ops.adapt_datetimefield_value(to_datetime(secs))
        return value

    def add(self, pid: int, result: ParkDay) -> None:
        adapt, stamp = connection.ops.adapt_datetimefield_value, self.stamp
        db_day = connection.ops.adapt_datefield_value(result.day)
        if result.session:
            segs = result.session.segments
            self.sessions.append((pid, db_day, adapt(to_datetime(segs[0][0])), adapt(to_datetime(segs[-1][1])),
                                  result.session.hours,
                                  WindowSource.SCHEDULE if result.session.from_schedule else WindowSource.INFERRED,
                                  METRICS_VERSION))
        for ride_id, fig in result.rides.items():
            self.ride_days.append((ride_id, pid, db_day, *_ride_values(fig, stamp),
                                   *_ride_reliability(result.reliability[ride_id])))
            for hour, hfig in result.ride_hours[ride_id].items():
                self.ride_hours[ride_id, hour] = (ride_id, pid, db_day, self._hour(hour), *_ride_values(hfig, stamp))
        if result.park is not None:
            self.park_days.append((pid, db_day, result.coverage_percentage, *_park_values(result.park, stamp),
                                   *_park_reliability(result.park)))
            for hour, pfig in result.park_hours.items():
                self.park_hours[hour] = (pid, db_day, self._hour(hour), *_park_values(pfig, stamp))
        for ride_id, ride_changes in result.changes.items():
            self.changes.extend((ride_id, adapt(to_datetime(c.at)), c.from_status, c.to_status,
                                 c.previous_seconds / 60.0) for c in ride_changes)
        closes = {end for _, end in result.window}
        for ride_id, ride_spells in result.spells.items():
            if not result.rides[ride_id].operated:
                continue  # its down time counts nowhere (docs/metrics.md §4)
            self.spells.extend((ride_id, pid, db_day, adapt(to_datetime(sp.start)), adapt(to_datetime(sp.end)),
                                sp.minutes, sp.kind, sp.end in closes) for sp in ride_spells)

    def count(self) -> int:
        return sum(map(len, (self.sessions, self.ride_days, self.ride_hours, self.park_days, self.park_hours,
                             self.changes, self.spells)))


def _spans(results: list[ParkDay]) -> list[tuple[ParkDay, ParkDay]]:
    """Runs of consecutive park days among `results` (in day order): (first, last) of each."""
    spans = []
    for result in results:
        if spans and spans[-1][1].day + timedelta(days=1) == result.day:
            spans[-1] = (spans[-1][0], result)
        else:
            spans.append((result, result))
    return spans


def park_days_store(*, park: Park, results: list[ParkDay], ride_ids: list[int],
                    fingerprints: dict[date, tuple[int, int, int]] | None = None) -> int:
    """Replace everything stored for these park days (in day order) with `results`, and their
    fingerprints when given: the deletes cover each run of consecutive days as one range, and
    the figures go in one transaction (idempotent; readers never see half a day), the fingerprints
    in the next. Returns rows written."""
    if not results:
        return 0
    pid, rows = park.pk, DayRows()
    for result in results:
        rows.add(pid, result)
    with transaction.atomic():
        for first, last in _spans(results):
            for model in (RideDailyStats, ParkDailyStats, ParkOperatingSession, DownSpell):
                model.objects.filter(park_id=pid, date__gte=first.day, date__lte=last.day).delete()
            # Hours by time range, on the (park, hour_start_utc) indexes. In a zone with a half-hour
            # offset the hour holding 04:00 local is shared with the previous park day: the day
            # computed last keeps it (the unique (ride, hour) key allows one row).
            first_hour, end = to_datetime(first.start - first.start % 3600), to_datetime(last.end)
            for model in (RideHourlyStats, ParkHourlyStats):
                model.objects.filter(park_id=pid, hour_start_utc__gte=first_hour, hour_start_utc__lt=end).delete()
            if ride_ids:
                RideStatusChange.objects.filter(ride_id__in=ride_ids, changed_at__gte=to_datetime(first.start),
                                                changed_at__lt=end).delete()
        insert_values(ParkOperatingSession, ("park_id", "date", "open_from", "open_to", "operating_hours", "source",
                                             "metrics_version"), rows.sessions)
        insert_values(RideDailyStats, ("ride_id", "park_id", "date", *RIDE_FIGURES, *RIDE_RELIABILITY), rows.ride_days)
        insert_values(RideHourlyStats, ("ride_id", "park_id", "date", "hour_start_utc", *RIDE_FIGURES),
                      list(rows.ride_hours.values()))
        insert_values(ParkDailyStats, ("park_id", "date", "coverage_percentage", *PARK_FIGURES, *PARK_RELIABILITY),
                      rows.park_days)
        insert_values(ParkHourlyStats, ("park_id", "date", "hour_start_utc", *PARK_FIGURES),
                      list(rows.park_hours.values()))
        insert_values(RideStatusChange, ("ride_id", "changed_at", "from_status", "to_status",
                                         "previous_duration_minutes"), rows.changes)
        insert_values(DownSpell, SPELL_COLUMNS, rows.spells)
    if fingerprints is not None:  # after the figures' commit: a run waiting here holds no row locks
        with transaction.atomic():
            for first, last in _spans(results):
                ParkDayFingerprint.objects.filter(park_id=pid, date__gte=first.day, date__lte=last.day).delete()
            insert_values(ParkDayFingerprint, ("park_id", "date", "snapshots", "down_snapshots", "wait_total",
                                               "computed_at"),
                          [(pid, connection.ops.adapt_datefield_value(day), *fingerprint, rows.stamp)
                           for day, fingerprint in sorted(fingerprints.items())])
    return rows.count()


def park_day_store(*, park: Park, result: ParkDay, ride_ids: list[int]) -> int:
    """Replace everything stored for this park day with `result` (delete, then insert, in one
    transaction: idempotent, and readers never see half a day). Returns rows written."""
    return park_days_store(park=park, results=[result], ride_ids=ride_ids)


def park_day_refresh(*, park: Park, day: date, now: datetime, rides: list[RideInfo] | None = None,
                     carry: Carry | None = None, on_read: Callable | None = None) -> ParkDay:
    """Compute one park day and store it (`carry`, `on_read`: see park_day_compute)."""
    rides = park_rides(park) if rides is None else rides
    result = park_day_compute(park=park, day=day, now=now, rides=rides, carry=carry, on_read=on_read)
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
