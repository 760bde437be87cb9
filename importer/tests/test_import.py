"""End-to-end imports through the command, on the committed archives."""
import shutil
from datetime import date, datetime, timezone
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from importer.archive import ArchiveSource
from importer.run_locks import RunLocks
from importer.models import ImportCheckpoint, RideMapping
from importer.services import archive_import, checkpoint_create, checkpoint_pause
from importer.tests.conftest import manifest, run_import
from quality.models import DataQualityLog
from themepark.models import Park, Ride, RideNameHistory
from warehouse.ingest import Observation, ingest
from warehouse.models import QueueData, RideStatusSnapshot

pytestmark = pytest.mark.django_db(transaction=True)  # partitions_ensure runs DDL, which commits on MySQL


def test_totals_match_the_generator_manifest_and_each_bad_file_is_logged_once_per_kind(corrupt_archive):
    expected = manifest(corrupt_archive)
    gzip_events = sum(f["intended_valid_events"] for f in expected["files"].values()
                      if (f["corruption"] or {}).get("kind") == "gzip_container")
    out = run_import(source=str(corrupt_archive))
    checkpoint = ImportCheckpoint.objects.get()
    assert RideStatusSnapshot.objects.count() == expected["totals"]["valid_events"] + gzip_events
    assert checkpoint.events_imported == RideStatusSnapshot.objects.count()
    assert (checkpoint.status, checkpoint.files_done, checkpoint.files_corrupt) == ("COMPLETED", 9, 3)
    bad = {c["kind"]: c.get("invalid_events", 0) for c in expected["corrupted_files"]}
    assert checkpoint.duplicates == bad["duplicate_events"]
    assert checkpoint.invalid == bad["event_missing_fields"] + bad["wait_time_out_of_range"] + bad[
        "event_time_in_future"]
    logged = {(e.source_key, e.details["kind"]) for e in DataQualityLog.objects.filter(source="ARCHIVE")}
    assert logged == {(c["path"], c["kind"]) for c in expected["corrupted_files"]}
    assert DataQualityLog.objects.count() == len(expected["corrupted_files"])
    assert Ride.objects.count() == len(expected["rides"])
    assert Ride.objects.filter(entity_type="SHOW").count() == sum(r["entityType"] == "SHOW" for r in expected["rides"])
    assert f"{checkpoint.import_id} COMPLETED: 9 file(s) (3 corrupt, 0 failed)" in out


def test_every_entity_gets_its_events_and_every_queue_type_is_stored(clean_archive):
    expected = manifest(clean_archive)
    run_import(source=str(clean_archive))
    counts = {wiki: 0 for wiki in Ride.objects.values_list("themeparks_wiki_id", flat=True)}
    by_ride = dict(Ride.objects.values_list("pk", "themeparks_wiki_id"))
    for ride_id in RideStatusSnapshot.objects.values_list("ride_id", flat=True):
        counts[by_ride[ride_id]] += 1
    assert counts == {r["entityId"]: r["valid_events"] for r in expected["rides"]}
    stored = set(QueueData.objects.values_list("queue_type", flat=True).distinct())
    assert {"RETURN_TIME", "PAID_RETURN_TIME", "BOARDING_GROUP"} <= stored
    # the standby wait is stored in the snapshot, never as a queue_data row of its own
    assert "STANDBY" not in stored and RideStatusSnapshot.objects.filter(wait_time__isnull=False).exists()
    assert not RideStatusSnapshot.objects.exclude(data_source="ARCHIVE").exists()
    zones = {p["id"]: d["timezone"] for d in expected["destinations"] for p in d["parks"]}
    assert dict(Park.objects.values_list("themeparks_wiki_id", "timezone")) == zones


