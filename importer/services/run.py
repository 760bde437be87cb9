"""One archive import run: list -> parse and format (worker processes) -> map -> load, file by file.

Three stages overlap: worker processes read, decompress, parse, validate and format each file
into TSV line tails (at most `workers + 1` files ahead); the main thread maps entities to rides
and prefixes the ride ids, gathering consecutive files into groups of at least
IMPORT_LOAD_GROUP_ROWS events (a file that failed or holds no rows goes alone); loader threads
(`loader.py`, two lanes on MySQL) load groups side by side and commit them in file order.

Safety: a day file (or a group of them) is the unit of work. Its observations, its quality-log
entries and the checkpoint's counters/cursor commit in ONE transaction (`files.file_commit`), so a run killed at
any instant resumes (`--resume`) with nothing lost and nothing doubled; mapping decisions commit
just before, on their own (`files.file_prepare`). The run and destination locks are leases its
process keeps renewing (`importer.run_locks`): a killed run's locks are free after the lease, and a
run that lost its locks stops at the next file commit, before writing more. Pause/cancel are read
at every file (group) boundary. Memory stays flat.

A new run's checkpoint is created only once its locks are held: a refused run leaves nothing.

Statistics follow the data: each file's park-days are committed with it (`stats_days`), so after
the files the run recomputes what every process of the run loaded, not only the last one. The
run stays IN_PROGRESS through its statistics and is COMPLETED (or FAILED, with failed files) only
after them; a run killed meanwhile is resumed like any other and recomputes them.
"""
from __future__ import annotations

import gc
import multiprocessing
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone
from functools import partial
from itertools import islice

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ..choices import RESUMABLE, ImportStatus
from ..run_locks import LockBusy, LockLost, RunLocks
from ..models import ImportCheckpoint, PlannedFile
from ..parser import read_and_parse
from .checkpoints import checkpoint_create, new_import_id
from .cleanup import stale_temp_files_remove
from .files import ERROR_LOG_KEEP, file_commit, file_prepare, park_days
from .loader import FileLoader
from .memory import memory_release
from .resolver import EntityResolver

