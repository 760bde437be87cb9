"""Helpers the collector services share: bounded concurrent fetching, the run lock, and
quality-log entries that are not repeated while the same issue is still open."""
from __future__ import annotations

import fcntl
import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Callable, Iterable

from django.conf import settings
from django.db import connection

logger = logging.getLogger("collector")
LOCK_NAME = "themepark.collect_snapshots"


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
    """Yield True when this process holds the collection lock, False when another run does.
    MySQL/MariaDB: GET_LOCK on this connection (released when the run ends or the connection
    drops). Other backends: an exclusive flock on a file in the temp directory (one host).
    The lock is per database, so test databases on the same server do not block production."""
    name = f"{name}.{connection.settings_dict['NAME']}"[:64]
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT GET_LOCK(%s, 0)", [name])
            acquired = cursor.fetchone()[0] == 1
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT RELEASE_LOCK(%s)", [name])
        return
    path = os.path.join(tempfile.gettempdir(), f"{name}.lock".replace("/", "_"))
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def quality_once(*, issue_type: str, description: str, source_key: str, **fields):
    """Record a quality issue unless the same one (type, key, description) is still OPEN."""
    from quality.models import DataQualityLog
    from quality.services import quality_issue_record

    if DataQualityLog.objects.filter(issue_type=issue_type, source_key=source_key, description=description,
                                     resolution_status="OPEN").exists():
        return None
    return quality_issue_record(issue_type=issue_type, description=description, source_key=source_key, **fields)
