"""The contract of the Hall of Shame frontend (docs/frontend-contract.md), endpoint by endpoint:
every field the pages read, with its JSON type (numbers as JSON numbers, tiers as numbers), for
every period and filter the pages can send; and the chart endpoints' values against the
statistics tables of hand-built data."""
from datetime import date, timedelta

import pytest

from themepark.tests.factories import make_observations, make_ride
from warehouse.engine_constants import METRICS_VERSION
from warehouse.ingest import ingest
from warehouse.models import ParkDailyStats, ParkHourlyStats, RideDailyStats, RideHourlyStats

from .api_data import NOW, live_park, live_ride, park_day, park_with_rides, ride_day, utc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
TODAY, YESTERDAY = date(2024, 6, 12), date(2024, 6, 11)  # New York park days at NOW
FRONTEND_PERIODS = ("live", "today", "yesterday", "last_week", "last_month")
FILTERS = ("all-parks", "disney-universal")

NUM = (int, float)  # a JSON number (never a string, never a boolean)
OPT_NUM = (int, float, type(None))
OPT_INT = (int, type(None))
OPT_BOOL = (bool, type(None))


def hour_rows(park, rides, day, hours, *, shame=1.0, downtime=(30, 0), waits=(40.0, 20.0)):
    """Park and ride hourly rows of `day` at the given UTC hours."""
    for hour in hours:
        start = utc(day.year, day.month, day.day, hour)
        ParkHourlyStats.objects.create(park=park, date=day, hour_start_utc=start, shame_score=shame + hour / 10,
                                       avg_wait_minutes=30.0 + hour, rides_down=1, open_hours=1,
                                       metrics_version=METRICS_VERSION)
        for ride, down, wait in zip(rides, downtime, waits):
            RideHourlyStats.objects.create(ride=ride, park=park, date=day, hour_start_utc=start,
                                           operating_minutes=60 - down, downtime_minutes=down,
                                           known_minutes=60, uptime_percentage=100 * (60 - down) / 60,
                                           avg_wait_minutes=wait + hour, wait_known_minutes=60 - down,
                                           operated=True, metrics_version=METRICS_VERSION)


@pytest.fixture
def world():
    """Two parks (a Disney one in New York, another in Tokyo), daily rows from May 1 to today,
    hourly rows for today and yesterday, live states and a few raw observations."""
    magic, (m1, m2) = park_with_rides(tiers=(1, 2), name="Magic", is_disney=True, queue_times_id=3,
                                      city="Bay Lake", region="Florida", country="United States")
    plain, (p1,) = park_with_rides(tiers=(3,), name="Plain", timezone="Asia/Tokyo", country="Japan")
    live_park(magic, is_open=True, rides_open=1, rides_down=1, total_rides=2, shame_score=1.5, avg_wait_time=30.0,
              max_wait_time=45)
    live_park(plain, is_open=False, total_rides=1)
    live_ride(m1, "DOWN")
    live_ride(m2, "OPERATING", 25)
    live_ride(p1, "CLOSED")
    day, parks, rides = date(2024, 5, 1), [], []
    while day <= TODAY:
        n = day.toordinal() % 5
        parks += [park_day(magic, day, shame=1.0 + n / 2, downtime_hours=1.0 + n, weight=5, rides_operated=2,
                           rides_down=1, uptime=90.0, avg_wait=25.0 + n, peak_wait=60, save=False),
                  park_day(plain, day, shame=0.5, downtime_hours=0.5, weight=1, rides_operated=1, rides_down=1,
                           uptime=95.0, avg_wait=15.0, peak_wait=30, save=False)]
        rides += [ride_day(m1, day, operating=540 - 10 * n, downtime=60 + 10 * n, avg_wait=45.0 + n, peak_wait=60,
                           changes=2, save=False),
                  ride_day(m2, day, operating=600, avg_wait=20.0, peak_wait=35, save=False),
                  ride_day(p1, day, operating=570, downtime=30, avg_wait=15.0, peak_wait=30, save=False)]
        day += timedelta(days=1)
    ParkDailyStats.objects.bulk_create(parks)
    RideDailyStats.objects.bulk_create(rides)
    hour_rows(magic, (m1, m2), YESTERDAY, (14, 15, 16))
    hour_rows(magic, (m1, m2), TODAY, (13, 14))
    ingest(make_observations(m1, 3, utc(2024, 6, 11, 15, 5)), now=NOW)
    return magic, plain, (m1, m2, p1)


