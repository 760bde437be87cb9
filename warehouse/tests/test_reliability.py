"""Hand-built timelines for down spells, their kinds and the reliability figures (docs/metrics.md §8-§9)."""
import pytest
from hypothesis import given, settings, strategies as st

from warehouse.metrics import Obs, RideInfo, mtbf_hours, mttr_minutes, opening_reliability, reopen_estimate

from .test_metrics import HOLD, D, day_of, events, polls, t

OPEN, CLOSE = t(D, 9), t(D, 21)


def kinds(res, ride_id):
    return [(s.kind, s.minutes) for s in res.spells.get(ride_id, [])]


def test_three_spells_one_cut_by_closing_one_cut_by_unknown_time():
    # 09:00 up; 10:00-10:30 down; 12:00-12:45 down, then the feed falls silent (LIVE polls stop:
    # 12:45 plus the 15-minute hold ends the spell at 13:00); 14:00 up again; 20:00 down until closing.
    obs = {1: events((t(D, 8), "CLOSED", None), (OPEN, "OPERATING", 20), (t(D, 10), "DOWN", None),
                     (t(D, 10, 30), "OPERATING", 25), (t(D, 12), "OPERATING", 25))
           + polls(t(D, 12), t(D, 12, 50), "DOWN")
           + events((t(D, 14), "OPERATING", 30), (t(D, 20), "DOWN", None), (t(D, 22), "CLOSED", None))}
    res = day_of(D, obs, schedule=[(OPEN, CLOSE)])
    fig, rel = res.rides[1], res.reliability[1]
    assert kinds(res, 1) == [("breakdown", 30), ("breakdown", 60), ("breakdown", 60)]
    # operating: 09:00-10:00, 10:30-12:00, 14:00-20:00 = 60 + 90 + 360 = 510 minutes; 12:50+15 min hold
    # ends the second spell at 13:05, not at 14:00: the unknown hour is neither up nor down
    assert fig.operating_minutes == 510
    assert fig.downtime_minutes == 150 == sum(rel.minutes_by_kind.values())
    assert rel.breakdowns == 3 and rel.breakdown_minutes == 150
    assert mtbf_hours(fig.operating_minutes, rel.breakdowns) == pytest.approx(510 / 60 / 3)
    assert mttr_minutes(rel.breakdown_minutes, rel.breakdowns) == 50
    assert rel.opened_on_time is True
    assert res.park.breakdowns == 3 and res.park.minutes_by_kind["breakdown"] == 150


def test_no_breakdowns_means_no_mtbf_and_no_mttr():
    assert mtbf_hours(600, 0) is None and mttr_minutes(0, 0) is None
    assert opening_reliability(3, 4) == 0.75 and opening_reliability(0, 0) is None


def test_six_of_ten_rides_down_together_is_a_park_wide_event_not_a_breakdown():
    obs = {}
    for rid in range(1, 11):
        items = [(OPEN, "OPERATING", 10)]
        if rid <= 6:  # a storm: six rides down from 15:00 (staggered by a minute) to 16:00
            items += [(t(D, 15, rid), "DOWN", None), (t(D, 16), "OPERATING", 10)]
        if rid == 7:  # an ordinary breakdown in the morning
            items += [(t(D, 11), "DOWN", None), (t(D, 11, 20), "OPERATING", 10)]
        obs[rid] = events(*items, (CLOSE, "CLOSED", None))
    res = day_of(D, obs, schedule=[(OPEN, CLOSE)])
    for rid in range(1, 7):
        assert kinds(res, rid) == [("park_wide", 60 - rid)]
        assert res.reliability[rid].breakdowns == 0
    assert kinds(res, 7) == [("breakdown", 20)] and res.reliability[7].breakdowns == 1
    assert res.park.minutes_by_kind == {"breakdown": 20, "park_wide": sum(60 - r for r in range(1, 7)),
                                        "late_opening": 0, "stale_feed": 0}
    assert res.park.weighted_park_wide_hours == pytest.approx(2 * sum(60 - r for r in range(1, 7)) / 60)


def test_four_of_ten_down_together_stay_breakdowns():
    obs = {}
    for rid in range(1, 11):
        items = [(OPEN, "OPERATING", 10)]
        if rid <= 4:
            items += [(t(D, 15), "DOWN", None), (t(D, 16), "OPERATING", 10)]
        obs[rid] = events(*items, (CLOSE, "CLOSED", None))
    res = day_of(D, obs, schedule=[(OPEN, CLOSE)])
    assert all(kinds(res, rid) == [("breakdown", 60)] for rid in range(1, 5))


def test_a_late_opening_is_not_a_breakdown_and_not_on_time():
    obs = {1: events((t(D, 7), "DOWN", None), (t(D, 10, 30), "OPERATING", 20), (t(D, 13), "DOWN", None),
                     (t(D, 13, 10), "OPERATING", 20), (CLOSE, "CLOSED", None)),
           **{rid: events((OPEN, "OPERATING", 5), (CLOSE, "CLOSED", None)) for rid in (2, 4, 5, 6)},
           3: events((t(D, 8), "OPERATING", 5), (t(D, 8, 30), "DOWN", None), (t(D, 9, 40), "OPERATING", 5),
                     (CLOSE, "CLOSED", None))}
    res = day_of(D, obs, schedule=[(OPEN, CLOSE)])
    assert kinds(res, 1) == [("late_opening", 90), ("breakdown", 10)]
    assert res.reliability[1].opened_on_time is False and res.reliability[2].opened_on_time is True
    # ride 3 ran before the gates opened (a test run), then was down at opening: a breakdown
    assert kinds(res, 3) == [("breakdown", 40)]


