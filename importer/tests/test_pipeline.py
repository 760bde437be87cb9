"""The import pipeline: workers format rows, the main thread prefixes ride ids, a loader thread commits."""
import shutil
import threading
import time
from datetime import datetime, timezone

import pytest

from importer import parser
from importer.archive import ArchiveSource
from importer.models import ImportCheckpoint
from importer.services import archive_import, checkpoint_create
from importer.services import files as file_service
from importer.services.loader import FileLoader, YieldTurn
from importer.tests.conftest import manifest, run_import, snapshot_rows
from quality.models import DataQualityLog
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
        events = parser.parse_day_file(key, raw, now=NOW)
        formatted = parser.parse_day_file(key, raw, now=NOW, formatted=True)
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
    loader = FileLoader(lambda job, turn: seen.append(job) or job != "pause")
    loader.start()
    for job in ("a", "pause", "dropped"):
        loader.put(job)
    loader.finish()
    assert seen == ["a", "pause"] and loader.stopped and not loader.accepting

    def handle(job, turn):
        raise ValueError(f"cannot load {job} in {threading.current_thread().name}")

    loader = FileLoader(handle)
    loader.start()
    with pytest.raises(ValueError, match="cannot load b in import-loader"):
        loader.put("b")
        loader.finish()


@pytest.mark.django_db(transaction=True)
def test_a_failure_while_loading_fails_that_file_only_and_retry_failed_completes_the_run(
        clean_archive, monkeypatch):
    real = file_service.ingest_prepared
    source = ArchiveSource(str(clean_archive))
    files = source.list_files()
    failing = files[2]

    def fail_on_the_third_file(snapshot_text, *args, **kwargs):
        result = real(snapshot_text, *args, **kwargs)  # the rows are loaded, then the transaction must undo them
        if f"{failing.day}" in snapshot_text[:40]:
            raise OSError("disk full")
        return result

    monkeypatch.setattr(file_service, "ingest_prepared", fail_on_the_third_file)
    checkpoint = checkpoint_create(source=str(clean_archive))
    summary = archive_import(checkpoint=checkpoint, source=source, files=files, workers=1)
    checkpoint.refresh_from_db()
    # The files of that day (one per destination) rolled back and were written down; every other
    # file committed, whichever lane loaded it.
    failed = [f.key for f in files if f.day == failing.day]
    assert (summary.status, summary.failed_keys, summary.files_failed) == ("FAILED", failed, 2)
    assert (checkpoint.status, checkpoint.files_done, checkpoint.failed_files) == ("FAILED", 6, failed)
    assert [e["key"] for e in checkpoint.error_log] == failed
    assert all("OSError: disk full" in e["error"] for e in checkpoint.error_log)
    per_file = manifest(clean_archive)["files"]
    assert RideStatusSnapshot.objects.count() == sum(per_file[f.key]["valid_events"] for f in files
                                                     if f.key not in failed)
    issues = DataQualityLog.objects.filter(details__kind="file_failed").order_by("source_key")
    assert [i.source_key for i in issues] == failed and all("disk full" in i.description for i in issues)

    monkeypatch.setattr(file_service, "ingest_prepared", real)
    out = run_import(retry_failed=checkpoint.import_id)
    assert "0 corrupt, 0 failed" in out
    checkpoint.refresh_from_db()
    expected = manifest(clean_archive)["totals"]["valid_events"]
    assert (checkpoint.status, checkpoint.files_done, checkpoint.events_imported) == ("COMPLETED", 8, expected)
    assert checkpoint.failed_files == [] and checkpoint.stats_days == {}
    assert len(snapshot_rows()[0]) == expected
    assert ImportCheckpoint.objects.count() == 1


