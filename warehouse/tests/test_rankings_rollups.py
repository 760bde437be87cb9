"""Rankings over long periods read whole weeks, months and years from the period rollups and only
the ragged ends from daily rows, and give the same figures as the daily rows alone."""
import random
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone as dj_timezone

from themepark.tests.factories import make_park, make_ride
from warehouse import periods
from warehouse.aggregation.ranges import fresh_ranges, ranged_days, ranges_refresh
from warehouse.ingest import Observation, ingest
from warehouse.models import ParkDailyStats, ParkRangeStamp, RideDailyStats, RideRangeStats
from warehouse import ride_sums
from warehouse.park_totals import park_daily_totals
from warehouse.ride_sums import _ride_rows_sql, park_coverage
from warehouse.scopes import _cover
from warehouse.selectors import (park_downtime_ranking, park_wait_ranking, ride_downtime_ranking, ride_figures,
                                 ride_wait_ranking, scope_resolve)
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
    scope = scope_resolve(parks=[*season, bare], now=NOW, period=periods.CUSTOM, start=date(2024, 4, 22),
                          end=date(2024, 5, 19))  # four whole ISO weeks (May is a kept range: the month before last)
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


# ---------------------------------------------------------------------------------------------
# Ranges summed whole by the statistics run (warehouse.aggregation.ranges)
# ---------------------------------------------------------------------------------------------
def _rides_ranking_rows(scope, **kwargs):
    return dict(enumerate(ride_downtime_ranking(scope, **kwargs)))


@pytest.mark.parametrize("period", ["7days", "30days", "365days"])
def test_the_last_7_and_30_days_read_one_range_row_per_ride(season, period):
    scope = scope_resolve(parks=season, now=NOW, period=period)
    sql, _ = _ride_rows_sql(scope, None)
    assert "riderangestats" in sql and "ridedailystats" not in sql and "rideperiodstats" not in sql
    before = scope.previous()
    assert "riderangestats" in _ride_rows_sql(before, None)[0]  # trend percentages: the range before
    assert "ridedailystats" not in _ride_rows_sql(before, None)[0]


@pytest.mark.parametrize("period", ["7days", "30days", "365days"])
def test_range_rows_give_the_figures_of_the_daily_rows(season, period):
    for exclude in ((), ("park_wide",), ("park_wide", "stale_feed")):
        scope = scope_resolve(parks=season, now=NOW, period=period, exclude=exclude)
        fast, slow = ride_figures(scope), ride_figures(daily_only(scope))
        assert list(fast) == list(slow) and len(fast) == 6
        for ride_id in fast:
            close(fast[ride_id], slow[ride_id])
        for order in ("downtime_hours", "mtbf_hours", "mttr_minutes", "uptime_percentage", "avg_wait",
                      "breakdowns"):
            assert list(ride_figures(scope, order=order)) == list(ride_figures(daily_only(scope), order=order))
        for sort_by in ("downtime_hours", "trend_percentage", "uptime_percentage"):  # trend: the range before
            close(_rides_ranking_rows(scope, sort_by=sort_by, limit=10),
                  _rides_ranking_rows(daily_only(scope), sort_by=sort_by, limit=10))
        for sort_by in ("shame_score", "uptime_percentage", "rides_down"):
            fast_parks, slow_parks = (park_downtime_ranking(s, sort_by=sort_by, limit=10)
                                      for s in (scope, daily_only(scope)))
            close(fast_parks[0], slow_parks[0])
            close(dict(enumerate(fast_parks[1])), dict(enumerate(slow_parks[1])))
    scope = scope_resolve(parks=season, now=NOW, period=period)
    close(dict(enumerate(ride_wait_ranking(scope, limit=10))),
          dict(enumerate(ride_wait_ranking(daily_only(scope), limit=10))))
    close(dict(enumerate(park_wait_ranking(scope, limit=10))),
          dict(enumerate(park_wait_ranking(daily_only(scope), limit=10))))
    one = scope_resolve(parks=season[:1], now=NOW, period=period)  # a filter: some of the parks
    close(ride_figures(one), {k: v for k, v in ride_figures(daily_only(scope)).items()
                              if v["of_park"] == season[0].pk})