def test_a_rename_updates_the_ride_and_keeps_the_old_name(clean_archive):
    renamed = next(r for r in manifest(clean_archive)["rides"] if r.get("names"))
    run_import(source=str(clean_archive))
    ride = Ride.objects.get(themeparks_wiki_id=renamed["entityId"])
    assert ride.name == renamed["names"][-1]["name"]
    assert list(RideNameHistory.objects.filter(ride=ride).values_list("name", flat=True)) == [
        renamed["names"][0]["name"]]


def test_a_second_run_adds_nothing(clean_archive):
    run_import(source=str(clean_archive))
    before = RideStatusSnapshot.objects.count()
    out = run_import(source=str(clean_archive))
    assert RideStatusSnapshot.objects.count() == before
    assert f"0 written, {before} duplicate(s)" in out and Ride.objects.count() == len(manifest(clean_archive)["rides"])


def _live_ride_with_rows(clean_archive):
    """A catalog ride with the archive's id, with LIVE rows: one at an archive event's time, one
    elsewhere on an imported day, one on a day outside the import."""
    from warehouse.services import partitions_ensure

    entity = manifest(clean_archive)["rides"][0]
    park = Park.objects.create(name="P", themeparks_wiki_id=entity["parkId"], timezone="UTC")
    ride = Ride.objects.create(park=park, name=entity["name"], themeparks_wiki_id=entity["entityId"])
    first = ArchiveSource(str(clean_archive)).list_files(destinations=[entity["destinationId"]])[0]
    from importer.parser import parse_day_file

    parsed = parse_day_file(first.key, (clean_archive / first.key).read_bytes())
    index = next(i for i, e in enumerate(parsed.entities) if e.entity_id == entity["entityId"])
    # The store keeps times to the second: the archive event's milliseconds are cut there too.
    shared_at = next(at for i, at, *_ in parsed.events if i == index).replace(microsecond=0)
    partitions_ensure(since=date(2024, 3, 1))
    times = [shared_at, datetime(2024, 3, 9, 23, 59, 59, tzinfo=timezone.utc),
             datetime(2024, 3, 20, 12, tzinfo=timezone.utc)]
    ingest([Observation(ride.pk, at, "DOWN", None, "LIVE") for at in times],
           now=datetime(2030, 1, 1, tzinfo=timezone.utc))
    return ride, times


def test_merge_keeps_live_rows_where_live_and_archive_share_a_time(clean_archive):
    ride, times = _live_ride_with_rows(clean_archive)
    run_import(source=str(clean_archive))
    rows = RideStatusSnapshot.objects.filter(ride=ride)
    assert sorted(rows.filter(data_source="LIVE").values_list("recorded_at", flat=True)) == times
    assert RideMapping.objects.get(ride=ride).method == "EXACT"


def test_replace_deletes_stored_rows_of_the_imported_days_first(clean_archive):
    ride, times = _live_ride_with_rows(clean_archive)
    run_import(source=str(clean_archive), replace=True)
    rows = RideStatusSnapshot.objects.filter(ride=ride)
    assert list(rows.filter(data_source="LIVE").values_list("recorded_at", flat=True)) == [times[2]]
    assert rows.get(recorded_at=times[0]).data_source == "ARCHIVE"


def test_an_unreachable_source_or_an_empty_selection_exits_non_zero(clean_archive, tmp_path):
    with pytest.raises(CommandError, match="cannot be reached"):
        run_import(source=str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="nothing to import"):
        run_import(source=str(clean_archive), start=date(2030, 1, 1))


def test_only_unreadable_files_means_nothing_could_be_imported(corrupt_archive):
    truncated = next(c for c in manifest(corrupt_archive)["corrupted_files"] if c["kind"] == "truncated_zlib")
    day = date.fromisoformat("-".join(truncated["path"].split("/")[1:3] + [truncated["path"][-10:-8]]))
    with pytest.raises(CommandError, match="nothing could be imported"):
        run_import(source=str(corrupt_archive), destinations=[truncated["path"].split("/")[0]], start=day, end=day)


