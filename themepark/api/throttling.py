"""The API's rate limit, keyed on a client identity no client can choose, at a fixed cost per request.

DRF's throttles read `X-Forwarded-For` when `NUM_PROXIES` is unset, so any client could send a
new made-up address with each request and never be limited. Here the identity is the socket
address unless `NUM_PROXIES` (REST_FRAMEWORK setting, from the environment; default 0) says how
many proxies of ours stand in front: then it is the address the outermost of them saw, counted
from the right of `X-Forwarded-For` (entries further left were written by the client).

DRF's own throttles keep every request's time in one cache value per client, read and written
whole on each request: at a high rate that list grows to thousands of entries and each request
pays for all of them. Here each client has one counter per window of the rate's duration, and the
count of the last `duration` seconds is estimated from the current window's counter plus the
previous one's, weighted by how much of it still lies within the last `duration` (rounded up, so
a client never gets more than the rate between two windows). Two numbers per client, whatever
the rate. The cached-response front (themepark.api.front) applies the same limit through
`anonymous_allows`.
"""
import math

from django.http.request import HttpHeaders
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class _Meta:
    """What `get_ident` reads of a request: its WSGI environ and, behind proxies, its headers."""

    def __init__(self, meta):
        self.META = meta

    @property
    def headers(self):
        return HttpHeaders(self.META)


class ClientRateThrottle(AnonRateThrottle):
    """`anon` rate per client, the client being who the socket or our own proxies say it is."""

    def get_ident(self, request):
        if not api_settings.NUM_PROXIES:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True  # the limit is for anonymous clients, as DRF's AnonRateThrottle
        return self.allow_meta(request.META)

    def allow_meta(self, meta):
        """Count one request of the anonymous client `meta` (a WSGI environ) if the rate allows it."""
        self.now = self.timer()
        prefix = self.cache_format % {"scope": self.scope, "ident": self.get_ident(_Meta(meta))}
        window = int(self.now // self.duration)
        current_key, previous_key = f"{prefix}:{window}", f"{prefix}:{window - 1}"
        counts = self.cache.get_many([current_key, previous_key])
        current, previous = counts.get(current_key, 0), counts.get(previous_key, 0)
        elapsed = self.now - window * self.duration
        carried = math.ceil(previous * (1 - elapsed / self.duration))
        if carried + current >= self.num_requests:
            self._wait = self._seconds_to_wait(current, previous, elapsed)
            return False
        try:
            self.cache.incr(current_key)
        except ValueError:  # the window's first request (or its counter was evicted)
            if not self.cache.add(current_key, 1, 2 * self.duration):
                self.cache.incr(current_key)
        return True

    def _seconds_to_wait(self, current, previous, elapsed):
        """Until the estimate drops below the rate: within the next window when this one is full."""
        if current >= self.num_requests:
            # Next window: the estimate is current x (1 - t/duration) + what comes after.
            after = self.duration * (1 - (self.num_requests - 1) / current) if current else 0
            return self.duration - elapsed + after
        # The previous window's share has to fade until carried + current < num_requests.
        share = (self.num_requests - 1 - current) / previous
        return max(0.0, self.duration * (1 - share) - elapsed)

    def wait(self):
        return max(1.0, getattr(self, "_wait", 1.0))


def anonymous_allows(meta):
    """The same limit for a request served before DRF runs (a cache hit of the front): counts it."""
    throttle = ClientRateThrottle()
    return throttle.rate is None or throttle.allow_meta(meta)
