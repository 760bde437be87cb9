"""Each fixed value of the metrics pinned by its behaviour, on both sides of its edge: the LIVE hold
of 3 collection intervals, the 04:00 park-day start, the operated thresholds (1 minute where the
feed reports DOWN, 30 where it does not) and the shame score's cap of 10. Changing any of these
constants makes a test here fail."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from warehouse.aggregation.daily import live_hold_seconds
from warehouse.metrics import Obs, RideInfo, compute_park_day, live_shame, park_day_bounds, park_day_of, shame_score

TZ = "Europe/Paris"
DAY = date(2024, 6, 12)  # no DST switch; Paris is UTC+2


def local(hh: int, mm: int = 0, ss: int = 0) -> float:
    return datetime(2024, 6, 12, hh, mm, ss, tzinfo=ZoneInfo(TZ)).timestamp()


def ride_day(observations, *, reports_down=True, live_hold=None, schedule=((9, 0), (21, 0))):
    window = [(local(*schedule[0]), local(*schedule[1]))]
    out = compute_park_day(day=DAY, tz=TZ, rides=[RideInfo(1, 1, True)], observations={1: observations},
                           schedule=window, reports_down=reports_down, now=local(23, 59) + 86400,
                           live_hold=live_hold_seconds() if live_hold is None else live_hold)
    return out.rides.get(1)


@override_settings(COLLECTION_INTERVAL_MINUTES=5)
def test_a_live_observation_holds_for_three_collection_intervals():
    assert live_hold_seconds() == 15 * 60
    # one LIVE poll at 10:00, the next an hour later: the first holds 10:00-10:15 only
    fig = ride_day([Obs(local(10), "OPERATING", 20, "LIVE"), Obs(local(11), "CLOSED", None, "LIVE")])
    assert fig.operating_minutes == 15
    assert fig.known_minutes == 15 + 15  # the CLOSED poll at 11:00 holds 15 minutes as well


@override_settings(COLLECTION_INTERVAL_MINUTES=10)
def test_the_live_hold_follows_the_collection_interval():
    assert live_hold_seconds() == 30 * 60
    fig = ride_day([Obs(local(10), "OPERATING", 20, "LIVE")])
    assert fig.operating_minutes == 30


def test_an_archive_observation_holds_until_the_next_whatever_the_gap():
    fig = ride_day([Obs(local(10), "OPERATING", 20, "ARCHIVE"), Obs(local(11), "CLOSED", None, "ARCHIVE")])
    assert fig.operating_minutes == 60


def test_the_park_day_starts_at_four_in_the_morning_local_time():
    start, end = park_day_bounds(DAY, TZ)
    assert start == datetime(2024, 6, 12, 2, tzinfo=timezone.utc)  # 04:00 CEST
    assert end - start == timedelta(hours=24)
    assert park_day_of(datetime.fromtimestamp(local(3, 59, 59), tz=timezone.utc), TZ) == DAY - timedelta(days=1)
    assert park_day_of(datetime.fromtimestamp(local(4), tz=timezone.utc), TZ) == DAY


def test_observations_before_four_belong_to_the_day_before():
    # a park open until 04:30 in the morning after: 03:00-04:00 counts on DAY, 04:00-04:30 on the next day
    obs = [Obs(local(20), "OPERATING", 10, "ARCHIVE")]
    out = compute_park_day(day=DAY, tz=TZ, rides=[RideInfo(1, 1, True)], observations={1: obs},
                           schedule=[(local(20), local(4, 30) + 86400)], reports_down=True,
                           now=local(12) + 2 * 86400, live_hold=900.0)
    assert out.rides[1].operating_minutes == 8 * 60  # 20:00 to 04:00 the next morning


@pytest.mark.parametrize("reports_down, threshold_s", [(True, 60), (False, 30 * 60)])
def test_a_ride_operated_from_its_threshold_of_operating_time(reports_down, threshold_s):
    def day(operating_s):
        start = local(12)
        return ride_day([Obs(local(9), "DOWN", None, "ARCHIVE"), Obs(start, "OPERATING", 5, "ARCHIVE"),
                         Obs(start + operating_s, "DOWN", None, "ARCHIVE")], reports_down=reports_down)

    below, at = day(threshold_s - 1), day(threshold_s)
    assert not below.operated and below.downtime_minutes == 0  # downtime counts only on a day it operated
    assert at.operated and at.downtime_minutes == pytest.approx((12 * 3600 - threshold_s) / 60)


def test_the_shame_score_caps_at_ten():
    assert shame_score(2.0, 1.0, 2.0) == 10.0  # exactly the cap
    assert shame_score(1.96, 1.0, 2.0) == 9.8  # under it, rounded to one decimal
    assert shame_score(5.0, 1.0, 2.0) == 10.0  # 25 before the cap
    assert shame_score(1000.0, 1.0, 1.0) == 10.0
    assert live_shame([5, 5, 5], [1]) == 10.0
