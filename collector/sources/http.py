"""The polite HTTP client both source modules share: explicit timeouts, a descriptive
User-Agent, bounded retries (tenacity) with exponential backoff and jitter on 5xx and network
errors, 429 honoured through `Retry-After` (seconds or an HTTP date), and a requests-per-minute
ceiling shared by every thread that uses the client.

The ceiling is a sliding window (at most N requests in any 60 seconds), not an even spacing,
so a collection cycle may burst up to N requests and then waits; a 429 closes the gate for
every thread until its `Retry-After` has passed.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from datetime import datetime, timezone as dt_timezone
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

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
        # Exponential backoff with full jitter: a random wait up to base * 2^attempt, capped.
        self._backoff = wait_random_exponential(multiplier=backoff_base, max=backoff_cap)
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

    def get_json(self, path: str, *, params=None):
        """GET one JSON document: retried (tenacity) on network errors, 5xx and 429 up to
        `max_retries` times; a 429's Retry-After closes the shared gate, the rest back off
        exponentially with full jitter."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        retrying = Retrying(
            stop=stop_after_attempt(self.max_retries + 1), retry=retry_if_exception_type(_Retryable),
            wait=self._wait, before_sleep=lambda state: logger.info(
                "GET %s: %s, retrying", url, state.outcome.exception().problem))
        try:
            return retrying(self._get_once, url, params)
        except RetryError as exc:
            problem = exc.last_attempt.exception().problem
            raise SourceError(f"GET {url}: {problem} after {exc.last_attempt.attempt_number} attempt(s)") from None

    def _wait(self, state) -> float:
        failure = state.outcome.exception()
        delay = self._backoff(state)
        if not failure.throttled:
            return delay
        wait = min(MAX_RETRY_AFTER_SECONDS, failure.retry_after if failure.retry_after is not None else delay)
        self.limiter.close_for(wait)  # every thread waits at the gate, this one too
        return 0.0

    def _get_once(self, url, params):
        self.limiter.acquire()
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from None
        if response.status_code == 200:
            try:
                return response.json()
            except ValueError as exc:
                raise SourceError(f"GET {url}: malformed JSON ({exc})") from None
        if response.status_code == 404:
            raise NotFound(f"GET {url}: 404 not found")
        if response.status_code == 429:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            raise _Retryable("429 Too Many Requests", throttled=True, retry_after=retry_after)
        if response.status_code >= 500:
            raise _Retryable(f"HTTP {response.status_code}")
        raise SourceError(f"GET {url}: HTTP {response.status_code}")


class _Retryable(Exception):
    """One failed attempt worth another: what went wrong, and for a 429 its Retry-After."""

    def __init__(self, problem: str, *, throttled: bool = False, retry_after: float | None = None):
        super().__init__(problem)
        self.problem, self.throttled, self.retry_after = problem, throttled, retry_after


_shared: dict = {}


def shared_client(factory, base_url: str):
    """The process-wide client `factory()` makes (lazily, and again when `base_url`, its setting,
    changes), so all threads share one requests-per-minute ceiling per host."""
    client = _shared.get(factory)
    if client is None or client.http.base_url != base_url.rstrip("/"):
        client = _shared[factory] = factory()
    return client
