"""The synthetic archive generator (importer.synthetic, manage.py make_archive): its files import
with our importer into exactly the rows its manifest promises, clean and damaged, and a seed
always gives the same bytes."""
import json
import zlib
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from importer.models import ImportCheckpoint
from importer.synthetic import KINDS, Options, generate
from importer.tests.conftest import run_import
from quality.models import DataQualityLog
from themepark.models import Ride
from warehouse.models import QueueData, RideStatusSnapshot

SMALL = dict(parks=2, rides=4, shows=1)


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def events(folder, key):
    return json.loads(zlib.decompress((folder / key).read_bytes()))["events"]


@pytest.mark.django_db(transaction=True)
def test_a_clean_archive_imports_into_exactly_the_manifests_rows(tmp_path):
    expected = generate(tmp_path, Options(seed=5, destinations=2, days=2, **SMALL))
    run_import(source=str(tmp_path))
    assert RideStatusSnapshot.objects.count() == expected["totals"]["valid_events"] > 0
    assert QueueData.objects.count() == expected["totals"]["queue_rows"] > 0
    wiki = dict(Ride.objects.values_list("pk", "themeparks_wiki_id"))
    per_entity = {entity: 0 for entity in wiki.values()}
    for ride_id in RideStatusSnapshot.objects.values_list("ride_id", flat=True):
        per_entity[wiki[ride_id]] += 1
    assert per_entity == {r["entityId"]: r["valid_events"] for r in expected["rides"]}
    queues = {entity: 0 for entity in wiki.values()}
    for ride_id in QueueData.objects.values_list("ride_id", flat=True):
        queues[wiki[ride_id]] += 1
    assert queues == {r["entityId"]: r["queue_rows"] for r in expected["rides"]}
    assert Ride.objects.filter(entity_type="SHOW").count() == sum(r["entityType"] == "SHOW" for r in expected["rides"])
    assert not DataQualityLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_imports_the_good_events_and_logs_each_damaged_file(tmp_path):
    expected = generate(tmp_path, Options(seed=9, destinations=3, days=3, corrupt=8, corrupt_kinds=KINDS, **SMALL))
    corrupted = {c["kind"]: c for c in expected["corrupted_files"]}
    assert set(corrupted) == set(KINDS)
    gzip_file = expected["files"][corrupted["gzip_container"]["path"]]  # our importer reads it and reports it
    run_import(source=str(tmp_path))
    checkpoint = ImportCheckpoint.objects.get()
    assert RideStatusSnapshot.objects.count() == (expected["totals"]["valid_events"]
                                                  + gzip_file["intended_valid_events"])
    assert QueueData.objects.count() == expected["totals"]["queue_rows"] + gzip_file["intended_queue_rows"]
    assert checkpoint.duplicates == corrupted["duplicate_events"]["invalid_events"]
    assert checkpoint.invalid == sum(corrupted[k]["invalid_events"] for k in (
        "event_missing_fields", "wait_time_out_of_range", "event_time_in_future"))
    logged = {(e.source_key, e.details["kind"]) for e in DataQualityLog.objects.filter(source="ARCHIVE")}
    assert logged == {(c["path"], c["kind"]) for c in expected["corrupted_files"]}
    assert checkpoint.files_corrupt == 3  # the three kinds that leave nothing to read


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path):
    options = dict(destinations=2, days=3, corrupt=3, **SMALL)
    first, second, third = (tmp_path / name for name in ("a", "b", "c"))
    generate(first, Options(seed=3, **options))
    generate(second, Options(seed=3, **options))
    generate(third, Options(seed=4, **options))
    assert tree(first) == tree(second)
    assert tree(first).keys() != tree(third).keys()  # new destination ids


def test_two_processes_write_the_same_bytes_as_one(tmp_path):
    options = Options(seed=6, destinations=3, days=2, corrupt=2, **SMALL)
    generate(tmp_path / "one", options)
    generate(tmp_path / "two", options, workers=2)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_local_partition_puts_each_event_in_the_file_of_its_park_local_date(tmp_path):
    expected = generate(tmp_path, Options(seed=2, destinations=3, days=2, partition="local", **SMALL))
    for key in expected["files"]:
        day = key.removesuffix(".json.gz").split("/", 1)[1].replace("/", "-")
        found = events(tmp_path, key)
        assert found and {e["localTime"][:10] for e in found} == {day}


def test_files_have_the_archive_layout_encoding_and_time_fields(tmp_path):
    expected = generate(tmp_path, Options(seed=2, destinations=2, days=3, **SMALL))
    zones = {d["id"]: d["timezone"] for d in expected["destinations"]}
    assert len(expected["files"]) == 6
    for key, info in expected["files"].items():
        destination, year, month, day = key.removesuffix(".json.gz").split("/")
        raw = (tmp_path / key).read_bytes()
        assert raw[:2] == b"\x78\x01"  # a zlib stream (level 1), not gzip
        found = events(tmp_path, key)
        assert len(found) == info["valid_events"] == info["events_written"]
        assert [e["eventTime"] for e in found] == sorted(e["eventTime"] for e in found)
        for event in found:
            assert list(event) == ["entityId", "internalId", "name", "data", "eventTime", "localTime", "timezone",
                                   "parkId", "parkSlug"]
            at = datetime.fromisoformat(event["eventTime"])
            assert at.date() == date(int(year), int(month), int(day))  # files split by UTC date
            local = at.astimezone(ZoneInfo(zones[destination])).replace(microsecond=0)
            assert datetime.fromisoformat(event["localTime"]) == local
            assert local.isoformat() == event["localTime"]


def test_the_world_has_its_fixed_traits(tmp_path):
    expected = generate(tmp_path, Options(seed=7, destinations=2, days=6, **SMALL))
    first = expected["destinations"][0]
    assert first["utc_offset_changes_in_range"]  # destination 0 gets a zone that changes offset in the range
    renamed = next(r for r in expected["rides"] if r.get("names"))
    seen = {e["name"] for key in expected["files"] for e in events(tmp_path, key)
            if e["entityId"] == renamed["entityId"]}
    assert seen == {n["name"] for n in renamed["names"]}
    refurbished = [r for r in expected["rides"] if r.get("refurbishment")]
    assert len(refurbished) == 2
    statuses = {e["data"]["status"] for key in expected["files"] for e in events(tmp_path, key)
                if e["entityId"] == refurbished[0]["entityId"]}
    assert "REFURBISHMENT" in statuses and "OPERATING" in statuses
    universal = expected["destinations"][1]["id"]
    closed = [e for key, f in expected["files"].items() if f["destinationId"] == universal
              for e in events(tmp_path, key)
              if e["data"]["status"] in ("CLOSED", "DOWN") and "showtimes" not in e["data"]]
    assert closed and not any("queue" in e["data"] for e in closed)  # universal drops the queue when not operating


def test_the_command_writes_an_archive_ending_yesterday(tmp_path):
    out = StringIO()
    call_command("make_archive", out=str(tmp_path), destinations=1, days=2, end="yesterday", parks=1, rides=3,
                 shows=0, stdout=out)
    expected = json.loads((tmp_path / "MANIFEST.json").read_text())
    yesterday = date.today() - timedelta(days=1)
    dates = sorted(f["date"] for f in expected["files"].values())
    assert dates == [str(yesterday - timedelta(days=1)), str(yesterday)]
    assert f"{expected['totals']['valid_events']} valid event(s)" in out.getvalue()
