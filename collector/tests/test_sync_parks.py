"""sync_parks against the fake API: the catalog from both sources, matched across them."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from collector.tests.conftest import IOA, UOR, USF
from quality.models import DataQualityLog
from themepark.models import Destination, Land, Park, Ride

pytestmark = pytest.mark.django_db


def sync(*args):
    out = StringIO()
    call_command("sync_parks", *args, stdout=out)
    return out.getvalue()


def test_themeparks_wiki_builds_destinations_parks_and_rides(api):
    out = sync("--source", "themeparks-wiki")
    assert Destination.objects.filter(themeparks_wiki_id=UOR).exists()
    usf = Park.objects.get(themeparks_wiki_id=USF)
    assert (usf.timezone, usf.latitude, usf.reports_down, usf.is_universal, usf.is_disney) == (
        "America/New_York", 28.4749822, True, True, False)
    assert usf.rides.count() == 13 and Park.objects.get(themeparks_wiki_id=IOA).rides.count() == 10
    assert Ride.objects.get(themeparks_wiki_id="3e2bab3c-32ab-4037-aef7-3fb883dea607").entity_type == "SHOW"
    assert Ride.objects.get(themeparks_wiki_id="70ac72a3-9675-4c41-a1b1-e4801072927a").external_id == "13221"
    assert "Universal Studios Florida: 13 ride(s)" in out and "2 new" in out


def test_parks_of_other_destinations_fail_alone_when_the_source_has_no_document(api):
    out = sync("--source", "themeparks-wiki")
    assert "Tokyo DisneySea: FAILED" in out
    assert Park.objects.filter(themeparks_wiki_id__in=[USF, IOA]).count() == 2


def test_destination_filter_limits_the_sync(api):
    sync("--source", "themeparks-wiki", "--destination", "universalorlando")
    assert list(Destination.objects.values_list("themeparks_wiki_id", flat=True)) == [UOR]


def test_queue_times_links_parks_and_rides_known_to_both_sources(api):
    sync()
    usf, ioa = Park.objects.get(themeparks_wiki_id=USF), Park.objects.get(themeparks_wiki_id=IOA)
    assert (usf.queue_times_id, ioa.queue_times_id) == (65, 64)
    assert (usf.country, usf.operator, usf.reports_down) == ("United States", "Universal Parks & Resorts", True)
    transformers = Ride.objects.get(themeparks_wiki_id="750939c5-a69e-408a-8d55-66c272fa265e")
    assert transformers.queue_times_id == 6006
    assert transformers.land.name == "Production Central"
    assert not Ride.objects.filter(name__icontains="single rider").exists()


def test_parks_known_only_to_queue_times_do_not_report_down(api):
    sync()
    cedar = Park.objects.get(queue_times_id=50)
    assert (cedar.name, cedar.reports_down, cedar.latitude, cedar.themeparks_wiki_id) == (
        "Cedar Point", False, 41.4822, None)
    assert cedar.operator == "Cedar Fair Entertainment Company" and not cedar.is_universal


def test_a_queue_times_only_park_gets_lands_and_top_level_rides(api):
    api.documents["/qt/parks.json"] = [{"id": 99, "name": "Test Group", "parks": [
        {"id": 501, "name": "Lonely Park", "country": "X", "continent": "Y", "latitude": "1.5",
         "longitude": "2.5", "timezone": "Europe/Paris"}]}]
    api.documents["/qt/parks/501/queue_times.json"] = {
        "lands": [{"id": 7001, "name": "Land A", "rides": [
            {"id": 1, "name": "Coaster", "is_open": True, "wait_time": 5, "last_updated": "2025-07-16T01:38:12.000Z"},
            {"id": 2, "name": "Coaster Single Rider", "is_open": True, "wait_time": 1,
             "last_updated": "2025-07-16T01:38:12.000Z"}]}],
        "rides": [{"id": 3, "name": "Train", "is_open": False, "wait_time": 0,
                   "last_updated": "2025-07-16T01:38:12.000Z"}]}
    sync("--source", "queue-times")
    park = Park.objects.get(queue_times_id=501)
    assert sorted(park.rides.values_list("name", flat=True)) == ["Coaster", "Train"]
    assert Ride.objects.get(queue_times_id=1).land == Land.objects.get(queue_times_id=7001)
    assert Ride.objects.get(queue_times_id=3).land is None


def test_unsure_ride_matches_are_logged_not_guessed(api):
    sync("--source", "themeparks-wiki")
    ioa = Park.objects.get(themeparks_wiki_id=IOA)
    Ride.objects.create(park=ioa, name="Hogwarts Express", themeparks_wiki_id="hx-1")
    Ride.objects.create(park=ioa, name="Hogwarts Express - Hogsmeade", themeparks_wiki_id="hx-2")
    sync("--source", "queue-times")
    assert not Ride.objects.filter(queue_times_id=6015).exists()
    log = DataQualityLog.objects.get(source_key="sync_parks", description__contains="Hogwarts Express")
    assert log.details["candidate"].startswith("Hogwarts Express")
    sync("--source", "queue-times")
    assert DataQualityLog.objects.filter(source_key="sync_parks").count() == 1


def test_a_renamed_ride_keeps_its_old_name_in_history(api):
    sync("--source", "themeparks-wiki")
    ride = Ride.objects.get(themeparks_wiki_id="70ac72a3-9675-4c41-a1b1-e4801072927a")
    Ride.objects.filter(pk=ride.pk).update(name="Old Name")
    sync("--source", "themeparks-wiki")
    ride.refresh_from_db()
    assert ride.name == "Harry Potter and the Escape from Gringotts™"
    assert list(ride.name_history.values_list("name", flat=True)) == ["Old Name"]


def test_an_unknown_source_is_refused():
    with pytest.raises(CommandError, match="--source"):
        call_command("sync_parks", "--source", "nowhere")