@pytest.mark.parametrize("many", [0, 2, 100])
def test_range_rows_of_chosen_rides_are_the_same_however_the_ids_reach_the_server(season, monkeypatch, many):
    # past ride_sums._MANY_RIDES ids a range's rows are read whole and filtered (not keyed) by ride
    monkeypatch.setattr(ride_sums, "_MANY_RIDES", many)
    scope = scope_resolve(parks=season, now=NOW, period="7days")
    ids = list(ride_figures(scope))[::-1][:5]
    sql, _ = _ride_rows_sql(scope.previous(), ids)
    assert "riderangestats" in sql and ("ride_id + 0 IN" in sql) == (len(ids) > many)
    for each in (scope, scope.previous()):
        fast, slow = ride_figures(each, ride_ids=ids), ride_figures(daily_only(each), ride_ids=ids)
        assert sorted(fast) == sorted(slow) == sorted(ids)
        close(fast, slow)
    close(_rides_ranking_rows(scope, sort_by="trend_percentage", limit=10),
          _rides_ranking_rows(daily_only(scope), sort_by="trend_percentage", limit=10))

def test_a_day_recomputed_since_its_range_was_summed_sends_the_park_back_to_daily_rows(season):
    scope = scope_resolve(parks=season, now=NOW, period="30days")
    day = RideDailyStats.objects.filter(park=season[0], date=date(2024, 7, 9)).first()  # a ragged day of the rollups
    RideDailyStats.objects.filter(pk=day.pk).update(downtime_minutes=day.downtime_minutes + 500)
    ParkDailyStats.objects.filter(park=season[0], date=date(2024, 7, 9)).update(computed_at=dj_timezone.now())
    fast, slow = ride_figures(scope), ride_figures(daily_only(scope))
    for ride_id in slow:
        close(fast[ride_id], slow[ride_id])
    assert fast[day.ride_id]["downtime"] == pytest.approx(slow[day.ride_id]["downtime"])
    sql, params = _ride_rows_sql(scope, None)
    assert "riderangestats" in sql and "ridedailystats" in sql  # the other park still reads its range



def test_a_day_recomputed_in_the_period_before_sends_only_that_period_back_to_daily_rows(season):
    # the period and the period before are checked in one read; each keeps its own answer
    scope = scope_resolve(parks=season, now=NOW, period="7days")
    day = RideDailyStats.objects.filter(park=season[0], date=date(2024, 6, 29)).first()  # in the 7 days before
    RideDailyStats.objects.filter(pk=day.pk).update(downtime_minutes=day.downtime_minutes + 500)
    ParkDailyStats.objects.filter(park=season[0], date=date(2024, 6, 29)).update(computed_at=dj_timezone.now())
    before = scope.previous()
    assert "ridedailystats" not in _ride_rows_sql(scope, None)[0]
    sql, _ = _ride_rows_sql(before, None)
    assert "riderangestats" in sql and "ridedailystats" in sql  # the other park still reads its range
    fast, slow = ride_figures(before), ride_figures(daily_only(before))
    close(fast, slow)
    assert fast[day.ride_id]["downtime"] == pytest.approx(slow[day.ride_id]["downtime"])

def test_the_run_sums_a_range_again_only_when_one_of_its_days_was_recomputed(season):
    park = season[0]
    assert ranges_refresh({park: [date(2024, 7, 10)]}, NOW) == 0  # the day in progress: no kept range holds it
    # 3 rides x (7 days, 30 days, the month to date through each of July 2-9 (through the 7th: last
    # week), the year to date, 365 days)
    assert ranges_refresh({park: [date(2024, 7, 1)]}, NOW) == 3 * (2 + 8 + 1 + 1)
    assert ranges_refresh({park: [date(2024, 7, 8)]}, NOW) == 3 * (2 + 2 + 1 + 1)  # month to date through July 8, 9
    # a day recomputed since by a run that did not get to its refresh: the ranges holding it are stale
    ParkDailyStats.objects.filter(park=park, date=date(2024, 7, 5)).update(computed_at=dj_timezone.now())
    assert ranges_refresh({park: []}, NOW) == 3 * (2 + 5 + 1 + 1)  # month to date through July 5-9
    assert ranges_refresh({park: []}, NOW) == 0
    later = NOW + timedelta(days=1)  # a new park day: the kept ranges move on, the old ones go
    ranges_refresh({park: []}, later)
    kept = set(ParkRangeStamp.objects.filter(park=park).values_list("first_day", "last_day"))
    assert kept == {(r.start, r.end) for r in ranged_days(date(2024, 7, 11))}
    # every kept range has its rides' rows but the year before the last 365 days, which holds no day of data
    assert set(RideRangeStats.objects.filter(park=park).values_list("first_day", "last_day").distinct()) == {
        (first, last) for first, last in kept if last >= FIRST}
    scope = scope_resolve(parks=season, now=later, period="7days")
    fast, slow = ride_figures(scope), ride_figures(daily_only(scope))
    for ride_id in slow:
        close(fast[ride_id], slow[ride_id])


