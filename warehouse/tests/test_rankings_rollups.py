"""Rankings over long periods read whole weeks, months and years from the period rollups and only
the ragged ends from daily rows, and give the same figures as the daily rows alone."""
import random
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from themepark.tests.factories import make_park, make_ride
from warehouse import periods
from warehouse.ingest import Observation, ingest
from warehouse.ride_sums import _ride_rows_sql
from warehouse.scopes import _cover
from warehouse.selectors import (park_downtime_ranking, ride_downtime_ranking, ride_figures,
                                 scope_resolve)
from warehouse.services import stats_recompute

NY = ZoneInfo("America/New_York")
FIRST, LAST = date(2024, 4, 20), date(2024, 7, 9)
NOW = datetime(2024, 7, 10, 16, tzinfo=timezone.utc)  # park day 2024-07-10 in New York: 07-09 is complete

pytestmark = pytest.mark.django_db


def at(day, hh, mm=0):
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=NY).astimezone(timezone.utc)


@pytest.fixture
def season():
    """Two parks of three rides with a varied day each day FIRST..LAST, computed and rolled up."""
    rng = random.Random(15)
    parks = [make_park(timezone="America/New_York", reports_down=True) for _ in range(2)]
    events = []
    for park in parks:
        for tier in (1, 2, 3):
            ride = make_ride(park, tier=tier)
            day = FIRST
            while day <= LAST:
                if rng.random() < 0.9:  # some days the ride never opens
                    events.append(Observation(ride.pk, at(day, 9, rng.randrange(60)), "OPERATING",
                                              rng.randrange(5, 90), "ARCHIVE"))
                    for _ in range(rng.randrange(3)):
                        hh = rng.randrange(10, 19)
                        events.append(Observation(ride.pk, at(day, hh, 0), "DOWN", None, "ARCHIVE"))
                        events.append(Observation(ride.pk, at(day, hh, rng.randrange(5, 59)), "OPERATING",
                                                  rng.randrange(5, 90), "ARCHIVE"))
                    events.append(Observation(ride.pk, at(day, 21), "CLOSED", None, "ARCHIVE"))
                day += timedelta(days=1)
    ingest(events, now=NOW)
    stats_recompute(park_ids=[p.pk for p in parks], start=FIRST, end=LAST, now=NOW)
    return parks


def daily_only(scope):
    """The same scope read from daily rows alone (no day known complete: no period is whole)."""
    return replace(scope, complete={})


def close(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], dict):
            close(a[key], b[key])
        elif isinstance(a[key], float) and b[key] is not None:
            assert a[key] == pytest.approx(b[key], rel=1e-9, abs=1e-9), key
        else:
            assert a[key] == b[key], key


@pytest.mark.parametrize("kwargs", [
    {"period": "30days"}, {"period": "last_month"}, {"period": "7days"},
    {"period": periods.CUSTOM, "start": date(2024, 4, 22), "end": date(2024, 7, 9)},  # 11 ISO weeks + months
    {"period": periods.CUSTOM, "start": date(2024, 5, 1), "end": date(2024, 6, 30)},  # two whole months
])
def test_rollups_give_the_figures_of_the_daily_rows(season, kwargs):
    scope = scope_resolve(parks=season, now=NOW, **kwargs)
    fast, slow = ride_figures(scope), ride_figures(daily_only(scope))
    assert len(fast) == 6
    assert list(fast) == list(slow)
    for ride_id in fast:
        close(fast[ride_id], slow[ride_id])
    for exclude in ((), ("park_wide", "stale_feed")):
        scope = scope_resolve(parks=season, now=NOW, exclude=exclude, **kwargs)
        close(dict(enumerate(park_downtime_ranking(scope, sort_by="shame_score", limit=10)[1])),
              dict(enumerate(park_downtime_ranking(daily_only(scope), sort_by="shame_score", limit=10)[1])))
        for order in ("downtime_hours", "mtbf_hours", "uptime_percentage"):
            close(dict(enumerate(ride_downtime_ranking(scope, sort_by=order, limit=10))),
                  dict(enumerate(ride_downtime_ranking(daily_only(scope), sort_by=order, limit=10))))


def test_long_periods_read_whole_periods_from_the_rollups(season):
    scope = scope_resolve(parks=season, now=NOW, period=periods.CUSTOM, start=date(2024, 5, 1), end=date(2024, 6, 30))
    sql, _ = _ride_rows_sql(scope, None)
    assert "rideperiodstats" in sql and "ridedailystats" not in sql  # two whole months, no ragged day
    week = scope_resolve(parks=season, now=NOW, period="7days")
    assert "rideperiodstats" not in _ride_rows_sql(week, None)[0]  # 7 days ending Tuesday: no whole week


def test_a_period_not_complete_or_not_rolled_up_comes_from_daily_rows(season):
    # the park day in progress is not complete: its week is read day by day
    scope = scope_resolve(parks=season, now=NOW, period=periods.CUSTOM, start=date(2024, 7, 8), end=date(2024, 7, 14))
    assert "rideperiodstats" not in _ride_rows_sql(scope, None)[0]
    # a park without rollups (daily rows written by other means) is read from its daily rows
    bare = make_park(timezone="America/New_York")
    scope = scope_resolve(parks=[*season, bare], now=NOW, period=periods.CUSTOM, start=date(2024, 5, 1),
                          end=date(2024, 5, 31))
    sql, _ = _ride_rows_sql(scope, None)
    assert "rideperiodstats" in sql and "ridedailystats" in sql


def test_cover_takes_the_largest_whole_periods_and_leaves_the_ragged_ends():
    wholes, ragged = _cover(periods.DayRange(date(2024, 10, 29), date(2024, 11, 27)), date(2024, 11, 27))
    assert [(p, s.isoformat()) for p, s, _ in wholes] == [("WEEK", "2024-11-04"), ("WEEK", "2024-11-11"),
                                                          ("WEEK", "2024-11-18")]
    assert ragged == [periods.DayRange(date(2024, 10, 29), date(2024, 11, 3)),
                      periods.DayRange(date(2024, 11, 25), date(2024, 11, 27))]
    wholes, ragged = _cover(periods.DayRange(date(2023, 1, 1), date(2024, 2, 5)), date(2024, 3, 1))
    assert [(p, s.isoformat()) for p, s, _ in wholes] == [("YEAR", "2023-01-01"), ("MONTH", "2024-01-01")]
    assert ragged == [periods.DayRange(date(2024, 2, 1), date(2024, 2, 5))]
    assert _cover(periods.DayRange(date(2024, 1, 1), date(2024, 12, 31)), None) == (
        [], [periods.DayRange(date(2024, 1, 1), date(2024, 12, 31))])
