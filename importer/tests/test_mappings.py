"""Mapping archive entities onto rides, and staff decisions moving the observations."""
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection

from importer.models import RideMapping
from importer.parser import EntityInfo
from importer.services import mapping_choose_ride, mapping_confirm, mapping_create_ride, mapping_reject
from importer.services.resolver import EntityResolver
from themepark.models import Park, Ride, RideNameHistory
from themepark.tests.factories import make_observations, make_ride
from warehouse.ingest import Observation, QueueRow, ingest
from warehouse.models import QueueData, RideStatusSnapshot

T0 = datetime(2024, 3, 9, 12, tzinfo=timezone.utc)
NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def wiki_park(db):
    return Park.objects.create(name="Magic Park", themeparks_wiki_id="park-1", timezone="America/New_York")


def info(entity_id, *names, park_id="park-1", is_show=False):
    return EntityInfo(entity_id=entity_id, internal_id="42", park_id=park_id, park_slug="magic-park",
                      timezone="America/New_York", destination_id="dest-1", is_show=is_show,
                      names=[(n, T0 + timedelta(hours=i)) for i, n in enumerate(names)])


def resolve(*infos):
    return EntityResolver().ride_ids(infos)


def test_a_ride_with_the_archive_id_is_an_exact_match(wiki_park):
    ride = make_ride(wiki_park, name="Other name", themeparks_wiki_id="e-1")
    assert resolve(info("e-1", "Space Mountain")) == [ride.pk]
    mapping = RideMapping.objects.get()
    assert (mapping.method, mapping.status, mapping.ride) == ("EXACT", "AUTO", ride)
    assert Ride.objects.get(pk=ride.pk).name == "Other name"  # the catalog's newer name is kept


def test_a_clear_fuzzy_match_maps_onto_the_ride_and_gives_it_the_archive_id(wiki_park):
    ride = make_ride(wiki_park, name="Space Mountain")
    assert resolve(info("e-1", "SPACE MOUNTAIN™")) == [ride.pk]
    assert (RideMapping.objects.get().method, Ride.objects.get(pk=ride.pk).themeparks_wiki_id) == ("FUZZY", "e-1")


def test_a_tie_is_held_on_a_provisional_ride_for_review(wiki_park):
    twins = [make_ride(wiki_park, name="Space Mountain"), make_ride(wiki_park, name="Space Mountain")]
    [ride_id] = resolve(info("e-1", "Space Mountain"))
    mapping = RideMapping.objects.get()
    assert ride_id not in {r.pk for r in twins} and mapping.provisional
    assert (mapping.status, [c["ride_id"] for c in mapping.candidates]) == ("NEEDS_REVIEW", [r.pk for r in twins])


def test_a_weak_match_creates_a_new_ride_and_a_show_stays_a_show(wiki_park):
    make_ride(wiki_park, name="Dumbo")
    [ride_id] = resolve(info("e-1", "Festival of the Lion King", is_show=True))
    ride = Ride.objects.get(pk=ride_id)
    assert (ride.name, ride.entity_type, ride.themeparks_wiki_id, ride.external_id) == (
        "Festival of the Lion King", "SHOW", "e-1", "42")
    assert RideMapping.objects.get().method == "CREATED"


def test_an_unknown_park_and_destination_are_created_from_the_events(db):
    [ride_id] = resolve(info("e-1", "Coaster", park_id="park-9"))
    park = Ride.objects.get(pk=ride_id).park
    assert (park.themeparks_wiki_id, park.timezone, park.destination.themeparks_wiki_id) == (
        "park-9", "America/New_York", "dest-1")


def _decisions():
    return sorted((m.archive_entity_id, m.method, m.status, m.provisional, m.ride.name, m.ride.themeparks_wiki_id,
                   [c["name"] for c in m.candidates]) for m in RideMapping.objects.select_related("ride"))


@pytest.mark.parametrize("together, returning", [(True, True), (True, False), (False, True)])
def test_entities_first_seen_in_one_file_are_decided_as_one_at_a_time_would(
        wiki_park, together, returning, monkeypatch):
    """A fuzzy match takes its ride from the later entities' candidates; a provisional ride made
    for a tie is a candidate for the entities after it; a new ride with its wiki id is not.
    `returning=False`: a server whose bulk inserts return no ids (MySQL)."""
    if not returning:
        monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    make_ride(wiki_park, name="Space Mountain")
    make_ride(wiki_park, name="Haunted Mansion")
    make_ride(wiki_park, name="Haunted Mansion")
    exact = make_ride(wiki_park, name="Dumbo", themeparks_wiki_id="e-5")
    infos = [info("e-1", "SPACE MOUNTAIN™"), info("e-2", "Space Mountain"), info("e-3", "Haunted Mansion"),
             info("e-4", "Haunted  Mansion"), info("e-5", "Dumbo the Flying Elephant"), info("e-6", "Splash")]
    resolver = EntityResolver()
    ids = resolver.ride_ids(infos) if together else [resolver.ride_ids([one])[0] for one in infos]
    assert ids[4] == exact.pk and len(set(ids)) == 6
    assert _decisions() == [
        ("e-1", "FUZZY", "AUTO", False, "Space Mountain", "e-1", ["Space Mountain"]),
        ("e-2", "CREATED", "AUTO", False, "Space Mountain", "e-2", []),  # e-1 took the only candidate
        ("e-3", "FUZZY", "NEEDS_REVIEW", True, "Haunted Mansion", None, ["Haunted Mansion", "Haunted Mansion"]),
        # ... and the provisional ride of e-3 is a third candidate of the same name.
        ("e-4", "FUZZY", "NEEDS_REVIEW", True, "Haunted  Mansion", None, ["Haunted Mansion"] * 3),
        ("e-5", "EXACT", "AUTO", False, "Dumbo", "e-5", []),
        ("e-6", "CREATED", "AUTO", False, "Splash", "e-6", []),
    ]
    assert (resolver.rides_created, resolver.review) == (4, 2)


