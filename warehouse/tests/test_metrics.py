"""Hand-built timelines through the pure engine, with every expected figure worked out here."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from warehouse.metrics import (Obs, RideInfo, build_runs, compute_park_day, live_shame, park_day_bounds,
                               park_day_of, period_shame, shame_score, state_changes)

NY = "America/New_York"
HOLD = 15 * 60.0  # 3 x 5-minute collection interval
A, B, C = 1, 2, 3  # ride ids


def t(day: date, hh: int, mm: int = 0, tz: str = NY, *, fold: int = 0) -> float:
    """Local wall-clock time -> POSIX seconds (hh >= 24 is the next calendar day)."""
    local = datetime.combine(day + timedelta(days=hh // 24), datetime.min.time(), tzinfo=ZoneInfo(tz))
    return local.replace(hour=hh % 24, minute=mm, fold=fold).timestamp()


def events(*items, source="ARCHIVE"):
    return [Obs(at, status, wait, source) for at, status, wait in items]


def polls(start: float, end: float, status: str, wait=None, step=300.0):
    out, at = [], start
    while at < end:
        out.append(Obs(at, status, wait, "LIVE"))
        at += step
    return out


def day_of(day, observations, *, rides=None, schedule=(), reports_down=True, tz=NY, now=None):
    rides = rides or [RideInfo(rid, 2, True) for rid in observations]
    return compute_park_day(day=day, tz=tz, rides=rides, observations=observations, schedule=list(schedule),
                            reports_down=reports_down, now=now or t(day, 24 * 5), live_hold=HOLD)


D = date(2024, 6, 12)  # a Wednesday, no DST switch


def test_park_days_are_23_and_25_hours_long_across_dst_switches():
    spring = park_day_bounds(date(2024, 3, 9), NY)  # the switch at 02:00 on the 10th falls inside
    fall = park_day_bounds(date(2024, 11, 2), NY)
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert fall[1] - fall[0] == timedelta(hours=25)
    assert spring[0] == datetime(2024, 3, 9, 9, tzinfo=timezone.utc)  # 04:00 EST


def test_an_instant_before_4am_local_belongs_to_the_previous_park_day():
    assert park_day_of(datetime(2024, 6, 13, 5, 30, tzinfo=timezone.utc), NY) == date(2024, 6, 13) - timedelta(1)
    assert park_day_of(datetime(2024, 6, 13, 8, 0, tzinfo=timezone.utc), NY) == date(2024, 6, 13)


def test_a_scheduled_day_gives_downtime_uptime_waits_changes_and_shame():
    obs = {
        A: events((t(D, 7), "CLOSED", None), (t(D, 9), "OPERATING", 30), (t(D, 12), "DOWN", None),
                  (t(D, 13, 30), "OPERATING", 45), (t(D, 21), "CLOSED", None)),
        B: events((t(D, 9), "OPERATING", 10), (t(D, 21), "CLOSED", None)),
        C: events((t(D, 5), "DOWN", None)),  # never operated: no downtime
    }
    rides = [RideInfo(A, 1, True), RideInfo(B, 3, True), RideInfo(C, 2, True)]
    res = day_of(D, obs, rides=rides, schedule=[(t(D, 9), t(D, 21))])
    a, b, c = res.rides[A], res.rides[B], res.rides[C]
    assert res.session.from_schedule and res.open_hours == 12
    assert a.operating_minutes == 630 and a.downtime_minutes == 90 and a.operated
    assert a.uptime_percentage == pytest.approx(87.5)
    assert a.avg_wait_minutes == pytest.approx((180 * 30 + 450 * 45) / 630)
    assert a.peak_wait == 45 and a.status_changes == 2  # the changes at 09:00 and 21:00 are the window's edges
    assert a.longest_downtime_minutes == 90
    assert not c.operated and c.downtime_minutes == 0 and c.uptime_percentage is None
    assert b.uptime_percentage == 100
    # 10 x (1.5 h x 3) / ((3 + 1) x 12 h) = 0.9375 -> 0.9; ride C does not weigh in
    assert res.park.effective_park_weight == 4 and res.park.weighted_downtime_hours == 4.5
    assert res.park.shame_score == 0.9 and res.park.rides_down == 1 and res.park.rides_operated == 2
    assert res.park.uptime_percentage == pytest.approx((87.5 + 100) / 2)


def test_hourly_figures_use_the_hour_share_of_the_window_and_the_day_operated_test():
    obs = {A: events((t(D, 9), "OPERATING", 30), (t(D, 12), "DOWN", None), (t(D, 13, 30), "OPERATING", 45),
                     (t(D, 21), "CLOSED", None)),
           B: events((t(D, 9), "OPERATING", 10), (t(D, 21), "CLOSED", None))}
    res = day_of(D, obs, rides=[RideInfo(A, 1, True), RideInfo(B, 3, True)], schedule=[(t(D, 9), t(D, 21))])
    noon, one = t(D, 12), t(D, 13)
    assert res.ride_hours[A][noon].downtime_minutes == 60 and res.ride_hours[A][one].downtime_minutes == 30
    assert res.park_hours[noon].shame_score == 7.5  # 10 x 3 / (4 x 1 h)
    assert res.park_hours[one].shame_score == 3.8  # 10 x 1.5 / 4 = 3.75
    assert len(res.park_hours) == 12


def test_a_collector_outage_is_unknown_never_down():
    obs = {A: polls(t(D, 9), t(D, 12), "OPERATING", 20) + polls(t(D, 13), t(D, 21), "OPERATING", 20)
           + events((t(D, 21), "CLOSED", None), source="LIVE")}
    res = day_of(D, obs, schedule=[(t(D, 9), t(D, 21))])
    a = res.rides[A]
    # the 11:55 poll holds 15 minutes, to 12:10; 12:10-13:00 is unknown
    assert a.operating_minutes == 190 + 480 and a.downtime_minutes == 0 and a.uptime_percentage == 100
    assert a.known_minutes == 670 and a.status_changes == 0
    assert res.coverage_percentage == pytest.approx(100 * 670 / 720)
    assert res.park.shame_score == 0


def test_closed_counts_as_down_only_where_the_feed_has_no_down_status():
    obs = {A: events((t(D, 9), "OPERATING", 20), (t(D, 12), "CLOSED", None), (t(D, 13), "OPERATING", 25),
                     (t(D, 21), "CLOSED", None)),
           B: events((t(D, 9), "OPERATING", 5), (t(D, 9, 20), "CLOSED", None))}  # 20 min: under 30
    qt = day_of(D, obs, reports_down=False)
    assert qt.session.segments == [(t(D, 9), t(D, 21))] and not qt.session.from_schedule
    assert qt.rides[A].downtime_minutes == 60 and qt.rides[A].operated
    assert not qt.rides[B].operated and qt.rides[B].downtime_minutes == 0
    assert qt.park.shame_score == 0.8  # 10 x 1 h x 2 / (2 x 12 h) = 0.83
    wiki = day_of(D, obs, reports_down=True)
    assert wiki.rides[A].downtime_minutes == 0 and wiki.rides[B].operated  # 20 min >= 1
    assert wiki.park.shame_score == 0


def test_refurbishment_is_never_down():
    obs = {A: events((t(D, 9) - 30 * 86400, "REFURBISHMENT", None)),  # carried in from a month ago
           B: events((t(D, 9), "OPERATING", 5), (t(D, 21), "CLOSED", None))}
    for reports_down in (True, False):
        res = day_of(D, obs, reports_down=reports_down)
        a = res.rides[A]
        assert a.known_minutes == 720 and a.downtime_minutes == 0 and not a.operated
        assert res.park.rides_down == 0


def test_a_down_spell_past_closing_counts_until_closing_and_carries_into_the_next_morning():
    nxt = D + timedelta(days=1)
    sched = [(t(D, 9), t(D, 21))]
    obs = {A: events((t(D, 9), "OPERATING", 30), (t(D, 20), "DOWN", None))}  # no CLOSED event follows
    res = day_of(D, obs, schedule=sched)
    assert res.rides[A].downtime_minutes == 60 and res.rides[A].longest_downtime_minutes == 60
    obs_next = {A: [obs[A][-1], *events((t(nxt, 9, 30), "OPERATING", 10), (t(nxt, 21), "CLOSED", None))]}
    res2 = day_of(nxt, obs_next, schedule=[(t(nxt, 9), t(nxt, 21))])
    assert res2.rides[A].downtime_minutes == 30 and res2.rides[A].operating_minutes == 690


def test_a_park_closing_at_1am_keeps_its_evening_on_the_same_day():
    sat = date(2024, 6, 15)
    obs = {A: events((t(sat, 10), "OPERATING", 40), (t(sat, 24), "DOWN", None), (t(sat, 24, 30), "OPERATING", 5),
                     (t(sat, 25), "CLOSED", None))}
    res = day_of(sat, obs, schedule=[(t(sat, 10), t(sat, 25))])
    assert res.open_hours == 15 and res.rides[A].downtime_minutes == 30
    assert res.park.shame_score == 0.3  # 10 x 0.5 h / 15 h = 0.33
    inferred = day_of(sat, obs)
    assert inferred.session.segments == [(t(sat, 10), t(sat, 25))]


def test_fall_back_day_counts_real_time_not_wall_clock():
    fall = date(2024, 11, 2)  # clocks go 02:00 EDT -> 01:00 EST on the 3rd
    down_from = t(fall, 25, 15, fold=0)  # 01:15 EDT
    down_to = t(fall, 25, 15, fold=1)  # 01:15 EST, an hour later
    obs = {A: events((t(fall, 10), "OPERATING", 20), (down_from, "DOWN", None), (down_to, "OPERATING", 20),
                     (t(fall, 25, 30, fold=1), "CLOSED", None))}
    res = day_of(fall, obs)
    assert res.open_hours == 16.5  # 10:00 EDT to 01:30 EST; the wall clock says 15.5
    assert res.rides[A].downtime_minutes == 60
    assert res.park.shame_score == 0.6  # 10 x 1 h / 16.5 h = 0.606


def test_spring_forward_day_counts_real_time_not_wall_clock():
    spring = date(2024, 3, 9)  # clocks go 02:00 EST -> 03:00 EDT on the 10th
    obs = {A: events((t(spring, 10), "OPERATING", 20), (t(spring, 25, 30), "DOWN", None),
                     (t(spring, 27, 30), "CLOSED", None))}
    res = day_of(spring, obs, schedule=[(t(spring, 10), t(spring, 27, 30))])
    assert res.open_hours == 16.5  # 10:00 EST to 03:30 EDT; the wall clock says 17.5
    assert res.rides[A].downtime_minutes == 60  # 01:30 EST to 03:30 EDT
    assert res.end - res.start == 23 * 3600


def test_today_so_far_uses_only_the_passed_part_of_the_window():
    obs = {A: events((t(D, 9), "OPERATING", 30), (t(D, 14), "DOWN", None))}
    res = day_of(D, obs, schedule=[(t(D, 9), t(D, 21))], now=t(D, 15))
    assert res.open_hours == 6 and res.session.hours == 12
    assert res.rides[A].downtime_minutes == 60
    assert res.park.shame_score == 1.7  # 10 x 1 h / 6 h = 1.67


def test_a_park_that_never_opened_has_no_window_and_no_figures():
    res = day_of(D, {A: events((t(D, 8), "CLOSED", None))})
    assert res.session is None and res.park is None and res.rides == {}


def test_shows_do_not_open_the_inferred_window():
    obs = {A: events((t(D, 9), "OPERATING", 30), (t(D, 21), "CLOSED", None)),
           B: events((t(D, 5), "OPERATING", None), (t(D, 23), "CLOSED", None))}
    res = day_of(D, obs, rides=[RideInfo(A, 2, True), RideInfo(B, None, False)])
    assert res.session.segments == [(t(D, 9), t(D, 21))] and B not in res.rides


def test_state_changes_record_unknown_gaps_and_previous_durations():
    obs = events((0, "OPERATING", 5), (300, "OPERATING", 10), (600, "DOWN", None), source="LIVE")
    runs = build_runs(obs, live_hold=HOLD, horizon=10_000)
    changes = state_changes(runs, horizon=10_000)
    assert [(c.at, c.from_status, c.to_status, c.previous_seconds) for c in changes] == [
        (600, "OPERATING", "DOWN", 600), (1500, "DOWN", None, 900)]


def test_shame_scores_cap_at_ten_and_period_means_average_daily_scores():
    assert shame_score(100, 1, 1) == 10 and shame_score(1, 0, 10) == 0
    assert live_shame([3, 2], [3, 2, 2, 1]) == 6.3  # 10 x 5 / 8 = 6.25: halves round up
    assert live_shame([], []) == 0
    assert period_shame([0.9, 1.2, 0.0]) == pytest.approx(0.7) and period_shame([]) is None