def test_a_second_run_on_a_locked_destination_is_refused_naming_the_running_import(clean_archive):
    dest = manifest(clean_archive)["destinations"][0]["id"]
    running = checkpoint_create(source=str(clean_archive), destinations=[dest])
    ImportCheckpoint.objects.filter(pk=running.pk).update(status="IN_PROGRESS")
    with RunLocks([f"dest:{dest}"]):
        with pytest.raises(CommandError, match=f"being imported by {running.import_id}"):
            run_import(source=str(clean_archive))
    run_import(source=str(clean_archive), destinations=[dest])  # the lock died with its holder


def test_pause_stops_at_the_next_file_and_resume_finishes_with_the_same_rows(clean_archive):
    expected = manifest(clean_archive)["totals"]["valid_events"]
    source = ArchiveSource(str(clean_archive))
    checkpoint = checkpoint_create(source=str(clean_archive))

    def pause_after_first(event, **info):
        checkpoint_pause(checkpoints=ImportCheckpoint.objects.filter(pk=checkpoint.pk))

    summary = archive_import(checkpoint=checkpoint, source=source, files=source.list_files(), workers=0,
                             progress=pause_after_first)
    checkpoint.refresh_from_db()
    assert (summary.status, checkpoint.status, checkpoint.files_done) == ("PAUSED", "PAUSED", 1)
    assert RideStatusSnapshot.objects.count() < expected
    run_import(resume=checkpoint.import_id)
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.files_done, checkpoint.events_imported) == ("COMPLETED", 8, expected)
    assert RideStatusSnapshot.objects.count() == expected


def test_a_file_that_cannot_be_read_is_marked_and_read_again_on_resume(clean_archive, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(clean_archive, archive)
    files = ArchiveSource(str(archive)).list_files()
    hidden = tmp_path / "hidden"
    (archive / files[3].key).rename(hidden)  # listed, then gone before it is read

    checkpoint = checkpoint_create(source=str(archive))
    summary = archive_import(checkpoint=checkpoint, source=ArchiveSource(str(archive)), files=files, workers=0)
    checkpoint.refresh_from_db()
    assert (summary.status, summary.files_failed, checkpoint.failed_files) == ("FAILED", 1, [files[3].key])
    hidden.rename(archive / files[3].key)
    run_import(resume=checkpoint.import_id)
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.failed_files) == ("COMPLETED", [])
    assert RideStatusSnapshot.objects.count() == manifest(clean_archive)["totals"]["valid_events"]


def test_a_cancelled_import_cannot_be_resumed(clean_archive):
    checkpoint = checkpoint_create(source=str(clean_archive))
    ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(status="CANCELLED")
    with pytest.raises(CommandError, match="CANCELLED"):
        run_import(resume=checkpoint.import_id)


def test_parse_workers_give_the_same_result_as_parsing_in_process(clean_archive):
    run_import(source=str(clean_archive), workers=2)
    assert RideStatusSnapshot.objects.count() == manifest(clean_archive)["totals"]["valid_events"]


def test_dry_run_writes_nothing(corrupt_archive):
    out = run_import(source=str(corrupt_archive), dry_run=True)
    assert "dry run, nothing written" in out and not RideStatusSnapshot.objects.exists()
    assert not ImportCheckpoint.objects.exists()


class _Terminal(StringIO):
    def isatty(self):
        return True


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise(clean_archive):
    plain = run_import(source=str(clean_archive))
    assert "\r" not in plain
    assert sum(line.startswith("[") and "file(s)" in line for line in plain.splitlines()) == 2  # one per destination
    terminal = _Terminal()
    call_command("import_archive", source=str(clean_archive), replace=True, no_input=True, workers=0,
                 stdout=terminal, stderr=StringIO())
    shown = terminal.getvalue()
    assert "\r" in shown and "8/8" in shown and "events" in shown  # tqdm redraws one line: count, rate, ETA
    assert not any(line.startswith("[") and "file(s)" in line for line in shown.splitlines())
