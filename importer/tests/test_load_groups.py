"""Consecutive day files loaded together (IMPORT_LOAD_GROUP_ROWS): one transaction per group, the
same rows, counters and quality log as file by file, and a bad file still fails alone."""
import pytest

from importer.archive import ArchiveSource
from importer.models import ImportCheckpoint
from importer.services import archive_import, checkpoint_create
from importer.services import files as file_service
from importer.tests.conftest import clear_observations, manifest, run_import, snapshot_rows
from quality.models import DataQualityLog
from themepark.models import Destination, Park, Ride

pytestmark = pytest.mark.django_db(transaction=True)
COUNTERS = ("status", "files_total", "files_done", "files_corrupt", "events_read", "events_imported", "duplicates",
            "invalid", "rides_created", "mappings_review", "stats_days", "failed_files", "last_file")


def _run(archive, settings, group_rows):
    settings.IMPORT_LOAD_GROUP_ROWS = group_rows
    loads = []
    real = file_service.ingest_prepared

    def counted(*args, **kwargs):
        loads.append(kwargs["rows"])
        return real(*args, **kwargs)

    file_service.ingest_prepared, saved = counted, file_service.ingest_prepared
    try:
        run_import(source=str(archive), workers=1, no_statistics=True)
    finally:
        file_service.ingest_prepared = saved
    checkpoint = ImportCheckpoint.objects.get()
    issues = sorted(DataQualityLog.objects.values_list("source_key", "issue_type", "record_count", "details__kind"))
    counters = {name: getattr(checkpoint, name) for name in COUNTERS}
    parks = dict(Park.objects.values_list("pk", "themeparks_wiki_id"))
    counters["stats_days"] = {parks[int(pk)]: days for pk, days in counters["stats_days"].items()}
    out = (counters, snapshot_rows(), issues, loads)
    clear_observations()
    ImportCheckpoint.objects.all().delete()
    DataQualityLog.objects.all().delete()
    Destination.objects.all().delete()  # mappings with it
    Ride.objects.all().delete()
    Park.objects.all().delete()
    return out


@pytest.mark.parametrize("archive", ["clean_archive", "corrupt_archive"])
def test_grouped_loads_store_and_count_what_file_by_file_loads_do(archive, request, settings):
    folder = request.getfixturevalue(archive)
    alone = _run(folder, settings, 1)
    pairs = _run(folder, settings, 1500)
    whole = _run(folder, settings, 10 ** 9)
    assert alone[:3] == pairs[:3] == whole[:3]
    assert alone[0]["events_imported"] > 0 and alone[2] == sorted(alone[2])
    # The loads themselves: one per file with rows, then about two files each, then all in one
    # (in the corrupt archive the files without rows keep the others apart).
    if archive == "clean_archive":
        assert len(alone[3]) == 8 > len(pairs[3]) > len(whole[3]) == 1
    assert sum(alone[3]) == sum(pairs[3]) == sum(whole[3])


def test_a_group_whose_load_fails_is_loaded_again_file_by_file_and_only_the_bad_file_fails(
        clean_archive, settings, monkeypatch):
    settings.IMPORT_LOAD_GROUP_ROWS = 10 ** 9  # every file in one group
    real_load, real_record = file_service.ingest_prepared, file_service.file_problems_record
    source = ArchiveSource(str(clean_archive))
    files = source.list_files()
    failing = files[2]
    loads = []

    def counted(*args, **kwargs):
        loads.append(kwargs["rows"])
        return real_load(*args, **kwargs)

    def fail_with_the_third_file(*, archive_file, **kwargs):  # in the load's transaction, after its rows
        if archive_file.key == failing.key:
            raise OSError("disk full")
        return real_record(archive_file=archive_file, **kwargs)

    monkeypatch.setattr(file_service, "ingest_prepared", counted)
    monkeypatch.setattr(file_service, "file_problems_record", fail_with_the_third_file)
    checkpoint = checkpoint_create(source=str(clean_archive))
    summary = archive_import(checkpoint=checkpoint, source=source, files=files, workers=1)
    checkpoint.refresh_from_db()
    per_file = manifest(clean_archive)["files"]
    # The group loaded every file's rows, rolled back, and its files loaded again one by one:
    # the bad one failed alone, the seven others committed.
    assert loads == [sum(info["valid_events"] for info in per_file.values())] + [
        per_file[f.key]["valid_events"] for f in files]
    assert (summary.files_failed, checkpoint.failed_files, checkpoint.files_done) == (1, [failing.key], 7)
    assert checkpoint.events_imported == sum(per_file[f.key]["valid_events"] for f in files if f != failing)
    assert [e["key"] for e in checkpoint.error_log] == [failing.key]
    monkeypatch.undo()
    assert "0 corrupt, 0 failed" in run_import(retry_failed=checkpoint.import_id)
    checkpoint.refresh_from_db()
    assert checkpoint.events_imported == manifest(clean_archive)["totals"]["valid_events"]
