"""The array engine (`warehouse.metrics.vectorday`) against the pure engine (`compute_park_day`, the
definition), with no database: random observations of a few attractions over consecutive park days
(LIVE and ARCHIVE, unknown statuses, gaps, DST days, schedules closing after midnight or split in
two, no schedule, `now` inside the span) give the same figures, hours, changes, spells and
reliability, day by day."""
from bisect import bisect_left
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from warehouse.metrics import Obs, RideInfo, compute_park_day, park_day_bounds
from warehouse.metrics.vector import NO_WAIT, ObsArrays, StatusCodes
from warehouse.metrics.vectorday import compute_park_days, fingerprints

UTC = timezone.utc
HOLD = 15 * 60.0
STARTS = [("America/New_York", date(2024, 3, 9)), ("Europe/Paris", date(2024, 10, 26)),
          ("Asia/Kolkata", date(2024, 6, 10)), ("Australia/Adelaide", date(2024, 4, 6))]
DAYS = 3
STATUSES = ["OPERATING", "OPERATING", "OPERATING", "DOWN", "DOWN", "CLOSED", "REFURBISHMENT", None]

event = st.tuples(st.integers(min_value=1, max_value=4 * 3600),  # seconds after the previous one
                  st.sampled_from(STATUSES), st.one_of(st.none(), st.integers(min_value=0, max_value=180)),
                  st.booleans())  # LIVE
ride_line = st.tuples(st.integers(min_value=0, max_value=30 * 3600), st.lists(event, min_size=0, max_size=60),
                      st.sampled_from([1, 2, 3, None]))
# opening hour, closing (24+: after midnight), a lunch break
schedule = st.one_of(st.none(), st.tuples(st.integers(min_value=5, max_value=12),
                                          st.integers(min_value=14, max_value=27), st.booleans()))


def build(first_start, lines, fractions):
    observations = {}
    for ride_id, (offset, events, _tier) in enumerate(lines, start=1):
        at = first_start - offset
        obs = []
        for i, (step, status, wait, live) in enumerate(events):
            at += step + (0.25 * (i % 3) if fractions else 0)
            obs.append(Obs(at, status, wait if status == "OPERATING" else (wait if i % 5 == 0 else None),
                           "LIVE" if live else "ARCHIVE"))
        observations[ride_id] = obs
    return observations


def arrays(rides, observations):
    codes = StatusCodes()
    rows = [(i, o) for i, r in enumerate(rides) for o in observations[r.id]]
    return ObsArrays(np.array([i for i, _ in rows], np.int64), np.array([o.at for _, o in rows]),
                     codes.encode([o.status for _, o in rows]),
                     np.array([NO_WAIT if o.wait is None else o.wait for _, o in rows], np.int64),
                     np.array([o.source == "LIVE" for _, o in rows], bool), codes.names)


def day_slice(obs, start, horizon):
    times = [o.at for o in obs]
    lo, hi = bisect_left(times, start), bisect_left(times, horizon)
    return obs[max(lo - 1, 0):hi]


def close(a, b):
    if isinstance(b, float) and a is not None:
        assert a == pytest.approx(b, rel=1e-12, abs=1e-9)
    else:
        assert a == b


RIDE = ("operating_minutes", "downtime_minutes", "known_minutes", "wait_known_minutes", "uptime_percentage",
        "avg_wait_minutes", "peak_wait", "status_changes", "longest_downtime_minutes", "operated")
PARK = ("shame_score", "total_downtime_hours", "weighted_downtime_hours", "effective_park_weight", "rides_operated",
        "rides_down", "uptime_percentage", "avg_wait_minutes", "peak_wait_minutes", "open_hours", "breakdowns",
        "minutes_by_kind", "weighted_park_wide_hours", "weighted_stale_feed_hours")


