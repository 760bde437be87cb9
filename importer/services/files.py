"""One day file of an import run: prepared on the main thread, committed on the loader thread.

`file_prepare` (main thread) maps the file's entities to rides and puts the ride ids in front of
the line tails the worker formatted. Mapping decisions (rides, RideMapping rows, renames) commit
in their own transaction on the main thread's connection before the file is handed on, so a
mapping is never half made; a run killed after that commit finds the mapping on resume. Workers
of one run meeting the same new destination, park or ride at once race to make it: the one whose
mapping commits second meets a unique key, rolls back and reads the winner's rows.

`file_commit` (a loader thread, its own connection) is the unit of work: the file's rows, its
quality-log entries and the checkpoint's counters and cursor commit in ONE transaction, so a
run killed at any instant resumes with nothing lost and nothing doubled. Files load side by side
but commit in file order (`loader.Turn`): the checkpoint is updated only once every earlier file
has committed. It reads the run's status before loading and again, locked, just before its
commit: pause and cancel take effect at this file boundary.

Consecutive files may load as one group (`run.py`, IMPORT_LOAD_GROUP_ROWS events, 60,000 by
default): their rows, quality-log entries and the checkpoint's advance over all of them commit in
one transaction, which costs the server less than a transaction and three loads per small file.
Pause and cancel then take effect at the group's boundary. A group whose load fails rolls back and
its files are committed one by one, so a bad file still fails alone.

A file is also the unit of failure: whatever goes wrong while reading, parsing (`parser.
read_and_parse`), mapping (`file_prepare`) or loading it (`file_commit`) is caught here. Its rows
roll back; in its turn the file is written down as failed (checkpoint `failed_files` and
`error_log`, one quality-log entry with its key and the reason) and the run goes on;
`import_archive --retry-failed` reads those files again.

The park-days a file changed are stored with the checkpoint in the file's own transaction
(`stats_days`, per park the UTC file days as ranges), so the statistics of a run follow exactly
what it committed, over every process that worked on it (`run.py`).

Just before each commit the run checks that it still holds its lock (`lock.ensure_held()`): a run
whose lease was lost rolls the file back and stops (LockLost), so it never writes next to the run
that took its place.
"""
from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from themepark.models import Ride
from warehouse.aggregation.runs import is_lock_error
from warehouse.ingest import IngestResult, ingest_prepared
from warehouse.observations import observations_delete_range
from warehouse.rows import prefix_lines

from ..archive import ArchiveFile
from ..run_locks import LockLost
from ..choices import ImportStatus
from ..models import ImportCheckpoint, PlannedFile
from ..parser import DUPLICATES, ParsedFile
from .loader import SOLO, Turn, YieldTurn
from .quality import file_failure_record, file_problems_record

ERROR_LOG_KEEP = 50
LOCK_RETRIES = 5


@dataclass
class PreparedFile:
    """A day file ready to load: the TSV texts of its snapshots and queue rows, with ride ids."""

    file: ArchiveFile
    parsed: ParsedFile  # problems and counts; its blocks are dropped once joined
    # Per ride, in ride order: (ride id, snapshot lines, queue lines, wait-only queue lines in their
    # short form), joined when loaded (`_texts`), with the other files of its group by ride.
    lines: list = field(default_factory=list)
    rows: int = 0
    skipped: int = 0  # events of entities rejected by staff
    ride_ids: tuple = ()
    park_ids: tuple = ()  # parks of the rides it loads: their statistics follow
    rides_created: int = 0
    review: int = 0
    claim: tuple = ()  # (PlannedFile pk, worker token) when a `--worker` claimed it from the run's plan


