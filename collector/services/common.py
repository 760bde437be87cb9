"""Helpers the collector services share: bounded concurrent fetching, the run lock, and
quality-log entries that are not repeated while the same issue is still open."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Callable, Iterable

from django.conf import settings

from quality.choices import ResolutionStatus
from quality.models import DataQualityLog
from quality.services import quality_issue_record
from themepark.locks import JobLock, LockBusy

logger = logging.getLogger("collector")
LOCK_NAME = "collect_snapshots"


def fetch_all(items: Iterable, fetch: Callable, *, concurrency: int | None = None):
    """Yield (item, payload, error) as each fetch finishes. Only `fetch` runs in the pool (HTTP
    and JSON decoding); the caller consumes results, and writes to the database, in this thread,
    while the pool keeps fetching. concurrency=1 fetches sequentially, in order."""
    items = list(items)
    workers = max(1, concurrency or settings.COLLECTOR_CONCURRENCY)
    if workers == 1:
        for item in items:
            try:
                yield item, fetch(item), None
            except Exception as exc:  # noqa: BLE001 - one failing unit never stops the others
                yield item, None, exc
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
        futures = {pool.submit(fetch, item): item for item in items}
        for future in as_completed(futures):
            error = future.exception()
            yield futures[future], (None if error else future.result()), error


@contextmanager
def collection_lock(name: str = LOCK_NAME):
    """Yield the held JobLock (`themepark.locks`) when this process may collect, None when another
    run holds it. The lock is a leased row of this database, renewed while the run goes on and
    free once a killed run's lease has passed; the run calls `ensure_held()` before each park it
    writes, so a run that lost the lock stops."""
    try:
        lock = JobLock(name, purpose="collect_snapshots")
        lock.acquire()
    except LockBusy as exc:
        logger.warning("collection skipped: %s", exc)
        yield None
        return
    try:
        yield lock
    finally:
        lock.release()


def quality_once(*, issue_type: str, description: str, source_key: str, **fields):
    """Record a quality issue unless the same one (type, key, description) is still OPEN."""
    if DataQualityLog.objects.filter(issue_type=issue_type, source_key=source_key, description=description,
                                     resolution_status=ResolutionStatus.OPEN).exists():
        return None
    return quality_issue_record(issue_type=issue_type, description=description, source_key=source_key, **fields)
