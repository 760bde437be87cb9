"""One cache generation for everything derived from the statistics tables.

Cached API responses put the current generation in their keys; the statistics job bumps it
after new aggregates land, so every cached ranking goes stale at once without tracking keys.
"""
from django.core.cache import cache

GENERATION_KEY = "stats:generation"


def stats_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def stats_generation_bump() -> int:
    """Invalidate every cached response derived from statistics; returns the new generation."""
    try:
        return cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(GENERATION_KEY, 2, timeout=None)
        return 2
