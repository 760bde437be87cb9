"""Pure interval logic behind gap detection, freshness and coverage (no database here).

The hold rule, park days and open windows are the statistics engine's (`warehouse.metrics`),
reused here rather than rewritten; this module adds interval algebra on top.

Times are aware UTC datetimes; an interval is a half-open `(start, end)` pair. The hold rule
is docs/metrics.md §2: an observation holds its state until the ride's next one, a LIVE poll at
most `live_hold` (3 x COLLECTION_INTERVAL); past that the ride's state is unknown. A park gap
is a stretch of the park's open window (docs/metrics.md §3) where no ride has known state.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from warehouse.metrics.days import inferred_window, park_day_bounds, park_day_of, schedule_window
from warehouse.metrics.timeline import OPERATING, Obs, Run, build_runs

from .choices import Freshness

MIN_GAP = timedelta(minutes=30)
FRESH_MINUTES, NORMAL_MINUTES = 15, 30

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Point:
    """One observation of one ride, as the timeline needs it."""
    recorded_at: datetime
    status: str | None
    data_source: str


# Interval algebra -------------------------------------------------------------------------

def union(intervals) -> list[Interval]:
    """Sorted, merged intervals (touching ones merge too)."""
    merged: list[list[datetime]] = []
    for start, end in sorted(iv for iv in intervals if iv[1] > iv[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def intersect(a, b) -> list[Interval]:
    a, b = union(a), union(b)
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a, b) -> list[Interval]:
    """The parts of `a` not covered by `b`."""
    out = []
    b = union(b)
    for start, end in union(a):
        cursor = start
        for b_start, b_end in b:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                out.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def clip(intervals, start: datetime, end: datetime) -> list[Interval]:
    return intersect(intervals, [(start, end)])


def total(intervals) -> timedelta:
    return sum((e - s for s, e in union(intervals)), timedelta())


# Timelines (the statistics engine's own rules, so gaps and figures never disagree) -----------

def _runs(points: list[Point], *, live_hold: timedelta, until: datetime) -> list[Run]:
    return build_runs([Obs(p.recorded_at.timestamp(), p.status, None, p.data_source) for p in points],
                      live_hold=live_hold.total_seconds(), horizon=until.timestamp())


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def known_intervals(points, *, live_hold, until) -> list[Interval]:
    """Where the ride's state is known: docs/metrics.md §2 via warehouse.metrics.build_runs (a null
    status is no knowledge; the last ARCHIVE event holds until `until`)."""
    return union((_moment(r.start), _moment(r.end)) for r in _runs(points, live_hold=live_hold, until=until))


def operating_intervals(points, *, live_hold, until) -> list[Interval]:
    return union((_moment(r.start), _moment(r.end)) for r in _runs(points, live_hold=live_hold, until=until)
                 if r.status == OPERATING)


# Park days and open windows -------------------------------------------------------------------

def park_days(start: datetime, end: datetime, tz_name: str) -> list[date]:
    """Park days overlapping [start, end)."""
    day = park_day_of(start, tz_name)
    days = []
    while park_day_bounds(day, tz_name)[0] < end:
        days.append(day)
        day += timedelta(days=1)
    return days


def open_window(*, schedule: list[Interval], operating: list[Interval], day_bounds: Interval) -> list[Interval]:
    """The open window of one park day (docs/metrics.md §3, warehouse.metrics.days): the union of the
    OPERATING schedule windows when known, else first to last moment any attraction operated."""
    day = (day_bounds[0].timestamp(), day_bounds[1].timestamp())
    if schedule:
        segments = schedule_window([(s.timestamp(), e.timestamp()) for s, e in schedule], day=day)
    else:
        segments = inferred_window([[Run(s.timestamp(), e.timestamp(), OPERATING, None) for s, e in operating]],
                                   day=day)
    return [(_moment(s), _moment(e)) for s, e in segments]


# Findings -------------------------------------------------------------------------------------

def long_stretches(intervals, min_length: timedelta = MIN_GAP) -> list[Interval]:
    return [(s, e) for s, e in union(intervals) if e - s > min_length]


def park_gaps(*, window, known, min_length: timedelta = MIN_GAP) -> list[Interval]:
    """Stretches of the open window with no known state, longer than `min_length`."""
    return long_stretches(subtract(window, known), min_length)


def silent_stretches(*, ride_known, park_known, window, min_length: timedelta = MIN_GAP) -> list[Interval]:
    """Where a ride that had reported before is silent while its park is open and others report."""
    if not ride_known:
        return []
    first = union(ride_known)[0][0]
    active = [(max(s, first), e) for s, e in intersect(window, park_known) if e > first]
    return long_stretches(subtract(active, ride_known), min_length)


def missing_day_runs(present: set[date], first: date, last: date) -> list[tuple[date, date]]:
    """Runs (first, last inclusive) of days in first..last absent from `present`."""
    runs, day, run_start = [], first, None
    while day <= last:
        if day not in present and run_start is None:
            run_start = day
        if day in present and run_start is not None:
            runs.append((run_start, day - timedelta(days=1)))
            run_start = None
        day += timedelta(days=1)
    if run_start is not None:
        runs.append((run_start, last))
    return runs


def coverage(*, window, known) -> float | None:
    """Share of the open window with known state; None when the park was not open."""
    length = total(window)
    return None if not length else total(intersect(window, known)) / length


def freshness(age: timedelta | None) -> str:
    if age is None:
        return Freshness.NO_DATA
    if age < timedelta(minutes=FRESH_MINUTES):
        return Freshness.FRESH
    return Freshness.NORMAL if age < timedelta(minutes=NORMAL_MINUTES) else Freshness.STALE


# Reconciling with earlier findings -----------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """An earlier GAP entry of the same kind and entity."""
    id: int
    start: datetime
    end: datetime
    closed: bool = False  # RESOLVED or WONTFIX


@dataclass
class Plan:
    create: list[Interval] = field(default_factory=list)
    update: dict[int, Interval] = field(default_factory=dict)
    close: list[int] = field(default_factory=list)


def reconcile(existing: list[Entry], found: list[Interval], *, scanned: Interval) -> Plan:
    """Turn the gaps found in `scanned` into creates, updates (extend or shrink to what was found,
    keeping the parts outside the scan) and closes (open entries inside the scan no longer found,
    or merged into another). Re-running on the same data changes nothing."""
    plan, matched = Plan(), set()
    for start, end in union(found):
        hits = [e for e in existing if e.start <= end and e.end >= start and e.id not in matched]
        if not hits:
            plan.create.append((start, end))
            continue
        keep, *merged = sorted(hits, key=lambda e: e.start)
        new_start = min([start] + [e.start for e in hits if e.start < scanned[0]])
        new_end = max([end] + [e.end for e in hits if e.end > scanned[1]])
        if (new_start, new_end) != (keep.start, keep.end):
            plan.update[keep.id] = (new_start, new_end)
        matched.update(e.id for e in hits)
        plan.close += [e.id for e in merged if not e.closed]
    plan.close += [e.id for e in existing if e.id not in matched and not e.closed
                   and e.start >= scanned[0] and e.end <= scanned[1]]
    return plan
