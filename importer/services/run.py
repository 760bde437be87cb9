"""One archive import run: list -> parse (worker processes) -> map -> ingest, file by file.

Safety: a day file is the unit of work. Its observations, its quality-log entries, any rides or
mappings it creates and the checkpoint's counters/cursor commit in ONE transaction, so a run
killed at any instant resumes (`--resume`) with nothing lost and nothing doubled. Destination
locks die with the process (see `importer.locks`). Pause/cancel are read at every file boundary.
Parsing runs in 1-2 worker processes, at most `workers + 1` files ahead, so memory stays flat.
"""
from __future__ import annotations

import multiprocessing
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone
from itertools import islice

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from warehouse.ingest import IngestResult, Observation, QueueRow, ingest

from ..choices import RESUMABLE, ImportStatus
from ..locks import LockBusy, RunLocks
from ..models import ImportCheckpoint
from ..parser import read_and_parse
from .resolver import EntityResolver
from .quality import file_problems_record

UTC = dt_timezone.utc
ERROR_LOG_KEEP = 50


class ImportBusy(Exception):
    """The run cannot start: a destination is locked, or the checkpoint is not resumable."""


@dataclass
class RunSummary:
    import_id: str
    status: str = ImportStatus.IN_PROGRESS
    files: int = 0
    files_failed: int = 0
    files_corrupt: int = 0
    events_read: int = 0
    written: int = 0
    duplicates: int = 0
    invalid: int = 0
    skipped: int = 0
    rides_created: int = 0
    review: int = 0
    seconds: float = 0.0
    park_ids: set = field(default_factory=set)
    days: list = field(default_factory=list)
    stats_note: str = ""

    @property
    def rate(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0


def archive_import(*, checkpoint: ImportCheckpoint, source, files, workers: int = 1, progress=None,
                   now: datetime | None = None) -> RunSummary:
    """Import `files` (ArchiveFile, key order) for `checkpoint`, resuming after its cursor."""
    destinations = sorted({f.destination_id for f in files})
    locks = RunLocks([f"import:{checkpoint.import_id}"] + [f"dest:{d}" for d in destinations])
    try:
        locks.acquire()
    except LockBusy as exc:
        raise ImportBusy(_busy_message(exc.args[0], checkpoint)) from None
    try:
        return _run(checkpoint, source, files, workers, progress, now or timezone.now())
    finally:
        locks.release()


def _busy_message(lock_name, checkpoint):
    kind, _, value = lock_name.partition(":")
    running = [cp for cp in ImportCheckpoint.objects.filter(status=ImportStatus.IN_PROGRESS)
               .exclude(pk=checkpoint.pk) if kind == "dest" and (not cp.destinations or value in cp.destinations)]
    if kind == "import":
        return f"import {value} is already running in another process"
    holder = running[0].import_id if running else "another import"
    return f"destination {value} is being imported by {holder}; wait for it, or pause/cancel it"


def _run(cp, source, files, workers, progress, now):
    summary = RunSummary(import_id=cp.import_id)
    started = time.monotonic()
    claimed = ImportCheckpoint.objects.filter(pk=cp.pk, status__in=RESUMABLE).update(
        status=ImportStatus.IN_PROGRESS, files_total=len(files), finished_at=None, updated_at=timezone.now(),
        started_at=cp.started_at or timezone.now())
    cp.refresh_from_db()
    if not claimed:
        raise ImportBusy(f"import {cp.import_id} is {cp.status}: nothing to resume")
    retry = set(cp.failed_files)
    todo = [f for f in files if f.key > cp.last_file or f.key in retry]
    if todo:
        from warehouse.services import partitions_ensure

        partitions_ensure(since=min(f.day for f in todo) - timedelta(days=1))
    resolver = EntityResolver()
    stopped = None
    stream = _parsed(source, todo, workers, now)
    try:
        for archive_file, parsed in stream:
            status = ImportCheckpoint.objects.filter(pk=cp.pk).values_list("status", flat=True).first()
            if status != ImportStatus.IN_PROGRESS:
                stopped = status
                break
            if parsed.read_error:
                _record_read_error(cp, archive_file, parsed.read_error)
                summary.files_failed += 1
            else:
                try:
                    _load(cp, archive_file, parsed, resolver, now, summary, started)
                except Exception:
                    resolver.reset()  # the transaction rolled back: cached mappings may not exist
                    raise
            summary.files += 1
            summary.days.append(archive_file.day)
            if progress:
                progress("file", file=archive_file, parsed=parsed, summary=summary, total=len(todo))
    except BaseException as exc:
        ImportCheckpoint.objects.filter(pk=cp.pk).update(
            status=ImportStatus.FAILED, errors=F("errors") + 1, updated_at=timezone.now(),
            error_log=(cp.error_log + [{"key": "", "error": f"{type(exc).__name__}: {exc}"[:500]}])[-ERROR_LOG_KEEP:])
        raise
    finally:
        stream.close()
    summary.seconds = time.monotonic() - started
    summary.park_ids = resolver.park_ids
    cp.refresh_from_db()
    if stopped:
        summary.status = stopped
    else:
        summary.status = ImportStatus.FAILED if cp.failed_files else ImportStatus.COMPLETED
        ImportCheckpoint.objects.filter(pk=cp.pk).update(status=summary.status, finished_at=timezone.now(),
                                                          updated_at=timezone.now())
    summary.stats_note = _recompute_stats(summary)
    return summary


def _parsed(source, files, workers, now):
    """(file, ParsedFile) in order; workers parse at most `workers + 1` files ahead."""
    if not workers:
        for f in files:
            yield f, read_and_parse(source, f.key, now)
        return
    pool = multiprocessing.get_context("forkserver").Pool(workers)
    try:
        queue = deque()
        pending = iter(files)
        for f in islice(pending, workers + 1):
            queue.append((f, pool.apply_async(read_and_parse, (source, f.key, now))))
        while queue:
            f, result = queue.popleft()
            nxt = next(pending, None)
            if nxt is not None:
                queue.append((nxt, pool.apply_async(read_and_parse, (source, nxt.key, now))))
            yield f, result.get()
    finally:
        pool.terminate()
        pool.join()


def _observations(events, ride_ids, skipped):
    obs, qrow, archive = Observation, QueueRow, "ARCHIVE"
    for index, at, status, wait, queues in events:
        ride_id = ride_ids[index]
        if ride_id is None:  # entity rejected by staff
            skipped[0] += 1
            continue
        yield obs(ride_id, at, status, wait, archive, None, [qrow(*q) for q in queues] if queues else ())


def _load(cp, archive_file, parsed, resolver, now, summary, started):
    created, review = resolver.rides_created, resolver.review
    skipped = [0]
    with transaction.atomic():
        ride_ids = resolver.ride_ids(parsed.entities)
        if cp.replace:
            _delete_day(archive_file, ride_ids)
        result = ingest(_observations(parsed.events, ride_ids, skipped), log_invalid=False, now=now,
                        source="ARCHIVE", source_key=archive_file.key) if parsed.events else IngestResult()
        file_problems_record(parsed=parsed, result=result, archive_file=archive_file, import_id=cp.import_id)
        dup = parsed.problems.get("duplicate_events", {}).get("count", 0) + result.duplicates
        bad = sum(parsed.problems.get(k, {}).get("count", 0) for k in
                  ("event_missing_fields", "wait_time_out_of_range", "event_time_in_future")) + result.invalid
        summary.written += result.written
        summary.duplicates += dup
        summary.invalid += bad
        summary.events_read += parsed.events_read
        summary.skipped += skipped[0]
        summary.files_corrupt += parsed.unreadable
        summary.rides_created = resolver.rides_created
        summary.review = resolver.review
        elapsed = max(time.monotonic() - started, 1e-6)
        failed = [k for k in cp.failed_files if k != archive_file.key]
        cp.last_file = max(cp.last_file, archive_file.key)
        ImportCheckpoint.objects.filter(pk=cp.pk).update(
            files_done=F("files_done") + 1, files_corrupt=F("files_corrupt") + int(parsed.unreadable),
            events_read=F("events_read") + parsed.events_read, events_imported=F("events_imported") + result.written,
            duplicates=F("duplicates") + dup, invalid=F("invalid") + bad, last_file=cp.last_file,
            failed_files=failed, rides_created=F("rides_created") + resolver.rides_created - created,
            mappings_review=F("mappings_review") + resolver.review - review,
            rate=round(summary.written / elapsed, 1), updated_at=timezone.now())
    cp.failed_files = failed


def _record_read_error(cp, archive_file, error):
    cp.failed_files = sorted(set(cp.failed_files) | {archive_file.key})
    cp.error_log = (cp.error_log + [{"key": archive_file.key, "error": error[:500]}])[-ERROR_LOG_KEEP:]
    cp.last_file = max(cp.last_file, archive_file.key)
    ImportCheckpoint.objects.filter(pk=cp.pk).update(
        failed_files=cp.failed_files, error_log=cp.error_log, errors=F("errors") + 1, last_file=cp.last_file,
        updated_at=timezone.now())


def _delete_day(archive_file, ride_ids):
    """--replace: drop what is stored for the destination's rides on the file's UTC day."""
    from themepark.models import Ride

    ids = set(Ride.objects.filter(park__destination__themeparks_wiki_id=archive_file.destination_id)
              .values_list("pk", flat=True)) | {r for r in ride_ids if r}
    if not ids:
        return
    start = datetime.combine(archive_file.day, datetime.min.time())
    window = [start.isoformat(" "), (start + timedelta(days=1)).isoformat(" ")]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        for table in ("queue_data", "ride_status_snapshots"):
            cursor.execute(f"DELETE FROM {table} WHERE ride_id IN ({marks}) AND recorded_at >= %s AND recorded_at < %s",
                           [*sorted(ids), *window])


def _recompute_stats(summary) -> str:
    """Recompute statistics of the parks and park-local dates touched (statistics service)."""
    if not summary.written or not summary.park_ids or not summary.days:
        return ""
    try:
        from warehouse.services import stats_recompute
    except ImportError:
        return "statistics not recomputed: warehouse.services.stats_recompute is not available yet"
    # File days are UTC dates; a park-local date may sit one day either side.
    start, end = min(summary.days) - timedelta(days=1), max(summary.days) + timedelta(days=1)
    try:
        stats_recompute(park_ids=sorted(summary.park_ids), start=start, end=end)
    except Exception as exc:  # the rows are in; statistics can be rebuilt with aggregate_stats
        return f"statistics NOT recomputed ({type(exc).__name__}: {exc}); run aggregate_stats for {start}..{end}"
    return f"statistics recomputed for {len(summary.park_ids)} park(s), {start}..{end}"
