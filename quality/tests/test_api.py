"""The storage and quality admin API: staff only, triage workflow, freshness and coverage."""
from datetime import date, datetime, timedelta, timezone

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from themepark.models import ParkSchedule
from quality.choices import IssueType, ResolutionStatus
from quality.models import DataQualityLog
from quality.services import quality_issue_record
from themepark.tests.factories import make_observations, make_park, make_ride
from warehouse.ingest import ingest

pytestmark = pytest.mark.django_db

ROUTES = [("get", "storage/summary"), ("get", "storage/growth"), ("get", "storage/partitions"),
          ("get", "storage/retention-comparison"), ("get", "storage/alerts"), ("post", "storage/measure"),
          ("get", "quality/summary"), ("get", "quality/gaps"), ("get", "quality/issues"),
          ("get", "quality/issues/1"), ("patch", "quality/issues/1"), ("get", "quality/freshness"),
          ("get", "quality/coverage")]


@pytest.fixture
def staff():
    client = APIClient()
    client.force_authenticate(User.objects.create_user("ops", is_staff=True))
    return client


@pytest.fixture
def issue():
    return quality_issue_record(issue_type=IssueType.INVALID, description="wait of 999 minutes", record_count=3)


@pytest.mark.parametrize("method,route", ROUTES)
def test_every_admin_route_refuses_anonymous_users_with_401(method, route):
    response = getattr(APIClient(), method)(f"/api/admin/{route}")
    assert response.status_code == 401 and response.json()["success"] is False


@pytest.mark.parametrize("method,route", ROUTES)
def test_every_admin_route_refuses_non_staff_users_with_403(method, route):
    client = APIClient()
    client.force_login(User.objects.create_user("visitor", password="x"))
    response = getattr(client, method)(f"/api/admin/{route}")
    assert response.status_code == 403 and response.json()["success"] is False


def test_a_staff_token_is_accepted(issue):
    token = Token.objects.create(user=User.objects.create_user("bot", is_staff=True))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/admin/quality/summary").json()["by_status"]["OPEN"] == 1


def test_an_issue_goes_open_investigating_resolved_and_closing_needs_a_note(staff, issue):
    url = f"/api/admin/quality/issues/{issue.pk}"
    assert staff.patch(url, {"resolution_status": "INVESTIGATING"}, format="json").status_code == 200
    refused = staff.patch(url, {"resolution_status": "RESOLVED"}, format="json")
    assert refused.status_code == 400 and "note is required" in refused.json()["error"]
    done = staff.patch(url, {"resolution_status": "RESOLVED", "notes": "sentinel 999 from the feed"}, format="json")
    assert done.status_code == 200 and done.json()["data"]["resolution_status"] == "RESOLVED"
    assert "sentinel 999 from the feed" in done.json()["data"]["notes"] and "ops" in done.json()["data"]["notes"]
    back = staff.patch(url, {"resolution_status": "OPEN"}, format="json")
    assert back.status_code == 400


def test_an_unknown_status_or_issue_is_a_clean_error(staff, issue):
    assert staff.patch(f"/api/admin/quality/issues/{issue.pk}", {"resolution_status": "DONE"},
                       format="json").status_code == 400
    assert staff.get("/api/admin/quality/issues/999999").status_code == 404


def test_the_issue_list_filters_by_type_status_and_park(staff, park):
    quality_issue_record(issue_type=IssueType.GAP, description="outage", park=park)
    quality_issue_record(issue_type=IssueType.INVALID, description="bad wait")
    body = staff.get("/api/admin/quality/issues", {"issue_type": "GAP", "park_id": park.pk}).json()
    assert body["count"] == 1 and body["data"][0]["park_name"] == park.name
    assert staff.get("/api/admin/quality/issues", {"issue_type": "NOPE"}).status_code == 400
    assert staff.get("/api/admin/quality/gaps").json()["count"] == 1


def test_freshness_levels_per_park(staff):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    parks = {}
    for name, age in (("fresh", 5), ("normal", 20), ("stale", 90), ("empty", None)):
        parks[name] = make_park(name=name)
        ride = make_ride(parks[name])
        if age is not None:
            ingest(make_observations(ride, 1, now - timedelta(minutes=age)))
    body = staff.get("/api/admin/quality/freshness").json()
    levels = {row["park_name"]: row["freshness"] for row in body["parks"]}
    assert levels == {"fresh": "FRESH", "normal": "NORMAL", "stale": "STALE", "empty": "NO_DATA"}


def test_coverage_is_the_known_share_of_the_scheduled_window(staff):
    park = make_park(timezone="UTC")
    ride = make_ride(park)
    opening = datetime(2024, 6, 10, 9, tzinfo=timezone.utc)
    ParkSchedule.objects.create(park=park, date=date(2024, 6, 10), schedule_type="OPERATING",
                                opening_time=opening, closing_time=opening + timedelta(hours=12))
    ingest(make_observations(ride, 71, opening))  # 09:00 .. 14:50, held until 15:05
    body = staff.get("/api/admin/quality/coverage",
                     {"park_id": park.pk, "start": "2024-06-10", "end": "2024-06-10"}).json()
    [day] = body["parks"][0]["days"]
    assert day == {"date": "2024-06-10", "window_source": "SCHEDULE", "open_minutes": 720.0,
                   "known_minutes": 365.0, "coverage_percentage": 50.7}
    assert staff.get("/api/admin/quality/coverage", {"start": "2024-13-01"}).status_code == 400
    assert staff.get("/api/admin/quality/coverage", {"park_id": 999999}).status_code == 404
    for query, message in (({"park_id": "one"}, "park_id: must be an integer from 1"),
                           ({"start": "2024-03-10", "end": "2024-03-09"}, "start: must not be after end"),
                           ({"start": "2024-01-01", "end": "2024-03-09"}, "end: at most 31 days at a time")):
        refused = staff.get("/api/admin/quality/coverage", query)
        assert refused.status_code == 400 and refused.json() == {"success": False, "error": message}


def test_storage_measure_then_read_every_storage_view(staff):
    assert staff.post("/api/admin/storage/measure").status_code == 201
    summary = staff.get("/api/admin/storage/summary").json()
    assert summary["success"] and any(t["table"] == "data_quality_log" for t in summary["tables"])
    growth = staff.get("/api/admin/storage/growth").json()
    assert set(growth["projections_mb"]) == {"1y", "3y", "5y"} and "_raw" not in growth
    assert "tables" in staff.get("/api/admin/storage/partitions").json()
    policies = staff.get("/api/admin/storage/retention-comparison").json()["policies"]
    assert [p["policy"] for p in policies] == ["raw_forever", "raw_90_days_then_hourly", "hourly_only", "daily_only"]
    assert isinstance(staff.get("/api/admin/storage/alerts").json()["alerts"], list)


def test_summary_counts_issues_by_status_and_open_ones_by_type(staff, issue):
    quality_issue_record(issue_type=IssueType.GAP, description="x")
    DataQualityLog.objects.filter(issue_type=IssueType.GAP).update(resolution_status=ResolutionStatus.WONTFIX)
    body = staff.get("/api/admin/quality/summary").json()
    assert body["by_status"]["OPEN"] == 1 and body["by_status"]["WONTFIX"] == 1
    assert body["open_by_type"]["INVALID"] == 1 and body["open_by_type"]["GAP"] == 0
