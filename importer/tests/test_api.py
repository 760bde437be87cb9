"""The staff-only import API (docs/contracts.md §3)."""
import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from importer.models import ImportCheckpoint
from importer.services import checkpoint_create
from quality.services import quality_issue_record


@pytest.fixture
def launched(monkeypatch):
    """Background processes are the outside world here: record instead of spawning."""
    started = []
    monkeypatch.setattr("importer.services.checkpoints.import_launch", lambda *, import_id: started.append(import_id))
    return started


@pytest.fixture
def staff(db):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("staff", is_staff=True))
    return client


def test_anonymous_and_non_staff_users_are_refused(db):
    assert APIClient().get("/api/admin/import/list").status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("visitor"))
    response = client.get("/api/admin/import/list")
    assert response.status_code == 403 and response.json()["success"] is False


D1, D2 = "1660c4fe-befa-4594-a673-4ccd66d537c2", "653d2e83-a406-4c60-844a-dbb1cb8ab4f4"


def test_start_creates_a_run_and_launches_it_in_the_background(staff, launched, clean_archive, settings):
    settings.ARCHIVE_SOURCE = str(clean_archive)
    response = staff.post("/api/admin/import/start", {"destination_ids": [D2, D1], "start_date": "2024-03-09",
                                                      "end_date": "2024-03-10", "replace": False}, format="json")
    body = response.json()
    assert response.status_code == 202 and body["success"] is True
    checkpoint = ImportCheckpoint.objects.get(import_id=body["import"]["import_id"])
    assert (checkpoint.destinations, str(checkpoint.start_date)) == ([D1, D2], "2024-03-09")
    assert checkpoint.status == "PENDING"
    assert launched == [checkpoint.import_id]


@pytest.mark.parametrize("payload, message", [
    ({"destination_id": ".."}, "not a destination id"),
    ({"all": True, "source": "/nonexistent/archive"}, "cannot be read"),
])
def test_a_bad_destination_or_an_unreadable_source_is_refused_before_anything_starts(
        staff, launched, payload, message):
    response = staff.post("/api/admin/import/start", payload, format="json")
    body = response.json()
    assert response.status_code == 400 and body["success"] is False and message in body["error"]
    assert not launched and not ImportCheckpoint.objects.exists()


@pytest.mark.parametrize("payload, message", [({}, "destination_id"),
                                              ({"all": True, "start_date": "2024-03-10", "end_date": "2024-03-09"},
                                               "after end_date")])
def test_a_bad_start_request_is_a_400_naming_the_problem(staff, launched, payload, message):
    response = staff.post("/api/admin/import/start", payload, format="json")
    assert response.status_code == 400 and message in response.json()["error"] and not launched


def test_status_reports_progress_and_an_unknown_id_is_a_404(staff):
    checkpoint = checkpoint_create(source="s3://x")
    ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(files_total=8, files_done=2, events_imported=500)
    body = staff.get(f"/api/admin/import/status/{checkpoint.import_id}").json()["import"]
    assert (body["files_done"], body["files_total"], body["progress_percent"], body["records_imported"]) == (
        2, 8, 25.0, 500)
    assert staff.get("/api/admin/import/status/imp_nothere").status_code == 404


def test_pause_resume_and_cancel_change_the_status(staff, launched):
    checkpoint = checkpoint_create(source="s3://x")
    ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(status="IN_PROGRESS")
    assert staff.post(f"/api/admin/import/pause/{checkpoint.import_id}").json()["import"]["status"] == "PAUSED"
    assert staff.post(f"/api/admin/import/resume/{checkpoint.import_id}").json()["import"]["status"] == "PENDING"
    assert launched == [checkpoint.import_id]
    assert staff.delete(f"/api/admin/import/cancel/{checkpoint.import_id}").json()["import"]["status"] == "CANCELLED"
    response = staff.post(f"/api/admin/import/resume/{checkpoint.import_id}")
    assert response.status_code == 400 and "CANCELLED" in response.json()["error"]


def test_list_and_quality_report_the_runs_and_their_logged_issues(staff):
    checkpoint = checkpoint_create(source="s3://x")
    ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(events_imported=90, invalid=4, duplicates=6)
    quality_issue_record(issue_type="INVALID", description="bad", record_count=4, source="ARCHIVE",
                         source_key="d/2024/03/09.json.gz",
                         details={"kind": "wait_time_out_of_range", "import_id": checkpoint.import_id})
    quality_issue_record(issue_type="INVALID", description="other run", source="ARCHIVE",
                         details={"import_id": "imp_other"})
    assert [r["import_id"] for r in staff.get("/api/admin/import/list").json()["imports"]] == [checkpoint.import_id]
    assert staff.get("/api/admin/import/list?limit=1").json()["imports"][0]["import_id"] == checkpoint.import_id
    for limit in ("0", "201", "many"):
        refused = staff.get(f"/api/admin/import/list?limit={limit}")
        assert refused.status_code == 400 and refused.json()["error"] == "limit: must be an integer from 1 to 200"
    body = staff.get(f"/api/admin/import/quality/{checkpoint.import_id}").json()
    assert body["counts"]["valid"] == 90 and body["counts"]["invalid"] == 4 and body["counts"]["duplicates"] == 6
    assert [(i["kind"], i["key"]) for i in body["issues"]] == [("wait_time_out_of_range", "d/2024/03/09.json.gz")]


def test_a_killed_run_still_marked_in_progress_can_be_resumed_but_a_live_one_cannot(staff, launched):
    from importer.run_locks import RunLocks

    dead, alive = checkpoint_create(source="s3://x"), checkpoint_create(source="s3://x")
    ImportCheckpoint.objects.update(status="IN_PROGRESS")
    with RunLocks([f"import:{alive.import_id}"]):  # as a running import holds it
        assert staff.post(f"/api/admin/import/resume/{alive.import_id}").status_code == 400
        assert staff.post(f"/api/admin/import/resume/{dead.import_id}").json()["import"]["status"] == "PENDING"
    assert launched == [dead.import_id]
