"""The back office through Django's test client: triage actions, storage page, dashboard."""
from datetime import datetime, timezone

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from quality.choices import IssueType, ResolutionStatus
from quality.models import DataQualityLog, StorageMetrics
from quality.services import quality_issue_record

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/quality/dataqualitylog/"


@pytest.fixture
def operator(client):
    client.force_login(User.objects.create_superuser("operator", "op@example.com", "pw"))
    return client


@pytest.fixture
def issues(park, ride):
    return [quality_issue_record(issue_type=IssueType.GAP, description="park outage", park=park, ride=ride,
                                 period_start=datetime(2024, 6, 10, 12, tzinfo=timezone.utc)),
            quality_issue_record(issue_type=IssueType.INVALID, description="wait 999", source="LIVE")]


def act(client, action, issues, **extra):
    data = {"action": action, "_selected_action": [i.pk for i in issues], **extra}
    return client.post(CHANGELIST, data)


def test_the_changelist_shows_counts_by_status_and_links_to_park_and_ride(operator, issues, park, ride):
    DataQualityLog.objects.filter(pk=issues[1].pk).update(resolution_status=ResolutionStatus.WONTFIX)
    page = operator.get(CHANGELIST).content.decode()
    assert 'data-status="OPEN">OPEN: <strong>1</strong>' in page
    assert 'data-status="WONTFIX">WONTFIX: <strong>1</strong>' in page
    assert reverse("admin:themepark_park_change", args=[park.pk]) in page
    assert reverse("admin:themepark_ride_change", args=[ride.pk]) in page


@pytest.mark.parametrize("query,expected", [
    ("issue_type__exact=GAP", "park outage"), ("resolution_status__exact=OPEN", "wait 999"),
    ("source__exact=LIVE", "wait 999"), ("created_at__gte=2000-01-01T00%3A00%3A00%2B00%3A00", "park outage")])
def test_the_changelist_filters(operator, issues, query, expected):
    response = operator.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200 and expected in response.content.decode()


def test_the_changelist_filters_by_park(operator, issues, park):
    page = operator.get(f"{CHANGELIST}?park__id__exact={park.pk}").content.decode()
    assert "park outage" in page and "wait 999" not in page


def test_a_bulk_action_first_asks_for_a_note(operator, issues):
    response = act(operator, "mark_resolved", issues)
    assert response.status_code == 200 and 'name="note"' in response.content.decode()
    assert not DataQualityLog.objects.exclude(resolution_status=ResolutionStatus.OPEN).exists()


def test_an_empty_note_is_refused_and_nothing_changes(operator, issues):
    response = act(operator, "mark_wontfix", issues, apply="1", note="  ")
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not DataQualityLog.objects.exclude(resolution_status=ResolutionStatus.OPEN).exists()


@pytest.mark.parametrize("action,status", [("mark_investigating", "INVESTIGATING"), ("mark_resolved", "RESOLVED"),
                                           ("mark_wontfix", "WONTFIX")])
def test_each_bulk_action_applies_its_status_with_the_note(operator, issues, action, status):
    response = act(operator, action, issues, apply="1", note="checked the collector logs")
    assert response.status_code == 302
    for issue in DataQualityLog.objects.all():
        assert issue.resolution_status == status
        assert "checked the collector logs" in issue.notes and "operator" in issue.notes


def test_closed_issues_are_skipped_with_a_warning(operator, issues):
    DataQualityLog.objects.filter(pk=issues[0].pk).update(resolution_status=ResolutionStatus.RESOLVED)
    response = act(operator, "mark_investigating", issues, apply="1", note="look again")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "1 issue(s) marked INVESTIGATING." in messages and any("1 issue(s) skipped" in m for m in messages)
    assert DataQualityLog.objects.get(pk=issues[0].pk).resolution_status == ResolutionStatus.RESOLVED


def test_the_storage_page_measures_and_charts(operator):
    response = operator.post(reverse("admin:quality_storage"))
    assert response.status_code == 302 and StorageMetrics.objects.exists()
    page = operator.get(reverse("admin:quality_storage")).content.decode()
    assert page.count("<svg") >= 3 and "raw_90_days_then_hourly" in page and 'id="alerts"' in page


def test_the_dashboard_shows_every_section_with_links(operator, issues, park):
    page = operator.get(reverse("admin:quality_dashboard")).content.decode()
    for section in ('id="freshness"', 'id="quality"', "Last collection runs", "Last statistics runs",
                    'id="imports"', 'id="mappings"', 'id="storage-alerts"'):
        assert section in page
    assert park.name in page and "NO_DATA" in page
    assert f"{CHANGELIST}?resolution_status__exact=OPEN" in page
    assert reverse("admin:quality_storage") in page


def test_the_admin_index_links_to_the_back_office_pages(operator):
    page = operator.get("/admin/").content.decode()
    assert reverse("admin:quality_dashboard") in page and reverse("admin:quality_storage") in page


def test_non_staff_users_cannot_reach_the_pages(client):
    client.force_login(User.objects.create_user("visitor", password="pw"))
    for url in (CHANGELIST, reverse("admin:quality_dashboard"), reverse("admin:quality_storage")):
        assert client.get(url).status_code == 302
