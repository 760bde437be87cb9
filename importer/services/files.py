"""One day file of an import run: prepared on the main thread, committed on the loader thread.

`file_prepare` (main thread) maps the file's entities to rides and puts the ride ids in front of
the line tails the worker formatted. Mapping decisions (rides, RideMapping rows, renames) commit
in their own transaction on the main thread's connection before the file is handed on, so a
mapping is never half made; a run killed after that commit finds the mapping on resume.

`file_commit` (loader thread, its own connection) is the unit of work: the file's rows, its
quality-log entries and the checkpoint's counters and cursor commit in ONE transaction, so a
run killed at any instant resumes with nothing lost and nothing doubled. It reads the run's
status first: pause and cancel take effect at this file boundary.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from warehouse.ingest import IngestResult, ingest_prepared
from warehouse.rows import prefix_lines

from ..archive import ArchiveFile
from ..choices import ImportStatus
from ..models import ImportCheckpoint
from ..parser import DUPLICATES, FUTURE_TIME, MISSING_FIELDS, WAIT_OUT_OF_RANGE, ParsedFile
from .quality import file_problems_record

ERROR_LOG_KEEP = 50
REFUSED_KINDS = (MISSING_FIELDS, WAIT_OUT_OF_RANGE, FUTURE_TIME)


@dataclass
class PreparedFile:
    """A day file ready to load: the TSV texts of its snapshots and queue rows, with ride ids."""

    file: ArchiveFile
    parsed: ParsedFile  # problems and counts; its blocks are dropped once joined
    snapshot_text: str = ""
    queue_text: str = ""
    queue_wait_text: str = ""  # wait-only queue rows, short form
    rows: int = 0
    skipped: int = 0  # events of entities rejected by staff
    ride_ids: tuple = ()
    rides_created: int = 0
    review: int = 0


def file_prepare(*, archive_file: ArchiveFile, parsed: ParsedFile, resolver) -> PreparedFile:
    """Resolve entities to rides (committing the mapping decisions) and prefix the lines."""
    if parsed.read_error:
        return PreparedFile(archive_file, parsed)
    created, review = resolver.rides_created, resolver.review
    try:
        with transaction.atomic():
            ride_ids = resolver.ride_ids(parsed.entities)
    except Exception:
        resolver.reset()  # rolled back: cached decisions may name rows that do not exist
        raise
    snapshots, queues, waits, rows, skipped = [], [], [], 0, 0
    # In primary-key order (ride, then time within each block): the server walks its index forward.
    ordered = sorted(zip(ride_ids, parsed.blocks), key=lambda pair: -1 if pair[0] is None else pair[0])
    for ride_id, (snapshot_block, queue_block, count, wait_block) in ordered:
        if ride_id is None:  # entity rejected by staff
            skipped += count
            continue
        snapshots.append(prefix_lines(ride_id, snapshot_block))
        queues.append(prefix_lines(ride_id, queue_block))
        waits.append(prefix_lines(ride_id, wait_block))
        rows += count
    parsed.blocks = []
    return PreparedFile(archive_file, parsed, snapshot_text="".join(snapshots), queue_text="".join(queues),
                        queue_wait_text="".join(waits), rows=rows, skipped=skipped, ride_ids=tuple(ride_ids),
                        rides_created=resolver.rides_created - created, review=resolver.review - review)


def file_commit(prepared: PreparedFile, *, checkpoint: ImportCheckpoint, summary, started: float,
                progress=None, total: int = 0) -> bool:
    """Commit one prepared file; False (nothing written) when the run was paused or cancelled."""
    status = ImportCheckpoint.objects.filter(pk=checkpoint.pk).values_list("status", flat=True).first()
    if status != ImportStatus.IN_PROGRESS:
        summary.status = status
        return False
    archive_file, parsed = prepared.file, prepared.parsed
    if parsed.read_error:
        _record_read_error(checkpoint, archive_file, parsed.read_error)
        summary.files_failed += 1
    else:
        _load(checkpoint, prepared, summary, started)
    summary.files += 1
    summary.days.append(archive_file.day)
    if progress:
        progress("file", file=archive_file, parsed=parsed, summary=summary, total=total)
    return True


def _load(cp, prepared, summary, started):
    archive_file, parsed = prepared.file, prepared.parsed
    with transaction.atomic():
        if cp.replace:
            _delete_day(archive_file, prepared.ride_ids)
        result = (ingest_prepared(prepared.snapshot_text, prepared.queue_text, rows=prepared.rows,
                                  queue_wait_text=prepared.queue_wait_text)
                  if prepared.rows else IngestResult())
        file_problems_record(parsed=parsed, result=result, archive_file=archive_file, import_id=cp.import_id)
        dup = parsed.problems.get(DUPLICATES, {}).get("count", 0) + result.duplicates
        bad = sum(parsed.problems.get(k, {}).get("count", 0) for k in REFUSED_KINDS) + result.invalid
        failed = [k for k in cp.failed_files if k != archive_file.key]
        last_file = max(cp.last_file, archive_file.key)
        written = summary.written + result.written
        ImportCheckpoint.objects.filter(pk=cp.pk).update(
            files_done=F("files_done") + 1, files_corrupt=F("files_corrupt") + int(parsed.unreadable),
            events_read=F("events_read") + parsed.events_read, events_imported=F("events_imported") + result.written,
            duplicates=F("duplicates") + dup, invalid=F("invalid") + bad, last_file=last_file,
            failed_files=failed, rides_created=F("rides_created") + prepared.rides_created,
            mappings_review=F("mappings_review") + prepared.review,
            rate=round(written / max(time.monotonic() - started, 1e-6), 1), updated_at=timezone.now())
    cp.failed_files, cp.last_file = failed, last_file
    summary.written = written
    summary.duplicates += dup
    summary.invalid += bad
    summary.events_read += parsed.events_read
    summary.skipped += prepared.skipped
    summary.files_corrupt += parsed.unreadable
    summary.rides_created += prepared.rides_created
    summary.review += prepared.review


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
