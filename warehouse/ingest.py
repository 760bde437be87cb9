"""The one writer of observations: the collector and the importer both write only through here.

`ingest()` takes an iterable of normalized `Observation`s (each with its queue rows), refuses
the invalid ones (docs/metrics.md §1) and writes the rest in large batches, idempotently: a
(ride, recorded_at) that is already stored is skipped and counted as a duplicate. Memory stays
flat: at most one batch is held at a time.

On MySQL/MariaDB each batch goes in with `LOAD DATA LOCAL INFILE ... IGNORE` (the server's bulk
path); when the server refuses local files it falls back to a multi-row `INSERT IGNORE`. On
SQLite it uses `INSERT OR IGNORE`. A batch of snapshots and its queue rows commit together, and
inside a caller's `transaction.atomic()` they commit with the caller (the importer relies on
this to advance its checkpoint in the same commit).

`ingest_prepared()` takes rows already validated and formatted as TSV lines by `warehouse.rows`
(the DB-free home of the row types, the validation limits and the line format, which the
archive importer's worker processes use without Django) and writes them the same way.
"""
from __future__ import annotations

import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Iterable

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from .rows import (  # noqa: F401  (the public names of the writer live in rows.py, DB-free)
    DATA_SOURCES, FUTURE_TOLERANCE, QUEUE_COLUMNS, QUEUE_WAIT_COLUMNS, SNAPSHOT_COLUMNS, STATUSES, UTC, IngestResult,
    Observation,
    QueueRow, invalid_reason, parse_lines, queue_lines, row_tuples, snapshot_line, utc_text,
)
from .problems import problem_report

logger = logging.getLogger(__name__)


def ingest(observations: Iterable[Observation], *, batch_size: int | None = None, now: datetime | None = None,
           log_invalid: bool = True, source: str = "SYSTEM", source_key: str = "",
           using: str = "default") -> IngestResult:
    """Validate and write observations; return written / duplicate / invalid counts.

    With `log_invalid`, refused observations are summarised in the quality log (one INVALID
    entry per reason); callers that keep their own record pass `log_invalid=False` and read
    `result.invalid_reasons`.
    """
    batch_size = batch_size or settings.INGEST_BATCH_SIZE
    horizon = (now or timezone.now()) + FUTURE_TOLERANCE
    result = IngestResult()
    samples: dict[str, list] = {}
    batch: list[Observation] = []
    writer = _writer_for(connections[using])
    try:
        for obs in observations:
            reason = invalid_reason(obs, horizon)
            if reason:
                result.invalid += 1
                result.invalid_reasons[reason] += 1
                examples = samples.setdefault(reason, [])
                if len(examples) < 5:
                    examples.append({"ride_id": obs.ride_id, "recorded_at": str(obs.recorded_at),
                                     "status": obs.status, "wait_time": obs.wait_time})
                continue
            batch.append(obs)
            if len(batch) >= batch_size:
                writer.submit(batch, result)
                batch = []
        if batch:
            writer.submit(batch, result)
    finally:
        writer.finish(result)
    if result.invalid and log_invalid:
        _log_invalid(result, samples, source=source, source_key=source_key)
    return result


def ingest_prepared(snapshot_text: str, queue_text: str = "", *, rows: int, queue_wait_text: str = "",
                    using: str = "default") -> IngestResult:
    """Write rows already validated and formatted as TSV lines (`warehouse.rows`), e.g. by the
    archive importer's worker processes, so the caller's thread only waits on the server.
    `queue_wait_text` holds wait-only queue rows in their short form (`queue_wait_tail`).

    `rows` is the number of snapshot lines (duplicates = rows - written). Like `ingest()` it
    skips stored (ride, recorded_at) rows and commits with a caller's `transaction.atomic()`.
    Without LOAD DATA (SQLite, local_infile off) the lines are parsed back into statement rows.
    """
    result = IngestResult()
    if not rows:
        return result
    writer = _writer_for(connections[using])
    try:
        written, queued = writer.write_text(snapshot_text, queue_text, queue_wait_text)
    finally:
        writer.finish(result)
    result.written, result.duplicates, result.queue_rows = written, rows - written, queued
    return result


def _log_invalid(result, samples, *, source, source_key):
    for reason, count in result.invalid_reasons.items():
        problem_report(
            issue_type="INVALID", description=f"{count} observation(s) refused: {reason}",
            record_count=count, entity_type="OBSERVATION", source=source, source_key=source_key,
            details={"reason": reason, "examples": samples.get(reason, [])},
        )