def _walk(value, path):
    """Values at a dotted path; `name[]` descends into every item of a list."""
    if not path:
        yield value
        return
    head, _, rest = path.partition(".")
    key, depth = head.replace("[]", ""), head.count("[]")
    if not isinstance(value, dict) or key not in value:
        raise AssertionError(f"{key} missing")
    yield from _items(value[key], depth, key, rest)


def _items(value, depth, key, rest):
    if not depth:
        yield from _walk(value, rest)
        return
    assert isinstance(value, list), f"{key} is not an array"
    for item in value:
        yield from _items(item, depth - 1, key, rest)


def conforms(body, fields):
    """Every `path: types` of the contract holds in `body` (bool is not a number here)."""
    assert body["success"] is True
    for path, types in fields.items():
        for value in _walk(body, path):
            assert isinstance(value, types), f"{path}={value!r} is not {types}"
            if bool not in (types if isinstance(types, tuple) else (types,)):
                assert not isinstance(value, bool), f"{path}={value!r} is a boolean"


def rows(body, key="data"):
    assert isinstance(body[key], list) and body[key], f"{key} should not be empty here"
    return body[key]


# ---------------------------------------------------------------------------------------------
# One test per endpoint of the contract, from its field table
# ---------------------------------------------------------------------------------------------
PARK_DOWNTIME = {"aggregate_stats.total_parks_tracked": int, "data[].rank": int, "data[].park_id": int,
                 "data[].park_name": str, "data[].shame_score": OPT_NUM, "data[].location": str,
                 "data[].park_is_open": bool, "data[].total_downtime_hours": NUM,
                 "data[].uptime_percentage": OPT_NUM, "data[].rides_down": int, "data[].trend_percentage": OPT_NUM}


@pytest.mark.parametrize("period", FRONTEND_PERIODS)
@pytest.mark.parametrize("sort_by", [None, "shame_score", "total_downtime_hours", "uptime_percentage", "rides_down"])
def test_parks_downtime(api, world, period, sort_by):
    for scope in FILTERS:
        query = {"period": period, "filter": scope, "limit": 50, **({"sort_by": sort_by} if sort_by else {})}
        body = api.get("/api/parks/downtime", query).json()
        conforms(body, PARK_DOWNTIME)
        assert rows(body)[0]["park_name"] == "Magic" and [r["rank"] for r in body["data"]][0] == 1
    one = api.get("/api/parks/downtime", {"period": "today", "filter": "all-parks", "limit": 1}).json()
    assert one["aggregate_stats"]["total_parks_tracked"] == 2 and len(one["data"]) == 1


RIDE_DOWNTIME = {"data[].rank": int, "data[].ride_id": int, "data[].ride_name": str, "data[].tier": int,
                 "data[].park_name": str, "data[].location": str, "data[].current_is_open": OPT_BOOL,
                 "data[].is_down": bool, "data[].park_is_open": OPT_BOOL, "data[].downtime_hours": NUM,
                 "data[].uptime_percentage": OPT_NUM, "data[].trend_percentage": OPT_NUM}


@pytest.mark.parametrize("period", FRONTEND_PERIODS)
@pytest.mark.parametrize("sort_by", [None, "downtime_hours", "uptime_percentage", "trend_percentage",
                                     "current_is_open"])
