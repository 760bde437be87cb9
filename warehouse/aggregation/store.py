"""Writing park days' figures: every row of a run of consecutive park days of a park made equal to
the computed ones in one transaction (the stored rows read back, only the changed, new and vanished
ones written: `writes`), and their fingerprints in the next."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone as dt_timezone

from django.db import connection, transaction
from django.utils import timezone

from themepark.models import Park

from ..engine_constants import METRICS_VERSION
from ..metrics import ParkDay
from ..metrics.spells import LATE_OPENING, PARK_WIDE, STALE_FEED
from .sqlvalues import _values, insert_values  # noqa: F401 (re-exported)
from .writes import Table, rows_write, stored_rows
from ..models import (DownSpell, ParkDailyStats, ParkDayFingerprint, ParkHourlyStats, ParkOperatingSession,
                      RideDailyStats, RideHourlyStats, RideStatusChange, WindowSource)

UTC = dt_timezone.utc


def to_datetime(secs: float) -> datetime:
    return datetime.fromtimestamp(secs, tz=UTC)


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


class DayRows:
    """The rows of one or more consecutive park days of a park, ready to insert. A later day's hour
    replaces an earlier one's (see `park_day_store`): hours are keyed."""

    def __init__(self):
        self.sessions, self.ride_days, self.park_days, self.changes, self.spells = [], [], [], [], []
        self.ride_hours, self.park_hours = {}, {}
        self.stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        self._hours = {}
        self._utc = connection.vendor == "mysql" and connection.timezone_name == "UTC"

    def _adapt_time(self, secs: float) -> str:
        """adapt_datetimefield_value of a time in POSIX seconds; on MySQL with the connection in
        UTC that is the naive UTC time's str, made here without the aware detour."""
        if self._utc:
            return str(datetime.fromtimestamp(secs, tz=UTC).replace(tzinfo=None))
        return connection.ops.adapt_datetimefield_value(to_datetime(secs))

    def _hour(self, secs):
        value = self._hours.get(secs)
        if value is None:
            value = self._hours[secs] = connection.ops.adapt_datetimefield_value(to_datetime(secs))
        return value

    def add(self, pid: int, result: ParkDay) -> None:
        adapt, stamp = self._adapt_time, self.stamp
        db_day = connection.ops.adapt_datefield_value(result.day)
        if result.session:
            segs = result.session.segments
            self.sessions.append((pid, db_day, adapt(segs[0][0]), adapt(segs[-1][1]),
                                  result.session.hours, str(WindowSource.SCHEDULE if result.session.from_schedule
                                                            else WindowSource.INFERRED),
                                  METRICS_VERSION))
        for ride_id, fig in result.rides.items():
            self.ride_days.append((ride_id, pid, db_day, *_ride_values(fig, stamp),
                                   *_ride_reliability(result.reliability[ride_id])))
            for hour, hfig in result.ride_hours.get(ride_id, {}).items():
                self.ride_hours[ride_id, hour] = (ride_id, pid, db_day, self._hour(hour), *_ride_values(hfig, stamp))
        for ride_id, hour, *values in result.hour_rows:
            self.ride_hours[ride_id, hour] = (ride_id, pid, db_day, self._hour(hour), *values, METRICS_VERSION, stamp)
        if result.park is not None:
            self.park_days.append((pid, db_day, result.coverage_percentage, *_park_values(result.park, stamp),
                                   *_park_reliability(result.park)))
            for hour, pfig in result.park_hours.items():
                self.park_hours[pid, hour] = (pid, db_day, self._hour(hour), *_park_values(pfig, stamp))
        for ride_id, ride_changes in result.changes.items():
            self.changes.extend((ride_id, adapt(c.at), c.from_status, c.to_status,
                                 c.previous_seconds / 60.0) for c in ride_changes)
        closes = {end for _, end in result.window}
        for ride_id, ride_spells in result.spells.items():
            if not result.rides[ride_id].operated:
                continue  # its down time counts nowhere (docs/metrics.md §4)
            self.spells.extend((ride_id, pid, db_day, adapt(sp.start), adapt(sp.end),
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
    fingerprints when given: see parks_days_store. Returns rows written."""
    return sum(parks_days_store([(park.pk, results, ride_ids, fingerprints)]))


def parks_days_store(items: list[tuple[int, list[ParkDay], list[int], dict | None]]) -> list[int]:
    """For each (park id, results in day order, the park's ride ids, fingerprints or None): replace
    everything stored for those park days with the results, and their fingerprints when given.
    Each run of consecutive days is one range of stored rows, read back with those of every other
    item in one statement per table (`figures_write`), and only the rows that changed are written;
    the figures of every park go in one transaction (idempotent; readers never see half a day),
    the fingerprints in the next. Returns the rows computed for each item."""
    from .daily import gc_paused

    with gc_paused():
        return _parks_days_store(items)


def _parks_days_store(items):
    rows, counts = DayRows(), []
    spans: dict[tuple, tuple[list[int], list[int]]] = {}
    printed: dict[tuple, list[int]] = {}
    prints = []
    for pid, results, ride_ids, fingerprints in items:
        before = rows.count()
        for result in results:
            rows.add(pid, result)
        counts.append(rows.count() - before)
        for first, last in _spans(results):
            key = (first.day, last.day, first.start, last.end)
            parks, rides = spans.setdefault(key, ([], []))
            parks.append(pid)
            rides.extend(ride_ids)
            if fingerprints is not None:
                printed.setdefault(key[:2], []).append(pid)
        if fingerprints is not None:
            prints += [(pid, connection.ops.adapt_datefield_value(day), *fingerprint, rows.stamp)
                       for day, fingerprint in sorted(fingerprints.items())]
    if not spans:
        return counts
    with transaction.atomic():
        figures_write(rows, spans)
    if printed:  # after the figures' commit: a run waiting here holds no row locks
        with transaction.atomic():
            for (first_day, last_day), parks in printed.items():
                ParkDayFingerprint.objects.filter(park_id__in=parks, date__gte=first_day, date__lte=last_day).delete()
            insert_values(ParkDayFingerprint, ("park_id", "date", "snapshots", "down_snapshots", "wait_total",
                                               "computed_at"), prints)
    return counts


SESSION_COLUMNS = ("park_id", "date", "open_from", "open_to", "operating_hours", "source", "metrics_version")
TABLES = (  # (DayRows attribute, table, what a span's rows are found by)
    ("sessions", Table(ParkOperatingSession, SESSION_COLUMNS), "days"),
    ("ride_days", Table(RideDailyStats, ("ride_id", "park_id", "date", *RIDE_FIGURES, *RIDE_RELIABILITY)), "days"),
    ("ride_hours", Table(RideHourlyStats, ("ride_id", "park_id", "date", "hour_start_utc", *RIDE_FIGURES)), "hours"),
    ("park_days", Table(ParkDailyStats, ("park_id", "date", "coverage_percentage", *PARK_FIGURES,
                                         *PARK_RELIABILITY)), "days"),
    ("park_hours", Table(ParkHourlyStats, ("park_id", "date", "hour_start_utc", *PARK_FIGURES)), "hours"),
    ("changes", Table(RideStatusChange, ("ride_id", "changed_at", "from_status", "to_status",
                                         "previous_duration_minutes")), "changes"),
    ("spells", Table(DownSpell, SPELL_COLUMNS), "days"),
)


def _ids(ids) -> str:
    return ", ".join(str(int(i)) for i in ids)


def _span_where(by: str, first_day, last_day, start: float, end: float, parks: list[int], rides: list[int]):
    """(WHERE, params) of the rows a run of consecutive park days replaces in a table found `by`
    days, hours or changes: the park days' rows; their hours by time range (on the (park,
    hour_start_utc) indexes; in a zone with a half-hour offset the hour holding 04:00 local is
    shared with the previous park day, and the day computed last keeps it: the unique (ride, hour)
    key allows one row); the rides' changes in the span. None: nothing to find."""
    ops = connection.ops
    if by == "days":
        return (f"park_id IN ({_ids(parks)}) AND date >= %s AND date <= %s",
                [ops.adapt_datefield_value(first_day), ops.adapt_datefield_value(last_day)])
    until = ops.adapt_datetimefield_value(to_datetime(end))
    if by == "hours":
        return (f"park_id IN ({_ids(parks)}) AND hour_start_utc >= %s AND hour_start_utc < %s",
                [ops.adapt_datetimefield_value(to_datetime(start - start % 3600)), until])
    if not rides:
        return None
    return (f"ride_id IN ({_ids(rides)}) AND changed_at >= %s AND changed_at < %s",
            [ops.adapt_datetimefield_value(to_datetime(start)), until])


def figures_write(rows: DayRows, spans: dict[tuple, tuple[list[int], list[int]]]) -> int:
    """Make what is stored for the spans' park days equal to `rows`: each table's rows of the
    spans are read, and only the changed, new and vanished ones written (`writes.rows_write`).
    Returns the rows inserted."""
    written = 0
    for attr, table, by in TABLES:
        wheres = [where for (first_day, last_day, start, end), (parks, rides) in spans.items()
                  if (where := _span_where(by, first_day, last_day, start, end, parks, rides)) is not None]
        stored = stored_rows(table, " OR ".join(f"({sql})" for sql, _ in wheres),
                             [p for _, params in wheres for p in params], rows.stamp) if wheres else {}
        new = getattr(rows, attr)
        written += rows_write(table, list(new.values()) if isinstance(new, dict) else new, stored)
    return written


def park_day_store(*, park: Park, result: ParkDay, ride_ids: list[int]) -> int:
    """Replace everything stored for this park day with `result` (in one transaction: idempotent,
    and readers never see half a day). Returns rows computed."""
    return park_days_store(park=park, results=[result], ride_ids=ride_ids)