# ---------------------------------------------------------------------------------------------
# Backends: submit(batch, result) writes a batch (or queues it), finish(result) drains;
# write_text(snapshot_text, queue_text, queue_wait_text) -> (written, queue rows) writes prepared
# lines at once.
# ---------------------------------------------------------------------------------------------
class _StatementWriter:
    """Row-by-row parameters folded into one statement per table and batch (SQLite, or MySQL
    without local files: mysqlclient turns executemany of an INSERT into multi-row INSERTs)."""

    def __init__(self, connection, verb):
        self.connection = connection
        self.verb = verb

    def _write(self, cursor, table, columns, rows):
        cursor.executemany(f"{self.verb} INTO {table} ({', '.join(columns)}) "
                           f"VALUES ({', '.join(['%s'] * len(columns))})", rows)
        return max(cursor.rowcount, 0)

    def submit(self, batch, result):
        snap_rows, queue_rows = row_tuples(batch)
        written, queued = self._write_rows(snap_rows, queue_rows)
        result.written += written
        result.duplicates += len(snap_rows) - written
        result.queue_rows += queued

    def write_text(self, snap_text, queue_text, queue_wait_text=""):
        padding = (None,) * (len(QUEUE_COLUMNS) - len(QUEUE_WAIT_COLUMNS))
        queue_rows = parse_lines(queue_text) + [row + padding for row in parse_lines(queue_wait_text)]
        return self._write_rows(parse_lines(snap_text), queue_rows)

    def _write_rows(self, snap_rows, queue_rows):
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            written = self._write(cursor, "ride_status_snapshots", SNAPSHOT_COLUMNS, snap_rows)
            queued = self._write(cursor, "queue_data", QUEUE_COLUMNS, queue_rows) if queue_rows else 0
        return written, queued

    def finish(self, result):
        pass


class _LoadDataWriter:
    """LOAD DATA LOCAL INFILE ... IGNORE, pipelined: while the server loads one batch (a worker
    thread waits on it, the GIL released), this thread formats the next. At most two batches
    are held. Outside a caller's transaction each batch commits on its own, snapshots with their
    queue rows; inside one, everything commits with the caller."""

    def __init__(self, connection):
        self.connection = connection
        self.pool = None  # made on the first pipelined batch; write_text() needs none
        self.pending = None
        self.tmpdir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None

    def submit(self, batch, result):
        snap_text = "".join(map(snapshot_line, batch))
        queue_text = "".join(queue_lines(batch))
        self._drain(result)
        self.connection.ensure_connection()
        own_transaction = not self.connection.in_atomic_block
        self.pool = self.pool or ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
        self.pending = (len(batch), self.pool.submit(self._load, snap_text, queue_text, own_transaction))

    def write_text(self, snap_text, queue_text, queue_wait_text=""):
        self.connection.ensure_connection()
        return self._load(snap_text, queue_text, not self.connection.in_atomic_block, queue_wait_text)

    def finish(self, result):
        try:
            self._drain(result)
        finally:
            if self.pool:
                self.pool.shutdown(wait=True)

    def _drain(self, result):
        if self.pending is None:
            return
        count, future = self.pending
        self.pending = None
        written, queued = future.result()
        result.written += written
        result.duplicates += count - written
        result.queue_rows += queued

    def _load(self, snap_text, queue_text, own_transaction, queue_wait_text=""):
        raw = self.connection.connection
        cursor = raw.cursor()
        try:
            if own_transaction:
                cursor.execute("START TRANSACTION")
            written = self._load_file(cursor, "ride_status_snapshots", SNAPSHOT_COLUMNS, snap_text, ignore=False)
            queued = self._load_file(cursor, "queue_data", QUEUE_COLUMNS, queue_text) if queue_text else 0
            if queue_wait_text:
                queued += self._load_file(cursor, "queue_data", QUEUE_WAIT_COLUMNS, queue_wait_text)
            if own_transaction:
                raw.commit()
            return written, queued
        except BaseException:
            if own_transaction:
                raw.rollback()
            raise
        finally:
            cursor.close()

    def _load_file(self, cursor, table, columns, text, *, ignore=True):
        """LOAD DATA LOCAL skips rows whose key is stored already (the server cannot stop a local
        file midway, so duplicates are never an error). IGNORE also turns a value the column
        refuses (a free-text queue state too long, say) into a warning instead of failing the
        batch; snapshot lines hold only validated enums and numbers, so they load without it,
        which spares the server some per-row work (15-20% on one bulk load of sorted rows)."""
        fd, path = tempfile.mkstemp(prefix="ingest-", suffix=".tsv", dir=self.tmpdir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            cursor.execute(
                f"LOAD DATA LOCAL INFILE %s {'IGNORE ' if ignore else ''}INTO TABLE {table} CHARACTER SET utf8mb4 "
                "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
                f"({', '.join(columns)})", [path])
            return cursor.rowcount
        finally:
            os.unlink(path)


def _local_infile_enabled(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@GLOBAL.local_infile")
        return bool(cursor.fetchone()[0])


def _writer_for(connection):
    if connection.vendor == "mysql":
        method = settings.INGEST_METHOD
        if method == "load_data" or (method == "auto" and _local_infile_enabled(connection)):
            return _LoadDataWriter(connection)
        return _StatementWriter(connection, "INSERT IGNORE")
    if connection.vendor == "sqlite":
        return _StatementWriter(connection, "INSERT OR IGNORE")
    raise NotImplementedError(f"warehouse.ingest does not support the {connection.vendor} backend")
