"""Reliability through the API, from observations through a statistics run: ride and park
details, rankings by MTBF / MTTR / breakdowns, `exclude`, data health beside each row, and
the stay-or-go estimate."""
from datetime import timedelta

import pytest
import time_machine

from themepark.tests.factories import make_park, make_ride
from warehouse.models import DownSpell, LiveRideState, RideStatusChange
from warehouse.services import stats_recompute

from .test_aggregation import NOW, D, local, scheduled_day, store

pytestmark = pytest.mark.django_db
E = D + timedelta(days=1)
RANGE = f"start={D}&end={E}"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def park_of_ten():
    """Ten rides over two days: on day 1 a storm takes six down together at 15:00 for an hour; ride 0
    also breaks twice (20 and 40 minutes) and ride 1 once (90 minutes); on day 2 ride 0 breaks once
    (60 minutes) and ride 2 opens 30 minutes late."""
    park = make_park(name="Stormy", timezone="America/New_York")
    rides = [make_ride(park, name=f"Ride {i}", tier=2) for i in range(10)]
    for day in (D, E):
        scheduled_day(park, day)
    for i, ride in enumerate(rides):
        items = [(local(D, 9), "OPERATING", 20)]
        if i == 0:
            items += [(local(D, 10), "DOWN", None), (local(D, 10, 20), "OPERATING", 20),
                      (local(D, 12), "DOWN", None), (local(D, 12, 40), "OPERATING", 20)]
        if i == 1:
            items += [(local(D, 11), "DOWN", None), (local(D, 12, 30), "OPERATING", 20)]
        if i < 6:
            items += [(local(D, 15), "DOWN", None), (local(D, 16), "OPERATING", 20)]
        items += [(local(D, 21), "CLOSED", None)]
        if i == 2:
            items += [(local(E, 8), "DOWN", None), (local(E, 9, 30), "OPERATING", 20)]
        else:
            items += [(local(E, 9), "OPERATING", 20)]
        if i == 0:
            items += [(local(E, 13), "DOWN", None), (local(E, 14), "OPERATING", 20)]
        items += [(local(E, 21), "CLOSED", None)]
        store(ride, *items)
    stats_recompute(park_ids=[park.pk], start=D, end=E, now=NOW)
    return park, rides


def test_ride_details_carry_breakdowns_mtbf_mttr_kinds_and_event_kinds(api, park_of_ten):  # noqa: F811
    park, rides = park_of_ten
    body = api.get(f"/api/rides/{rides[0].pk}/details?{RANGE}").json()
    summary = body["summary"]
    # operating: day 1 720 - 20 - 40 - 60 = 600 min, day 2 720 - 60 = 660 min: 21 h over 3 breakdowns
    assert summary["breakdowns"] == 3 and summary["mtbf_hours"] == 7.0 and summary["mttr_minutes"] == 40.0
    assert summary["downtime_minutes_by_kind"] == {"breakdown": 120.0, "park_wide": 60.0, "late_opening": 0.0,
                                                   "stale_feed": 0.0}
    assert summary["total_downtime_hours"] == 3.0 and summary["opening_reliability"] == 1.0
    assert [e["kind"] for e in body["downtime_events"]] == ["breakdown", "breakdown", "park_wide", "breakdown"]
    assert body["ride"]["tier_source"] is None and body["ride"]["tier_reason"] == ""
    late = api.get(f"/api/rides/{rides[2].pk}/details?{RANGE}").json()["summary"]
    assert late["opening_reliability"] == 0.5 and late["downtime_minutes_by_kind"]["late_opening"] == 30.0
    assert late["breakdowns"] == 0 and late["mtbf_hours"] is None and late["mttr_minutes"] is None


