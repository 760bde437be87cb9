"""The one writer of observations: the collector and the importer both write only through here.

`ingest()` takes an iterable of normalized `Observation`s (each with its queue rows), refuses
the invalid ones (METRICS.md §1) and writes the rest in large batches, idempotently: a
(ride, recorded_at) that is already stored is skipped and counted as a duplicate. Memory stays
flat: at most one batch is held at a time.

On MySQL/MariaDB each batch goes in with `LOAD DATA LOCAL INFILE ... IGNORE` (the server's bulk
path); when the server refuses local files it falls back to a multi-row `INSERT IGNORE`. On
SQLite it uses `INSERT OR IGNORE`. A batch of snapshots and its queue rows commit together, and
inside a caller's `transaction.atomic()` they commit with the caller (the importer relies on
this to advance its checkpoint in the same commit).
"""
from __future__ import annotations

import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone
from typing import Iterable, Sequence

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from themepark.constants import MAX_VALID_WAIT_MINUTES

logger = logging.getLogger(__name__)

UTC = dt_timezone.utc
STATUSES = frozenset({"OPERATING", "DOWN", "CLOSED", "REFURBISHMENT"})
DATA_SOURCES = frozenset({"LIVE", "ARCHIVE"})
# Live feeds stamp observations with the source's clock; allow it to run slightly ahead of ours.
FUTURE_TOLERANCE = timedelta(minutes=5)

SNAPSHOT_COLUMNS = ("ride_id", "recorded_at", "status", "wait_time", "computed_is_open", "data_source")
QUEUE_COLUMNS = (
    "ride_id", "recorded_at", "queue_type", "wait_time_minutes", "return_time_start", "return_time_end",
    "state", "price_amount", "price_currency", "boarding_group_status", "boarding_group_current_start",
    "boarding_group_current_end", "next_allocation_time", "estimated_wait_minutes",
)


@dataclass(slots=True)
class QueueRow:
    """One queue of an observation; times are aware datetimes, prices in the smallest unit."""

    queue_type: str
    wait_time_minutes: int | None = None
    return_time_start: datetime | None = None
    return_time_end: datetime | None = None
    state: str | None = None
    price_amount: int | None = None
    price_currency: str | None = None
    boarding_group_status: str | None = None
    boarding_group_current_start: int | None = None
    boarding_group_current_end: int | None = None
    next_allocation_time: datetime | None = None
    estimated_wait_minutes: int | None = None


@dataclass(slots=True)
class Observation:
    """One normalized observation of a ride at `recorded_at` (an aware datetime)."""

    ride_id: int
    recorded_at: datetime
    status: str | None
    wait_time: int | None
    data_source: str
    computed_is_open: bool | None = None  # None: derived as status == OPERATING
    queues: Sequence[QueueRow] = ()


@dataclass
class IngestResult:
    written: int = 0
    duplicates: int = 0
    invalid: int = 0
    queue_rows: int = 0
    invalid_reasons: Counter = field(default_factory=Counter)

    def __iadd__(self, other: "IngestResult"):
        self.written += other.written
        self.duplicates += other.duplicates
        self.invalid += other.invalid
        self.queue_rows += other.queue_rows
        self.invalid_reasons.update(other.invalid_reasons)
        return self


def _wait_invalid(value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool) or not isinstance(value, int):
        return True
    return value < 0 or value > MAX_VALID_WAIT_MINUTES


def invalid_reason(obs: Observation, horizon: datetime) -> str | None:
    """Why `obs` must not be stored (METRICS.md §1), or None when it is valid."""
    if not obs.ride_id:
        return "missing ride"
    if obs.recorded_at is None:
        return "missing time"
    if obs.recorded_at > horizon:
        return "time in the future"
    if obs.status is not None and obs.status not in STATUSES:
        return "unknown status"
    if obs.data_source not in DATA_SOURCES:
        return "unknown data source"
    if _wait_invalid(obs.wait_time):
        return "wait time out of range"
    for q in obs.queues:
        if _wait_invalid(q.wait_time_minutes):
            return "wait time out of range"
    return None


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


def _rows(batch):
    """Snapshot and queue rows of a batch as tuples in column order."""
    snap_rows, queue_rows = [], []
    for obs in batch:
        at = _fmt_dt(obs.recorded_at)
        is_open = obs.computed_is_open if obs.computed_is_open is not None else obs.status == "OPERATING"
        snap_rows.append((obs.ride_id, at, obs.status, obs.wait_time, 1 if is_open else 0, obs.data_source))
        for q in obs.queues:
            queue_rows.append((
                obs.ride_id, at, q.queue_type, q.wait_time_minutes, _fmt_dt(q.return_time_start),
                _fmt_dt(q.return_time_end), q.state, q.price_amount, q.price_currency, q.boarding_group_status,
                q.boarding_group_current_start, q.boarding_group_current_end, _fmt_dt(q.next_allocation_time),
                q.estimated_wait_minutes,
            ))
    return snap_rows, queue_rows


