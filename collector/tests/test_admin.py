"""The collector's admin pages: the run log is read-only; what it collected into the catalog
(schedules, metadata with its versions) shows in the catalog's admin."""
import pytest
from django.urls import reverse

from collector.services import metadata_sync, parks_sync, schedules_sync, snapshots_collect
from collector.models import CollectionRun
from themepark.models import EntityMetadata
from collector.tests.conftest import SNAPSHOT

pytestmark = pytest.mark.django_db


def test_the_admin_lists_runs_schedules_and_metadata_with_versions(api, admin_client):
    parks_sync(source="themeparks-wiki", destination_ids=["universalorlando"])
    snapshots_collect(now=SNAPSHOT)
    schedules_sync(now=SNAPSHOT)
    metadata_sync(now=SNAPSHOT)
    for name in ("collector_collectionrun", "themepark_parkschedule", "themepark_entitymetadata"):
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    runs = admin_client.get(reverse("admin:collector_collectionrun_changelist") + "?status__exact=SUCCESS")
    assert b"SUCCESS" in runs.content
    search = admin_client.get(reverse("admin:collector_collectionrun_changelist") + "?q=Islands")
    assert search.status_code == 200
    metadata = EntityMetadata.objects.first()
    page = admin_client.get(reverse("admin:themepark_entitymetadata_change", args=[metadata.pk]))
    assert page.status_code == 200 and b"Entity metadata versions" in page.content


def test_collection_runs_cannot_be_added_or_deleted_by_hand(admin_client):
    run = CollectionRun.objects.create(started_at=SNAPSHOT)
    assert admin_client.get(reverse("admin:collector_collectionrun_add")).status_code == 403
    assert admin_client.post(reverse("admin:collector_collectionrun_delete", args=[run.pk]),
                             {"post": "yes"}).status_code == 403
    assert CollectionRun.objects.filter(pk=run.pk).exists()
