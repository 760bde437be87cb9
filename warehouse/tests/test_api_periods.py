"""warehouse.periods: named periods and ranges as park days in each park's own zone."""
from datetime import date, datetime, timezone

import pytest

from warehouse import periods
from warehouse.periods import DayRange


def test_a_park_day_starts_at_four_in_the_morning_local_time():
    at_0330 = datetime(2024, 6, 12, 7, 30, tzinfo=timezone.utc)  # 03:30 in New York
    assert periods.park_today(at_0330, "America/New_York") == date(2024, 6, 11)
    assert periods.park_today(at_0330.replace(hour=8, minute=0), "America/New_York") == date(2024, 6, 12)


def test_the_same_instant_is_a_different_park_day_in_tokyo_and_new_york():
    moment = datetime(2024, 6, 12, 20, 0, tzinfo=timezone.utc)
    assert periods.park_today(moment, "Asia/Tokyo") == date(2024, 6, 13)
    assert periods.park_today(moment, "America/New_York") == date(2024, 6, 12)


def test_a_day_across_the_spring_dst_switch_is_23_hours_long():
    start, end = periods.day_bounds_utc(date(2024, 3, 9), "America/New_York")  # 04:00 EST to 04:00 EDT
    assert (end - start).total_seconds() == 23 * 3600
    assert start == datetime(2024, 3, 9, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("period, expected", [
    ("today", DayRange(date(2024, 6, 12), date(2024, 6, 12))),
    ("live", DayRange(date(2024, 6, 12), date(2024, 6, 12))),
    ("yesterday", DayRange(date(2024, 6, 11), date(2024, 6, 11))),
    ("last_week", DayRange(date(2024, 6, 3), date(2024, 6, 9))),
    ("last_month", DayRange(date(2024, 5, 1), date(2024, 5, 31))),
    ("7days", DayRange(date(2024, 6, 5), date(2024, 6, 11))),
    ("30days", DayRange(date(2024, 5, 13), date(2024, 6, 11))),
])
def test_named_periods_resolve_to_complete_park_days(period, expected):
    assert periods.resolve(period, today=date(2024, 6, 12)) == expected


def test_last_week_on_a_monday_is_the_whole_previous_week():
    assert periods.resolve("last_week", today=date(2024, 6, 10)) == DayRange(date(2024, 6, 3), date(2024, 6, 9))


def test_last_month_in_january_is_the_previous_december():
    assert periods.resolve("last_month", today=date(2024, 1, 15)) == DayRange(date(2023, 12, 1), date(2023, 12, 31))


def test_the_previous_period_of_last_month_is_the_month_before():
    days = periods.resolve("last_month", today=date(2024, 3, 5))
    assert periods.previous("last_month", days) == DayRange(date(2024, 1, 1), date(2024, 1, 31))
    assert periods.previous("7days", DayRange(date(2024, 6, 5), date(2024, 6, 11))) == \
        DayRange(date(2024, 5, 29), date(2024, 6, 4))


def test_year_over_year_uses_the_same_dates_and_maps_29_february_to_the_28th():
    assert periods.year_earlier(DayRange(date(2024, 2, 29), date(2024, 3, 2))) == \
        DayRange(date(2023, 2, 28), date(2023, 3, 2))


def test_year_over_year_for_a_weekly_view_uses_the_same_iso_week():
    week = DayRange(date(2024, 6, 10), date(2024, 6, 16))  # ISO week 24 of 2024, Monday to Sunday
    earlier = periods.year_earlier(week, iso_week=True)
    assert earlier == DayRange(date(2023, 6, 12), date(2023, 6, 18))
    assert earlier.start.isocalendar()[1:] == (24, 1)


@pytest.mark.parametrize("start, end, message", [
    (date(2024, 6, 2), date(2024, 6, 1), "after"),
    (date(2023, 1, 1), date(2024, 6, 1), "at most"),
    (date(1999, 1, 1), date(1999, 1, 2), "between"),
])
def test_a_bad_custom_range_is_refused_with_the_reason(start, end, message):
    with pytest.raises(ValueError, match=message):
        periods.validate_range(start, end)
