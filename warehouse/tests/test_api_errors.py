"""JSON to the end: unknown paths and methods under /api/ are JSON 404/405, an unexpected error is
a JSON 500 with a request id that is logged with its traceback, and a park with bad data (an
invalid timezone) is left out of a ranking instead of failing it."""
import json
import logging
from datetime import date, timedelta

import pytest
from django.test import Client, RequestFactory

from themepark import urls
from themepark.models import Park
from themepark.tests.factories import make_ride
from warehouse.api import queries

from .api_data import NOW, live_park, live_ride, park_day, park_with_rides, ride_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
YESTERDAY = date(2024, 6, 11)


@pytest.mark.parametrize("path", ["/api/nope", "/api/nope/", "/api/parks/downtime/extra", "/api/trends/heatmap",
                                  "/api/parks/1/nothing"])
def test_unknown_api_paths_are_a_json_404(api, path):
    response = api.get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"success": False, "error": f"No API endpoint at {path}."}


def test_other_methods_on_unknown_api_paths_are_a_json_404_too(db):
    # no CSRF token: still JSON, not Django's 403 page
    response = Client(enforce_csrf_checks=True).post("/api/nope", {"a": 1})
    assert response.status_code == 404 and response.json()["success"] is False


def test_a_path_missing_only_its_slash_still_redirects(api):
    response = api.get("/api/schema?format=json")
    assert response.status_code == 301 and response["Location"] == "/api/schema/?format=json"


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_unsupported_methods_are_a_json_405(api, method):
    response = getattr(api, method)("/api/parks/downtime")
    assert response.status_code == 405
    assert response.json()["success"] is False and method.upper() in response.json()["error"]


def test_outside_the_api_django_pages_stay_html(api):
    response = api.get("/no-such-page")
    assert response.status_code == 404 and "application/json" not in response["Content-Type"]


def test_an_unexpected_error_is_a_json_500_with_a_logged_request_id(api, monkeypatch, caplog):
    def broken():
        raise RuntimeError("injected failure")

    monkeypatch.setattr(queries, "search_index", broken)
    with caplog.at_level(logging.ERROR, logger="themepark.api"):
        response = api.get("/api/search/index")
    body = response.json()
    assert response.status_code == 500 and set(body) == {"success", "error", "request_id"}
    assert body["success"] is False and body["error"] == "internal error" and len(body["request_id"]) == 32
    assert response["X-Request-ID"] == body["request_id"]
    record = next(r for r in caplog.records if body["request_id"] in r.getMessage())
    assert record.exc_info and "injected failure" in str(record.exc_info[1])


def test_djangos_500_handler_answers_json_under_the_api_only(caplog):
    request = RequestFactory().get("/api/parks/downtime")
    with caplog.at_level(logging.ERROR, logger="themepark.api"):
        response = urls.handler500(request)
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["error"] == "internal error" and body["request_id"] in caplog.text
    assert "application/json" not in urls.handler500(RequestFactory().get("/admin/"))["Content-Type"]


def test_the_landing_page_links_docs_admin_health_and_the_frontend(api):
    response = api.get("/")
    assert response.status_code == 200 and "text/html" in response["Content-Type"]
    html = response.content.decode()
    for link in ('href="/api/docs/"', 'href="/admin/"', 'href="/api/health"', "czei/themeparkhallofshame"):
        assert link in html


# ---------------------------------------------------------------------------------------------
# A park with an invalid timezone
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def with_a_martian_park():
    good, (g1,) = park_with_rides(tiers=(1,), name="Good")
    mars = Park.objects.create(name="Olympus Land", slug="olympus", timezone="Mars/Olympus_Mons")
    m1 = make_ride(mars, tier=1)
    for park, ride in ((good, g1), (mars, m1)):
        live_park(park, is_open=True, rides_open=1, total_rides=1, shame_score=2.0, avg_wait_time=30.0)
        live_ride(ride, "OPERATING", 30)
        for day in (YESTERDAY, YESTERDAY - timedelta(days=7), NOW.date()):
            park_day(park, day, shame=1.0, downtime_hours=1.0, weight=3, rides_operated=1, rides_down=1,
                     uptime=90.0, avg_wait=20.0, peak_wait=40)
            ride_day(ride, day, operating=540, downtime=60, avg_wait=20.0, peak_wait=40)
    return good, mars


@pytest.mark.parametrize("path", [
    "/api/parks/downtime?period=today", "/api/parks/downtime?period=live", "/api/parks/waittimes?period=yesterday",
    "/api/rides/downtime?period=yesterday", "/api/rides/downtime?period=yesterday&sort_by=trend_percentage",
    "/api/rides/waittimes?period=live", "/api/trends?category=parks-declining&period=7days",
    "/api/trends?category=rides-declining&period=7days", "/api/trends/chart-data?type=parks&period=yesterday",
    "/api/trends/chart-data?type=rides&period=last_week", "/api/trends/heatmap-data?type=parks-shame&period=today",
    "/api/trends/heatmap-data?type=rides-waittimes&period=last_week",
    "/api/trends/longest-wait-times?entity=parks&period=yesterday",
    "/api/trends/least-reliable?entity=rides&period=last_week",
])
def test_a_park_with_an_invalid_timezone_is_left_out_of_rankings_and_logged(api, with_a_martian_park, path, caplog):
    good, mars = with_a_martian_park
    with caplog.at_level(logging.WARNING, logger="warehouse.selectors"):
        response = api.get(path)
    assert response.status_code == 200, response.content
    text = response.content.decode()
    assert "Olympus Land" not in text
    assert "Mars/Olympus_Mons" in caplog.text and f"park {mars.pk}" in caplog.text
    if "trends?" not in path and "live" not in path:
        assert "Good" in text


def test_the_details_of_a_park_with_an_invalid_timezone_say_so_in_json(api, with_a_martian_park):
    _, mars = with_a_martian_park
    response = api.get(f"/api/parks/{mars.pk}/details?period=yesterday")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": f"Park {mars.pk} has an invalid timezone "
                                                          "('Mars/Olympus_Mons'); its periods cannot be resolved."}
