"""The import pipeline: workers format rows, the main thread prefixes ride ids, a loader thread commits."""
import threading
from datetime import datetime, timezone

import pytest

from importer import parser
from importer.archive import ArchiveSource
from importer.models import ImportCheckpoint
from importer.services import archive_import, checkpoint_create
from importer.services import files as file_service
from importer.services.loader import FileLoader
from importer.tests.conftest import manifest, run_import, snapshot_rows
from warehouse.models import RideStatusSnapshot
from warehouse.rows import (
    QUEUE_COLUMNS, QUEUE_WAIT_COLUMNS, Observation, QueueRow, prefix_lines, queue_lines, snapshot_line,
)

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


def widened(short_lines):
    """Wait-only queue lines in their short form, as full lines (the other columns NULL)."""
    padding = "\t\\N" * (len(QUEUE_COLUMNS) - len(QUEUE_WAIT_COLUMNS))
    return "".join(line + padding + "\n" for line in short_lines.splitlines())


def test_formatted_parsing_gives_the_lines_ingest_would_write_for_the_same_events(corrupt_archive):
    for key in manifest(corrupt_archive)["files"]:
        raw = (corrupt_archive / key).read_bytes()
        events, formatted = parser.parse_day_file(key, raw, now=NOW), parser.parse_day_file(key, raw, now=NOW,
                                                                                             formatted=True)
        observations = [Observation(i + 1, at, status, wait, "ARCHIVE", queues=[QueueRow(*q) for q in queues or ()])
                        for i, at, status, wait, queues in events.events]
        joined = [prefix_lines(i + 1, block[0]) for i, block in enumerate(formatted.blocks)]
        assert sorted("".join(joined).splitlines()) == sorted("".join(map(snapshot_line, observations)).splitlines())
        joined = [prefix_lines(i + 1, block[1]) + widened(prefix_lines(i + 1, block[3]))
                  for i, block in enumerate(formatted.blocks)]
        assert sorted("".join(joined).splitlines()) == sorted("".join(queue_lines(observations)).splitlines())
        assert all(line.count("\t") == len(QUEUE_WAIT_COLUMNS) - 1
                   for block in formatted.blocks for line in block[3].splitlines())
        assert (formatted.problems, formatted.rows, formatted.events) == (events.problems, events.rows, [])


@pytest.mark.parametrize("archive", ["clean_archive", "corrupt_archive"])
def test_the_fast_path_takes_every_clean_file_and_gives_what_the_full_checks_give(archive, request, monkeypatch):
    folder = request.getfixturevalue(archive)
    files = {key: (folder / key).read_bytes() for key in manifest(folder)["files"]}
    quick = {key: parser.parse_day_file(key, raw, now=NOW, formatted=True) for key, raw in files.items()}
    monkeypatch.setattr(parser, "_formatted_fast", lambda *args: False)
    full = {key: parser.parse_day_file(key, raw, now=NOW, formatted=True) for key, raw in files.items()}
    for key, raw in files.items():
        assert (quick[key].blocks, quick[key].entities, quick[key].events_read, quick[key].problems) == (
            full[key].blocks, full[key].entities, full[key].events_read, full[key].problems)
    monkeypatch.undo()
    taken = {}
    for key, raw in files.items():
        text = parser.decode(raw, parser.ParsedFile(key=key))
        if text is not None:
            taken[key] = parser._formatted_fast(text, parser.ParsedFile(key=key), NOW, key.split("/")[0])
    # Exactly the files without a problem in their events go the fast way (a gzip container is
    # reported by decode(), before).
    clean = {key: not (full[key].problems.keys() - {parser.GZIP_CONTAINER}) for key in taken}
    assert taken == clean
    assert sum(taken.values()) >= 1


def test_the_loader_stops_when_told_and_raises_its_failure_in_the_calling_thread():
    seen = []
    loader = FileLoader(lambda job: seen.append(job) or job != "pause")
    loader.start()
    for job in ("a", "pause", "dropped"):
        loader.put(job)
    loader.finish()
    assert seen == ["a", "pause"] and loader.stopped and not loader.accepting

    def handle(job):
        raise ValueError(f"cannot load {job} in {threading.current_thread().name}")

    loader = FileLoader(handle)
    loader.start()
    with pytest.raises(ValueError, match="cannot load b in import-loader"):
        loader.put("b")
        loader.finish()


@pytest.mark.django_db(transaction=True)
def test_a_failure_while_loading_rolls_the_file_back_fails_the_run_and_a_resume_completes_it(
        clean_archive, monkeypatch):
    real, calls = file_service.ingest_prepared, []

    def fail_on_the_third_file(*args, **kwargs):
        result = real(*args, **kwargs)  # the rows are loaded, then the transaction must undo them
        calls.append(result)
        if len(calls) == 3:
            raise OSError("disk full")
        return result

    monkeypatch.setattr(file_service, "ingest_prepared", fail_on_the_third_file)
    source = ArchiveSource(str(clean_archive))
    checkpoint = checkpoint_create(source=str(clean_archive))
    with pytest.raises(OSError, match="disk full"):
        archive_import(checkpoint=checkpoint, source=source, files=source.list_files(), workers=1)
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.files_done) == ("FAILED", 2)
    assert "OSError: disk full" in checkpoint.error_log[-1]["error"]
    assert RideStatusSnapshot.objects.count() == sum(r.written for r in calls[:2])

    monkeypatch.setattr(file_service, "ingest_prepared", real)
    run_import(resume=checkpoint.import_id)
    checkpoint.refresh_from_db()
    expected = manifest(clean_archive)["totals"]["valid_events"]
    assert (checkpoint.status, checkpoint.files_done, checkpoint.events_imported) == ("COMPLETED", 8, expected)
    assert len(snapshot_rows()[0]) == expected
    assert ImportCheckpoint.objects.count() == 1
