"""The import back office: checkpoint actions and the mapping review screen."""
from datetime import datetime, timezone

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from importer.models import ImportCheckpoint, RideMapping
from importer.services import checkpoint_create
from importer.tests.test_mappings import info, resolve
from themepark.models import Park
from themepark.tests.factories import make_ride
from warehouse.ingest import Observation, ingest
from warehouse.models import RideStatusSnapshot


@pytest.fixture
def admin_client(client, db):
    client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.com", "pw"))
    return client


def test_the_pause_action_pauses_running_imports(admin_client):
    checkpoint = checkpoint_create(source="s3://x")
    ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(status="IN_PROGRESS")
    response = admin_client.post(reverse("admin:importer_importcheckpoint_changelist"),
                                 {"action": "pause", "_selected_action": [checkpoint.pk]}, follow=True)
    assert "1 import(s) paused" in response.content.decode()
    assert ImportCheckpoint.objects.get().status == "PAUSED"


def test_the_checkpoint_list_shows_progress(admin_client):
    checkpoint = checkpoint_create(source="s3://x")
    ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(files_total=4, files_done=1)
    page = admin_client.get(reverse("admin:importer_importcheckpoint_changelist")).content.decode()
    assert "1/4 files (25.0%)" in page


def test_the_review_screen_shows_candidates_and_choosing_one_moves_the_rows(admin_client):
    park = Park.objects.create(name="Magic Park", themeparks_wiki_id="park-1")
    first, second = make_ride(park, name="Space Mountain"), make_ride(park, name="Space Mountain")
    [provisional] = resolve(info("e-1", "Space Mountain"))
    ingest([Observation(provisional, datetime(2024, 3, 9, 12, tzinfo=timezone.utc), "DOWN", None, "ARCHIVE")])
    mapping = RideMapping.objects.get()
    url = reverse("admin:importer_ridemapping_review", args=[mapping.pk])
    page = admin_client.get(url).content.decode()
    assert page.count('name="decision" value="choose"') >= 2 and "NEEDS_REVIEW" in page
    admin_client.post(url, {"decision": "choose", "ride_id": second.pk})
    assert RideStatusSnapshot.objects.get().ride_id == second.pk
    assert RideMapping.objects.get().status == "CONFIRMED" and first.pk != second.pk


def test_the_review_screen_reports_a_refused_decision(admin_client):
    park = Park.objects.create(name="Magic Park", themeparks_wiki_id="park-1")
    make_ride(park, name="Space Mountain"), make_ride(park, name="Space Mountain")
    resolve(info("e-1", "Space Mountain"))
    url = reverse("admin:importer_ridemapping_review", args=[RideMapping.objects.get().pk])
    response = admin_client.post(url, {"decision": "confirm"}, follow=True)
    assert "choose a ride" in response.content.decode()
    assert RideMapping.objects.get().status == "NEEDS_REVIEW"