def test_rides_downtime(api, world, period, sort_by):
    magic, plain, (m1, m2, p1) = world
    query = {"period": period, "filter": "all-parks", "limit": 100, **({"sort_by": sort_by} if sort_by else {})}
    body = api.get("/api/rides/downtime", query).json()
    conforms(body, RIDE_DOWNTIME)
    by_id = {r["ride_id"]: r for r in rows(body)}
    assert by_id[m1.pk]["current_is_open"] is False and by_id[m1.pk]["is_down"] is True
    assert by_id[m2.pk]["current_is_open"] is True and by_id[p1.pk]["park_is_open"] is False
    if sort_by == "current_is_open":
        assert body["data"][0]["ride_id"] == m1.pk and body["data"][-1]["ride_id"] == m2.pk


def test_live_status_summary(api, world):
    for scope in FILTERS:
        body = api.get("/api/live/status-summary", {"filter": scope}).json()
        conforms(body, {f"status_summary.{key}": int for key in ("OPERATING", "DOWN", "CLOSED", "REFURBISHMENT")})
    assert api.get("/api/live/status-summary").json()["status_summary"]["DOWN"] == 1


PARK_WAITS = {"data[].park_id": int, "data[].park_name": str, "data[].location": str,
              "data[].avg_wait_minutes": NUM, "data[].peak_wait_minutes": NUM, "data[].rides_reporting": int,
              "data[].trend_percentage": OPT_NUM, "data[].park_is_open": OPT_BOOL}
RIDE_WAITS = {"data[].ride_id": int, "data[].ride_name": str, "data[].tier": int, "data[].park_name": str,
              "data[].location": str, "data[].avg_wait_minutes": NUM, "data[].peak_wait_minutes": OPT_INT,
              "data[].current_is_open": OPT_BOOL, "data[].park_is_open": OPT_BOOL,
              "data[].trend_percentage": OPT_NUM}


@pytest.mark.parametrize("period", FRONTEND_PERIODS)
@pytest.mark.parametrize("scope", FILTERS)
def test_parks_and_rides_waittimes(api, world, period, scope):
    query = {"period": period, "filter": scope}
    conforms(api.get("/api/parks/waittimes", {**query, "limit": 50}).json(), PARK_WAITS)
    body = api.get("/api/rides/waittimes", {**query, "limit": 100}).json()
    conforms(body, RIDE_WAITS)
    rows(body)


AWARD_PARKS = {"data[].park_name": str, "data[].location": str}
LONGEST = {"parks": {**AWARD_PARKS, "data[].avg_wait_time": NUM, "data[].cumulative_wait_hours": OPT_NUM},
           "rides": {"data[].ride_name": str, "data[].park_name": str, "data[].avg_wait_time": NUM,
                     "data[].cumulative_wait_hours": OPT_NUM}}
LEAST = {"parks": {**AWARD_PARKS, "data[].avg_shame_score": NUM, "data[].uptime_percentage": NUM,
                   "data[].downtime_hours": NUM},
         "rides": {"data[].ride_name": str, "data[].park_name": str, "data[].downtime_hours": NUM}}


@pytest.mark.parametrize("period", ["yesterday", "last_week", "last_month", "today"])
@pytest.mark.parametrize("entity", ["parks", "rides"])
def test_awards(api, world, period, entity):
    for path, contract in (("longest-wait-times", LONGEST), ("least-reliable", LEAST)):
        for limit in (1, 10):
            query = {"period": period, "entity": entity, "filter": "all-parks", "limit": limit}
            body = api.get(f"/api/trends/{path}", query).json()
            conforms(body, contract[entity])
            assert 1 <= len(rows(body)) <= limit


CHART = {"chart_data.labels[]": str, "chart_data.datasets[].label": str,
         "chart_data.datasets[].data[]": OPT_NUM, "granularity": str}


