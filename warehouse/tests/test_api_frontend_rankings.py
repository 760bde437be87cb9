"""The frontend contract (docs/frontend-contract.md) of the rankings, the live status summary and the
trends: every field the pages read, with its JSON type (numbers as JSON numbers, tiers as numbers),
for every period and filter the pages can send; and the trend percentages against the statistics
rows of hand-built data."""
import pytest

from .field_tables import NUM, OPT_BOOL, OPT_INT, OPT_NUM, conforms, rows
from .frontend_world import world  # noqa: F401 - a fixture
from .frontend_world import FILTERS, FRONTEND_PERIODS, YESTERDAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


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


@pytest.mark.parametrize("category", ["parks-improving", "parks-declining", "rides-improving", "rides-declining"])
@pytest.mark.parametrize("period", ["today", "yesterday", "last_week", "last_month"])
def test_trends(api, world, category, period):
    body = api.get("/api/trends", {"category": category, "period": period, "filter": "all-parks",
                                   "limit": 20}).json()
    entity = category.split("-")[0]
    assert body["success"] is True and isinstance(body[entity], list)
    conforms(body, {f"{entity}[].current_uptime": OPT_NUM, f"{entity}[].previous_uptime": OPT_NUM,
                    f"{entity}[].park_name": str})


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
