"""Runs of the statistics job: which park days to recompute, the loop over them, and the
AggregationRun row the health check reads."""
from __future__ import annotations

import logging
import multiprocessing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Iterable

from django.conf import settings
from django.db import connection, connections
from django.db.models import Count, Q
from django.utils import timezone

from themepark.models import Park

from ..cache import stats_generation_bump
from ..metrics import park_day_bounds, park_day_of
from ..models import AggregationRun
from .days import Carry, days_between, park_day_refresh, park_rides
from .periods import park_periods_roll

logger = logging.getLogger(__name__)
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


def park_refresh(park: Park, days: list[date], now: datetime, say: Progress | None = None) -> ParkOutcome:
    """Recompute the park's planned days, then roll up the weeks, months and years of the complete
    ones. A failing park day is logged and skipped."""
    out = ParkOutcome(park.pk)
    rides = park_rides(park)
    done, carry = [], Carry()
    for day in days:
        try:
            result = park_day_refresh(park=park, day=day, now=now, rides=rides, carry=carry)
        except Exception as exc:  # one bad day must not stop the others
            logger.exception("aggregation of park %s day %s failed", park.pk, day)
            out.errors += 1
            out.error_text.append(f"park {park.pk} {day}: {exc!r}")
            carry = Carry()
            continue
        done.append(day)
        out.days += 1
        if say:
            say(f"[{park.name} {day}] {len(result.rides)} rides, open {result.open_hours:.2f} h, "
                f"shame {result.park.shame_score if result.park else 0:.1f}")
    # Periods hold complete park days only, so the day in progress (redone every ten minutes)
    # does not redo its week, month and year each time: they follow when it ends.
    complete = park_day_of(now, park.timezone) - timedelta(days=1)
    if any(day <= complete for day in done):
        out.rows += park_periods_roll(park_id=park.pk, days=done, until=complete)
    return out


def _park_job(job) -> ParkOutcome:
    """A worker process's share: one park (its own database connection)."""
    park_id, days, now, verbose = job
    lines: list[str] = []
    try:
        out = park_refresh(Park.objects.get(pk=park_id), days, now, lines.append if verbose else None)
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


def _outcomes(plan, now, progress, workers):
    """ParkOutcome per park: in this process, or spread over worker processes, biggest parks first."""
    if workers <= 1:
        for park, days in plan.items():
            yield park, park_refresh(park, days, now, progress)
        return
    parks = {park.pk: park for park in plan}
    sizes = dict(Park.objects.filter(pk__in=list(parks)).annotate(n=Count("rides")).values_list("pk", "n"))
    jobs = sorted(((park.pk, days, now, progress is not None) for park, days in plan.items()),
                  key=lambda job: -sizes.get(job[0], 0) * len(job[1]))
    connections.close_all()  # the workers are forked: none may share this process's connection
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for out in pool.imap_unordered(_park_job, jobs):
            yield parks[out.park_id], out


def aggregation_run(*, plan: dict[Park, list[date]], mode: str, now: datetime | None = None,
                    progress: Progress | None = None) -> AggregationSummary:
    """Recompute the planned park days park by park (spread over `stats_workers` processes),
    roll up the weeks, months and years of the complete ones, bump the cache generation, and log
    the run. A failing park day is logged and skipped."""
    now = now or timezone.now()
    run = AggregationRun.objects.create(mode=mode, started_at=timezone.now())
    out = AggregationSummary(run_id=run.pk)
    try:
        for park, outcome in _outcomes(plan, now, progress, stats_workers(plan)):
            for line in outcome.lines:
                progress(line)
            out.days += outcome.days
            out.rows += outcome.rows
            out.errors += outcome.errors
            out.error_text += outcome.error_text
            out.parks += 1
            AggregationRun.objects.filter(pk=run.pk).update(parks_done=out.parks, days_done=out.days,
                                                            errors=out.errors)
    except BaseException as exc:
        AggregationRun.objects.filter(pk=run.pk).update(
            status=AggregationRun.Status.FAILED, finished_at=timezone.now(), parks_done=out.parks,
            days_done=out.days, errors=out.errors + 1, error_text="\n".join([*out.error_text, repr(exc)]))
        raise
    if out.days:
        stats_generation_bump()
    AggregationRun.objects.filter(pk=run.pk).update(
        status=AggregationRun.Status.FAILED if out.errors else AggregationRun.Status.COMPLETED,
        finished_at=timezone.now(), parks_done=out.parks, days_done=out.days, errors=out.errors,
        error_text="\n".join(out.error_text)[:10000])
    return out


def last_completed_start() -> datetime | None:
    run = (AggregationRun.objects.filter(status=AggregationRun.Status.COMPLETED)
           .filter(Q(mode=AggregationRun.Mode.INCREMENTAL) | Q(mode=AggregationRun.Mode.REBUILD))
           .order_by("-started_at").first())
    return run.started_at if run else None


def running_incremental(now: datetime, *, stale_after: timedelta = timedelta(hours=1)) -> AggregationRun | None:
    """An incremental run still in progress (one older than `stale_after` is taken as dead)."""
    return (AggregationRun.objects.filter(mode=AggregationRun.Mode.INCREMENTAL, status=AggregationRun.Status.RUNNING,
                                          started_at__gte=now - stale_after).first())


def plan_range(parks: list[Park], start: date, end: date) -> dict[Park, list[date]]:
    return {park: list(days_between(start, end)) for park in parks}
