"""Runs of the statistics job: which park days to recompute, the loop over them, and the
AggregationRun row the health check reads.

A run is exclusive per park: it holds the job lock `stats:park:<id>` of every park it plans
(`themepark.locks`, claimed all or nothing before anything is written), so two runs sharing a
park never compute at once, whatever their modes, while runs over other parks go on. A run that
cannot have its locks raises LockBusy naming the holder; a run that loses them (its lease ran
out) stops at the next park day with LockLost. Each park day computed leaves a fingerprint of
the observations it was computed from (count, DOWN count, sum of waits) beside its figures;
`changed_park_days` compares it with what is stored now (`aggregate_stats --check`)."""
from __future__ import annotations

import logging
import multiprocessing
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Iterable

from django.conf import settings
from django.db import OperationalError, connection, connections
from django.db.models import Count, Q, Sum
from django.utils import timezone

from themepark.choices import RideStatus
from themepark.locks import JobLock, tokens_held
from themepark.models import Park

from ..cache import stats_generation_bump
from ..metrics import park_day_bounds, park_day_of
from ..models import AggregationRun, ParkDayFingerprint, RideStatusSnapshot
from .daily import CHUNK_DAYS, Carry, days_between, park_days_compute, park_days_store, park_rides
from .ranges import ranges_refresh
from .rollups import park_periods_roll

logger = logging.getLogger(__name__)
LOCK_ERRORS = (1205, 1213)  # lock wait timeout, deadlock: InnoDB rolled the transaction back
DEADLOCK_RETRIES = 5
Progress = Callable[[str], None]


@dataclass
class AggregationSummary:
    run_id: int | None = None
    parks: int = 0
    days: int = 0
    rows: int = 0
    errors: int = 0
    error_text: list[str] = field(default_factory=list)


def parks_selected(park_ids: Iterable[int] | None) -> list[Park]:
    parks = Park.objects.all() if park_ids is not None else Park.objects.filter(is_active=True)
    if park_ids is not None:
        parks = parks.filter(pk__in=list(park_ids))
    return list(parks.order_by("pk"))


def incremental_days(park: Park, *, now: datetime, last_completed: datetime | None) -> list[date]:
    """The park day in progress, and yesterday's when no completed run started after it ended
    (it "just ended" and its final figures are not stored yet)."""
    today = park_day_of(now, park.timezone)
    yesterday = today - timedelta(days=1)
    if last_completed is None or last_completed < park_day_bounds(yesterday, park.timezone)[1]:
        return [yesterday, today]
    return [today]


def data_range(park_ids: Iterable[int] | None) -> tuple[date, date] | None:
    """First and last park day with stored observations (for --rebuild), from the raw table:
    each ride's first and last time, which the primary key (ride, recorded_at) gives per ride
    without reading the rows between."""
    from django.db.models import Max, Min

    from themepark.models import Ride

    from ..models import RideStatusSnapshot

    qs = RideStatusSnapshot.objects.all()
    if park_ids is not None:
        qs = qs.filter(ride_id__in=list(Ride.objects.filter(park_id__in=list(park_ids)).values_list("pk", flat=True)))
    spans = list(qs.values("ride_id").annotate(first=Min("recorded_at"), last=Max("recorded_at"))
                 .values_list("first", "last"))
    if not spans:
        return None
    first, last = min(f for f, _ in spans), max(last for _, last in spans)
    # Widen by a day each side: the park day may differ from the UTC date.
    return first.date() - timedelta(days=1), last.date() + timedelta(days=1)


@dataclass
class ParkOutcome:
    """What one park's share of a run did (returned from a worker process too)."""

    park_id: int
    days: int = 0
    rows: int = 0
    errors: int = 0
    error_text: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # progress lines, when a worker computed it


def day_fingerprint(park: Park, day: date, ride_ids: list[int]) -> tuple[int, int, int]:
    """(observations, DOWN ones, sum of standby waits) of the park's rides in the park day, as
    stored now (what the run saw when it computed the figures: `vectorday.fingerprints`)."""
    start, end = park_day_bounds(day, park.timezone)
    if not ride_ids:
        return 0, 0, 0
    rows = RideStatusSnapshot.objects.filter(ride_id__in=ride_ids, recorded_at__gte=start, recorded_at__lt=end)
    got = rows.aggregate(n=Count("recorded_at"), down=Count("recorded_at", filter=Q(status=RideStatus.DOWN)),
                         waits=Sum("wait_time"))
    return got["n"] or 0, got["down"] or 0, got["waits"] or 0