def test_a_frozen_feed_while_the_park_moves_is_stale_not_a_breakdown():
    others = {rid: events((OPEN, "OPERATING", 10), (t(D, 10 + 2 * rid), "DOWN", None),
                          (t(D, 10 + 2 * rid, 10), "OPERATING", 10), (CLOSE, "CLOSED", None)) for rid in range(2, 6)}
    frozen = {1: events((OPEN, "OPERATING", 10), (t(D, 12), "DOWN", None))}  # no event after 12:00
    res = day_of(D, {**frozen, **others}, schedule=[(OPEN, CLOSE)])
    assert kinds(res, 1) == [("stale_feed", 540)]
    assert res.reliability[1].breakdowns == 0
    # the same nine hours polled every five minutes are many observations: a long breakdown
    polled = {1: events((OPEN, "OPERATING", 10)) + polls(t(D, 12), CLOSE + 600, "DOWN")}
    res = day_of(D, {**polled, **others}, schedule=[(OPEN, CLOSE)])
    assert kinds(res, 1) == [("breakdown", 540)]
    # frozen, but nothing else moved either: nothing says the feed is stale
    res = day_of(D, frozen, schedule=[(OPEN, CLOSE)])
    assert kinds(res, 1) == [("breakdown", 540)]


def test_downtime_on_a_day_the_ride_did_not_operate_has_no_kind_minutes():
    obs = {1: events((t(D, 7), "DOWN", None)), 2: events((OPEN, "OPERATING", 5), (CLOSE, "CLOSED", None))}
    res = day_of(D, obs, rides=[RideInfo(1, 2, True), RideInfo(2, 2, True)], schedule=[(OPEN, CLOSE)])
    assert res.rides[1].downtime_minutes == 0 and sum(res.reliability[1].minutes_by_kind.values()) == 0
    assert res.reliability[1].opened_on_time is None


def test_stay_or_go_from_the_ride_its_park_or_nothing():
    ride = [5, 10, 12, 15, 20, 25, 30, 40, 45, 60, 90, 120]  # 12 known breakdowns, minutes
    est = reopen_estimate(20, ride)
    # longer than 20: 25 30 40 45 60 90 120 -> remaining 5 10 20 25 40 70 100
    assert est.spells_used == 7 and est.basis == "ride"
    assert est.expected_reopen_minutes == 25 and est.p75_reopen_minutes == pytest.approx(55)
    assert est.down_minutes == 20
    few = [30, 40, 90]
    park = few + [22, 26, 35, 50, 80]
    est = reopen_estimate(20, few, park)  # three of the ride's own: pooled with the park's
    assert est.basis == "park" and est.spells_used == 8
    assert est.expected_reopen_minutes == pytest.approx(17.5)  # remaining 2 6 10 15 20 30 60 70
    jitter = [5.004, 5.0045, 5.003, 5.002, 5.001, 10, 15]  # 5-minute spells seen a fraction of a second long
    assert reopen_estimate(5, jitter).spells_used == 0
    est = reopen_estimate(20, few, few)
    assert est.expected_reopen_minutes is None and est.p75_reopen_minutes is None and est.spells_used == 0
    assert HOLD == 900


spell_st = st.tuples(st.sampled_from(["OPERATING", "DOWN", "CLOSED", "REFURBISHMENT", None]),
                     st.integers(min_value=60, max_value=8 * 3600), st.integers(min_value=0, max_value=90),
                     st.sampled_from(["ARCHIVE", "LIVE"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(spell_st, min_size=1, max_size=25), min_size=1, max_size=6), st.booleans(),
       st.booleans())
def test_downtime_by_kind_always_sums_to_the_ride_downtime(timelines, reports_down, scheduled):
    obs = {}
    for rid, items in enumerate(timelines, start=1):
        at, ride_obs = t(D, 3), []
        for status, length, wait, source in items:
            ride_obs.append(Obs(at, status, wait if status == "OPERATING" else None, source))
            at += length
        obs[rid] = ride_obs
    res = day_of(D, obs, schedule=[(OPEN, CLOSE)] if scheduled else (), reports_down=reports_down)
    for rid, fig in res.rides.items():
        rel = res.reliability[rid]
        assert sum(rel.minutes_by_kind.values()) == pytest.approx(fig.downtime_minutes, abs=1e-6)
        assert rel.breakdowns == (sum(1 for s in res.spells.get(rid, ()) if s.kind == "breakdown") if fig.operated
                                  else 0)
    if res.park is not None:
        assert sum(res.park.minutes_by_kind.values()) == pytest.approx(res.park.total_downtime_hours * 60, abs=1e-6)
