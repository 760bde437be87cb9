"""Contract of the public API (docs/contracts.md §2): every endpoint's fields with the right types,
the OpenAPI schema, a schemathesis run finding no server error, caching, throttling and CORS."""
from datetime import date, timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings as hsettings
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import not_a_server_error

from themepark.tests.factories import make_observations
from themepark.wsgi import application
from warehouse.cache import stats_generation_bump
from warehouse.ingest import ingest
from warehouse.models import ParkDailyStats

from .api_data import NOW, live_park, live_ride, park_day, park_with_rides, ride_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
YESTERDAY = date(2024, 6, 11)
num, opt_num, opt_int, opt_str = (int, float), (int, float, type(None)), (int, type(None)), (str, type(None))



@pytest.fixture
def world():
    park, rides = park_with_rides(tiers=(1, 2), name="Magic", is_disney=True, queue_times_id=3)
    live_park(park, is_open=True, rides_open=1, total_rides=2, shame_score=1.0, avg_wait_time=20.0)
    for ride, status in zip(rides, ("OPERATING", "DOWN")):
        live_ride(ride, status, 20 if status == "OPERATING" else None)
    for day in (YESTERDAY, YESTERDAY - timedelta(days=7)):
        park_day(park, day, shame=1.0, downtime_hours=1.0, weight=5, rides_operated=2, rides_down=1, uptime=90.0,
                 avg_wait=20.0, peak_wait=40)
        ride_day(rides[0], day, operating=600, avg_wait=20.0, peak_wait=40)
        ride_day(rides[1], day, operating=540, downtime=60 if day == YESTERDAY else 0)
    ingest(make_observations(rides[0], 3, NOW - timedelta(hours=1)), now=NOW)
    return park, rides


def conforms(value, spec, where="body"):
    """Assert `value` has every field of `spec` (a type, a tuple of types, a dict or a one-item list)."""
    if isinstance(spec, dict):
        assert isinstance(value, dict), where
        for key, sub in spec.items():
            assert key in value, f"{where}.{key} missing"
            conforms(value[key], sub, f"{where}.{key}")
    elif isinstance(spec, list):
        assert isinstance(value, list) and value, f"{where} should be a non-empty list"
        for item in value:
            conforms(item, spec[0], f"{where}[]")
    else:
        assert isinstance(value, spec) and not (spec in (int, num) and isinstance(value, bool)), \
            f"{where}={value!r} is not {spec}"


ATTRIBUTION = [{"name": str, "url": str}]
CONTRACT = {
    "/api/health": {"status": str, "timestamp": str, "checks": {
        "database": dict, "data_collection": {"last_collection": opt_str, "age_minutes": opt_num},
        "aggregation": {"last_completed_at": opt_str, "lag_minutes": opt_num},
        "partitions": {"months_ahead": opt_int}}},
    "/api/parks/downtime?period=yesterday": {
        "period": str, "filter": str, "sort_by": str, "attribution": ATTRIBUTION,
        "aggregate_stats": {"total_parks_tracked": int, "rides_operating": int, "rides_down": int,
                            "total_downtime_hours": num, "avg_uptime_percentage": opt_num},
        "data": [{"rank": int, "park_id": int, "park_name": str, "location": str, "timezone": str,
                  "shame_score": num, "total_downtime_hours": num, "weighted_downtime_hours": num,
                  "uptime_percentage": opt_num, "rides_down": int, "effective_park_weight": num,
                  "park_is_open": bool, "queue_times_url": opt_str}]},
    "/api/parks/waittimes?period=yesterday": {"attribution": ATTRIBUTION, "data": [
        {"rank": int, "park_id": int, "park_name": str, "location": str, "avg_wait_minutes": num,
         "peak_wait_minutes": opt_int, "rides_reporting": int}]},
    "/api/parks/{park}/details?period=yesterday": {
        "park": {"park_id": int, "name": str, "location": str, "operator": str, "timezone": str,
                 "queue_times_url": opt_str},
        "current_status": {"is_open": bool, "rides_open": int, "rides_closed": int, "total_rides": int,
                           "avg_wait_time": opt_int, "max_wait_time": opt_int, "last_updated": opt_str},
        "shame_breakdown": {"shame_score": num, "total_downtime_hours": num, "weighted_downtime_hours": num,
                            "effective_park_weight": num, "rides": [
                                {"ride_id": int, "ride_name": str, "tier": opt_int, "tier_weight": int,
                                 "downtime_hours": num, "weighted_contribution": num}]},
        "tier_distribution": {"tier_1_count": int, "tier_2_count": int, "tier_3_count": int,
                              "unclassified_count": int},
        "operating_sessions": list, "chart_data": {"labels": list, "data": list, "granularity": str},
        "excluded_rides_count": int},
    "/api/parks/{park}/rides": {"rides": {"active": [{"ride_id": int, "name": str, "tier": opt_int,
                                                      "tier_weight": int}], "excluded": list},
                                "effective_park_weight": num},
    "/api/rides/downtime?period=yesterday": {"attribution": ATTRIBUTION, "data": [
        {"rank": int, "ride_id": int, "ride_name": str, "park_id": int, "park_name": str, "tier": opt_int,
         "downtime_hours": num, "uptime_percentage": opt_num, "status_changes": int,
         "longest_downtime_minutes": num, "current_status": opt_str, "avg_wait_time": opt_int,
         "peak_wait_time": opt_int}]},
    "/api/rides/waittimes?period=yesterday": {"attribution": ATTRIBUTION, "data": [
        {"rank": int, "ride_id": int, "ride_name": str, "park_id": int, "park_name": str, "tier": opt_int,
         "avg_wait_minutes": num, "peak_wait_minutes": opt_int, "current_wait_time": opt_int,
         "current_status": opt_str}]},
    "/api/rides/{ride}/details?period=7days": {
        "ride": {"ride_id": int, "name": str, "park_id": int, "park_name": str, "tier": opt_int,
                 "themeparks_wiki_id": opt_str, "queue_times_url": opt_str},
        "summary": {"total_downtime_hours": num, "uptime_percentage": opt_num, "avg_wait_time": opt_int,
                    "peak_wait_time": opt_int, "total_operating_hours": num},
        "timeseries": [{"date": str, "avg_wait_time_minutes": opt_num, "uptime_percentage": opt_num,
                        "downtime_minutes": num, "status": str}],
        "downtime_events": list, "queues": dict},
    "/api/rides/{ride}/history": {"next": opt_str, "previous": opt_str, "data": [
        {"recorded_at": str, "status": opt_str, "wait_time": opt_int, "data_source": str}]},
    "/api/live/status-summary": {"status_summary": {k: int for k in (
        "OPERATING", "DOWN", "CLOSED", "REFURBISHMENT", "PARK_CLOSED", "total")}},
    "/api/trends?category=rides-declining&period=7days": {
        "comparison": {"current_period": dict, "previous_period": dict}, "rides": [
            {"ride_id": int, "ride_name": str, "current_uptime": num, "previous_uptime": num,
             "current_downtime_hours": num, "previous_downtime_hours": num, "change_percentage": num}]},
    "/api/trends/chart-data?type=parks&period=7days": {
        "chart_data": {"labels": [str], "datasets": [{"label": str, "entity_id": int, "data": list}]},
        "granularity": str},
    "/api/trends/year-over-year?park_id={park}": {"current": {"start": str, "end": str, "figures": dict},
                                                  "previous": {"start": str, "end": str, "figures": dict}},
    "/api/search/index": {"parks": [{"id": int, "name": str, "location": str}],
                          "rides": [{"id": int, "name": str, "park_id": int, "park_name": str}]},
}