UTC = dt_timezone.utc
STATS_ATTEMPTS = 3


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
    seconds: float = 0.0  # the import itself, statistics not included
    stats_seconds: float = 0.0  # recomputing statistics afterwards (the statistics engine's cost)
    park_ids: set = field(default_factory=set)
    days: list = field(default_factory=list)
    stats_note: str = ""
    failed_keys: list = field(default_factory=list)  # every failed file of the run (all its processes)

    @property
    def rate(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0


def archive_import(*, checkpoint: ImportCheckpoint | None = None, new: dict | None = None, source, files,
                   workers: int = 1, progress=None, now: datetime | None = None, statistics: bool = True,
                   retry_failed: bool = False) -> RunSummary:
    """Import `files` (ArchiveFile, key order) for `checkpoint`, resuming after its cursor (with
    `retry_failed`: only its failed files), or for a new run made from `new` (checkpoint_create's
    arguments) once the locks are held; then, with `statistics`, recompute the statistics of the
    park-days the run changed."""
    import_id = checkpoint.import_id if checkpoint is not None else new_import_id()
    destinations = sorted({f.destination_id for f in files})
    locks = RunLocks([f"import:{import_id}"] + [f"dest:{d}" for d in destinations], purpose=f"import {import_id}")
    try:
        locks.acquire()
    except LockBusy as exc:
        raise ImportBusy(_busy_message(exc.args[0], checkpoint)) from None
    try:
        stale_temp_files_remove()
        if checkpoint is None:
            checkpoint = checkpoint_create(import_id=import_id, **new)
    except BaseException:
        locks.release()
        raise
    # What exists now (Django, the catalog's modules) lives as long as the process: the cyclic
    # collector's full passes over the objects the run makes need not walk it again each time.
    gc.freeze()
    try:
        return _run(checkpoint, source, files, workers, progress, now or timezone.now(), statistics, locks,
                    retry_failed)
    finally:
        gc.unfreeze()
        locks.release()


def _busy_message(lock_name, checkpoint):
    kind, _, value = lock_name.partition(":")
    others = ImportCheckpoint.objects.filter(status=ImportStatus.IN_PROGRESS)
    if checkpoint is not None:
        others = others.exclude(pk=checkpoint.pk)
    running = [cp for cp in others if kind == "dest" and (not cp.destinations or value in cp.destinations)]
    if kind == "import":
        return f"import {value} is already running in another process"
    holder = running[0].import_id if running else "another import"
    return f"destination {value} is being imported by {holder}; wait for it, or pause/cancel it"


def _run(cp, source, files, workers, progress, now, statistics, locks=None, retry_failed=False):
    summary = RunSummary(import_id=cp.import_id)
    started = time.monotonic()
    claimed = ImportCheckpoint.objects.filter(pk=cp.pk, status__in=RESUMABLE).update(
        status=ImportStatus.IN_PROGRESS, files_total=len(files), finished_at=None, updated_at=timezone.now(),
        started_at=cp.started_at or timezone.now())
    cp.refresh_from_db()
    if not claimed:
        raise ImportBusy(f"import {cp.import_id} is {cp.status}: nothing to resume")
    retry = set(cp.failed_files)
    todo = [f for f in files if (f.key > cp.last_file and not retry_failed) or f.key in retry]
    planned = dict(PlannedFile.objects.filter(checkpoint=cp).values_list("key", "status"))
    if planned:  # a run started by workers: its plan says what is left
        left = {PlannedFile.Status.FAILED} if retry_failed else {
            PlannedFile.Status.PENDING, PlannedFile.Status.CLAIMED, PlannedFile.Status.FAILED}
        todo = [f for f in files if planned.get(f.key) in left]
    if todo:
        from warehouse.services import partitions_ensure

        partitions_ensure(since=min(f.day for f in todo) - timedelta(days=1))
    resolver = EntityResolver()
    loader = FileLoader(partial(file_commit, checkpoint=cp, summary=summary, started=started, progress=progress,
                                total=len(todo), lock=locks),
                        depth=1 if settings.IMPORT_LOAD_GROUP_ROWS > 1 or not workers else 2,  # groups are large
                        threaded=connection.vendor != "sqlite",
                        lanes=load_lanes(cp))
    loader.start()
    stream = _parsed(source, todo, workers, now, settings.IMPORT_MAX_FILE_MB * 1024 * 1024)
    group: list = []  # consecutive files gathered for one load (IMPORT_LOAD_GROUP_ROWS)
    try:
        for archive_file, parsed in stream:
            if not loader.accepting:  # paused, cancelled or failed at a file boundary
                break
            prepared = file_prepare(archive_file=archive_file, parsed=parsed, resolver=resolver)
            if prepared.parsed.read_error or not prepared.rows:  # on its own, after the files before it
                _put_group(loader, group)
                loader.put(prepared)
                continue
            group.append(prepared)
            if sum(gathered.rows for gathered in group) >= settings.IMPORT_LOAD_GROUP_ROWS:
                _put_group(loader, group)
        _put_group(loader, group)
        loader.finish()
    except BaseException as exc:
        loader.abandon()
        if isinstance(exc, LockLost):  # the checkpoint may be another process's now: leave it alone
            raise
        ImportCheckpoint.objects.filter(pk=cp.pk).update(
            status=ImportStatus.FAILED, errors=F("errors") + 1, updated_at=timezone.now(),
            error_log=(cp.error_log + [{"key": "", "error": f"{type(exc).__name__}: {exc}"[:500]}])[-ERROR_LOG_KEEP:])
        raise
    finally:
        stream.close()
    summary.seconds = time.monotonic() - started
    summary.park_ids = resolver.park_ids
    cp.refresh_from_db()
    if locks is not None:
        locks.ensure_held()
    summary.failed_keys = list(cp.failed_files)
    cancelled = loader.stopped and summary.status == ImportStatus.CANCELLED
    if loader.stopped and not cancelled:  # paused: the resumed run recomputes everything it loaded
        return summary
    return run_finish(cp, summary, statistics, cancelled)


def run_finish(cp, summary, statistics, cancelled=False):
    """After the run's last file: recompute the statistics of what every process of the run
    committed, then COMPLETED (FAILED with failed files), unless paused or cancelled meanwhile."""
    status = ImportStatus.FAILED if cp.failed_files else ImportStatus.COMPLETED
    stats_days = cp.stats_days
    memory_release()  # the statistics engine forks its workers from this process (memory.py)
    stats_started = time.monotonic()
    if statistics:
        summary.stats_note, done, parks = _recompute_stats(cp.stats_days)
        if done:
            stats_days = {}
            _classify_and_clear(cp, parks)
        else:
            status = ImportStatus.FAILED
    else:
        summary.stats_note = _stats_skipped(cp.stats_days)
    summary.stats_seconds = time.monotonic() - stats_started
    if cancelled:  # what it loaded stays, with its statistics
        ImportCheckpoint.objects.filter(pk=cp.pk).update(stats_days=stats_days, updated_at=timezone.now())
        return summary
    # Finished only now, and only if nobody paused or cancelled it meanwhile.
    if ImportCheckpoint.objects.filter(pk=cp.pk, status=ImportStatus.IN_PROGRESS).update(
            status=status, stats_days=stats_days, finished_at=timezone.now(), updated_at=timezone.now()):
        summary.status = status
    else:
        summary.status = ImportCheckpoint.objects.filter(pk=cp.pk).values_list("status", flat=True).first()
    return summary


def _put_group(loader, group: list) -> None:
    """Hand the gathered files to the loader (and gather anew): one file as it is, several as one
    job (a list, loaded in one transaction by `files.file_commit`)."""
    if group and loader.accepting:
        loader.put(group[0] if len(group) == 1 else group[:])
    group.clear()


def load_lanes(cp) -> int:
    """Files loaded at once (IMPORT_LOAD_LANES, default 2). One for --replace: its range deletes
    lock whole key ranges, which two files of neighbouring days would wait on in turn."""
    return 1 if cp.replace else max(1, settings.IMPORT_LOAD_LANES)


def _parsed(source, files, workers, now, max_bytes):
    """(file, ParsedFile) in order; workers parse at most `workers + 1` files ahead."""
    if not workers:
        for f in files:
            yield f, read_and_parse(source, f.key, now, True, max_bytes)
        return
    pool = multiprocessing.get_context("forkserver").Pool(workers)
    try:
        queue = deque()
        pending = iter(files)
        for f in islice(pending, workers + 1):
            queue.append((f, pool.apply_async(read_and_parse, (source, f.key, now, True, max_bytes))))
        while queue:
            f, result = queue.popleft()
            nxt = next(pending, None)
            if nxt is not None:
                queue.append((nxt, pool.apply_async(read_and_parse, (source, nxt.key, now, True, max_bytes))))
            yield f, result.get()
    finally:
        pool.terminate()
        pool.join()


def _stats_skipped(stats_days) -> str:
    plan = park_days(stats_days)
    if not plan:
        return ""
    calls = "; ".join(f"aggregate_stats --park {park} --start {days[0]} --end {days[-1]}"
                      for park, days in sorted(plan.items()))
    return f"statistics not recomputed (as asked): run {calls}"


def _classify_and_clear(cp, park_ids) -> None:
    """Tiers by rule from the new figures (docs/metrics.md §7), committed together with the
    emptied statistics plan: a run killed before that commit recomputes its statistics on resume
    with the tiers it computed them with the first time, so no figure depends on where a run was
    interrupted."""
    from warehouse.aggregation.classify import classify_rides
    with transaction.atomic():
        if park_ids:
            classify_rides(park_ids=sorted(park_ids))
        ImportCheckpoint.objects.filter(pk=cp.pk).update(stats_days={}, updated_at=timezone.now())


def _recompute_stats(stats_days) -> tuple[str, bool, list]:
    """Recompute the park-local days the run's committed files touched, park by park (the
    statistics engine); (note, done, the parks recomputed)."""
    plan = park_days(stats_days)
    if not plan:
        return "", True, []
    from warehouse.aggregation import aggregation_run, parks_selected
    from warehouse.aggregation.runs import is_lock_error
    from warehouse.models import AggregationRun

    parks = {park.pk: park for park in parks_selected(plan)}
    for attempt in range(STATS_ATTEMPTS):  # a park-day that failed (a deadlock between workers, say) is
        try:  # logged by the engine and skipped: the whole plan is run again, it is idempotent
            result = aggregation_run(plan={parks[pk]: days for pk, days in plan.items() if pk in parks},
                                     mode=AggregationRun.Mode.RANGE,
                                     lock_wait=settings.STATS_LOCK_WAIT_SECONDS)
        except OperationalError as exc:
            if is_lock_error(exc) and attempt < STATS_ATTEMPTS - 1:
                continue  # InnoDB broke a deadlock or timed out a lock wait: run the plan again
            return (f"statistics NOT recomputed ({type(exc).__name__}: {exc}); resume the run to recompute them",
                    False, [])
        except Exception as exc:  # the rows are in; a resume of the run recomputes them
            return (f"statistics NOT recomputed ({type(exc).__name__}: {exc}); resume the run to recompute them",
                    False, [])
        if not result.errors:
            break
    days = sum(len(d) for d in plan.values())
    if result.errors:
        return (f"statistics of {result.errors} park-day(s) failed (see aggregation run {result.run_id}); "
                "resume the run to recompute them"), False, []
    return f"statistics recomputed for {len(parks)} park(s), {days} park-day(s)", True, sorted(parks)