@pytest.mark.parametrize("period", FRONTEND_PERIODS)
@pytest.mark.parametrize("kind,limit", [("parks", 4), ("waittimes", 4), ("rides", 5), ("ridewaittimes", 5)])
def test_chart_data(api, world, period, kind, limit):
    body = api.get("/api/trends/chart-data", {"period": period, "filter": "all-parks", "limit": limit,
                                              "type": kind}).json()
    conforms(body, CHART)
    datasets = body["chart_data"]["datasets"]
    assert datasets and all(len(d["data"]) in (0, len(body["chart_data"]["labels"])) for d in datasets)
    if kind.startswith("ride"):
        conforms(body, {"chart_data.datasets[].park": str})


HEATMAP = {"entities[].entity_id": int, "entities[].entity_name": str, "entities[].total_value": NUM,
           "entities[].rank": int, "time_labels[]": str, "matrix[][]": OPT_NUM, "metric": str,
           "granularity": str}


@pytest.mark.parametrize("period", FRONTEND_PERIODS)
@pytest.mark.parametrize("kind,metric", [("parks-shame", "shame_score"), ("parks", "avg_wait_time_minutes"),
                                         ("rides-downtime", "downtime_hours"),
                                         ("rides-waittimes", "avg_wait_time_minutes")])
def test_heatmap_data(api, world, period, kind, metric):
    for scope in FILTERS:
        body = api.get("/api/trends/heatmap-data", {"period": period, "filter": scope, "limit": 10,
                                                    "type": kind}).json()
        conforms(body, HEATMAP)
        assert body["metric"] == metric and body["entities"]
        assert len(body["matrix"]) == len(body["entities"])
        assert all(len(row) == len(body["time_labels"]) for row in body["matrix"])
        for entity in body["entities"]:
            if kind.startswith("parks"):
                assert isinstance(entity["location"], str) and entity["location"]
            else:
                assert "location" not in entity and entity["tier"] in (1, 2, 3)
        assert body["granularity"] == ("hourly" if period in ("live", "today", "yesterday") else "daily")


@pytest.mark.parametrize("period", FRONTEND_PERIODS)
def test_park_details_for_the_modal_and_the_page(api, world, period):
    magic, _, _ = world
    body = api.get(f"/api/parks/{magic.pk}/details", {"period": period}).json()
    conforms(body, {"park.name": str, "park.location": str, "park.operator": str, "park.timezone": str,
                    "period": str, "shame_breakdown.shame_score": NUM, "shame_breakdown.breakdown_type": str,
                    "tier_distribution.tier_1_count": int, "tier_distribution.tier_2_count": int,
                    "tier_distribution.tier_3_count": int, "tier_distribution.total_rides": int,
                    "excluded_rides_count": int, "current_status.total_rides": int,
                    "current_status.rides_open": int, "current_status.operating": int,
                    "current_status.rides_closed": int, "current_status.uptime_percentage": NUM,
                    "chart_data.labels[]": str, "chart_data.data[]": OPT_NUM, "chart_data.avg_wait[]": OPT_NUM,
                    "chart_data.rides_down[]": OPT_INT, "chart_data.granularity": str})
    assert body["period"] == period and body["shame_breakdown"]["breakdown_type"] == period
    breakdown = body["shame_breakdown"]
    if period == "live":
        conforms(body, {"shame_breakdown.park_is_open": bool, "shame_breakdown.total_weighted_down": NUM,
                        "shame_breakdown.total_park_weight": NUM, "shame_breakdown.rides_down[].ride_name": str,
                        "shame_breakdown.rides_down[].tier_weight": int})
        assert [r["ride_name"] for r in breakdown["rides_down"]] == [world[2][0].name]
    else:
        conforms(body, {"shame_breakdown.total_downtime_hours": NUM, "shame_breakdown.weighted_downtime_hours": NUM,
                        "shame_breakdown.rides_affected_count": int, "shame_breakdown.rides[].ride_name": str,
                        "shame_breakdown.rides[].tier": int, "shame_breakdown.rides[].status": str,
                        "shame_breakdown.rides[].weighted_contribution": NUM,
                        "shame_breakdown.rides[].downtime_hours": NUM, "shame_breakdown.period_label": str,
                        "shame_breakdown.days_in_period": int, "shame_breakdown.rides[].days_with_downtime": int})
        assert rows(breakdown, "rides")[0]["ride_name"] == world[2][0].name


