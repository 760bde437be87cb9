"""The frontend contract (docs/frontend-contract.md) of the awards, chart and heatmap endpoints: every
field the pages read, with its JSON type, for every period and filter the pages can send; and their
values against the statistics rows of hand-built data."""
from datetime import date

import pytest

from .field_tables import NUM, OPT_NUM, conforms, rows
from .frontend_world import world  # noqa: F401 - a fixture
from .frontend_world import FILTERS, FRONTEND_PERIODS, YESTERDAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


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