@pytest.mark.parametrize("path", list(CONTRACT))
def test_each_endpoint_serves_the_contract_fields_with_their_types(api, world, path):
    park, rides = world
    response = api.get(path.format(park=park.pk, ride=rides[0].pk if "history" in path else rides[1].pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["success"] is True
    conforms(body, CONTRACT[path])


def test_the_schema_documents_every_parameter_with_its_allowed_values(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/parks/downtime/"]["get"]["parameters"]}
    assert set(params["period"]["schema"]["enum"]) == {"live", "today", "yesterday", "last_week", "last_month",
                                                       "7days", "30days", "365days"}
    assert set(params["sort_by"]["schema"]["enum"]) == {"shame_score", "total_downtime_hours",
                                                        "uptime_percentage", "rides_down"}
    assert set(params["filter"]["schema"]["enum"]) == {"all-parks", "disney-universal"}
    assert "allowed" not in params["limit"] and params["limit"]["schema"]["type"] == "integer"
    assert api.get("/api/docs/").status_code == 200


def test_the_api_docs_page_loads_swagger_ui_from_our_own_static_files(api):
    page = api.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page


@pytest.fixture
def wsgi_in_test_transaction():
    """Calling the WSGI app directly fires request_started/finished, whose close_old_connections
    would close the connection holding the test transaction; Django's test client unhooks it too."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_schemathesis_finds_no_server_error_on_any_public_operation(world, wsgi_in_test_transaction):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/admin/"):
            continue  # the staff API belongs to the admin-API tests

        @given(case=operation.as_strategy())
        @hsettings(max_examples=15, deadline=None, database=None, derandomize=True,
                   suppress_health_check=list(HealthCheck))
        def no_server_error(case):
            case.validate_response(case.call(), checks=[not_a_server_error])

        no_server_error()
        checked += 1
    assert checked >= 14


def test_responses_are_cached_until_the_statistics_generation_changes(api, world):
    park, _ = world
    first = api.get("/api/parks/downtime?period=yesterday")
    assert first["Cache-Control"] == "public, max-age=300"
    ParkDailyStats.objects.filter(park=park, date=YESTERDAY).update(shame_score=7.0)
    assert api.get("/api/parks/downtime?period=yesterday").json()["data"][0]["shame_score"] == 1.0
    stats_generation_bump()
    assert api.get("/api/parks/downtime?period=yesterday").json()["data"][0]["shame_score"] == 7.0
    assert api.get("/api/parks/downtime?period=live")["Cache-Control"] == "public, max-age=60"


def test_too_many_requests_get_a_429_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/min", raising=False)
    statuses = [api.get("/api/search/index").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = api.get("/api/search/index")
    assert int(response["Retry-After"]) >= 1 and response.json() == {
        "success": False, "error": response.json()["error"]} and "throttled" in response.json()["error"]


@override_settings(CORS_ALLOWED_ORIGINS=["https://frontend.example"])
def test_configured_frontend_origins_get_cors_headers(api):
    response = api.get("/api/search/index", HTTP_ORIGIN="https://frontend.example")
    assert response["Access-Control-Allow-Origin"] == "https://frontend.example"
    assert "Access-Control-Allow-Origin" not in api.get("/api/search/index", HTTP_ORIGIN="https://evil.example")