def file_prepare(*, archive_file: ArchiveFile, parsed: ParsedFile, resolver) -> PreparedFile:
    """Resolve entities to rides (committing the mapping decisions) and prefix the lines. A
    failure fails this file only (`read_error` says why); the run goes on."""
    if parsed.read_error:
        return PreparedFile(archive_file, parsed)
    for attempt in range(LOCK_RETRIES):
        created, review = resolver.rides_created, resolver.review
        try:
            with transaction.atomic():
                ride_ids = resolver.ride_ids(parsed.entities)
            break
        except Exception as exc:  # noqa: BLE001 - the file fails, the run goes on
            resolver.reset()  # rolled back: cached decisions may name rows that do not exist
            if attempt < LOCK_RETRIES - 1 and (isinstance(exc, IntegrityError) or is_lock_error(exc)):
                continue  # another process of the run made the same destination, park or ride first: read it
            parsed.read_error, parsed.blocks = f"mapping: {type(exc).__name__}: {exc}"[:500], []
            return PreparedFile(archive_file, parsed)
    lines, rows, skipped = [], 0, 0
    # In primary-key order (ride, then time within each block): the server walks its index forward.
    ordered = sorted(zip(ride_ids, parsed.blocks), key=lambda pair: -1 if pair[0] is None else pair[0])
    for ride_id, (snapshot_block, queue_block, count, wait_block) in ordered:
        if ride_id is None:  # entity rejected by staff
            skipped += count
            continue
        lines.append((ride_id, prefix_lines(ride_id, snapshot_block), prefix_lines(ride_id, queue_block),
                      prefix_lines(ride_id, wait_block)))
        rows += count
    parsed.blocks = []
    parks = tuple(sorted({resolver.ride_parks[r] for r in ride_ids if r is not None}))
    return PreparedFile(archive_file, parsed, lines=lines, rows=rows, skipped=skipped, ride_ids=tuple(ride_ids),
                        park_ids=parks, rides_created=resolver.rides_created - created, review=resolver.review - review)


def file_commit(job: PreparedFile | list, turn: Turn = SOLO, *, checkpoint: ImportCheckpoint, summary,
                started: float, progress=None, total: int = 0, lock=None) -> bool:
    """Commit one prepared file, or a group of consecutive ones (`file_group`: a list) in one
    transaction, in its turn (`loader.Turn`); False (nothing written) when the run was paused or
    cancelled, or the loader stopped. A group whose load fails is rolled back and its files are
    committed one by one, so that a bad file fails alone."""
    group = job if isinstance(job, list) else [job]
    if len(group) > 1:
        if not _running(checkpoint, summary):
            return False
        turn.register(_session(connection))
        loaded = _try_load(checkpoint, group, summary, started, turn, lock)
        if not isinstance(loaded, str):  # else rolled back: each file again on its own
            for prepared in group if loaded else ():
                _counted(prepared, summary, progress, total)
            return loaded
    return all(_commit_one(prepared, turn, checkpoint, summary, started, progress, total, lock) for prepared in group)


def _commit_one(prepared, turn, checkpoint, summary, started, progress, total, lock) -> bool:
    if not _running(checkpoint, summary):  # before loading anything
        return False
    archive_file, parsed = prepared.file, prepared.parsed
    turn.register(_session(connection))
    error = parsed.read_error
    if not error:
        loaded = _try_load(checkpoint, [prepared], summary, started, turn, lock)
        if loaded is False:
            return False
        error = "" if loaded is True else loaded
    if error:
        if not turn.wait_free() or not _running(checkpoint, summary):
            return False
        if lock is not None:
            lock.ensure_held()
        _record_failure(checkpoint, archive_file, error, prepared.claim)
        summary.files_failed += 1
    _counted(prepared, summary, progress, total)
    return True


def _try_load(cp, group, summary, started, turn, lock) -> bool | str:
    """`_load`'s answer (True committed, False halted), or why the load failed and was rolled
    back. LockLost goes up: another process holds the run now, and no file has failed."""
    try:
        return _load(cp, group, summary, started, turn, lock)
    except LockLost:
        raise
    except Exception as exc:  # noqa: BLE001 - rolled back; the file (or the group) fails, the run goes on
        return f"load: {type(exc).__name__}: {exc}"[:500]


def _counted(prepared, summary, progress, total):
    summary.files += 1
    summary.days.append(prepared.file.day)
    if progress:
        progress("file", file=prepared.file, parsed=prepared.parsed, summary=summary, total=total)


class _Halted(Exception):
    """The run stopped while this file waited for its turn: roll its rows back."""


def _running(cp, summary, *, lock=False) -> bool:
    """Is the run still IN_PROGRESS? With `lock`, inside the file's transaction, the row is read
    with FOR UPDATE: the latest committed status (a pause made while the file loaded counts), and
    the checkpoint stays this file's until it commits."""
    rows = ImportCheckpoint.objects.filter(pk=cp.pk)
    if lock:  # the lists this file's commit extends, as committed (workers of a run commit side by side)
        status, cp.failed_files, cp.stats_days, cp.last_file = rows.select_for_update().values_list(
            "status", "failed_files", "stats_days", "last_file").first() or (None, [], {}, "")
    else:
        status = rows.values_list("status", flat=True).first()
    if status != ImportStatus.IN_PROGRESS:
        summary.status = status
        return False
    return True