def test_rankings_by_mtbf_mttr_and_breakdowns_with_data_health(api, park_of_ten):  # noqa: F811
    park, rides = park_of_ten
    by_mtbf = api.get(f"/api/rides/downtime?{RANGE}&sort_by=mtbf_hours").json()["data"]
    # the least reliable first: 21 h over 3 breakdowns, then (720 - 90 - 60 + 720) min = 21.5 h over 1
    assert [r["ride_id"] for r in by_mtbf[:2]] == [rides[0].pk, rides[1].pk]
    assert [(r["mtbf_hours"], r["breakdowns"]) for r in by_mtbf[:2]] == [(7.0, 3), (21.5, 1)]
    assert by_mtbf[2]["mtbf_hours"] is None  # no breakdowns: last
    by_mttr = api.get(f"/api/rides/downtime?{RANGE}&sort_by=mttr_minutes").json()["data"]
    assert [r["mttr_minutes"] for r in by_mttr[:2]] == [90.0, 40.0]
    by_count = api.get(f"/api/rides/downtime?{RANGE}&sort_by=breakdowns").json()
    assert by_count["data"][0]["ride_id"] == rides[0].pk and by_count["exclude"] == []
    row = by_count["data"][0]
    assert row["coverage_percentage"] == 100.0 and row["comparable"] is True
    park.reports_down = False
    park.save()
    row = api.get(f"/api/rides/downtime?{RANGE}&sort_by=breakdowns&limit=5").json()["data"][0]
    assert row["comparable"] is False


def test_exclude_park_wide_leaves_the_storm_out_of_downtime_uptime_and_shame(api, park_of_ten):  # noqa: F811
    park, rides = park_of_ten
    url = f"/api/rides/downtime?{RANGE}&limit=10"
    plain = {r["ride_id"]: r for r in api.get(url).json()["data"]}
    calm = api.get(url + "&exclude=park_wide").json()
    without = {r["ride_id"]: r for r in calm["data"]}
    assert calm["exclude"] == ["park_wide"]
    assert plain[rides[3].pk]["downtime_hours"] == 1.0 and without.get(rides[3].pk, {}).get("downtime_hours", 0) == 0
    assert without[rides[0].pk]["downtime_hours"] == 2.0 and without[rides[0].pk]["uptime_percentage"] > \
        plain[rides[0].pk]["uptime_percentage"]
    parks = api.get(f"/api/parks/downtime?{RANGE}").json()["data"][0]
    calm_parks = api.get(f"/api/parks/downtime?{RANGE}&exclude=park_wide,stale_feed").json()["data"][0]
    assert parks["downtime_minutes_by_kind"]["park_wide"] == 360.0 and parks["breakdowns"] == 4
    assert calm_parks["total_downtime_hours"] == pytest.approx(parks["total_downtime_hours"] - 6.0, abs=0.01)
    assert calm_parks["shame_score"] < parks["shame_score"]
    assert parks["comparable"] is True and parks["coverage_percentage"] == 100.0
    bad = api.get(f"/api/rides/downtime?{RANGE}&exclude=breakdown")
    assert bad.status_code == 400 and bad.json()["success"] is False


def test_park_details_carry_the_park_reliability(api, park_of_ten):  # noqa: F811
    park, rides = park_of_ten
    rel = api.get(f"/api/parks/{park.pk}/details?{RANGE}").json()["reliability"]
    assert rel["breakdowns"] == 4 and rel["mttr_minutes"] == pytest.approx((20 + 40 + 90 + 60) / 4, abs=0.1)
    assert rel["downtime_minutes_by_kind"] == {"breakdown": 210.0, "park_wide": 360.0, "late_opening": 30.0,
                                               "stale_feed": 0.0}
    assert rel["opening_reliability"] == pytest.approx(19 / 20, abs=0.001) and rel["comparable"] is True


def spells(ride, lengths, start):
    for i, minutes in enumerate(lengths):
        at = start + timedelta(days=i)
        DownSpell.objects.create(ride=ride, park=ride.park, date=at.date(), started_at=at,
                                 ended_at=at + timedelta(minutes=minutes), minutes=minutes, kind="breakdown")


