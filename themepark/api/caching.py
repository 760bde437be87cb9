"""Response caching for the public API.

Responses live in Django's cache (local memory, or Redis when REDIS_URL is set) under keys that
carry `warehouse.cache.stats_generation()`: the statistics job bumps the generation when new
aggregates land, so every cached figure goes stale at once. Browsers get a matching
Cache-Control. Live figures are never kept longer than a minute.
"""
import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from rest_framework.response import Response

from warehouse.cache import stats_generation

LIVE_SECONDS = 60


def _key(request, generation):
    query = "&".join(f"{k}={v}" for k, values in sorted(request.query_params.lists()) for v in values)
    digest = hashlib.blake2b(f"{request.path}?{query}".encode(), digest_size=16).hexdigest()
    return f"api:{generation}:{digest}"


def _seconds(request, live):
    seconds = settings.API_CACHE_SECONDS
    if live or "live" in (request.query_params.get("period"), request.query_params.get("mode")):
        seconds = min(seconds, LIVE_SECONDS)
    return seconds


def cached(*, live=False):
    """Cache a view method's successful responses; `live=True` caps the lifetime at a minute."""
    def decorator(method):
        @wraps(method)
        def wrapper(self, request, *args, **kwargs):
            seconds = _seconds(request, live)
            key = _key(request, stats_generation())
            hit = cache.get(key) if seconds > 0 else None
            if hit is not None:
                response = Response(hit)
            else:
                response = method(self, request, *args, **kwargs)
                if response.status_code == 200 and seconds > 0:
                    cache.set(key, response.data, seconds)
            response["Cache-Control"] = f"public, max-age={seconds}"
            return response
        return wrapper
    return decorator