def _chunks(days: list[date], size: int) -> list[list[date]]:
    """`days` (in order) cut into runs of at most `size` consecutive days."""
    chunks: list[list[date]] = []
    for day in days:
        if chunks and len(chunks[-1]) < size and chunks[-1][-1] + timedelta(days=1) == day:
            chunks[-1].append(day)
        else:
            chunks.append([day])
    return chunks


def is_lock_error(exc: OperationalError) -> bool:
    """InnoDB rolled the transaction back to break a deadlock or end a lock wait."""
    return bool(exc.args) and exc.args[0] in LOCK_ERRORS


def _retryable(exc: OperationalError, attempt: int) -> bool:
    """Worth doing again: a lock error, tries left, and not inside a caller's transaction (which
    InnoDB rolled back whole)."""
    return is_lock_error(exc) and attempt < DEADLOCK_RETRIES - 1 and not connection.in_atomic_block


def _chunk_refresh(park, days, now, rides, carry):
    """Compute consecutive park days from one read and store them in one transaction with their
    fingerprints; again (from a fresh read) when InnoDB picked the transaction to break a deadlock
    or timed out a lock wait: runs over other parks write the same tables and their index gaps
    (dates), and park days are replaced whole, so doing it again is safe. Returns each day's
    ParkDay, or the exception its computation raised (that day is left as it was)."""
    for attempt in range(DEADLOCK_RETRIES):
        prints = {}
        try:
            results = park_days_compute(park=park, days=days, now=now, rides=rides, carry=carry, prints=prints)
            good = [r for r in results if not isinstance(r, Exception)]
            park_days_store(park=park, results=good, ride_ids=[r.id for r in rides], fingerprints=prints)
            return results
        except OperationalError as exc:
            if not _retryable(exc, attempt):
                raise
            logger.warning("park %s days %s..%s: %s; recomputing them", park.pk, days[0], days[-1], exc)
            carry.at, carry.latest = None, {}
            time.sleep(0.05 * (attempt + 1))


def park_refresh(park: Park, days: list[date], now: datetime, say: Progress | None = None,
                 check: Callable[[], None] | None = None) -> ParkOutcome:
    """Recompute the park's planned days, then roll up the weeks, months and years of the complete
    ones. Consecutive days are read and written CHUNK_DAYS at a time (one read, one
    transaction). A failing park day is logged and skipped. `check` (the run's lock) is called
    before each chunk is written and raises LockLost to stop."""
    out = ParkOutcome(park.pk)
    rides = park_rides(park)
    done, carry = [], Carry()
    for chunk in _chunks(days, CHUNK_DAYS):
        if check is not None:
            check()
        try:
            results = _chunk_refresh(park, chunk, now, rides, carry)
        except Exception as exc:  # a failing chunk (the store) must not stop the others
            logger.exception("aggregation of park %s days %s..%s failed", park.pk, chunk[0], chunk[-1])
            results = [exc] * len(chunk)
            carry = Carry()
        _tally(out, park, chunk, results, done, say)
    _roll(out, park, done, now, check)
    return out


def _tally(out: ParkOutcome, park: Park, days: list[date], results: list, done: list[date], say) -> None:
    """Count a chunk's computed days into `out` (and `done`), log its failed ones."""
    for day, result in zip(days, results):
        if isinstance(result, Exception):
            logger.error("aggregation of park %s day %s failed: %r", park.pk, day, result)
            out.errors += 1
            out.error_text.append(f"park {park.pk} {day}: {result!r}")
            continue
        done.append(day)
        out.days += 1
        if say:
            say(f"[{park.name} {day}] {len(result.rides)} rides, open {result.open_hours:.2f} h, "
                f"shame {result.park.shame_score if result.park else 0:.1f}")


def _roll(out: ParkOutcome, park: Park, done: list[date], now: datetime, check) -> None:
    """Periods hold complete park days only, so the day in progress (redone every ten minutes)
    does not redo its week, month and year each time: they follow when it ends."""
    complete = park_day_of(now, park.timezone) - timedelta(days=1)
    if check is not None:
        check()
    if any(day <= complete for day in done):
        out.rows += _periods_roll(park, done, complete)