def test_stay_or_go_from_twelve_spells_from_three_pooled_and_from_none(api):  # noqa: F811
    park = make_park()
    busy, few, new = make_ride(park), make_ride(park), make_ride(park)
    spells(busy, [5, 10, 12, 15, 20, 25, 30, 40, 45, 60, 90, 120], NOW - timedelta(days=100))
    spells(busy, [500], NOW - timedelta(days=400))  # more than a year ago: not used
    LiveRideState.objects.create(ride=busy, park=park, status="DOWN", recorded_at=NOW - timedelta(minutes=2))
    RideStatusChange.objects.create(ride=busy, changed_at=NOW - timedelta(minutes=20), from_status="OPERATING",
                                    to_status="DOWN")
    body = api.get(f"/api/rides/{busy.pk}/reopen-estimate").json()
    assert body["is_down"] is True and body["down_minutes"] == 20.0 and body["basis"] == "ride"
    assert (body["expected_reopen_minutes"], body["p75_reopen_minutes"], body["spells_used"]) == (25.0, 55.0, 7)
    spells(few, [30, 40, 90], NOW - timedelta(days=30))
    body = api.get(f"/api/rides/{few.pk}/reopen-estimate?down_minutes=20").json()
    assert body["is_down"] is False and body["basis"] == "park" and body["spells_used"] == 10  # 7 + 3 pooled
    body = api.get(f"/api/rides/{new.pk}/reopen-estimate?down_minutes=200").json()
    assert body["expected_reopen_minutes"] is None and body["spells_used"] == 0 and body["basis"] is None
    body = api.get(f"/api/rides/{new.pk}/reopen-estimate").json()
    assert body["down_minutes"] is None and body["current_status"] is None
    assert api.get(f"/api/rides/{new.pk}/reopen-estimate?down_minutes=-3").status_code == 400
    # asked at a past moment: the year before it (the 500-minute breakdown of 400 days ago is in, the rest ahead)
    at = (NOW - timedelta(days=300)).date()
    body = api.get(f"/api/rides/{busy.pk}/reopen-estimate?down_minutes=20&at={at}").json()
    assert body["basis"] is None and body["spells_used"] == 0  # one of the ride's own, one pooled: too few
    assert api.get(f"/api/rides/{busy.pk}/reopen-estimate?at={at}").json()["success"] is False


def test_live_rankings_carry_stay_or_go_for_rides_down_now(api):  # noqa: F811
    from .api_data import live_ride, ride_day

    park = make_park()
    down, up = make_ride(park), make_ride(park)
    spells(down, [30, 40, 50, 60, 70, 80], NOW - timedelta(days=50))
    live_ride(down, "DOWN")
    live_ride(up, "OPERATING", 15)
    RideStatusChange.objects.create(ride=down, changed_at=NOW - timedelta(minutes=10), to_status="DOWN")
    for ride in (down, up):  # NOW is 20:00 on June 30 in New York
        ride_day(ride, NOW.date() - timedelta(days=1), operating=300, downtime=10 if ride is down else 0)
    rows = {r["ride_id"]: r for r in api.get("/api/rides/downtime?period=live").json()["data"]}
    est = rows[down.pk]["reopen_estimate"]
    assert est["down_minutes"] == 10.0 and est["spells_used"] == 6 and est["expected_reopen_minutes"] == 45.0
    assert rows[up.pk]["reopen_estimate"] is None
    today = api.get("/api/rides/downtime?period=today").json()["data"]
    assert today and all(r.get("reopen_estimate") is None for r in today)


@pytest.mark.parametrize("kind, name", [("SHOW", "show"), ("RESTAURANT", "restaurant"), ("OTHER", "other")])
def test_stay_or_go_is_refused_for_what_is_not_an_attraction(api, kind, name):  # noqa: F811
    ride = make_ride(make_park())
    ride.entity_type = kind
    ride.save(update_fields=["entity_type"])
    response = api.get(f"/api/rides/{ride.pk}/reopen-estimate?down_minutes=20")
    assert response.status_code == 400
    assert response.json() == {"success": False, "error": f"Ride {ride.pk} is a {name}, not an attraction: "
                                                          "only attractions break down and reopen."}