def compare(fast, pure):
    assert (fast.day, fast.start, fast.end) == (pure.day, pure.start, pure.end)
    assert fast.session == pure.session and fast.window == pure.window
    assert fast.changes == pure.changes
    assert set(fast.rides) == set(pure.rides)
    for rid, fig in pure.rides.items():
        for name in RIDE:
            close(getattr(fast.rides[rid], name), getattr(fig, name))
    hours = {(row[0], row[1]): row[2:] for row in fast.hour_rows}
    assert set(hours) == {(rid, h) for rid, figs in pure.ride_hours.items() for h in figs}
    for rid, figs in pure.ride_hours.items():
        for hour, fig in figs.items():
            for got, name in zip(hours[rid, hour], RIDE):
                close(got, getattr(fig, name))
    assert fast.spells == pure.spells
    assert fast.reliability == pure.reliability
    assert (fast.park is None) == (pure.park is None)
    if pure.park is not None:
        for name in PARK:
            close(getattr(fast.park, name), getattr(pure.park, name))
        close(fast.coverage_percentage, pure.coverage_percentage)
    assert set(fast.park_hours) == set(pure.park_hours)
    for hour, fig in pure.park_hours.items():
        for name in PARK[:10]:
            close(getattr(fast.park_hours[hour], name), getattr(fig, name))


@settings(max_examples=300, deadline=None)
@given(start=st.sampled_from(STARTS), lines=st.lists(ride_line, min_size=1, max_size=5),
       schedules=st.lists(schedule, min_size=DAYS, max_size=DAYS), reports_down=st.booleans(),
       cut=st.integers(min_value=-2 * 3600, max_value=(DAYS * 24 + 2) * 3600), fractions=st.booleans())
def test_the_array_engine_gives_the_pure_engines_figures(start, lines, schedules, reports_down, cut, fractions):
    zone, first = start
    tz = ZoneInfo(zone)
    days = [first + timedelta(days=d) for d in range(DAYS)]
    first_start = park_day_bounds(first, zone)[0].timestamp()
    rides = [RideInfo(i, tier, True) for i, (_o, _e, tier) in enumerate(lines, start=1)]
    observations = build(first_start, lines, fractions)
    now = first_start + cut + (0.5 if fractions else 0)
    plans = {}
    for day, hours in zip(days, schedules):
        if hours is not None:
            opening = datetime.combine(day, time(hours[0]), tzinfo=tz).timestamp()
            closing = datetime.combine(day + timedelta(days=hours[1] // 24), time(hours[1] % 24), tzinfo=tz).timestamp()
            plans[day] = ([(opening, opening + 3 * 3600), (opening + 4 * 3600, closing)] if hours[2]
                          else [(opening, closing)])
    obs = arrays(rides, observations)
    fast = compute_park_days(days=days, tz=zone, rides=rides, obs=obs, schedules=plans, reports_down=reports_down,
                             now=now, live_hold=HOLD)
    bounds = [park_day_bounds(day, zone) for day in days]
    starts = np.array([s.timestamp() for s, _ in bounds])
    horizons = np.minimum(np.array([e.timestamp() for _, e in bounds]), now)
    prints = fingerprints(obs, starts, horizons)
    for d, day in enumerate(days):
        start, horizon = float(starts[d]), float(horizons[d])
        own = {rid: day_slice(o, start, horizon) if horizon > start else [] for rid, o in observations.items()}
        pure = compute_park_day(day=day, tz=zone, rides=rides, observations=own, schedule=plans.get(day, []),
                                reports_down=reports_down, now=now, live_hold=HOLD)
        assert not isinstance(fast[d], Exception), fast[d]
        compare(fast[d], pure)
        mine = [o for obs_ in own.values() for o in obs_ if o.at >= start]
        assert prints[d] == (len(mine), sum(o.status == "DOWN" for o in mine), sum(o.wait or 0 for o in mine))


def test_no_observations_at_all():
    rides = [RideInfo(1, 1, True)]
    obs = arrays(rides, {1: []})
    out = compute_park_days(days=[date(2024, 6, 10)], tz="UTC", rides=rides, obs=obs, schedules={},
                            reports_down=True, now=datetime(2024, 6, 12, tzinfo=UTC).timestamp(), live_hold=HOLD)
    assert out[0].rides == {} and out[0].park is None and out[0].window == []
