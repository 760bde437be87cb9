"""Park days and open windows (docs/metrics.md §3). Pure: no database."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, NamedTuple
from zoneinfo import ZoneInfo

from ..engine_constants import PARK_DAY_START_HOUR
from .timeline import OPERATING, Run

HOUR = 3600.0
Segments = list[tuple[float, float]]


def park_day_bounds(day: date, tz: str | ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of park day `day`: 04:00 local to 04:00 local the next day, so 23 or
    25 hours long across a DST switch."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    start = datetime.combine(day, time(PARK_DAY_START_HOUR), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(PARK_DAY_START_HOUR), tzinfo=zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def park_day_of(moment: datetime, tz: str | ZoneInfo) -> date:
    """The park day an instant belongs to (before 04:00 local it is still the previous day)."""
    local = moment.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    return local.date() if local.hour >= PARK_DAY_START_HOUR else local.date() - timedelta(days=1)


def union(intervals: Iterable[tuple[float, float]], *, within: tuple[float, float] | None = None) -> Segments:
    """Sorted, disjoint union of intervals, optionally cut to `within`."""
    merged: Segments = []
    for start, end in sorted(intervals):
        if within is not None:
            start, end = max(start, within[0]), min(end, within[1])
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def schedule_window(entries: Iterable[tuple[float, float]], *, day: tuple[float, float]) -> Segments:
    """The union of a day's OPERATING schedule windows, inside the park day."""
    return union(entries, within=day)


def inferred_window(attraction_runs: Iterable[list[Run]], *, day: tuple[float, float]) -> Segments:
    """From the first to the last moment any attraction is OPERATING on the day (one segment)."""
    first, last = None, None
    for runs in attraction_runs:
        for run in runs:
            if run.status != OPERATING or run.end <= day[0] or run.start >= day[1]:
                continue
            start, end = max(run.start, day[0]), min(run.end, day[1])
            first = start if first is None or start < first else first
            last = end if last is None or end > last else last
    return [(first, last)] if first is not None else []


def cut(segments: Segments, until: float) -> Segments:
    """The part of a window before `until` (today's window so far)."""
    return [(s, min(e, until)) for s, e in segments if s < until]


def length(segments: Segments) -> float:
    return sum(e - s for s, e in segments)


def hours_of(segments: Segments) -> dict[float, Segments]:
    """Each UTC hour the window touches, with the window's part inside it."""
    hours: dict[float, Segments] = {}
    for start, end in segments:
        hour = start - start % HOUR
        while hour < end:
            part = (max(start, hour), min(end, hour + HOUR))
            if part[1] > part[0]:
                hours.setdefault(hour, []).append(part)
            hour += HOUR
    return hours


class Window(NamedTuple):
    """A park day's open window: its segments and whether a schedule gave it."""

    segments: Segments
    from_schedule: bool

    @property
    def hours(self) -> float:
        return length(self.segments) / HOUR
