"""sync_metadata against the fake API: every attraction's entity document, with versions."""
from datetime import timedelta, timezone
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from collector.services import metadata_sync
from collector.tests.conftest import SNAPSHOT
from collector.fakeapi import fixture
from themepark.models import EntityMetadata, EntityMetadataVersion, Ride

pytestmark = pytest.mark.django_db
UTC = timezone.utc
RIVER = "db5b2165-15c2-4e51-8bd1-611e9c351866"


def test_metadata_of_every_attraction_is_stored_with_a_first_version(catalog):
    result = metadata_sync(now=SNAPSHOT)
    assert (result.created, result.errors, result.unknown) == (18, [], [])
    river = EntityMetadata.objects.get(ride__themeparks_wiki_id=RIVER)
    assert (river.min_height_cm, river.attraction_type, river.version, river.indoor_outdoor) == (
        107, "RIDE", 1, "UNKNOWN")
    assert river.versions.count() == 1
    assert Ride.objects.get(themeparks_wiki_id=RIVER).category == "RIDE"
    assert Ride.objects.get(themeparks_wiki_id="f0750e5e-7629-4c53-99d2-e0924a8afeed").category == "TRANSPORT"


def test_an_unchanged_document_stores_no_new_version_and_a_changed_one_keeps_the_old(catalog, api):
    metadata_sync(now=SNAPSHOT)
    again = metadata_sync(now=SNAPSHOT + timedelta(days=1))
    assert (again.unchanged, again.changed, EntityMetadataVersion.objects.count()) == (18, 0, 18)
    api.documents[f"/v1/entity/{RIVER}"] = fixture(
        f"themeparks_wiki/variants/entity_{RIVER}_attribute_keys.json")
    changed = metadata_sync(now=SNAPSHOT + timedelta(days=2))
    assert changed.changed == 1
    river = EntityMetadata.objects.get(ride__themeparks_wiki_id=RIVER)
    assert (river.version, river.min_height_cm) == (2, 107)
    old, new = river.versions.order_by("version")
    assert {"tag": "MAY_GET_WET", "value": True} in new.data["tags"]
    assert old.data["tags"][0]["value"] == {"height": 42, "unit": "in"}


def test_an_unknown_entity_is_reported_and_the_others_continue(catalog, api):
    del api.documents[f"/v1/entity/{RIVER}"]
    out = StringIO()
    with time_machine.travel(SNAPSHOT):
        call_command("sync_metadata", stdout=out)
    assert "Jurassic Park River Adventure™: unknown to ThemeParks.wiki (404)" in out.getvalue()
    assert "17 new, 0 changed (new version), 0 unchanged, 1 unknown" in out.getvalue()