def _fmt_dt(value):
    """Aware datetime -> naive UTC text as both backends store it; None stays None."""
    if value is None:
        return None
    if value.tzinfo is not UTC and value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ")


def _log_invalid(result, samples, *, source, source_key):
    from quality.services import quality_issue_record

    for reason, count in result.invalid_reasons.items():
        quality_issue_record(
            issue_type="INVALID", description=f"{count} observation(s) refused: {reason}",
            record_count=count, entity_type="OBSERVATION", source=source, source_key=source_key,
            details={"reason": reason, "examples": samples.get(reason, [])},
        )


# ---------------------------------------------------------------------------------------------
# Backends: submit(batch, result) writes a batch (or queues it), finish(result) drains.
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
        snap_rows, queue_rows = _rows(batch)
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            written = self._write(cursor, "ride_status_snapshots", SNAPSHOT_COLUMNS, snap_rows)
            queued = self._write(cursor, "queue_data", QUEUE_COLUMNS, queue_rows) if queue_rows else 0
        result.written += written
        result.duplicates += len(snap_rows) - written
        result.queue_rows += queued

    def finish(self, result):
        pass


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _tsv_field(value):
    if value is None:
        return NULL
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)


class _LoadDataWriter:
    """LOAD DATA LOCAL INFILE ... IGNORE, pipelined: while the server loads one batch (a worker
    thread waits on it, the GIL released), this thread formats the next. At most two batches
    are held. Outside a caller's transaction each batch commits on its own, snapshots with their
    queue rows; inside one, everything commits with the caller."""

    def __init__(self, connection):
        self.connection = connection
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
        self.pending = None
        self.tmpdir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None

    def submit(self, batch, result):
        snap_text = "".join(map(_snapshot_line, batch))
        queue_text = "".join(_queue_lines(batch))
        self._drain(result)
        self.connection.ensure_connection()
        own_transaction = not self.connection.in_atomic_block
        self.pending = (len(batch), self.pool.submit(self._load, snap_text, queue_text, own_transaction))

    def finish(self, result):
        try:
            self._drain(result)
        finally:
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

    def _load(self, snap_text, queue_text, own_transaction):
        raw = self.connection.connection
        cursor = raw.cursor()
        try:
            if own_transaction:
                cursor.execute("START TRANSACTION")
            written = self._load_file(cursor, "ride_status_snapshots", SNAPSHOT_COLUMNS, snap_text)
            queued = self._load_file(cursor, "queue_data", QUEUE_COLUMNS, queue_text) if queue_text else 0
            if own_transaction:
                raw.commit()
            return written, queued
        except BaseException:
            if own_transaction:
                raw.rollback()
            raise
        finally:
            cursor.close()

    def _load_file(self, cursor, table, columns, text):
        fd, path = tempfile.mkstemp(prefix="ingest-", suffix=".tsv", dir=self.tmpdir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            cursor.execute(
                f"LOAD DATA LOCAL INFILE %s IGNORE INTO TABLE {table} CHARACTER SET utf8mb4 "
                "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
                f"({', '.join(columns)})", [path])
            return cursor.rowcount
        finally:
            os.unlink(path)


def _snapshot_line(obs):
    # status and data_source are validated enums and the other fields numbers: nothing to escape.
    wait = NULL if obs.wait_time is None else obs.wait_time
    is_open = obs.computed_is_open if obs.computed_is_open is not None else obs.status == "OPERATING"
    return (f"{obs.ride_id}\t{_fmt_dt(obs.recorded_at)}\t{obs.status or NULL}\t{wait}\t"
            f"{1 if is_open else 0}\t{obs.data_source}\n")


def _queue_lines(batch):
    for obs in batch:
        if obs.queues:
            at = _fmt_dt(obs.recorded_at)
            for q in obs.queues:
                yield "\t".join(map(_tsv_field, (
                    obs.ride_id, at, q.queue_type, q.wait_time_minutes, _fmt_dt(q.return_time_start),
                    _fmt_dt(q.return_time_end), q.state, q.price_amount, q.price_currency,
                    q.boarding_group_status, q.boarding_group_current_start, q.boarding_group_current_end,
                    _fmt_dt(q.next_allocation_time), q.estimated_wait_minutes))) + "\n"


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
