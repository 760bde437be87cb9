"""Response caching for the public API.

Responses live in Django's cache (local memory, or Redis when REDIS_URL is set) under keys that
carry `warehouse.cache.stats_generation()`: the statistics job bumps the generation when new
aggregates land, so every cached figure goes stale at once. Browsers get a matching
Cache-Control. Live figures are never kept longer than a minute.

A view whose responses may be answered without Django (anonymous, default throttle, no
permission) also tells the WSGI front (themepark.api.front) the key and lifetime of what it
answered, through the request's environ (`FRONT_MARK`): the front keeps the rendered response
and serves the next identical request from memory. What the front keeps is not kept here again
when the cache is this process's own (local memory; `_front_keeps`); with a shared cache (Redis)
it is, for the other processes. (An answer too large for the front, over an eighth of its
memory, is then kept by neither.)
"""
import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from warehouse.cache import stats_generation

from ..middleware import endpoint_name
from .throttling import ClientRateThrottle

LIVE_SECONDS = 60
FRONT_MARK = "themepark.cached_response"  # environ key: (cache key, seconds left, endpoint name)
FRONT_KEY = "themepark.response_key"  # environ key: the front's `cache_key` of the request, when it made one


def request_digest(path, query):
    """What identifies a response: its path and its query parameters in order (a QueryDict)."""
    pairs = "&".join(f"{k}={v}" for k, values in sorted(query.lists()) for v in values)
    return hashlib.blake2b(f"{path}?{pairs}".encode(), digest_size=16).hexdigest()


def cache_key(digest, generation):
    """The key of a response: `request_digest` and the statistics generation."""
    return f"api:{generation}:{digest}"


def _entry_key(key):
    """Where the decorator keeps a response's data and the time it expires (`key` is the front's)."""
    return "data:" + key


def response_seconds(query, live=False):
    seconds = settings.API_CACHE_SECONDS
    if live or "live" in (query.get("period"), query.get("mode")):
        seconds = min(seconds, LIVE_SECONDS)
    return seconds


def _front_may_serve(view):
    """Only views that any anonymous client may read under the default rate limit alone."""
    return (list(view.throttle_classes) == [ClientRateThrottle]
            and all(permission is AllowAny for permission in view.permission_classes))


def _front_keeps(view, request):
    """Whether the front asked for this answer to keep it (its key in the environ, a view it may
    serve) and this process's cache is its own (local memory): the front then keeps the rendered
    answer for the same lifetime, and a second copy here (its data pickled) would serve only the
    requests the front does not answer (CORS, credentials), which keep their own copy."""
    return (FRONT_KEY in request.META and _front_may_serve(view)
            and isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache))


def cached(*, live=False):
    """Cache a view method's successful responses; `live=True` caps the lifetime at a minute."""
    def decorator(method):
        @wraps(method)
        def wrapper(self, request, *args, **kwargs):
            seconds = response_seconds(request.query_params, live)
            key = request.META.get(FRONT_KEY) or cache_key(request_digest(request.path, request.query_params),
                                                            stats_generation())
            hit = cache.get(_entry_key(key)) if seconds > 0 else None
            if hit is not None:
                data, expires = hit
                response = Response(data)
            else:
                response = method(self, request, *args, **kwargs)
                expires = time.time() + seconds
                if response.status_code == 200 and seconds > 0 and not _front_keeps(self, request):
                    cache.set(_entry_key(key), (response.data, expires), seconds)
            response["Cache-Control"] = f"public, max-age={seconds}"
            left = expires - time.time()  # the front keeps it no longer than the cache does
            if response.status_code == 200 and left > 0 and _front_may_serve(self):
                request.META[FRONT_MARK] = (key, left, endpoint_name(request._request))
            return response
        return wrapper
    return decorator
