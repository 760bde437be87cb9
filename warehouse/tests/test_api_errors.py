"""JSON to the end: unknown paths and methods under /api/ are JSON 404/405, an unexpected error is
a JSON 500 with a request id that is logged with its traceback (a park with bad data:
test_api_bad_timezone.py)."""
import json
import logging

import pytest
from django.test import Client, RequestFactory

from themepark import urls
from warehouse.api import queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


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
