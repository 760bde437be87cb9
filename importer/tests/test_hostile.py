"""Nothing one bad file or one bad value can break: the hostile corpus (`data/hostile/`, made by
`make_hostile.py`), the limits it exercises, and how a run that cannot start or whose files fail ends."""
import json
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from importer import parser
from importer.archive import ArchiveSource, InvalidDestination
from importer.models import ImportCheckpoint
from importer.services.cleanup import stale_temp_files_remove
from importer.tests.conftest import DATA, run_import, snapshot_rows
from quality.models import DataQualityLog
from themepark.models import Park, Ride
from warehouse.models import QueueData, RideStatusSnapshot

HOSTILE = DATA / "hostile"
MANIFEST = json.loads((HOSTILE / "MANIFEST.json").read_text())
DEST = MANIFEST["destination"]


@pytest.fixture
def hostile(tmp_path, settings):
    """The committed corpus plus what git cannot hold: a file that is a link out of the source,
    and a folder where a day file should be (it cannot be read: a failed file)."""
    root = tmp_path / "archive"
    shutil.copytree(HOSTILE, root)
    outside = tmp_path / "outside.json.gz"
    outside.write_bytes((HOSTILE / DEST / "2024/03/01.json.gz").read_bytes())
    (root / DEST / "2024/03/20.json.gz").symlink_to(outside)
    (root / DEST / "2024/03/21.json.gz").mkdir()
    settings.IMPORT_MAX_FILE_MB = 1
    return root


FOLDER_KEY = f"{DEST}/2024/03/21.json.gz"


@pytest.mark.django_db(transaction=True)
def test_one_import_over_the_hostile_corpus_keeps_every_good_row_logs_every_bad_file_and_a_resume_changes_nothing(
        hostile):
    with pytest.raises(CommandError, match=r"FAILED: 1 file\(s\) could not be imported .*--retry-failed"):
        run_import(source=str(hostile), workers=1)
    checkpoint = ImportCheckpoint.objects.get()
    # Every listed file was dealt with; the one that cannot be read is the run's only failure.
    assert (checkpoint.status, checkpoint.failed_files) == ("FAILED", [FOLDER_KEY])
    assert checkpoint.files_done == len(MANIFEST["files"])
    assert checkpoint.events_imported == MANIFEST["totals"]["valid_events"] == RideStatusSnapshot.objects.count()
    # Only the corpus's own rides, parks and values: nothing refused was stored, nothing cut.
    assert set(Ride.objects.values_list("themeparks_wiki_id", flat=True)) == set(MANIFEST["rides"])
    assert list(Park.objects.values_list("themeparks_wiki_id", "timezone")) == [(MANIFEST["park"],
                                                                                "America/New_York")]
    # STANDBY waits live in the snapshots (queue_data keeps the other queues)
    assert set(QueueData.objects.values_list("queue_type", flat=True)) == {"PAID_RETURN_TIME"}
    assert set(QueueData.objects.exclude(price_currency=None).values_list("price_currency", "price_amount")) == {
        ("USD", 1500)}
    assert not QueueData.objects.exclude(state=None).exclude(state="AVAILABLE").exists()
    first = RideStatusSnapshot.objects.order_by("recorded_at").values_list("recorded_at", flat=True).first()
    last = RideStatusSnapshot.objects.order_by("-recorded_at").values_list("recorded_at", flat=True).first()
    assert (first.date().isoformat(), last.date().isoformat()) == ("2024-03-01", "2024-03-19")
    # Each bad file left its entry, with its key and kind.
    logged = set(DataQualityLog.objects.filter(source="ARCHIVE").values_list("source_key", "details__kind"))
    for key, expected in MANIFEST["files"].items():
        for kind in expected["kinds"]:
            assert (key, kind) in logged, (key, kind)
    assert (FOLDER_KEY, "file_failed") in logged
    listing = {Path(key).name if "outside" in reason else key.split("/")[0]
               for key, reason in DataQualityLog.objects.filter(details__kind="listing")
               .values_list("source_key", "details__reason")}
    assert listing == {"20.json.gz", "not-a-destination", "d" * 70}
    # Statistics were computed for what was stored, and the run's list of them emptied.
    assert checkpoint.stats_days == {}

    stored = snapshot_rows()
    for again in ({"resume": checkpoint.import_id}, {"retry_failed": checkpoint.import_id}):
        with pytest.raises(CommandError, match="FAILED: 1 file"):
            run_import(**again)
        assert snapshot_rows() == stored
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.failed_files, checkpoint.files_done) == (
        "FAILED", [FOLDER_KEY], len(MANIFEST["files"]))