def _periods_roll(park, done, complete) -> int:
    """Roll the park's weeks, months and years up; again when InnoDB broke a deadlock or timed out
    a lock wait (runs over other parks roll up into the same tables; a roll-up replaces its rows
    whole, so doing it again is safe)."""
    for attempt in range(DEADLOCK_RETRIES):
        try:
            return park_periods_roll(park_id=park.pk, days=done, until=complete)
        except OperationalError as exc:
            if not _retryable(exc, attempt):
                raise
            logger.warning("park %s roll-up: %s; rolling up again", park.pk, exc)
            time.sleep(0.05 * (attempt + 1))
    return 0


def _park_job(job) -> ParkOutcome:
    """A worker process's share: one park (its own database connection)."""
    park_id, days, now, verbose, check = job
    lines: list[str] = []
    try:
        out = park_refresh(Park.objects.get(pk=park_id), days, now, lines.append if verbose else None, check)
    finally:
        connections.close_all()
    out.lines = lines
    return out


def stats_workers(plan: dict) -> int:
    """Processes for a run: STATS_WORKERS (default 2) on MySQL, at most one per park; one on
    SQLite (a single writer) and inside a transaction (a worker could not see its rows)."""
    if connection.vendor != "mysql" or connection.in_atomic_block:
        return 1
    return max(1, min(settings.STATS_WORKERS, len(plan)))


def _outcomes(plan, now, progress, workers, lock):
    """ParkOutcome per park: in this process, or spread over worker processes, biggest parks first
    (or in batches of parks, when each park's days fit one chunk)."""
    from .batch import _batch_job, _batches, parks_refresh

    batches = _batches(plan, workers)
    if workers <= 1:
        if batches is not None:
            for batch in batches:
                yield from zip((park for park, _ in batch), parks_refresh(batch, now, progress, lock.ensure_held))
            return
        for park, days in plan.items():
            yield park, park_refresh(park, days, now, progress, lock.ensure_held)
        return
    parks = {park.pk: park for park in plan}
    if batches is not None:
        check = lock.checker()
        jobs = [([(park.pk, days) for park, days in batch], now, progress is not None, check) for batch in batches]
        connections.close_all()  # the workers are forked: none may share this process's connection
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for outs in pool.imap_unordered(_batch_job, jobs):
                for out in outs:
                    yield parks[out.park_id], out
        return
    sizes = dict(Park.objects.filter(pk__in=list(parks)).annotate(n=Count("rides")).values_list("pk", "n"))
    check = lock.checker()  # a worker cannot see this process's lease: it asks the database
    jobs = sorted(((park.pk, days, now, progress is not None, check) for park, days in plan.items()),
                  key=lambda job: -sizes.get(job[0], 0) * len(job[1]))
    connections.close_all()  # the workers are forked: none may share this process's connection
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for out in pool.imap_unordered(_park_job, jobs):
            yield parks[out.park_id], out


def stats_lock(parks: Iterable[Park], *, mode: str = "") -> JobLock:
    """The job lock of a statistics run over these parks (not acquired yet)."""
    names = [f"stats:park:{park.pk}" for park in parks] or ["stats:no-park"]
    return JobLock(*names, purpose=f"aggregate_stats {mode.lower()}".strip())


def runs_abandoned_close() -> int:
    """Mark FAILED the RUNNING runs whose lock is gone: their process died (SIGKILL, power)."""
    running = dict(AggregationRun.objects.filter(status=AggregationRun.Status.RUNNING)
                   .values_list("pk", "lock_token"))
    if not running:
        return 0
    alive = tokens_held(running.values())
    dead = [pk for pk, token in running.items() if token not in alive]
    return AggregationRun.objects.filter(pk__in=dead, status=AggregationRun.Status.RUNNING).update(
        status=AggregationRun.Status.FAILED, finished_at=timezone.now(),
        error_text="the run's process died before it finished (its lock expired)")


def aggregation_run(*, plan: dict[Park, list[date]], mode: str, now: datetime | None = None,
                    progress: Progress | None = None, lock_wait: float = 0.0) -> AggregationSummary:
    """Recompute the planned park days park by park (spread over `stats_workers` processes),
    roll up the weeks, months and years of the complete ones, bump the cache generation, and log
    the run. A failing park day is logged and skipped. The run holds the lock of every planned
    park (`stats_lock`), waiting for it up to `lock_wait` seconds, else LockBusy; nothing is
    written, not even the run's row, when it is refused."""
    now = now or timezone.now()
    lock = stats_lock(plan, mode=mode)
    lock.acquire(wait=lock_wait)
    try:
        runs_abandoned_close()
        return _run_locked(plan, mode, now, progress, lock)
    finally:
        lock.release()


