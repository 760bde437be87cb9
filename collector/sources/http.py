"""The polite HTTP client both source modules share: explicit timeouts, a descriptive
User-Agent, bounded retries with exponential backoff and jitter on 5xx and network errors,
429 honoured through `Retry-After` (seconds or an HTTP date), and a requests-per-minute
ceiling shared by every thread that uses the client.

The ceiling is a sliding window (at most N requests in any 60 seconds), not an even spacing,
so a collection cycle may burst up to N requests and then waits; a 429 closes the gate for
every thread until its `Retry-After` has passed.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from datetime import datetime, timezone as dt_timezone
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

# Never sleep longer than this for one Retry-After, whatever the server says.
MAX_RETRY_AFTER_SECONDS = 120.0


class SourceError(Exception):
    """A source could not give a usable answer (after retries)."""


class NotFound(SourceError):
    """The source does not know the entity (HTTP 404)."""


class RateLimiter:
    """At most `per_minute` acquisitions in any 60-second window, shared by all threads, plus a
    gate that a 429 closes until its Retry-After has passed."""

    def __init__(self, per_minute: int, *, clock=time.monotonic, sleep=time.sleep):
        self.per_minute = per_minute
        self.clock, self.sleep = clock, sleep
        self.lock = threading.Lock()
        self.sent = deque()
        self.closed_until = 0.0

    def acquire(self):
        while True:
            with self.lock:
                now = self.clock()
                while self.sent and now - self.sent[0] >= 60.0:
                    self.sent.popleft()
                wait = self.closed_until - now
                if wait <= 0 and self.per_minute > 0 and len(self.sent) >= self.per_minute:
                    wait = 60.0 - (now - self.sent[0])
                if wait <= 0:
                    self.sent.append(now)
                    return
            self.sleep(min(wait, 1.0))

    def close_for(self, seconds: float):
        with self.lock:
            self.closed_until = max(self.closed_until, self.clock() + seconds)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt_timezone.utc)
    return max(0.0, (when - (now or datetime.now(dt_timezone.utc))).total_seconds())


class JsonClient:
    """GET JSON documents from one base URL. The requests.Session is created lazily, one per
    thread (a Session is not guaranteed thread-safe); the rate limiter is shared."""

    def __init__(self, base_url: str, *, timeout: float | None = None, max_retries: int | None = None,
                 requests_per_minute: int | None = None, user_agent: str | None = None,
                 backoff_base: float = 0.25, backoff_cap: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if timeout is not None else settings.HTTP_TIMEOUT_SECONDS
        self.max_retries = max_retries if max_retries is not None else settings.HTTP_MAX_RETRIES
        self.user_agent = user_agent or settings.HTTP_USER_AGENT
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.limiter = RateLimiter(requests_per_minute if requests_per_minute is not None
                                   else settings.HTTP_REQUESTS_PER_MINUTE)
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({"User-Agent": self.user_agent, "Accept": "application/json"})
            self._local.session = session
        return session

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: up to base * 2^attempt, capped."""
        return random.uniform(0.5, 1.0) * min(self.backoff_cap, self.backoff_base * 2 ** attempt)

    def get_json(self, path: str, *, params=None):
        url = f"{self.base_url}/{path.lstrip('/')}"
        attempt = 0
        while True:
            self.limiter.acquire()
            delay = self.backoff(attempt)
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    try:
                        return response.json()
                    except ValueError as exc:
                        raise SourceError(f"GET {url}: malformed JSON ({exc})") from None
                if response.status_code == 404:
                    raise NotFound(f"GET {url}: 404 not found")
                if response.status_code == 429:
                    wait = retry_after_seconds(response.headers.get("Retry-After"))
                    wait = min(MAX_RETRY_AFTER_SECONDS, wait if wait is not None else delay)
                    self.limiter.close_for(wait)  # every thread waits at the gate, this one too
                    problem, delay = f"429 Too Many Requests (retry after {wait:.1f}s)", 0.0
                elif response.status_code >= 500:
                    problem = f"HTTP {response.status_code}"
                else:
                    raise SourceError(f"GET {url}: HTTP {response.status_code}")
            if attempt >= self.max_retries:
                raise SourceError(f"GET {url}: {problem} after {attempt + 1} attempt(s)")
            logger.info("GET %s: %s, retrying", url, problem)
            time.sleep(delay)
            attempt += 1