def _sources(scope):
    sql, _ = _ride_rows_sql(scope, None)
    return {table for table in ("riderangestats", "rideperiodstats", "ridedailystats") if table in sql}


@pytest.mark.parametrize("end,sources", [
    (date(2024, 7, 9), {"riderangestats", "rideperiodstats"}),  # April 22 - June 30 in weeks and months
    (date(2024, 7, 10), {"riderangestats", "rideperiodstats", "ridedailystats"}),  # + the day in progress
])
def test_a_long_range_ending_this_month_reads_its_month_to_date_as_one_row(season, end, sources):
    scope = scope_resolve(parks=season, now=NOW, period=periods.CUSTOM, start=date(2024, 4, 22), end=end)
    assert _sources(scope) == sources
    fast, slow = ride_figures(scope), ride_figures(daily_only(scope))
    assert list(fast) == list(slow) and len(fast) == 6
    for ride_id in fast:
        close(fast[ride_id], slow[ride_id])
    for sort_by in ("downtime_hours", "uptime_percentage", "mttr_minutes"):
        close(_rides_ranking_rows(scope, sort_by=sort_by, limit=10),
              _rides_ranking_rows(daily_only(scope), sort_by=sort_by, limit=10))
    scope = scope_resolve(parks=season, now=NOW, period=periods.CUSTOM, start=date(2024, 7, 1), end=end)
    assert _sources(scope) == sources - {"rideperiodstats"}  # July so far: the month to date alone
    close(park_downtime_ranking(scope, sort_by="shame_score", limit=10)[1][0],
          park_downtime_ranking(daily_only(scope), sort_by="shame_score", limit=10)[1][0])


@pytest.mark.parametrize("end,sources", [
    (date(2024, 7, 9), {"riderangestats", "ridedailystats"}),  # + December 2023, a month without rollups
    (date(2024, 7, 10), {"riderangestats", "ridedailystats"}),  # + the day in progress
])
def test_a_range_through_yesterday_holding_new_year_reads_its_year_to_date_as_one_row(season, end, sources):
    scope = scope_resolve(parks=season, now=NOW, period=periods.CUSTOM, start=date(2023, 12, 1), end=end)
    assert _sources(scope) == sources
    sql, params = _ride_rows_sql(scope, None)
    assert date(2024, 1, 1) in params or "2024-01-01" in sql  # the range rows from New Year's Day
    fast, slow = ride_figures(scope), ride_figures(daily_only(scope))
    assert list(fast) == list(slow) and len(fast) == 6
    for ride_id in fast:
        close(fast[ride_id], slow[ride_id])
    close(park_downtime_ranking(scope, sort_by="uptime_percentage", limit=10)[1][0],
          park_downtime_ranking(daily_only(scope), sort_by="uptime_percentage", limit=10)[1][0])
    # not through yesterday (nor the day after): no year to date is kept, the month to date serves
    scope = scope_resolve(parks=season, now=NOW, period=periods.CUSTOM, start=date(2023, 12, 1), end=date(2024, 7, 8))
    assert _sources(scope) == {"riderangestats", "rideperiodstats", "ridedailystats"}
    close(ride_figures(scope), ride_figures(daily_only(scope)))


def test_a_month_to_date_with_a_day_recomputed_since_is_not_read(season):
    # July 8: after the week of July 1-7, so the rollups the park falls back on do not hold it
    day = RideDailyStats.objects.filter(park=season[0], date=date(2024, 7, 8)).first()
    RideDailyStats.objects.filter(pk=day.pk).update(downtime_minutes=day.downtime_minutes + 500)
    ParkDailyStats.objects.filter(park=season[0], date=date(2024, 7, 8)).update(computed_at=dj_timezone.now())
    for end in (date(2024, 7, 9), date(2024, 7, 8)):  # through July 8: July 1-7 summed, July 8 from its row
        scope = scope_resolve(parks=season, now=NOW, period=periods.CUSTOM, start=date(2024, 5, 1), end=end)
        fast, slow = ride_figures(scope), ride_figures(daily_only(scope))
        for ride_id in slow:
            close(fast[ride_id], slow[ride_id])
        assert fast[day.ride_id]["downtime"] == slow[day.ride_id]["downtime"] >= 500
        assert _sources(scope) == {"riderangestats", "rideperiodstats", "ridedailystats"}


