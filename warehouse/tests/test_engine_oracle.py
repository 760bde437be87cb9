"""Property: random timelines over consecutive park days (LIVE polls with gaps, ARCHIVE change logs,
DST days, parks closing after midnight, refurbishments, feeds with and without DOWN), computed by
the statistics run (a park's days read and written together) and stored, give exactly the ride,
hour and park figures of the oracle (each day on its own, `oracle/`)."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from themepark.models import ParkSchedule
from themepark.tests.factories import make_park, make_ride
from warehouse.ingest import Observation, ingest
from warehouse.models import DownSpell, ParkDailyStats, ParkHourlyStats, RideDailyStats, RideHourlyStats
from warehouse.services import stats_recompute

from .oracle import oracle_park_day

UTC = timezone.utc
# (zone, first park day): the US spring-forward day, the European fall-back day, a plain week in Tokyo
STARTS = [("America/New_York", date(2024, 3, 9)), ("Europe/Paris", date(2024, 10, 26)),
          ("Asia/Tokyo", date(2024, 6, 10))]
DAYS = 3
STATUSES = ["OPERATING", "OPERATING", "DOWN", "CLOSED", "REFURBISHMENT"]

segment = st.tuples(st.sampled_from(STATUSES), st.integers(min_value=1, max_value=6 * 60),  # minutes
                    st.integers(min_value=0, max_value=120))
ride_line = st.tuples(st.sampled_from(["ARCHIVE", "LIVE"]), st.lists(segment, min_size=1, max_size=25),
                      st.integers(min_value=0, max_value=24 * 60), st.floats(min_value=0, max_value=0.4))
schedule = st.one_of(st.none(), st.tuples(st.integers(min_value=6, max_value=11),  # opening hour
                                          st.integers(min_value=17, max_value=26)))  # closing, 24+ after midnight


def observations(ride_id, first_start, line, drop_seed):
    """A ride's timeline from `offset` minutes before the first day: change events (ARCHIVE), or what
    a collector polling every 5 minutes saw, some polls missed (LIVE: gaps become unknown)."""
    source, segments, offset, drop = line
    at = first_start - timedelta(minutes=offset)
    spans = []
    for status, minutes, wait in segments:
        spans.append((at, status, wait if status == "OPERATING" else None))
        at += timedelta(minutes=minutes)
    end = at
    if source == "ARCHIVE":
        return [Observation(ride_id, moment, status, wait, "ARCHIVE") for moment, status, wait in spans]
    out, i, moment, n = [], 0, spans[0][0], drop_seed
    while moment < end:
        while i + 1 < len(spans) and spans[i + 1][0] <= moment:
            i += 1
        n = (n * 1103515245 + 12345) % 2 ** 31  # a fixed pseudo-random sequence: which polls are missed
        if n / 2 ** 31 >= drop:
            out.append(Observation(ride_id, moment, spans[i][1], spans[i][2], "LIVE"))
        moment += timedelta(minutes=5)
    return out


RIDE_FIELDS = ("operating_minutes", "downtime_minutes", "known_minutes", "wait_known_minutes", "uptime_percentage",
               "avg_wait_minutes", "peak_wait_minutes", "status_changes", "longest_downtime_minutes", "operated")
PARK_FIELDS = ("shame_score", "total_downtime_hours", "weighted_downtime_hours", "effective_park_weight",
               "rides_operated", "rides_down", "uptime_percentage", "avg_wait_minutes", "peak_wait_minutes",
               "open_hours")


def same(stored, expected):
    if isinstance(expected, float) and stored is not None:
        assert stored == pytest.approx(expected, rel=1e-9, abs=1e-9)
    else:
        assert stored == expected


def ride_values(fig):
    return (fig.operating_minutes, fig.downtime_minutes, fig.known_minutes, fig.wait_known_minutes,
            fig.uptime_percentage, fig.avg_wait_minutes, fig.peak_wait, fig.status_changes,
            fig.longest_downtime_minutes, fig.operated)


def park_values(fig):
    return (fig.shame_score, fig.total_downtime_hours, fig.weighted_downtime_hours, fig.effective_park_weight,
            fig.rides_operated, fig.rides_down, fig.uptime_percentage, fig.avg_wait_minutes, fig.peak_wait_minutes,
            fig.open_hours)


def check_day(park, day, now):
    expected = oracle_park_day(park, day, now)
    rides = {r.ride_id: r for r in RideDailyStats.objects.filter(park=park, date=day)}
    assert set(rides) == set(expected.rides)
    for ride_id, fig in expected.rides.items():
        for name, value in zip(RIDE_FIELDS, ride_values(fig)):
            same(getattr(rides[ride_id], name), value)
        rel = expected.reliability[ride_id]
        assert rides[ride_id].breakdowns == rel.breakdowns
        hours = {h.hour_start_utc.timestamp(): h for h in RideHourlyStats.objects.filter(ride_id=ride_id, date=day)}
        for hour, hfig in expected.ride_hours[ride_id].items():
            if hour in hours:  # an hour shared with the next day (half-hour zones) is that day's
                for name, value in zip(RIDE_FIELDS, ride_values(hfig)):
                    same(getattr(hours[hour], name), value)
    spells = sorted((s.ride_id, s.started_at.timestamp(), s.kind)
                    for s in DownSpell.objects.filter(park=park, date=day))
    assert spells == sorted((rid, sp.start, sp.kind) for rid, sps in expected.spells.items() for sp in sps
                            if expected.rides[rid].operated)
    stored = ParkDailyStats.objects.filter(park=park, date=day).first()
    assert (stored is None) == (expected.park is None)
    if stored is not None:
        for name, value in zip(PARK_FIELDS, park_values(expected.park)):
            same(getattr(stored, name), value)
        same(stored.coverage_percentage, expected.coverage_percentage)
        hours = {h.hour_start_utc.timestamp(): h for h in ParkHourlyStats.objects.filter(park=park, date=day)}
        assert set(hours) == set(expected.park_hours)
        for hour, pfig in expected.park_hours.items():
            same(hours[hour].shame_score, pfig.shame_score)
            same(hours[hour].total_downtime_hours, pfig.total_downtime_hours)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=st.sampled_from(STARTS), lines=st.lists(ride_line, min_size=1, max_size=4),
       schedules=st.lists(schedule, min_size=DAYS, max_size=DAYS), reports_down=st.booleans(),
       seed=st.integers(min_value=1, max_value=2 ** 30), cut=st.integers(min_value=0, max_value=3 * 24))
def test_the_statistics_run_stores_the_figures_of_the_oracle(start, lines, schedules, reports_down, seed, cut):
    zone, first = start
    tz = ZoneInfo(zone)
    park = make_park(timezone=zone, reports_down=reports_down)
    first_start = datetime.combine(first, time(4), tzinfo=tz).astimezone(UTC)
    events = []
    for i, line in enumerate(lines):
        ride = make_ride(park, tier=(1, 2, 3, None)[i % 4])
        events += observations(ride.pk, first_start, line, seed + i)
    for d, hours in enumerate(schedules):
        if hours is not None:
            day = first + timedelta(days=d)
            opening = datetime.combine(day, time(hours[0]), tzinfo=tz)
            closing = datetime.combine(day + timedelta(days=hours[1] // 24), time(hours[1] % 24), tzinfo=tz)
            ParkSchedule.objects.create(park=park, date=day, schedule_type="OPERATING", opening_time=opening,
                                        closing_time=closing)
    # now: past the last day, or inside it (the day in progress is computed as far as it has come)
    now = first_start + timedelta(hours=24 * (DAYS - 1) + cut)
    ingest(events, now=datetime(2100, 1, 1, tzinfo=UTC), log_invalid=False)
    last = first + timedelta(days=DAYS - 1)
    summary = stats_recompute(park_ids=[park.pk], start=first, end=last, now=now)
    assert summary.errors == 0
    for d in range(DAYS):
        check_day(park, first + timedelta(days=d), now)
