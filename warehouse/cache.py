"""One cache generation for everything derived from the statistics tables.

Cached API responses put the current generation in their keys; the statistics job bumps it
after new aggregates land, so every cached ranking goes stale at once without tracking keys.

With a shared cache (`REDIS_URL`) the generation is one shared counter. With local memory each
process has its own counter, which a statistics run in another process (cron, a worker host)
cannot reach; there the generation also counts the finished statistics runs in the database,
looked up at most once every `STATS_GENERATION_POLL_SECONDS` per process, so a run elsewhere
makes every process's cached answers stale within that time. `None` turns that off (the test
settings: a request's queries stay the same whenever it runs).
"""
import threading
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError

GENERATION_KEY = "stats:generation"


def stats_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    if isinstance(caches["default"], LocMemCache):
        generation += _runs.latest()  # both only grow: the sum changes whenever either does
    return generation


def stats_generation_bump() -> int:
    """Invalidate every cached response derived from statistics; returns the new generation."""
    _runs.forget()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(GENERATION_KEY, 2, timeout=None)
    return stats_generation()


class _FinishedRuns:
    """The id of the latest finished statistics run that computed days, read again from the
    database when the last read is older than the poll interval (0 until the first read)."""

    def __init__(self):
        self._value, self._read_at = 0, float("-inf")
        self._lock = threading.Lock()

    def latest(self) -> int:
        now, interval = time.monotonic(), settings.STATS_GENERATION_POLL_SECONDS
        if interval is not None and now - self._read_at >= interval and self._lock.acquire(blocking=False):
            try:  # one thread of the process reads; the others go on with the value they have
                self._value, self._read_at = max(self._value, self._read()), now
            finally:
                self._lock.release()
        return self._value

    def forget(self):
        self._read_at = float("-inf")

    @staticmethod
    def _read() -> int:
        """Read where the public API reads (a healthy replica, else the primary): a replica's
        statistics and its finished runs arrive together."""
        from themepark.db_router import public_read_alias

        from .models import AggregationRun

        try:
            return (AggregationRun.objects.using(public_read_alias())
                    .filter(finished_at__isnull=False, days_done__gt=0)
                    .order_by("-pk").values_list("pk", flat=True).first() or 0)
        except DatabaseError:  # the database is away: keep what was read last, try again later
            return 0


_runs = _FinishedRuns()
