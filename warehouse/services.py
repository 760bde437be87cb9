"""Writes of the warehouse that are not observations."""
from datetime import date

from django.conf import settings
from django.utils import timezone

from .partitions import ensure_partitions


def partitions_ensure(*, since: date | None = None, months_ahead: int | None = None, dry_run: bool = False):
    """Keep monthly partitions `months_ahead` months ahead of today (and back to `since`)."""
    ahead = settings.PARTITION_MONTHS_AHEAD if months_ahead is None else months_ahead
    return ensure_partitions(months_ahead=ahead, today=timezone.now().date(), since=since, dry_run=dry_run)


# ---------------------------------------------------------------------------------------------
# Statistics (docs/metrics.md): thin entry points over warehouse.aggregation and warehouse.live
# ---------------------------------------------------------------------------------------------
def stats_recompute(*, park_ids=None, start: date, end: date, now=None, progress=None, mode=None,
                    lock_wait: float = 0.0, worker: bool = False):
    """Recompute park-local days start..end inclusive for those parks (None: all active parks),
    roll up their weeks, months and years, bump the cache generation; logged as a run.
    Returns an AggregationSummary (run_id, parks, days, rows, errors). Raises
    themepark.locks.LockBusy when another run holds one of the parks for over `lock_wait` seconds.
    With `worker`, one of several processes sharing the work park by park (`aggregation_worker`)."""
    from .aggregation import aggregation_run, aggregation_worker, parks_selected, plan_range
    from .models import AggregationRun

    if start > end:
        raise ValueError("start is after end")
    plan = plan_range(parks_selected(park_ids), start, end)
    run = aggregation_worker if worker else aggregation_run
    return run(plan=plan, mode=mode or AggregationRun.Mode.RANGE, now=now, progress=progress, lock_wait=lock_wait)


def stats_update(*, park_ids=None, now=None, progress=None, lock_wait: float = 0.0):
    """The scheduled run: each park's day in progress, plus the day that just ended when no
    completed run has seen its end. Raises themepark.locks.LockBusy when another run holds
    one of the parks."""
    from .aggregation import aggregation_run, incremental_days, last_completed_start, parks_selected
    from .models import AggregationRun

    now = now or timezone.now()
    last = last_completed_start()
    plan = {park: incremental_days(park, now=now, last_completed=last) for park in parks_selected(park_ids)}
    return aggregation_run(plan=plan, mode=AggregationRun.Mode.INCREMENTAL, now=now, progress=progress,
                           lock_wait=lock_wait)


def stats_rebuild(*, park_ids=None, now=None, progress=None, lock_wait: float = 0.0, worker: bool = False):
    """Recompute every park day that has observations (for those parks, or all active parks), and
    every day still holding figures of an older METRICS_VERSION."""
    from .aggregation import data_range
    from .aggregation.daily import older_version_span
    from .models import AggregationRun

    span, older = data_range(park_ids), older_version_span(park_ids)
    if older is not None:
        span = older if span is None else (min(span[0], older[0]), max(span[1], older[1]))
    if span is None:
        return None
    return stats_recompute(park_ids=park_ids, start=span[0], end=span[1], now=now, progress=progress,
                           mode=AggregationRun.Mode.REBUILD, lock_wait=lock_wait, worker=worker)


def stats_check(*, park_ids=None, start: date, end: date):
    """The park days start..end whose observations changed after their figures were computed
    (ChangedDay: park, day, stored and current fingerprints); nothing is written."""
    from .aggregation import changed_park_days, parks_selected

    return changed_park_days(parks_selected(park_ids), start, end)


def stats_repair(changed, *, now=None, progress=None, lock_wait: float = 0.0):
    """Recompute the changed park days (and each one's next day); None when there are none."""
    from .aggregation import aggregation_run, repair_plan
    from .models import AggregationRun

    if not changed:
        return None
    return aggregation_run(plan=repair_plan(changed), mode=AggregationRun.Mode.REPAIR, now=now, progress=progress,
                           lock_wait=lock_wait)


def live_state_refresh(*, park_ids=None, now=None) -> None:
    """Refresh LiveRideState and LiveParkState (the `live` period) from the latest observations."""
    from .live import live_state_refresh as refresh

    refresh(park_ids=park_ids, now=now)