PROGRESS_PARKS = 10


def _run_locked(plan, mode, now, progress, lock) -> AggregationSummary:
    run = AggregationRun.objects.create(mode=mode, started_at=timezone.now(), lock_token=lock.token)
    out = AggregationSummary(run_id=run.pk)
    shown = time.monotonic()
    try:
        for park, outcome in _outcomes(plan, now, progress, stats_workers(plan), lock):
            lock.ensure_held()
            for line in outcome.lines:
                progress(line)
            out.days += outcome.days
            out.rows += outcome.rows
            out.errors += outcome.errors
            out.error_text += outcome.error_text
            out.parks += 1
            # the run's row shows progress every 10 parks, at most once a second (a batch of parks
            # arrives at once: the 10-minute run writes its row when it ends)
            if out.parks % PROGRESS_PARKS == 0 and time.monotonic() >= shown + 1.0:
                shown = time.monotonic()
                AggregationRun.objects.filter(pk=run.pk).update(parks_done=out.parks, days_done=out.days,
                                                                errors=out.errors)
    except BaseException as exc:
        AggregationRun.objects.filter(pk=run.pk).update(
            status=AggregationRun.Status.FAILED, finished_at=timezone.now(), parks_done=out.parks,
            days_done=out.days, errors=out.errors + 1, error_text="\n".join([*out.error_text, repr(exc)]))
        raise
    lock.ensure_held()
    ranges_refresh(plan, now)  # the rankings' precomputed ranges (aggregation/ranges.py)
    AggregationRun.objects.filter(pk=run.pk).update(
        status=AggregationRun.Status.FAILED if out.errors else AggregationRun.Status.COMPLETED,
        finished_at=timezone.now(), parks_done=out.parks, days_done=out.days, errors=out.errors,
        error_text="\n".join(out.error_text)[:10000])
    if out.days:  # after the run's row is finished: other processes count finished runs (warehouse.cache)
        stats_generation_bump()
    return out


def last_completed_start() -> datetime | None:
    run = (AggregationRun.objects.filter(status=AggregationRun.Status.COMPLETED)
           .filter(Q(mode=AggregationRun.Mode.INCREMENTAL) | Q(mode=AggregationRun.Mode.REBUILD))
           .order_by("-started_at").first())
    return run.started_at if run else None


def plan_range(parks: list[Park], start: date, end: date) -> dict[Park, list[date]]:
    return {park: list(days_between(start, end)) for park in parks}


@dataclass
class ChangedDay:
    """A park day whose observations differ from those its figures were computed from."""

    park: Park
    day: date
    stored: tuple[int, int, int] | None  # None: figures never computed with a fingerprint
    now: tuple[int, int, int]


def changed_park_days(parks: list[Park], start: date, end: date) -> list[ChangedDay]:
    """The park days start..end whose observations changed after their figures were computed
    (or that have observations and were never computed). A park's day in progress is left to
    the incremental run: it changes with every collection."""
    changed, now = [], timezone.now()
    for park in parks:
        last = min(end, park_day_of(now, park.timezone) - timedelta(days=1))
        stored = {row[0]: tuple(row[1:]) for row in ParkDayFingerprint.objects.filter(
            park=park, date__gte=start, date__lte=end).values_list("date", "snapshots", "down_snapshots", "wait_total")}
        ride_ids = [r.id for r in park_rides(park)]
        for day in days_between(start, last):
            seen = day_fingerprint(park, day, ride_ids)
            before = stored.get(day)
            if before != seen and (before is not None or seen[0]):
                changed.append(ChangedDay(park, day, before, seen))
    return changed


def repair_plan(changed: list[ChangedDay]) -> dict[Park, list[date]]:
    """The changed days and each one's next day (which starts in the state the changed day ends in)."""
    plan: dict[Park, set[date]] = {}
    for item in changed:
        plan.setdefault(item.park, set()).update({item.day, item.day + timedelta(days=1)})
    return {park: sorted(days) for park, days in plan.items()}
