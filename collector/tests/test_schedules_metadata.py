"""sync_schedules and sync_metadata against the fake API."""
from datetime import datetime, timedelta, timezone
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from collector.services import metadata_sync, parks_sync, schedules_sync
from collector.tests.conftest import IOA, SNAPSHOT, USF
from collector.fakeapi import fixture
from themepark.models import EntityMetadata, EntityMetadataVersion, Park, ParkSchedule, Ride

pytestmark = pytest.mark.django_db
UTC = timezone.utc
RIVER = "db5b2165-15c2-4e51-8bd1-611e9c351866"


@pytest.fixture
def catalog(api):
    parks_sync(source="themeparks-wiki", destination_ids=["universalorlando"])
    return {"usf": Park.objects.get(themeparks_wiki_id=USF), "ioa": Park.objects.get(themeparks_wiki_id=IOA)}


def test_schedules_are_stored_in_utc_with_a_window_past_midnight_kept_whole(catalog):
    result = schedules_sync(now=SNAPSHOT)
    assert (result.parks_ok, result.errors) == (2, [])
    event = ParkSchedule.objects.get(park=catalog["usf"], schedule_type="TICKETED_EVENT")
    assert (str(event.date), event.opening_time, event.closing_time) == (
        "2025-08-08", datetime(2025, 8, 8, 23, tzinfo=UTC), datetime(2025, 8, 9, 5, tzinfo=UTC))
    day = ParkSchedule.objects.filter(park=catalog["usf"], date="2025-07-15")
    assert sorted(day.values_list("schedule_type", flat=True)) == ["EXTRA_HOURS", "OPERATING"]
    operating = day.get(schedule_type="OPERATING")
    assert operating.purchases[0]["price"] == {"amount": 13999, "currency": "USD", "formatted": "$139.99"}
    assert ParkSchedule.objects.filter(park=catalog["ioa"], schedule_type="PRIVATE_EVENT").exists()
    assert not ParkSchedule.objects.filter(park=catalog["ioa"], date="2025-08-05").exists()


def test_a_second_sync_updates_in_place_and_changed_hours_replace_the_old_ones(catalog, api):
    schedules_sync(now=SNAPSHOT)
    total = ParkSchedule.objects.count()
    doc = api.documents[f"/v1/entity/{USF}/schedule"]
    doc["schedule"][0]["closingTime"] = "2025-07-15T23:00:00-04:00"
    doc["schedule"][0]["openingTime"] = "2025-07-15T10:00:00-04:00"
    result = schedules_sync(now=SNAPSHOT)
    assert (ParkSchedule.objects.count(), result.removed, result.created) == (total, 1, 1)
    operating = ParkSchedule.objects.get(park=catalog["usf"], date="2025-07-15", schedule_type="OPERATING")
    assert operating.closing_time == datetime(2025, 7, 16, 3, tzinfo=UTC)


def test_days_limit_the_window_and_one_failing_park_fails_alone(catalog, api):
    api.script[f"/v1/entity/{IOA}/schedule"] = [500]
    result = schedules_sync(days=2, now=SNAPSHOT)
    assert (result.parks_ok, len(result.errors)) == (1, 1)
    dates = set(ParkSchedule.objects.values_list("date", flat=True))
    assert max(dates) <= (SNAPSHOT - timedelta(hours=4)).date() + timedelta(days=2)


def test_the_schedule_command_reports_and_refuses_negative_days(catalog):
    out = StringIO()
    with time_machine.travel(SNAPSHOT):
        call_command("sync_schedules", stdout=out)
    assert "2 park(s):" in out.getvalue() and "0 park(s) failed" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("sync_schedules", "--days", "-1")


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
