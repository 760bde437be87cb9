"""The query serializers (warehouse/api/query_serializers.py): what they accept, their defaults and
their 400s, through the endpoints."""
import pytest

pytestmark = pytest.mark.django_db


def error(api, path):
    response = api.get(path)
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"success", "error"} and body["success"] is False
    return body["error"]


def test_every_bad_parameter_is_named_with_what_it_accepts(api):
    message = error(api, "/api/parks/downtime?period=fortnight&limit=0&sort_by=fun")
    assert "period: must be one of live, today, yesterday, last_week, last_month, 7days, 30days" in message
    assert "limit: must be an integer from 1 to 100" in message
    assert "sort_by: must be one of shame_score" in message
    assert message.count("; ") == 2


@pytest.mark.parametrize("path, expected", [
    ("/api/rides/downtime?limit=201", "limit: must be an integer from 1 to 200"),
    ("/api/rides/downtime?limit=1.0", "limit: must be an integer from 1 to 200"),
    ("/api/rides/downtime?exclude=park_wide,rain", "exclude: 'rain' is not one of park_wide, stale_feed"),
    ("/api/trends?period=7days", "category: is required; one of "),
    ("/api/trends/heatmap-data?limit=51", "limit: must be an integer from 1 to 50"),
    ("/api/parks/downtime?start=2026-01-01", "end: is required with the other of start/end (YYYY-MM-DD)"),
    ("/api/parks/downtime?start=2026-02-01&end=2026-01-01", "start: start is after end"),
    ("/api/parks/downtime?start=2026-1-1&end=2026-01-02", "start: must be a date YYYY-MM-DD"),
    ("/api/rides/nearby?lat=91&lon=0", "lat: must be a number from -90 to 90"),
    ("/api/rides/nearby?lon=0", "lat: is required: a number from -90 to 90"),
    ("/api/rides/nearby?lat=0&lon=0&indoor=maybe", "indoor: must be one of true, false"),
    ("/api/rides/nearby?lat=0&lon=nan", "lon: must be a number from -180 to 180"),
    ("/api/trends/year-over-year", "park_id: give exactly one of park_id or ride_id"),
    ("/api/trends/year-over-year?park_id=1&ride_id=2", "park_id: give exactly one of park_id or ride_id"),
    ("/api/trends/year-over-year?park_id=1&align=week", "align: must be one of dates, iso_week"),
    ("/api/live/status-summary?park_id=-3", "park_id: must be an integer from 1"),
])
def test_a_bad_value_is_a_400_naming_the_parameter(api, path, expected):
    assert expected in error(api, path)


def test_an_empty_value_is_an_absent_one_and_the_last_of_a_repeated_one_counts(api):
    assert api.get("/api/parks/downtime?period=&limit=&filter=").json()["period"] == "today"
    body = api.get("/api/parks/downtime?period=fortnight&period=yesterday").json()
    assert body["period"] == "yesterday" and body["filter"] == "all-parks"
    assert api.get("/api/rides/waittimes?mode=7days").json()["period"] == "7days"
    assert api.get("/api/rides/waittimes?mode=7days&period=yesterday").json()["period"] == "yesterday"


def test_a_custom_range_makes_the_period_custom(api):
    body = api.get("/api/parks/downtime?period=7days&start=2026-01-01&end=2026-01-07").json()
    assert body["period"] == "custom"


def test_a_thread_parses_again_with_the_serializer_it_made_without_keeping_the_last_values():
    """query_values.QuerySerializer.parse reuses this thread's serializer of the same arguments:
    each query gets its own values or its own 400, whatever came before."""
    from django.http import QueryDict
    from rest_framework.exceptions import ValidationError

    from warehouse.api import params

    def ranking(text):
        return params.ranking(QueryDict(text), limit=(100, 50), exclude=True,
                              choices={"sort_by": (["shame_score", "rides_down"], "shame_score")})

    first = ranking("period=7days&sort_by=rides_down&limit=3&exclude=park_wide")
    assert (first.period, first.sort_by, first.limit, first.exclude) == ("7days", "rides_down", 3, {"park_wide"})
    with pytest.raises(ValidationError) as bad:
        ranking("period=fortnight")
    assert list(bad.value.detail) == ["period"] and "must be one of live" in str(bad.value.detail["period"])
    again = ranking("start=2026-01-01&end=2026-01-07")
    assert (again.period, again.sort_by, again.limit, again.exclude, again.start.day) == (
        "custom", "shame_score", 50, frozenset(), 1)
    assert (first.period, first.limit) == ("7days", 3)  # the values given before are the caller's
