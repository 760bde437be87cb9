"""The statistics engine against MariaDB: contracts (stats_recompute, live_state_refresh), the
stored rows, periods, idempotence, the command and its run log."""
from datetime import date, datetime, timedelta, timezone
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from themepark.models import ParkSchedule
from themepark.tests.factories import make_park, make_ride
from warehouse.cache import stats_generation
from warehouse.engine_constants import METRICS_VERSION
from warehouse.ingest import Observation, ingest
from warehouse.models import (AggregationRun, LiveParkState, LiveRideState, ParkDailyStats, ParkHourlyStats,
                              ParkOperatingSession, ParkPeriodStats, RideDailyStats, RideHourlyStats,
                              RidePeriodStats, RideStatusChange)
from warehouse.services import live_state_refresh, stats_recompute, stats_update

NY = ZoneInfo("America/New_York")
D = date(2024, 6, 12)  # a Wednesday
NOW = datetime(2024, 7, 1, tzinfo=timezone.utc)

pytestmark = pytest.mark.django_db


def local(day, hh, mm=0):
    return datetime.combine(day + timedelta(days=hh // 24), datetime.min.time(), tzinfo=NY).replace(
        hour=hh % 24, minute=mm).astimezone(timezone.utc)


def store(ride, *items, source="ARCHIVE", now=NOW):
    result = ingest([Observation(ride.pk, at, status, wait, source) for at, status, wait in items], now=now)
    assert result.written == len(items)


def scheduled_day(park, day=D):
    ParkSchedule.objects.create(park=park, date=day, schedule_type="OPERATING", opening_time=local(day, 9),
                                closing_time=local(day, 21))


@pytest.fixture
def two_rides(park):
    a, b = make_ride(park, tier=1), make_ride(park, tier=3)
    store(a, (local(D, 9), "OPERATING", 30), (local(D, 12), "DOWN", None), (local(D, 13, 30), "OPERATING", 45),
          (local(D, 21), "CLOSED", None))
    store(b, (local(D, 9), "OPERATING", 10), (local(D, 21), "CLOSED", None))
    return a, b


def test_stats_recompute_stores_the_day_its_hours_session_and_changes(park, two_rides):
    a, b = two_rides
    scheduled_day(park)
    generation = stats_generation()
    summary = stats_recompute(park_ids=[park.pk], start=D, end=D, now=NOW)
    assert (summary.parks, summary.days, summary.errors) == (1, 1, 0)
    day = ParkDailyStats.objects.get(park=park, date=D)
    assert day.shame_score == 0.9 and day.open_hours == 12 and day.coverage_percentage == 100
    ride_a = RideDailyStats.objects.get(ride=a, date=D)
    assert (ride_a.downtime_minutes, ride_a.operating_minutes, ride_a.status_changes) == (90, 630, 2)
    assert ride_a.uptime_percentage == pytest.approx(87.5) and ride_a.metrics_version == METRICS_VERSION == 2
    assert RideHourlyStats.objects.get(ride=a, hour_start_utc=local(D, 12)).downtime_minutes == 60
    assert ParkHourlyStats.objects.get(park=park, hour_start_utc=local(D, 12)).shame_score == 7.5
    session = ParkOperatingSession.objects.get(park=park, date=D)
    assert (session.source, session.operating_hours, session.open_from) == ("SCHEDULE", 12, local(D, 9))
    downs = RideStatusChange.objects.filter(ride=a, to_status="DOWN")
    assert [(c.changed_at, c.previous_duration_minutes) for c in downs] == [(local(D, 12), 180)]
    assert stats_generation() > generation
    run = AggregationRun.objects.get(pk=summary.run_id)
    assert (run.status, run.mode, run.days_done) == ("COMPLETED", "RANGE", 1) and run.finished_at


def test_recomputing_is_idempotent(park, two_rides):
    for _ in range(2):
        stats_recompute(park_ids=[park.pk], start=D - timedelta(days=1), end=D + timedelta(days=1), now=NOW)
    assert RideDailyStats.objects.filter(park=park).count() == 2
    assert ParkDailyStats.objects.filter(park=park).count() == 1
    assert RideStatusChange.objects.filter(ride__park=park).count() == 4  # A: 3, B: 1 (first sightings are not changes)
    assert RideHourlyStats.objects.filter(park=park).count() == 24  # 12 open hours x 2 rides


def test_a_park_without_schedule_gets_an_inferred_window(park, two_rides):
    stats_recompute(park_ids=[park.pk], start=D, end=D, now=NOW)
    session = ParkOperatingSession.objects.get(park=park, date=D)
    assert (session.source, session.open_from, session.open_to) == ("INFERRED", local(D, 9), local(D, 21))


def test_weeks_months_and_years_roll_up_from_the_days(park, two_rides):
    a, _b = two_rides
    store(a, (local(D + timedelta(days=1), 9), "OPERATING", 20), (local(D + timedelta(days=1), 10), "DOWN", None),
          (local(D + timedelta(days=1), 13), "OPERATING", 20), (local(D + timedelta(days=1), 21), "CLOSED", None))
    stats_recompute(park_ids=[park.pk], start=D, end=D + timedelta(days=1), now=NOW)
    week = RidePeriodStats.objects.get(ride=a, period_type="WEEK")
    assert (week.period_start, week.period_end) == (date(2024, 6, 10), date(2024, 6, 16))
    assert week.downtime_minutes == 90 + 180 and week.days_operated == 2
    assert week.avg_wait_minutes == pytest.approx((180 * 30 + 450 * 45 + 540 * 20) / (630 + 540))
    park_week = ParkPeriodStats.objects.get(park=park, period_type="WEEK")
    days = list(ParkDailyStats.objects.filter(park=park).values_list("shame_score", flat=True))
    assert park_week.days_open == 2 and park_week.shame_score == pytest.approx(sum(days) / 2)
    assert ParkPeriodStats.objects.get(park=park, period_type="MONTH").period_end == date(2024, 6, 30)
    assert ParkPeriodStats.objects.get(park=park, period_type="YEAR").period_start == date(2024, 1, 1)


def test_query_count_stays_flat_as_rides_grow(park):
    def queries(n_rides):
        p = make_park()
        for _ in range(n_rides):
            r = make_ride(p)
            store(r, (local(D, 9), "OPERATING", 10), (local(D, 11), "DOWN", None), (local(D, 12), "OPERATING", 5),
                  (local(D, 20), "CLOSED", None))
        with CaptureQueriesContext(connection) as ctx:
            stats_recompute(park_ids=[p.pk], start=D, end=D, now=NOW)
        return len(ctx)

    assert queries(2) == queries(12)


def test_incremental_run_does_today_and_the_day_that_just_ended_once(park, two_rides):
    now = local(D + timedelta(days=1), 10)
    first = stats_update(park_ids=[park.pk], now=now)
    assert first.days == 2 and RideDailyStats.objects.filter(park=park, date=D).count() == 2
    second = stats_update(park_ids=[park.pk], now=now + timedelta(minutes=10))
    assert second.days == 1
    assert AggregationRun.objects.filter(mode="INCREMENTAL", status="COMPLETED").count() == 2


def test_live_state_counts_rides_and_scores_live_shame(park):
    a, b, c = make_ride(park, tier=1), make_ride(park, tier=2), make_ride(park, tier=3)
    now = local(D, 15)
    store(a, (now - timedelta(minutes=4), "DOWN", None), source="LIVE", now=now)
    store(b, (now - timedelta(minutes=3), "OPERATING", 35), source="LIVE", now=now)
    store(c, (now - timedelta(minutes=40), "OPERATING", 5), source="LIVE", now=now)  # past its hold: unknown
    for ride in (a, c):  # both operated earlier in the week
        RideDailyStats.objects.create(ride=ride, park=park, date=D - timedelta(days=2), operated=True,
                                      metrics_version=METRICS_VERSION)
    live_state_refresh(park_ids=[park.pk], now=now)
    state = LiveParkState.objects.get(park=park)
    assert state.is_open and (state.rides_open, state.rides_down, state.total_rides) == (1, 1, 3)
    assert state.shame_score == 5.0  # 10 x 3 / (3 + 2 + 1)
    assert state.max_wait_time == 35
    assert LiveRideState.objects.get(ride=c).status is None
    assert LiveRideState.objects.get(ride=b).operated_last_7_days


def test_the_command_recomputes_a_range_with_progress_and_rejects_bad_input(park, two_rides):
    out = StringIO()
    call_command("aggregate_stats", "--park", str(park.pk), "--start", "2024-06-11", "--end", "2024-06-12",
                 stdout=out)
    assert f"[{park.name} 2024-06-12] 2 rides" in out.getvalue() and "2 park day(s)" in out.getvalue()
    assert ParkDailyStats.objects.filter(park=park).count() == 1
    with pytest.raises(CommandError, match="after"):
        call_command("aggregate_stats", "--start", "2024-06-12", "--end", "2024-06-11")
    with pytest.raises(CommandError, match="unknown park"):
        call_command("aggregate_stats", "--park", "999999", "--start", "2024-06-12")
    quiet = StringIO()
    call_command("aggregate_stats", "--park", str(park.pk), "--start", "2024-06-12", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""


def test_the_command_runs_incrementally_by_default_and_refreshes_live_state(park, two_rides):
    with time_machine.travel(local(D, 15), tick=False):
        out = StringIO()
        call_command("aggregate_stats", stdout=out)
    assert "run" in out.getvalue()
    assert RideDailyStats.objects.get(ride=two_rides[0], date=D).downtime_minutes == 90
    assert LiveParkState.objects.filter(park=park).exists()


def test_the_command_rebuilds_every_day_with_observations(park, two_rides):
    out = StringIO()
    call_command("aggregate_stats", "--rebuild", "--park", str(park.pk), stdout=out)
    assert ParkDailyStats.objects.filter(park=park, date=D).exists()
    assert AggregationRun.objects.get().mode == "REBUILD"


def test_a_state_from_months_ago_carries_into_the_day_across_partitions(park):
    a, b = make_ride(park), make_ride(park)
    store(a, (local(D, 9) - timedelta(days=90), "REFURBISHMENT", None))
    store(b, (local(D, 9), "OPERATING", 10), (local(D, 21), "CLOSED", None))
    stats_recompute(park_ids=[park.pk], start=D, end=D, now=NOW)
    row = RideDailyStats.objects.get(ride=a, date=D)
    assert row.known_minutes == 720 and row.downtime_minutes == 0 and not row.operated


def test_a_failing_park_day_is_logged_and_the_others_still_run(park, two_rides, monkeypatch):
    from warehouse.aggregation import daily as days

    def flaky(day):
        if day == D - timedelta(days=1):
            raise RuntimeError("boom")

    monkeypatch.setattr(days, "day_hook", flaky)
    summary = stats_recompute(park_ids=[park.pk], start=D - timedelta(days=1), end=D, now=NOW)
    assert (summary.days, summary.errors) == (1, 1)
    run = AggregationRun.objects.get(pk=summary.run_id)
    assert run.status == "FAILED" and "boom" in run.error_text and run.days_done == 1


def test_period_rows_hold_complete_park_days_only(park, two_rides):
    now = local(D, 15)  # D is in progress
    stats_recompute(park_ids=[park.pk], start=D - timedelta(days=1), end=D, now=now)
    assert ParkDailyStats.objects.filter(park=park, date=D).exists()
    assert not RidePeriodStats.objects.filter(park=park).exists()
    stats_update(park_ids=[park.pk], now=local(D + timedelta(days=1), 5))  # D has ended
    assert RidePeriodStats.objects.get(ride=two_rides[0], period_type="WEEK").downtime_minutes == 90
