"""Several processes (any hosts) sharing one plan of park days (`aggregate_stats --worker`)."""
from __future__ import annotations

import time
from datetime import date, datetime

from django.utils import timezone

from themepark.models import Park

from ..models import AggregationRun
from .runs import AggregationSummary, Progress, aggregation_run, runs_abandoned_close, stats_lock

WORKER_POLL_SECONDS = 1.0


def aggregation_worker(*, plan: dict[Park, list[date]], mode: str, now: datetime | None = None,
                       progress: Progress | None = None, lock_wait: float = 600.0) -> AggregationSummary:
    """One of several processes (any hosts) sharing `plan` (`aggregate_stats --worker`): parks are
    claimed through their job lock (`stats:park:<id>`), one run per park. A park another worker
    holds is skipped and looked at again at the end: once its lock is free it is done, unless its
    planned days are not all computed since this worker started or a run has failed since (its
    worker died: `runs_abandoned_close`), in which case this worker computes it. Waits at most
    `lock_wait` seconds for the parks held by others, then LockBusy."""
    from themepark.locks import LockBusy

    from ..models import ParkDayFingerprint

    started = timezone.now()
    out = AggregationSummary()
    pending = list(plan)
    deadline = time.monotonic() + lock_wait
    first_pass = True
    while pending:
        busy = []
        for park in pending:
            days = plan[park]
            if not first_pass:
                try:  # free now? then its holder finished, or died (its run is closed FAILED here)
                    with stats_lock([park], mode=mode):
                        runs_abandoned_close()
                        fresh = ParkDayFingerprint.objects.filter(park=park, date__in=days,
                                                                  computed_at__gte=started).count()
                        died = AggregationRun.objects.filter(started_at__gte=started,
                                                             status=AggregationRun.Status.FAILED).exists()
                except LockBusy:
                    busy.append(park)
                    continue
                if fresh == len(set(days)) and not died:
                    continue  # another worker computed it
            try:
                result = aggregation_run(plan={park: days}, mode=mode, now=now, progress=progress)
            except LockBusy:
                busy.append(park)
                continue
            out.run_id = result.run_id
            out.parks += result.parks
            out.days += result.days
            out.rows += result.rows
            out.errors += result.errors
            out.error_text += result.error_text
        pending, first_pass = busy, False
        if pending:
            if time.monotonic() > deadline:
                raise LockBusy(f"stats:park:{pending[0].pk}")
            time.sleep(WORKER_POLL_SECONDS)
    return out