@pytest.mark.django_db(transaction=True)
def test_a_file_that_fails_once_is_read_again_by_retry_failed_and_the_run_completes(hostile):
    with pytest.raises(CommandError):
        run_import(source=str(hostile), workers=0)
    folder = hostile / FOLDER_KEY
    folder.rmdir()
    shutil.copyfile(hostile / DEST / "2024/03/01.json.gz", folder)  # the same rides, 20 days later in its key
    before = RideStatusSnapshot.objects.count()
    out = run_import(retry_failed="latest")
    checkpoint = ImportCheckpoint.objects.get()
    assert "COMPLETED" in out and (checkpoint.status, checkpoint.failed_files) == ("COMPLETED", [])
    assert RideStatusSnapshot.objects.count() == before  # its events are those of 03-01: all stored already
    assert checkpoint.files_done == len(MANIFEST["files"]) + 1


@pytest.mark.parametrize("key", sorted(MANIFEST["files"]))
def test_each_hostile_file_parses_to_its_good_events_and_its_problem_kinds_on_both_paths(key):
    raw = (HOSTILE / key).read_bytes()
    expected = MANIFEST["files"][key]
    for formatted in (True, False):  # the fast path gives up on anything the full checks must see
        parsed = parser.parse_day_file(key, raw, formatted=formatted, max_bytes=1 << 20)
        assert (parsed.rows, sorted(parsed.problems)) == (expected["valid_events"], sorted(expected["kinds"]))
        assert not parsed.read_error
        json.dumps(parsed.problems)  # examples are plain, shallow values


@pytest.mark.django_db
def test_the_parser_limits_are_the_columns_lengths():
    from django.apps import apps

    def length(label, name):
        return apps.get_model(label)._meta.get_field(name).max_length

    limits = parser.COLUMN_LIMITS
    assert limits["entityId"] == length("importer.RideMapping", "archive_entity_id") == length(
        "themepark.Ride", "themeparks_wiki_id")
    assert limits["parkId"] == length("themepark.Park", "themeparks_wiki_id")
    assert limits["destinationId"] == length("themepark.Destination", "themeparks_wiki_id")
    assert limits["name"] == length("themepark.Ride", "name") == length("importer.RideMapping", "archive_name") \
        == length("themepark.RideNameHistory", "name")
    assert limits["internalId"] == length("themepark.Ride", "external_id") == length(
        "importer.RideMapping", "archive_internal_id")
    assert limits["parkSlug"] == length("themepark.Park", "slug")
    assert limits["timezone"] == length("themepark.Park", "timezone")
    for key, column in (("queueType", "queue_type"), ("state", "state"), ("currency", "price_currency"),
                        ("allocationStatus", "boarding_group_status")):
        assert limits[key] == length("warehouse.QueueData", column)


@pytest.mark.parametrize("name, valid", [("America/New_York", True), ("UTC", True), ("Mars/Olympus_Mons", False),
                                         ("../../etc/passwd", False), ("", False), ("Europe/" + "x" * 80, False),
                                         (7, False)])
def test_timezones_are_checked_against_the_iana_database(name, valid):
    assert parser.timezone_valid(name) is valid