def _session(conn):
    """The server's id of this thread's connection (MySQL), for lock-wait checks between lanes."""
    if conn.vendor != "mysql":
        return None
    conn.ensure_connection()
    return conn.connection.thread_id()


def _waits_on_lock(sessions) -> bool:
    """Is any of these sessions waiting on a row lock (InnoDB's view of its transactions)?"""
    ids = [s for s in sessions if s is not None]
    if not ids or connection.vendor != "mysql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT' "
                       f"AND trx_mysql_thread_id IN ({', '.join(['%s'] * len(ids))})", ids)
        return cursor.fetchone()[0] > 0


def _load(cp, group, summary, started, turn, lock=None) -> bool:
    """Load the group's files, wait for its turn, advance the checkpoint, commit. When it has to
    let an earlier job go first (YieldTurn: at most once, its turn has come after), or InnoDB
    picked it to break a deadlock or timed out a lock wait, it rolls back, waits for its turn
    holding nothing, and loads again."""
    lock_errors = 0
    while True:
        try:
            _load_once(cp, group, summary, started, turn, lock)
            return True
        except _Halted:
            return False
        except YieldTurn:
            pass
        except OperationalError as exc:
            lock_errors += 1
            if not is_lock_error(exc) or lock_errors >= LOCK_RETRIES:
                raise
        if not turn.wait_free():
            return False


def _load_once(cp, group, summary, started, turn, lock=None):
    parsed_all = [prepared.parsed for prepared in group]
    rows = sum(prepared.rows for prepared in group)
    with transaction.atomic():
        if cp.replace:
            for prepared in group:
                _delete_day(prepared.file, prepared.ride_ids)
        if rows:
            snapshots, queues, waits = _texts(group)
            result = ingest_prepared(snapshots, queues, rows=rows, queue_wait_text=waits)
        else:
            result = IngestResult()
        for i, prepared in enumerate(group):  # what ingest refused is told once, with the group's first file
            file_problems_record(parsed=prepared.parsed, result=result if i == 0 else IngestResult(),
                                 archive_file=prepared.file, import_id=cp.import_id)
        if not turn.wait(blocked=_waits_on_lock) or not _running(cp, summary, lock=True):
            raise _Halted()
        if lock is not None:
            lock.ensure_held()  # LockLost rolls this group back: another process may hold the run now
        keys = {prepared.file.key for prepared in group}
        dup = sum(parsed.problems.get(DUPLICATES, {}).get("count", 0) for parsed in parsed_all) + result.duplicates
        bad = sum(parsed.refused for parsed in parsed_all) + result.invalid
        failed = [k for k in cp.failed_files if k not in keys]
        last_file = max(cp.last_file, *keys)
        written = summary.written + result.written
        stats_days = cp.stats_days
        for prepared in group:
            if (result.written and prepared.rows) or cp.replace:
                stats_days = park_days_add(stats_days, prepared.park_ids, prepared.file.day)
        ImportCheckpoint.objects.filter(pk=cp.pk).update(
            files_done=F("files_done") + len(group),
            files_corrupt=F("files_corrupt") + sum(parsed.unreadable for parsed in parsed_all),
            events_read=F("events_read") + sum(parsed.events_read for parsed in parsed_all),
            events_imported=F("events_imported") + result.written,
            duplicates=F("duplicates") + dup, invalid=F("invalid") + bad, last_file=last_file,
            failed_files=failed, rides_created=F("rides_created") + sum(p.rides_created for p in group),
            mappings_review=F("mappings_review") + sum(p.review for p in group), stats_days=stats_days,
            rate=round(written / max(time.monotonic() - started, 1e-6), 1), updated_at=timezone.now())
        for prepared in group:
            _plan_mark(cp, prepared.file.key, prepared.claim, PlannedFile.Status.DONE)
    cp.failed_files, cp.last_file, cp.stats_days = failed, last_file, stats_days
    summary.written = written
    summary.duplicates += dup
    summary.invalid += bad
    for prepared in group:
        summary.events_read += prepared.parsed.events_read
        summary.skipped += prepared.skipped
        summary.files_corrupt += prepared.parsed.unreadable
        summary.rides_created += prepared.rides_created
        summary.review += prepared.review