def test_park_details_leave_out_an_unknown_live_uptime_rather_than_null(api, world):
    _, plain, _ = world
    status = api.get(f"/api/parks/{plain.pk}/details", {"period": "live"}).json()["current_status"]
    assert "uptime_percentage" not in status and status["rides_open"] == 0


RIDE_CHARTS = {"chart_type": str, "granularity": str, "labels[]": str, "datasets[].label": str,
               "datasets[].tier": int, "datasets[].data[]": OPT_NUM}


@pytest.mark.parametrize("period", ["today", "yesterday", "last_week", "last_month", "live"])
@pytest.mark.parametrize("kind", [None, "downtime", "wait_times"])
def test_park_rides_charts(api, world, period, kind):
    magic, _, _ = world
    body = api.get(f"/api/parks/{magic.pk}/rides/charts", {"period": period, **({"type": kind} if kind else {})})
    body = body.json()
    conforms(body, RIDE_CHARTS)
    assert body["chart_type"] == (kind or "downtime")
    assert rows(body, "datasets") and all(len(d["data"]) == len(body["labels"]) for d in body["datasets"])


RIDE_DETAILS = {"ride.name": str, "ride.park_name": str, "ride.tier": int, "ride.category": str, "period": str,
                "summary.total_downtime_hours": NUM, "summary.uptime_percentage": NUM,
                "summary.avg_wait_time": NUM, "summary.total_operating_hours": NUM,
                "timeseries[].status": str, "timeseries[].avg_wait_time_minutes": OPT_NUM,
                "timeseries[].uptime_percentage": OPT_NUM, "timeseries[].snapshot_count": int,
                "hourly_breakdown[].uptime_percentage": OPT_NUM, "hourly_breakdown[].avg_wait_time_minutes": OPT_NUM,
                "hourly_breakdown[].downtime_hours": NUM, "hourly_breakdown[].snapshot_count": int}


@pytest.mark.parametrize("period", ["today", "yesterday", "last_week", "last_month", "live"])
def test_ride_details(api, world, period):
    ride = world[2][0]
    body = api.get(f"/api/rides/{ride.pk}/details", {"period": period}).json()
    conforms(body, RIDE_DETAILS)
    assert body["period"] == period
    for key in ("timeseries", "hourly_breakdown"):
        for point in rows(body, key):
            if period in ("today", "yesterday", "live"):  # hourly rows carry no date key at all
                assert "date" not in point and point["hour_start_utc"].endswith("Z")
            else:
                assert "hour_start_utc" not in point and len(point["date"]) == 10


def test_search_index(api, world):
    body = api.get("/api/search/index").json()
    conforms(body, {"parks[].type": str, "parks[].name": str, "parks[].location": str, "parks[].url": str,
                    "rides[].type": str, "rides[].name": str, "rides[].park_name": str, "rides[].url": str})
    assert {p["type"] for p in body["parks"]} == {"park"} and {r["type"] for r in body["rides"]} == {"ride"}
    assert body["parks"][0]["url"] == f"park-detail.html?park_id={body['parks'][0]['id']}"
    assert body["rides"][0]["url"] == f"ride-detail.html?id={body['rides'][0]['id']}"


