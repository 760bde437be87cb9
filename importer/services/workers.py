"""One import run shared by several worker processes, on one host or many (`import_archive --worker`).

The run's day files are its plan (`PlannedFile`, one row per file, made once by the worker that
creates the run). Each worker:

- holds the run's locks (`import:<id>` and `dest:<destination>`) together with the run's other
  workers, under a token derived from the run id (`themepark.locks`, `shared_token`): another run
  or a single-process `--resume` of this one is refused while any worker lives;
- holds a lock of its own, `worker:<id>:<random>`, whose token marks the files it claims;
- claims one PENDING file at a time (`SELECT ... FOR UPDATE SKIP LOCKED`, then `claimed_by` = its
  token, committed at once), reads, maps and loads it, and commits the rows, the checkpoint's
  counters and the plan row's DONE (or FAILED) in the file's one transaction (`files.file_commit`);
  that commit requires the claim to be still its own, so a worker that lost its lease writes nothing;
- gives back the files of dead workers: a CLAIMED file whose worker's lock lease has run out
  (`tokens_held`) goes back to PENDING, for any worker to take;
- stops at a file boundary when the run is paused or cancelled (its claimed file goes back to PENDING).

When nothing is left to claim and no live worker holds a file, the worker that gets the run's
`finish:<id>` lock recomputes the statistics of what every worker committed and ends the run as a
single-process run does (`run.run_finish`). On Galera a claim made on two nodes at once fails one
of them at certification (a deadlock error): it is tried again.
"""
from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from themepark.locks import JobLock, LockBusy, LockLost, tokens_held

from ..choices import RESUMABLE, ImportStatus
from ..models import ImportCheckpoint, PlannedFile
from ..parser import read_and_parse
from .checkpoints import checkpoint_create, new_import_id
from .files import file_commit, file_prepare
from .resolver import EntityResolver
from .run import ImportBusy, RunSummary, _busy_message, run_finish

IDLE_POLL_SECONDS = 1.0  # how often a worker with nothing to claim looks for files of dead workers
CLAIM_RETRIES = 5


def run_token(import_id: str) -> str:
    """The lock token the workers of one run share."""
    return hashlib.sha256(f"import-run:{import_id}".encode()).hexdigest()[:32]


@dataclass
class WorkerLocks:
    """The run's shared locks and the worker's own; `ensure_held()` checks both."""

    shared: JobLock
    own: JobLock

    def ensure_held(self):
        self.shared.ensure_held()
        self.own.ensure_held()


def plan_create(cp: ImportCheckpoint, files) -> int:
    """The run's plan: one PENDING row per day file not yet committed (a run that a single process
    started keeps what it committed). Idempotent."""
    if cp.planned_files.exists():
        return cp.planned_files.count()
    done_before = cp.last_file
    failed = set(cp.failed_files)
    rows = [PlannedFile(checkpoint=cp, key=f.key) for f in files if f.key > done_before or f.key in failed]
    PlannedFile.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def worker_import(*, checkpoint: ImportCheckpoint | None = None, new: dict | None = None, source, files,
                  progress=None, statistics: bool = True, retry_failed: bool = False) -> RunSummary:
    """Work on the run `checkpoint` (or a new one made from `new`) as one of its workers, until no
    file is left or the run is paused or cancelled. The summary counts this worker's files; its
    status is the run's when this worker finished the run."""
    import_id = checkpoint.import_id if checkpoint is not None else new_import_id()
    destinations = sorted({f.destination_id for f in files})
    shared = JobLock(f"import:{import_id}", *[f"dest:{d}" for d in destinations], shared_token=run_token(import_id),
                     purpose=f"import {import_id} workers")
    own = JobLock(f"worker:{import_id}:{uuid.uuid4().hex[:12]}", purpose=f"import {import_id} worker")
    try:
        shared.acquire()
    except LockBusy as exc:
        raise ImportBusy(_busy_message(exc.args[0], checkpoint)) from None
    own.acquire()
    locks = WorkerLocks(shared, own)
    try:
        created = checkpoint is None
        if created:
            checkpoint = checkpoint_create(import_id=import_id, **new)
        plan_create(checkpoint, files)
        _start(checkpoint, files, retry_failed, created)
        summary = _work(checkpoint, source, {f.key: f for f in files}, locks, progress)
        if summary.status in (ImportStatus.IN_PROGRESS, ImportStatus.CANCELLED):
            _finish(checkpoint, summary, statistics, locks)
        return summary
    finally:
        own.release()
        shared.release(keep=_others_alive(import_id))  # the last worker out frees the run's locks


def _start(cp, files, retry_failed, created=False):
    """The worker that finds the run stopped (PENDING, PAUSED, FAILED) starts it again: its
    failed files are read again; a worker joining a running run just joins. The worker that has
    just created the run starts it only from PENDING: a pause or cancel made meanwhile stands."""
    if cp.status == ImportStatus.IN_PROGRESS:
        return
    startable = [ImportStatus.PENDING] if created else RESUMABLE
    started = ImportCheckpoint.objects.filter(pk=cp.pk, status__in=startable).exclude(
        status=ImportStatus.IN_PROGRESS).update(
        status=ImportStatus.IN_PROGRESS, files_total=cp.planned_files.count() + _done_before(cp), finished_at=None,
        started_at=cp.started_at or timezone.now(), updated_at=timezone.now())
    if started:
        cp.planned_files.filter(status=PlannedFile.Status.FAILED).update(status=PlannedFile.Status.PENDING)
        if files:
            from warehouse.services import partitions_ensure

            partitions_ensure(since=min(f.day for f in files) - timedelta(days=1))
    cp.refresh_from_db()
    if cp.status != ImportStatus.IN_PROGRESS:
        raise ImportBusy(f"import {cp.import_id} is {cp.status}: "
                         + ("it was stopped before it started" if created else "nothing to resume"))


