"""/api/trends, /api/trends/chart-data and /api/trends/year-over-year on hand-built rows."""
from datetime import date, timedelta

import pytest

from .api_data import park_day, park_with_rides, ride_day

TODAY = date(2024, 6, 12)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]



def week(offset):
    """The 7 complete park days ending `offset` weeks before yesterday."""
    end = TODAY - timedelta(days=1 + 7 * offset)
    return [end - timedelta(days=i) for i in range(7)]


def uptime_days(ride, days, uptime):
    for day in days:
        ride_day(ride, day, operating=6 * uptime, downtime=6 * (100 - uptime))


@pytest.fixture
def moving():
    """Better: uptime 80 -> 90; worse: 90 -> 70; steady: 100 -> 98 (a 2 % change, below the 5 % bar)."""
    parks = {}
    for name, before, after in [("Better", 80, 90), ("Worse", 90, 70), ("Steady", 100, 98)]:
        park, (ride,) = park_with_rides(tiers=(1,), name=name, is_disney=name == "Better")
        for days, uptime in ((week(1), before), (week(0), after)):
            uptime_days(ride, days, uptime)
            for day in days:
                park_day(park, day, shame=(100 - uptime) / 10, downtime_hours=(100 - uptime) / 10,
                         weight=3, rides_operated=1, avg_wait=uptime / 2)
        parks[name] = (park, ride)
    return parks


def test_parks_improving_lists_parks_whose_uptime_rose_at_least_five_percent(api, moving):
    body = api.get("/api/trends?category=parks-improving&period=7days").json()
    assert body["comparison"] == {"current_period": {"period": "7days", "start": "2024-06-05", "end": "2024-06-11"},
                                  "previous_period": {"period": "7days", "start": "2024-05-29",
                                                      "end": "2024-06-04"}}
    park, _ = moving["Better"]
    assert body["parks"] == [{"park_id": park.pk, "park_name": "Better", "location": "", "current_uptime": 90.0,
                              "previous_uptime": 80.0, "current_downtime_hours": 7.0,
                              "previous_downtime_hours": 14.0, "change_percentage": 12.5}]


def test_parks_and_rides_declining_list_the_drops_worst_first(api, moving):
    parks = api.get("/api/trends?category=parks-declining&period=7days").json()["parks"]
    assert [(p["park_name"], p["change_percentage"]) for p in parks] == [("Worse", -22.2)]
    rides = api.get("/api/trends?category=rides-declining&period=7days").json()["rides"]
    assert [r["ride_id"] for r in rides] == [moving["Worse"][1].pk]
    assert rides[0]["current_downtime_hours"] == 21.0 and rides[0]["previous_uptime"] == 90.0
    assert api.get("/api/trends?category=rides-improving&period=7days&filter=disney-universal").json()[
        "rides"][0]["park_name"] == "Better"


@pytest.mark.parametrize("query, parameter", [("", "category"), ("category=up", "category"),
                                              ("category=parks-improving&period=ever", "period"),
                                              ("category=parks-improving&limit=0", "limit")])
def test_trends_refuse_bad_parameters(api, query, parameter):
    response = api.get(f"/api/trends?{query}")
    assert response.status_code == 400 and response.json()["error"].startswith(parameter)


def test_chart_data_plots_daily_series_with_null_gaps(api, moving):
    park, _ = moving["Worse"]
    body = api.get("/api/trends/chart-data?type=parks&period=last_week&limit=2").json()
    chart = body["chart_data"]
    assert body["granularity"] == "daily" and chart["labels"] == [f"2024-06-0{d}" for d in range(3, 10)]
    assert chart["datasets"][0]["label"] == "Worse" and chart["datasets"][0]["entity_id"] == park.pk
    assert chart["datasets"][0]["data"][2:] == [3.0] * 5 and chart["datasets"][0]["data"][:2] == [1.0, 1.0]
    assert len(chart["datasets"]) == 2


@pytest.mark.parametrize("kind, first, value", [("rides", "Worse", 3.0), ("waittimes", "Steady", 49.0),
                                                ("ridewaittimes", None, None)])
def test_every_chart_type_picks_its_top_entities(api, moving, kind, first, value):
    datasets = api.get(f"/api/trends/chart-data?type={kind}&period=7days").json()["chart_data"]["datasets"]
    if first is None:  # no ride has a wait in these rows: no series at all
        assert datasets == []
        return
    park, ride = moving[first]
    assert datasets[0]["entity_id"] == (ride.pk if kind == "rides" else park.pk)
    assert datasets[0]["data"][-1] == value and len(datasets[0]["data"]) == 7


def test_chart_data_without_rows_has_no_invented_series(api, moving):
    body = api.get("/api/trends/chart-data?type=parks&period=today").json()
    assert body["granularity"] == "hourly" and body["chart_data"] == {"labels": [], "datasets": []}
    assert api.get("/api/trends/chart-data?limit=21").status_code == 400
    assert api.get("/api/trends/chart-data?type=pie").json()["error"].startswith("type:")


def test_year_over_year_puts_the_same_dates_a_year_earlier_side_by_side(api):
    park, (ride,) = park_with_rides(tiers=(1,))
    for year, shame, uptime in ((2024, 2.0, 90), (2023, 4.0, 75)):
        for d in range(1, 8):
            park_day(park, date(year, 6, d), shame=shame, downtime_hours=1.0, weight=3, rides_operated=1)
            ride_day(ride, date(year, 6, d), operating=6 * uptime, downtime=6 * (100 - uptime), avg_wait=30.0)
    body = api.get(f"/api/trends/year-over-year?park_id={park.pk}&start=2024-06-01&end=2024-06-07").json()
    assert body["current"]["start"] == "2024-06-01" and body["previous"]["start"] == "2023-06-01"
    assert body["current"]["figures"]["shame_score"] == 2.0 and body["previous"]["figures"]["shame_score"] == 4.0
    assert body["current"]["figures"]["total_downtime_hours"] == 7.0
    assert body["change_percentage"]["shame_score"] == -50.0
    ride_body = api.get(f"/api/trends/year-over-year?ride_id={ride.pk}&start=2024-06-01&end=2024-06-07").json()
    assert ride_body["current"]["figures"]["uptime_percentage"] == 90.0
    assert ride_body["previous"]["figures"]["uptime_percentage"] == 75.0
    assert ride_body["change_percentage"]["uptime_percentage"] == 20.0
    iso = api.get(f"/api/trends/year-over-year?park_id={park.pk}&start=2024-06-03&end=2024-06-09"
                  "&align=iso_week").json()
    assert (iso["previous"]["start"], iso["previous"]["end"]) == ("2023-06-05", "2023-06-11")


@pytest.mark.parametrize("query, status", [("", 400), ("park_id=1&ride_id=1", 400), ("park_id=777777", 404),
                                           ("ride_id=777777", 404), ("park_id=x", 400)])
def test_year_over_year_needs_exactly_one_known_park_or_ride(api, query, status):
    assert api.get(f"/api/trends/year-over-year?{query}").status_code == status