@pytest.mark.parametrize("category", ["parks-improving", "parks-declining", "rides-improving", "rides-declining"])
@pytest.mark.parametrize("period", ["today", "yesterday", "last_week", "last_month"])
def test_trends(api, world, category, period):
    body = api.get("/api/trends", {"category": category, "period": period, "filter": "all-parks",
                                   "limit": 20}).json()
    entity = category.split("-")[0]
    assert body["success"] is True and isinstance(body[entity], list)
    conforms(body, {f"{entity}[].current_uptime": OPT_NUM, f"{entity}[].previous_uptime": OPT_NUM,
                    f"{entity}[].park_name": str})


# ---------------------------------------------------------------------------------------------
# Chart values equal the statistics tables
# ---------------------------------------------------------------------------------------------
def test_rides_downtime_heatmap_cells_are_the_hourly_rows_and_totals_the_period(api, world):
    magic, _, (m1, m2, _) = world
    body = api.get("/api/trends/heatmap-data", {"period": "yesterday", "type": "rides-downtime",
                                                "filter": "disney-universal"}).json()
    assert [e["entity_id"] for e in body["entities"]] == [m1.pk, m2.pk]
    assert body["time_buckets"] == ["2024-06-11T14:00:00Z", "2024-06-11T15:00:00Z", "2024-06-11T16:00:00Z"]
    assert body["time_labels"] == ["10:00", "11:00", "12:00"]  # New York time
    assert body["matrix"] == [[0.5, 0.5, 0.5], [0.0, 0.0, 0.0]]
    n = YESTERDAY.toordinal() % 5
    assert body["entities"][0]["total_value"] == round((60 + 10 * n) / 60, 2)  # the daily row of yesterday


def test_parks_shame_heatmap_over_a_week_is_the_daily_rows(api, world):
    magic, plain, _ = world
    body = api.get("/api/trends/heatmap-data", {"period": "last_week", "type": "parks-shame"}).json()
    assert body["time_buckets"] == [f"2024-06-0{d}" for d in range(3, 10)]
    assert body["time_labels"][0] == "Jun 03"
    week = [date(2024, 6, d) for d in range(3, 10)]
    assert body["entities"][0]["entity_id"] == magic.pk and body["entities"][0]["location"] == (
        "Bay Lake, Florida, United States")
    assert body["matrix"][0] == [1.0 + (d.toordinal() % 5) / 2 for d in week]
    assert body["entities"][0]["total_value"] == round(sum(1.0 + (d.toordinal() % 5) / 2 for d in week) / 7, 2)
    assert body["entities"][1] == {"entity_id": plain.pk, "entity_name": "Plain", "rank": 2, "location": "Japan",
                                   "total_value": 0.5}


def test_park_rides_wait_chart_is_the_hourly_rows_with_null_where_none(api, world):
    magic, _, (m1, m2, _) = world
    RideHourlyStats.objects.filter(ride=m2, hour_start_utc=utc(2024, 6, 11, 15)).delete()
    body = api.get(f"/api/parks/{magic.pk}/rides/charts", {"period": "yesterday", "type": "wait_times"}).json()
    assert body["labels"] == ["10:00", "11:00", "12:00"] and body["granularity"] == "hourly"
    data = {d["ride_id"]: d["data"] for d in body["datasets"]}
    assert data == {m1.pk: [54.0, 55.0, 56.0], m2.pk: [34.0, None, 36.0]}
    downtime = api.get(f"/api/parks/{magic.pk}/rides/charts", {"period": "last_week"}).json()
    assert downtime["chart_type"] == "downtime" and downtime["labels"][0] == "Jun 03"
    first = {d["ride_id"]: d for d in downtime["datasets"]}[m1.pk]
    assert first["data"] == [round((60 + 10 * (date(2024, 6, d).toordinal() % 5)) / 60, 2) for d in range(3, 10)]