def test_two_lanes_load_files_side_by_side_and_commit_them_in_order():
    events, lock = [], threading.Lock()

    def handle(job, turn):
        name, pause = job
        with lock:
            events.append(("loaded", name))
        if name == "a":  # the first file is slow: the second one loads meanwhile and waits for its turn
            time.sleep(0.3)
        if not turn.wait():
            with lock:
                events.append(("rolled back", name))
            return False
        with lock:
            events.append(("committed", name))
        return not pause

    loader = FileLoader(handle, lanes=2)
    loader.start()
    for job in (("a", False), ("b", False), ("c", True), ("d", False), ("e", False)):
        loader.put(job)
    loader.finish()
    committed = [name for what, name in events if what == "committed"]
    assert committed == ["a", "b", "c"]  # file order; c said stop
    assert events.index(("loaded", "b")) < events.index(("committed", "a"))  # side by side
    # d was loaded next to c and rolled back when c stopped the run; e was never handled.
    assert ("committed", "d") not in events and ("loaded", "e") not in events
    assert loader.stopped and not loader.accepting


def test_a_file_waiting_for_its_turn_gives_way_when_asked_and_a_failure_rolls_later_files_back():
    order = []

    def handle(job, turn):
        if job == "a":
            time.sleep(0.6)  # b polls while it waits, and is told a is stuck on its locks
            order.append("a")
            return True
        try:
            turn.wait(blocked=lambda sessions: sessions == ["session a"])
        except YieldTurn:
            order.append("b gave way")
            assert turn.wait_free()
        order.append("b")
        return True

    def register_then_handle(job, turn):
        turn.register(f"session {job}")
        return handle(job, turn)

    loader = FileLoader(register_then_handle, lanes=2)
    loader.start()
    loader.put("a")
    loader.put("b")
    loader.finish()
    assert order == ["b gave way", "a", "b"]

    def fail_first(job, turn):
        if job == "a":
            time.sleep(0.2)
            raise OSError("disk full")
        order.append(("b's turn came", turn.wait()))
        return True

    order.clear()
    loader = FileLoader(fail_first, lanes=2)
    loader.start()
    with pytest.raises(OSError, match="disk full"):
        loader.put("a")
        loader.put("b")
        time.sleep(0.5)
        loader.put("c")
    loader.abandon()
    assert order == [("b's turn came", False)]  # b rolls back: no file after a failed one commits


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_a_later_file_holding_locks_an_earlier_one_needs_rolls_back_and_loads_again_after_it(
        clean_archive, tmp_path, monkeypatch, settings):
    """Two day files holding the same events (a day file copied over the next): the second file's
    rows lock the keys the first one inserts. The first file is held back, so the second loads
    first and waits for its turn holding those locks, and the first then waits on them. InnoDB
    cannot see that cycle (the second wait is in Python), so the second file has to give way."""
    settings.IMPORT_LOAD_LANES = 2
    archive = tmp_path / "archive"
    shutil.copytree(clean_archive, archive)
    source = ArchiveSource(str(archive))
    first, second = source.list_files()[:2]
    (archive / second.key).write_bytes((archive / first.key).read_bytes())
    real_load, real_check, checks = file_service._load_once, file_service._waits_on_lock, []
    loads = []

    def first_file_late(cp, group, *args, **kwargs):
        (prepared,) = group  # files load one by one here (IMPORT_LOAD_GROUP_ROWS = 1)
        loads.append(prepared.file.key)
        if loads.count(first.key) == 1 and prepared.file.key == first.key:  # whichever lane it is in:
            deadline = time.monotonic() + 30  # held back until the second file has loaded and waits
            while not checks and time.monotonic() < deadline:
                time.sleep(0.05)
        return real_load(cp, group, *args, **kwargs)

    def watched(sessions):
        checks.append(real_check(sessions))
        return checks[-1]

    monkeypatch.setattr(file_service, "_load_once", first_file_late)
    monkeypatch.setattr(file_service, "_waits_on_lock", watched)
    checkpoint = checkpoint_create(source=str(archive))
    started = time.monotonic()
    summary = archive_import(checkpoint=checkpoint, source=source, files=[first, second], workers=0)
    assert time.monotonic() - started < 30  # no lock wait timeout (50 s)
    assert checks[-1] is True  # the second file saw the first one stuck, and gave way
    assert len(loads) == 3  # first, second, then second again after the first committed
    events = manifest(archive)["files"][first.key]["valid_events"]
    assert (summary.status, summary.written, summary.duplicates) == ("COMPLETED", events, events)
    assert RideStatusSnapshot.objects.count() == events
