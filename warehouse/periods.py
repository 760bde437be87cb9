"""Periods of the API resolved to park days (docs/metrics.md §3, §6). Pure: no database.

A park day D runs from 04:00 local time on D to 04:00 on D+1 in the park's own IANA zone, so
"today" is the park's own today. Every resolved period is an inclusive range of park days.
"""
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .engine_constants import PARK_DAY_START_HOUR

LIVE = "live"
PERIODS = ("live", "today", "yesterday", "last_week", "last_month", "7days", "30days", "365days")
CUSTOM = "custom"
# Ranges of more than a year are refused: rankings stay cheap and year-over-year stays meaningful.
MAX_RANGE_DAYS = 366
# Dates outside these years are refused (they could only be typos, and date arithmetic must not overflow).
MIN_YEAR, MAX_YEAR = 2000, 2100


class DayRange(NamedTuple):
    """Park days start..end, both inclusive. A named tuple: made, hashed and compared in C (a
    ranking makes and looks up a few hundred of them)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self):
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def as_dict(self):
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@lru_cache(maxsize=256)
def zone(tz: str) -> ZoneInfo:
    """The zone named `tz`, kept: ZoneInfo's own cache holds only the last 8 zones strongly, so with
    more zones in use (parks in 8 zones and UTC) each call read a zone file from disk again."""
    return ZoneInfo(tz)


def park_today(now: datetime, tz: str) -> date:
    """The park day `now` falls in, in zone `tz`."""
    local = now.astimezone(zone(tz))
    return (local - timedelta(hours=PARK_DAY_START_HOUR)).date()


def day_bounds_utc(day: date, tz: str) -> tuple[datetime, datetime]:
    """UTC instants [start, end) of park day `day` (23 or 25 hours long on DST days)."""
    local = zone(tz)
    start = datetime.combine(day, time(PARK_DAY_START_HOUR), tzinfo=local)
    end = datetime.combine(day + timedelta(days=1), time(PARK_DAY_START_HOUR), tzinfo=local)
    return start.astimezone(_UTC), end.astimezone(_UTC)


_UTC = ZoneInfo("UTC")


def range_bounds_utc(days: DayRange, tz: str) -> tuple[datetime, datetime]:
    return day_bounds_utc(days.start, tz)[0], day_bounds_utc(days.end, tz)[1]


def _month_start(day: date) -> date:
    return day.replace(day=1)


_LAST_DAYS = {"7days": 7, "30days": 30, "365days": 365}


def resolve(period: str, *, today: date) -> DayRange:
    """Park days of a named period for a park whose current park day is `today`.

    `live` and `today` are today so far; `last_week` the previous Monday-Sunday; `last_month` the
    previous calendar month; `7days`/`30days`/`365days` the last 7/30/365 complete park days (365: a
    rolling year).
    """
    if period in (LIVE, "today"):
        return DayRange(today, today)
    if period == "yesterday":
        day = today - timedelta(days=1)
        return DayRange(day, day)
    if period == "last_week":
        monday = today - timedelta(days=today.weekday() + 7)
        return DayRange(monday, monday + timedelta(days=6))
    if period == "last_month":
        end = _month_start(today) - timedelta(days=1)
        return DayRange(_month_start(end), end)
    if period in _LAST_DAYS:
        n = _LAST_DAYS[period]
        return DayRange(today - timedelta(days=n), today - timedelta(days=1))
    raise ValueError(f"unknown period {period!r}")


def previous(period: str, days: DayRange) -> DayRange:
    """The period just before `days`, of the same kind (the month before for `last_month`)."""
    if period == "last_month":
        end = days.start - timedelta(days=1)
        return DayRange(_month_start(end), end)
    return DayRange(days.start - timedelta(days=days.days), days.start - timedelta(days=1))


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_earlier(days: DayRange, *, iso_week: bool = False) -> DayRange:
    """The same dates one year earlier, or (for weekly views) the same ISO weekdays of the same ISO week."""
    if not iso_week:
        return DayRange(_year_earlier(days.start), _year_earlier(days.end))
    year, week, weekday = days.start.isocalendar()
    try:
        start = date.fromisocalendar(year - 1, week, weekday)
    except ValueError:  # week 53 in a 52-week year: use the last week
        start = date.fromisocalendar(year - 1, 52, weekday)
    return DayRange(start, start + timedelta(days=days.days - 1))


def validate_range(start: date, end: date) -> DayRange:
    """A custom start/end range, or ValueError saying what is wrong with it."""
    for value in (start, end):
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValueError(f"dates must be between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31")
    if start > end:
        raise ValueError("start is after end")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValueError(f"a range may span at most {MAX_RANGE_DAYS} days")
    return DayRange(start, end)


def granularity(days: DayRange) -> str:
    """Charts of one day are hourly, longer ranges daily."""
    return "hourly" if days.days == 1 else "daily"