def test_awards_rank_by_the_ranking_figures(api, world):
    magic, plain, (m1, m2, p1) = world
    longest = api.get("/api/trends/longest-wait-times", {"period": "yesterday", "entity": "rides",
                                                         "filter": "all-parks", "limit": 3}).json()["data"]
    n = YESTERDAY.toordinal() % 5
    assert [r["ride_id"] for r in longest] == [m1.pk, m2.pk, p1.pk]
    assert longest[0]["avg_wait_time"] == 45.0 + n
    operating = 540 - 10 * n
    assert longest[0]["cumulative_wait_hours"] == round((45.0 + n) * operating / 3600, 2)
    parks = api.get("/api/trends/longest-wait-times", {"period": "yesterday", "entity": "parks",
                                                       "limit": 1}).json()["data"]
    assert parks == [{"rank": 1, "park_id": magic.pk, "park_name": "Magic",
                      "location": "Bay Lake, Florida, United States", "avg_wait_time": 25.0 + n,
                      "peak_wait_time": 60, "cumulative_wait_hours": round((25.0 + n) * 10 / 60, 2)}]
    reliable = api.get("/api/trends/least-reliable", {"period": "last_week", "entity": "rides"}).json()["data"]
    assert [r["ride_id"] for r in reliable] == [m1.pk, p1.pk]  # m2 never broke down: not listed
    week = [date(2024, 6, d) for d in range(3, 10)]
    assert reliable[0]["downtime_hours"] == round(sum(60 + 10 * (d.toordinal() % 5) for d in week) / 60, 2)
    parks = api.get("/api/trends/least-reliable", {"period": "last_week", "entity": "parks"}).json()["data"]
    assert parks[0]["park_id"] == magic.pk and parks[0]["uptime_percentage"] is not None
    assert parks[0]["avg_shame_score"] == round(sum(1.0 + (d.toordinal() % 5) / 2 for d in week) / 7, 2)


def test_ride_hourly_breakdown_is_the_hourly_rows_with_observation_counts(api, world):
    ride = world[2][0]
    body = api.get(f"/api/rides/{ride.pk}/details", {"period": "yesterday"}).json()
    assert [(r["hour_start_utc"], r["downtime_hours"], r["avg_wait_time_minutes"], r["snapshot_count"])
            for r in body["hourly_breakdown"]] == [("2024-06-11T14:00:00Z", 0.5, 54.0, 0),
                                                   ("2024-06-11T15:00:00Z", 0.5, 55.0, 3),
                                                   ("2024-06-11T16:00:00Z", 0.5, 56.0, 0)]


def test_trend_percentage_compares_with_the_previous_period(api, world):
    magic, _, (m1, _, _) = world
    body = api.get("/api/rides/downtime", {"period": "yesterday"}).json()
    row = {r["ride_id"]: r for r in body["data"]}[m1.pk]
    now_min, before_min = 60 + 10 * (YESTERDAY.toordinal() % 5), 60 + 10 * ((YESTERDAY.toordinal() - 1) % 5)
    assert row["trend_percentage"] == round(100 * (now_min - before_min) / before_min, 1)
    park = api.get("/api/parks/downtime", {"period": "yesterday"}).json()["data"][0]
    n, b = YESTERDAY.toordinal() % 5, (YESTERDAY.toordinal() - 1) % 5
    assert park["trend_percentage"] == round(100 * ((1.0 + n) - (1.0 + b)) / (1.0 + b), 1)
    assert all(r["trend_percentage"] is None for r in api.get("/api/rides/downtime?period=live").json()["data"])


def test_a_ride_without_rows_in_the_period_gets_no_invented_values(api, world):
    magic, _, _ = world
    quiet = make_ride(magic, tier=2)
    charts = api.get(f"/api/parks/{magic.pk}/rides/charts", {"period": "yesterday"}).json()
    assert quiet.pk not in {d["ride_id"] for d in charts["datasets"]}
    details = api.get(f"/api/rides/{quiet.pk}/details", {"period": "yesterday"}).json()
    assert details["timeseries"] == [] and details["hourly_breakdown"] == []