@pytest.mark.parametrize("kwargs", [{"period": "7days"}, {"period": "30days"},
                                    {"period": periods.CUSTOM, "start": date(2024, 1, 1), "end": LAST}])
def test_park_totals_and_coverage_of_a_kept_range_come_from_its_park_sums(season, kwargs):
    scope = scope_resolve(parks=season, now=NOW, **kwargs)
    with CaptureQueriesContext(connection) as queries:
        fast, health = park_daily_totals(scope), park_coverage(scope)
    assert not any(ParkDailyStats._meta.db_table in query["sql"] and "GROUP BY park_id" in query["sql"]
                   for query in queries.captured_queries)  # no park daily rows summed
    slow = park_daily_totals(daily_only(scope))
    assert fast.keys() == slow.keys() == {park.pk for park in season}
    for park_id in slow:
        close(fast[park_id], slow[park_id])
    assert health == park_coverage(daily_only(scope))
    assert all(row["coverage_percentage"] is not None for row in health.values())
    # a park day recomputed since the range was summed: that park's totals from its daily rows again
    row = ParkDailyStats.objects.get(park=season[0], date=LAST - timedelta(days=2))
    ParkDailyStats.objects.filter(pk=row.pk).update(total_downtime_hours=row.total_downtime_hours + 5,
                                                    computed_at=dj_timezone.now())
    again = park_daily_totals(scope_resolve(parks=season, now=NOW, **kwargs))
    assert again[season[0].pk]["total_downtime"] == pytest.approx(fast[season[0].pk]["total_downtime"] + 5)
    close(again, park_daily_totals(daily_only(scope)))


def test_a_day_recomputed_outside_a_kept_range_leaves_its_park_sums_fresh(season):
    ParkDailyStats.objects.filter(park=season[0], date=FIRST).update(computed_at=dj_timezone.now())
    scope = scope_resolve(parks=season, now=NOW, period="7days")
    with CaptureQueriesContext(connection) as queries:
        totals = park_daily_totals(scope)
    assert len(queries.captured_queries) == 2  # the ranges' stamps and sums, then the days recomputed since
    close(totals, park_daily_totals(daily_only(scope)))


def _index_reads():
    with connection.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS WHERE Variable_name IN ('Handler_read_key', 'Handler_read_next')")
        return sum(int(value) for _, value in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "mysql", reason="the server's handler counters")
def test_the_freshness_of_kept_ranges_reads_the_days_recomputed_since_not_the_parks_history():
    """The check reads the stamps and the index entries of the days computed after the oldest of
    them: with 20 parks' 2 x 200 days computed before their stamps, next to none of the 8,000
    daily entries; one day recomputed since is found (sending its ranges back to the daily rows)
    without reading the rest."""
    today = date(2024, 7, 10)
    spans = ranged_days(today)
    parks = [make_park(timezone="America/New_York") for _ in range(20)]
    long_ago = datetime(2024, 7, 10, 8, tzinfo=timezone.utc)
    ParkDailyStats.objects.bulk_create(
        ParkDailyStats(park=park, date=today - timedelta(days=n), metrics_version=2)
        for park in parks for n in range(1, 401))
    ParkDailyStats.objects.update(computed_at=long_ago)
    ParkRangeStamp.objects.bulk_create(
        ParkRangeStamp(park=park, first_day=span.start, last_day=span.end, computed_at=long_ago + timedelta(hours=1))
        for park in parks for span in spans)
    park_ids = [park.pk for park in parks]
    before = _index_reads()
    fresh = fresh_ranges(park_ids, spans)
    reads = _index_reads() - before
    assert len(fresh) == 20 * len(spans)  # every kept range of every park is fresh
    assert reads < 2 * 20 * len(spans), reads  # the stamps, not the parks' 8,000 days
    ParkDailyStats.objects.filter(park=parks[0], date=date(2024, 7, 8)).update(computed_at=dj_timezone.now())
    before = _index_reads()
    fresh = fresh_ranges(park_ids, spans)
    reads = _index_reads() - before
    stale = {span for span in spans if (parks[0].pk, span.start, span.end) not in fresh}
    assert stale == {span for span in spans if span.start <= date(2024, 7, 8) <= span.end} != set()
    assert all((park.pk, span.start, span.end) in fresh for park in parks[1:] for span in spans)
    assert reads < 2 * 20 * len(spans), reads