def test_an_unexpected_error_while_parsing_fails_that_file_only(monkeypatch):
    source = ArchiveSource(str(HOSTILE))
    key = f"{DEST}/2024/03/01.json.gz"

    def explode(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(parser, "parse_day_file", explode)
    parsed = parser.read_and_parse(source, key, datetime.now(timezone.utc), True)
    assert parsed.read_error.startswith("parse: RecursionError") and not parsed.blocks


def test_destinations_must_be_uuids_and_nothing_outside_the_source_is_listed(tmp_path, monkeypatch):
    source = ArchiveSource(str(HOSTILE))
    for bad in ("..", "../etc", "d" * 70, "x"):
        with pytest.raises(InvalidDestination):
            source.list_files(destinations=[bad])
    problems = []
    listed = source.list_files(problems=problems)
    assert {f.destination_id for f in listed} == {DEST}
    assert sorted(path for path, _ in problems) == sorted(["not-a-destination", "d" * 70])
    # A folder that cannot be read is reported (as root, permissions do not stop a read: fail it here).
    month = HOSTILE / DEST / "2024" / "03"
    real = Path.iterdir

    def refuse(self):
        if self == month:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    problems = []
    assert source.list_files(destinations=[DEST], problems=problems) == []
    assert problems == [(str(month), "folder cannot be read: Permission denied")]


@pytest.mark.django_db
def test_a_bad_destination_is_refused_before_anything_is_written():
    for bad in ("..", "../../etc"):
        with pytest.raises(CommandError, match="not a destination id"):
            run_import(source=str(HOSTILE), destinations=[bad])
    assert not ImportCheckpoint.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_refused_import_leaves_no_checkpoint_behind():
    from importer.run_locks import RunLocks

    with RunLocks([f"dest:{DEST}"]):  # another run holds the destination
        with pytest.raises(CommandError, match="being imported"):
            run_import(source=str(HOSTILE))
    assert not ImportCheckpoint.objects.exists()


@pytest.mark.django_db
def test_a_launched_run_that_cannot_start_records_why_and_is_not_left_pending(tmp_path):
    from importer.services import checkpoint_create

    checkpoint = checkpoint_create(source=str(tmp_path / "gone"))  # as the admin API leaves it for the launch
    with pytest.raises(CommandError, match="cannot be reached"):
        run_import(resume=checkpoint.import_id)
    checkpoint.refresh_from_db()
    assert checkpoint.status == "FAILED" and "cannot be reached" in checkpoint.error_log[-1]["error"]
    with pytest.raises(CommandError, match="no unfinished import|cannot be reached"):
        run_import(resume_latest=True)


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_statistics_fail_is_failed_keeps_its_park_days_and_a_resume_completes_it(
        monkeypatch, clean_archive):
    import warehouse.aggregation as aggregation

    real = aggregation.aggregation_run

    def broken(**kwargs):
        raise RuntimeError("statistics server gone")

    monkeypatch.setattr(aggregation, "aggregation_run", broken)
    with pytest.raises(CommandError, match="FAILED: statistics NOT recomputed"):
        run_import(source=str(clean_archive))
    checkpoint = ImportCheckpoint.objects.get()
    assert checkpoint.status == "FAILED" and checkpoint.files_done == 8
    # Per park, the file days it loaded, as one range each.
    assert checkpoint.stats_days and all(ranges == [["2024-03-09", "2024-03-12"]]
                                         for ranges in checkpoint.stats_days.values())
    monkeypatch.setattr(aggregation, "aggregation_run", real)
    out = run_import(resume=checkpoint.import_id)
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.stats_days) == ("COMPLETED", {})
    assert f"statistics recomputed for {Park.objects.count()} park(s)" in out


def test_temporary_files_of_dead_runs_are_removed_and_those_in_use_kept(tmp_path):
    old = time.time() - 3600
    paths = {name: tmp_path / name for name in ("ingest-dead.tsv", "sem.mp-dead", "ingest-open.tsv",
                                                "ingest-fresh.tsv", "other.tsv")}
    for path in paths.values():
        path.write_text("x")
    for name in ("ingest-dead.tsv", "sem.mp-dead", "ingest-open.tsv", "other.tsv"):
        os.utime(paths[name], (old, old))
    with open(paths["ingest-open.tsv"]) as held:  # a run next door is loading it
        removed = stale_temp_files_remove([str(tmp_path)])
        assert not held.closed
    assert sorted(Path(p).name for p in removed) == ["ingest-dead.tsv", "sem.mp-dead"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ingest-fresh.tsv", "ingest-open.tsv", "other.tsv"]


@pytest.mark.django_db(transaction=True)
def test_a_paused_run_leaves_its_statistics_to_the_resume_and_a_cancelled_one_computes_what_it_loaded(
        clean_archive):
    from importer.services import archive_import, checkpoint_cancel, checkpoint_create, checkpoint_pause
    from warehouse.models import ParkDailyStats

    source = ArchiveSource(str(clean_archive))
    files = source.list_files()
    checkpoint = checkpoint_create(source=str(clean_archive))
    this_run = ImportCheckpoint.objects.filter(pk=checkpoint.pk)
    archive_import(checkpoint=checkpoint, source=source, files=files, workers=0,
                   progress=lambda event, **info: checkpoint_pause(checkpoints=this_run))
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.files_done) == ("PAUSED", 1)
    assert checkpoint.stats_days and not ParkDailyStats.objects.exists()

    this_run.update(status="PENDING")  # resumed, then cancelled after its next file
    archive_import(checkpoint=checkpoint, source=source, files=files, workers=0,
                   progress=lambda event, **info: checkpoint_cancel(checkpoints=this_run))
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.files_done, checkpoint.stats_days) == ("CANCELLED", 2, {})
    loaded = {f.day for f in files[:2]}
    assert {day for day in ParkDailyStats.objects.values_list("date", flat=True)} >= loaded


def test_a_stored_file_larger_than_the_cap_is_refused_without_being_read(tmp_path):
    key = f"{DEST}/2024/03/01.json.gz"
    (tmp_path / key).parent.mkdir(parents=True)
    (tmp_path / key).write_bytes(os.urandom((1 << 20) + 5000))
    parsed = parser.read_and_parse(ArchiveSource(str(tmp_path)), key, datetime.now(timezone.utc), True,
                                   max_bytes=1 << 20)
    assert list(parsed.problems) == ["file_too_large"] and not parsed.read_error
    assert "bytes stored" in parsed.problems["file_too_large"]["examples"][0]