def _done_before(cp) -> int:
    """Files a single process committed before the plan was made (they are not in it)."""
    return max(0, cp.files_done - cp.planned_files.filter(status=PlannedFile.Status.DONE).count())


def _work(cp, source, by_key, locks, progress) -> RunSummary:
    summary = RunSummary(import_id=cp.import_id)
    started = time.monotonic()
    resolver = EntityResolver()
    now = timezone.now()
    max_bytes = settings.IMPORT_MAX_FILE_MB * 1024 * 1024
    token = locks.own.token
    while True:
        locks.ensure_held()
        reclaim_dead(cp)
        planned = claim_next(cp, token, locks.own.owner)
        if planned is None:
            if not _claimed_by_others(cp, token):
                break
            time.sleep(IDLE_POLL_SECONDS)  # live workers hold the last files: wait, they may die
            continue
        archive_file = by_key.get(planned.key)
        if archive_file is None:  # the plan names a file this worker's listing did not find
            _give_back(planned, token)
            raise ImportBusy(f"file {planned.key} of the run's plan is not in this worker's source")
        parsed = read_and_parse(source, archive_file.key, now, True, max_bytes)
        prepared = file_prepare(archive_file=archive_file, parsed=parsed, resolver=resolver)
        prepared.claim = (planned.pk, token)
        if not file_commit(prepared, checkpoint=cp, summary=summary, started=started, progress=progress,
                           lock=locks):
            _give_back(planned, token)  # paused or cancelled: the file is still to do
            break
    summary.seconds = time.monotonic() - started
    summary.park_ids = resolver.park_ids
    return summary


def claim_next(cp, token: str, worker: str = "") -> PlannedFile | None:
    """Claim the first PENDING file of the plan for `token` (committed at once), or None."""
    for attempt in range(CLAIM_RETRIES):
        try:
            with transaction.atomic():
                planned = (PlannedFile.objects.select_for_update(skip_locked=True)
                           .filter(checkpoint=cp, status=PlannedFile.Status.PENDING).order_by("key").first())
                if planned is None:
                    return None
                PlannedFile.objects.filter(pk=planned.pk).update(
                    status=PlannedFile.Status.CLAIMED, claimed_by=token, worker=worker[:255],
                    claims=planned.claims + 1, updated_at=timezone.now())
            return planned
        except OperationalError as exc:  # Galera: the same row claimed through another node won
            if not exc.args or exc.args[0] not in (1213, 1205) or attempt == CLAIM_RETRIES - 1:
                raise
    return None


def reclaim_dead(cp) -> int:
    """CLAIMED files of workers whose lock lease has run out go back to PENDING."""
    tokens = set(cp.planned_files.filter(status=PlannedFile.Status.CLAIMED).values_list("claimed_by", flat=True))
    dead = tokens - tokens_held(tokens)
    if not dead:
        return 0
    return cp.planned_files.filter(status=PlannedFile.Status.CLAIMED, claimed_by__in=dead).update(
        status=PlannedFile.Status.PENDING, claimed_by="", updated_at=timezone.now())


def _claimed_by_others(cp, token) -> bool:
    return cp.planned_files.filter(status=PlannedFile.Status.CLAIMED).exclude(claimed_by=token).exists()


def _give_back(planned, token):
    PlannedFile.objects.filter(pk=planned.pk, claimed_by=token, status=PlannedFile.Status.CLAIMED).update(
        status=PlannedFile.Status.PENDING, claimed_by="", updated_at=timezone.now())


def _others_alive(import_id) -> bool:
    """Does another worker of the run still hold its lock?"""
    from themepark.models import JobLock as LockRow

    tokens = LockRow.objects.filter(name__startswith=f"worker:{import_id}:").values_list("token", flat=True)
    return bool(tokens_held(list(tokens)))


def _finish(cp, summary, statistics, locks) -> bool:
    """Nothing left to claim (or the run was cancelled): the worker holding `finish:<id>` ends the
    run (statistics of what was committed, status); True when this worker did."""
    try:
        finisher = JobLock(f"finish:{cp.import_id}", purpose=f"import {cp.import_id} statistics")
        finisher.acquire()
    except LockBusy:
        return False
    try:
        cp.refresh_from_db()
        cancelled = cp.status == ImportStatus.CANCELLED
        if cancelled and not cp.stats_days:
            return False  # another worker recomputed them
        if not cancelled and (cp.status != ImportStatus.IN_PROGRESS or cp.planned_files.exclude(
                status__in=[PlannedFile.Status.DONE, PlannedFile.Status.FAILED]).exists()):
            return False
        locks.ensure_held()
        run_finish(cp, summary, statistics, cancelled)
        summary.failed_keys = list(cp.failed_files)
        return True
    except LockLost:
        raise
    finally:
        finisher.release()