def test_a_later_name_for_the_same_id_renames_the_ride_and_keeps_the_old_name(wiki_park):
    resolver = EntityResolver()
    [ride_id] = resolver.ride_ids([info("e-1", "Coaster")])
    later = info("e-1", "Coaster presented by Acme")
    later.names = [("Coaster presented by Acme", T0 + timedelta(days=1))]
    resolver.ride_ids([later])
    assert Ride.objects.get(pk=ride_id).name == "Coaster presented by Acme"
    assert list(RideNameHistory.objects.values_list("name", flat=True)) == ["Coaster"]
    older = info("e-1", "Coaster")  # re-reading an older file does not rename it back
    EntityResolver().ride_ids([older])
    assert Ride.objects.get(pk=ride_id).name == "Coaster presented by Acme"


def _archive_rows(ride_id, n=3):
    rows = [Observation(ride_id, T0 + timedelta(minutes=5 * i), "OPERATING", 10 * i, "ARCHIVE",
                        queues=[QueueRow("SINGLE_RIDER", 10 * i)]) for i in range(n)]
    ingest(rows, now=NOW)


@pytest.fixture
def under_review(wiki_park):
    candidate = make_ride(wiki_park, name="Space Mountain")
    make_ride(wiki_park, name="Space Mountain")
    [provisional] = resolve(info("e-1", "Space Mountain"))
    _archive_rows(provisional)
    ingest(make_observations(candidate, 2, T0 - timedelta(hours=1)), now=NOW)  # the candidate's own LIVE rows
    return RideMapping.objects.get(), candidate


def test_choosing_a_ride_moves_the_archive_rows_and_drops_the_provisional_ride(under_review):
    mapping, candidate = under_review
    provisional = mapping.ride_id
    mapping_choose_ride(mapping=mapping, ride=candidate)
    assert RideStatusSnapshot.objects.filter(ride=candidate, data_source="ARCHIVE").count() == 3
    assert RideStatusSnapshot.objects.filter(ride=candidate, data_source="LIVE").count() == 2
    assert QueueData.objects.filter(ride=candidate).count() == 3
    assert not Ride.objects.filter(pk=provisional).exists()
    candidate.refresh_from_db()
    assert (candidate.themeparks_wiki_id, mapping.status, mapping.method) == ("e-1", "CONFIRMED", "MANUAL")
    assert resolve(info("e-1", "Space Mountain")) == [candidate.pk]


def test_confirming_a_tie_is_refused_until_a_ride_is_chosen(under_review):
    mapping, _ = under_review
    with pytest.raises(ValueError, match="choose a ride"):
        mapping_confirm(mapping=mapping)


def test_confirming_a_single_best_candidate_moves_the_rows_there(wiki_park):
    target = make_ride(wiki_park, name="Big Thunder Mountain Railroad")
    [provisional] = resolve(info("e-1", "Big Thunder Mountain"))
    _archive_rows(provisional)
    mapping_confirm(mapping=RideMapping.objects.get())
    assert RideStatusSnapshot.objects.filter(ride=target).count() == 3


def test_creating_a_new_ride_keeps_the_rows_on_the_provisional_ride(under_review):
    mapping, _ = under_review
    mapping_create_ride(mapping=mapping)
    ride = Ride.objects.get(pk=mapping.ride_id)
    assert (ride.themeparks_wiki_id, RideStatusSnapshot.objects.filter(ride=ride).count()) == ("e-1", 3)


def test_rejecting_deletes_the_archive_rows_and_later_imports_skip_the_entity(under_review):
    mapping, candidate = under_review
    provisional = mapping.ride_id
    mapping_reject(mapping=mapping)
    assert not Ride.objects.filter(pk=provisional).exists()
    assert RideStatusSnapshot.objects.filter(data_source="ARCHIVE").count() == 0
    assert RideStatusSnapshot.objects.filter(ride=candidate).count() == 2
    assert resolve(info("e-1", "Space Mountain")) == [None]