def _texts(group) -> tuple[str, str, str]:
    """The group's snapshot, queue and short queue lines, each ride's files one after the other
    (their days in order), rides in key order: every ride's rows of the group go into the index
    in one run, as a file's do."""
    merged = heapq.merge(*(prepared.lines for prepared in group), key=itemgetter(0))  # stable: file order
    snapshots, queues, waits = [], [], []
    for _, snapshot_lines, queue_lines, wait_lines in merged:
        snapshots.append(snapshot_lines)
        queues.append(queue_lines)
        waits.append(wait_lines)
    return "".join(snapshots), "".join(queues), "".join(waits)


def _record_failure(cp, archive_file, error, claim=()):
    """A failed file, in its turn: on the checkpoint (retried by --retry-failed) and in the quality log."""
    with transaction.atomic():
        cp.failed_files, cp.error_log, cp.last_file = ImportCheckpoint.objects.select_for_update().filter(
            pk=cp.pk).values_list("failed_files", "error_log", "last_file").first()
        failed = sorted(set(cp.failed_files) | {archive_file.key})
        error_log = (cp.error_log + [{"key": archive_file.key, "error": error[:500]}])[-ERROR_LOG_KEEP:]
        last_file = max(cp.last_file, archive_file.key)
        ImportCheckpoint.objects.filter(pk=cp.pk).update(
            failed_files=failed, error_log=error_log, errors=F("errors") + 1, last_file=last_file,
            updated_at=timezone.now())
        file_failure_record(archive_file=archive_file, error=error, import_id=cp.import_id)
        _plan_mark(cp, archive_file.key, claim, PlannedFile.Status.FAILED)
    cp.failed_files, cp.error_log, cp.last_file = failed, error_log, last_file


def _plan_mark(cp, key, claim, status):
    """The file's row in the run's plan, in the file's transaction. A worker's claim must still be
    its own (a worker whose lease ran out had its files reclaimed): else LockLost rolls it back."""
    if not claim:  # a single-process run of a run that has a plan keeps it up to date
        PlannedFile.objects.filter(checkpoint_id=cp.pk, key=key).update(status=status, claimed_by="")
    elif not PlannedFile.objects.filter(pk=claim[0], claimed_by=claim[1]).update(status=status, claimed_by=""):
        raise LockLost(f"file {key} was reclaimed from this worker after its lease ran out")


def park_days_add(stats_days: dict, park_ids, day) -> dict:
    """`stats_days` ({park id: [[first, last], ...]}, ISO UTC file days) with `day` added for each park."""
    out = {park: [list(r) for r in ranges] for park, ranges in (stats_days or {}).items()}
    text = day.isoformat()
    for park in park_ids:
        ranges = out.setdefault(str(park), [])
        for r in ranges:
            if r[0] <= text <= r[1]:
                break
        else:
            ranges.append([text, text])
            ranges.sort()
            merged = [ranges[0]]
            for first, last in ranges[1:]:  # neighbouring days join one range
                previous = merged[-1]
                if date.fromisoformat(first) - date.fromisoformat(previous[1]) <= timedelta(days=1):
                    previous[1] = max(previous[1], last)
                else:
                    merged.append([first, last])
            out[str(park)] = merged
    return out


def park_days(stats_days: dict) -> dict:
    """{park id: sorted park-local days} whose statistics the stored file days touch (a UTC file
    day reaches the park-local days either side)."""
    out = {}
    for park, ranges in (stats_days or {}).items():
        days = set()
        for first, last in ranges:
            day, end = date.fromisoformat(first) - timedelta(days=1), date.fromisoformat(last) + timedelta(days=1)
            while day <= end:
                days.add(day)
                day += timedelta(days=1)
        out[int(park)] = sorted(days)
    return out


def _delete_day(archive_file, ride_ids):
    """--replace: drop what is stored for the destination's rides on the file's UTC day."""
    ids = set(Ride.objects.filter(park__destination__themeparks_wiki_id=archive_file.destination_id)
              .values_list("pk", flat=True)) | {r for r in ride_ids if r}
    start = datetime.combine(archive_file.day, datetime.min.time())
    observations_delete_range(ride_ids=ids, start=start, end=start + timedelta(days=1))
