"""A WSGI front that answers repeated public API reads from memory, before Django runs.

A response cached by `@cached` still costs the whole Django request: a dozen middleware, URL
resolution, DRF's request, authentication, throttling, content negotiation and JSON rendering,
about a millisecond of CPU. The front (wrapped around the Django application in themepark.wsgi)
keeps, per server process, the finished response (status, headers, body) of each `@cached`
public view the first time Django answers it, under the same key (path, query parameters and the
statistics generation, `themepark.api.caching.cache_key`) and for the same lifetime, and replays
it to the next identical request. When the statistics job bumps the generation, the next
request's key changes and Django answers it again.

Only requests whose answer cannot depend on who asks are candidates: GET under /api/ outside the
staff API, with no `Authorization` header, no session cookie and no `Origin` (CORS), on an
allowed host, over HTTPS when HTTPS is required. The headers Django produced are replayed only to
requests of the same kind (secure or not, same `Accept`). A hit counts against the client's rate
limit like any request (a client over its limit goes on to Django, which answers 429), writes the
same request log line (with `"db": "cache"`) and the same latency metric.

API_FRONT_CACHE_MB (default 64) bounds each process's memory for it; 0 turns the front off.
"""
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest

from warehouse.cache import stats_generation

from ..operator_metrics import REQUEST_LATENCY
from .caching import FRONT_KEY, FRONT_MARK, cache_key, request_digest
from .throttling import anonymous_allows

logger = logging.getLogger("themepark.request")
DESCRIBED_MAX = 4096  # raw requests whose digest a process remembers
PENDING_WAIT_SECONDS = 30  # longest wait for another thread's answer to the same request


@dataclass
class Entry:
    expires: float  # time.monotonic()
    status: str
    headers: list
    body: bytes
    endpoint: str
    latency: object  # the histogram's child for this endpoint


class ResponseStore:
    """Finished responses of this process, least recently used first out beyond `max_bytes`."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        if len(entry.body) > self.max_bytes // 8:
            return  # one huge answer must not push out everything else
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self.size += len(entry.body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key):
        self.size -= len(self._entries.pop(key).body)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.size = 0


def _candidate(environ, session_cookie):
    path = environ.get("PATH_INFO", "")
    return (environ.get("REQUEST_METHOD") == "GET" and path.startswith("/api/")
            and not path.startswith("/api/admin/") and "HTTP_AUTHORIZATION" not in environ
            and "HTTP_ORIGIN" not in environ and session_cookie not in environ.get("HTTP_COOKIE", ""))


class CachedAPIFront:
    """WSGI middleware: `CachedAPIFront(django_application)`."""

    def __init__(self, app, *, max_bytes=None):
        self.app = app
        if max_bytes is None:
            max_bytes = settings.API_FRONT_CACHE_MB * 2**20
        self.store = ResponseStore(max_bytes) if max_bytes > 0 else None
        self.session_cookie = settings.SESSION_COOKIE_NAME + "="
        self._described = {}
        self._lock = threading.Lock()
        self._pending = {}  # key -> Event set when the thread asking Django for it is done
        self._not_kept = set()  # digests whose last answer was not kept (not @cached, an error)

    def __call__(self, environ, start_response):
        start = time.perf_counter()
        if self.store is None or not _candidate(environ, self.session_cookie):
            return self.app(environ, start_response)
        described = self._describe(environ)
        if described is None:  # a host Django refuses, or plain HTTP where HTTPS is required
            return self.app(environ, start_response)
        digest, kind, path = described
        generation_key = cache_key(digest, stats_generation())
        key = generation_key + kind
        entry = self.store.get(key) or self._answer_of_another_thread(key, digest)
        if entry is None:
            environ[FRONT_KEY] = generation_key  # what `@cached` would make of the same request again
            return self._answer_and_keep(environ, start_response, key, digest, kind)
        if not anonymous_allows(environ):
            return self.app(environ, start_response)  # Django answers 429 with its Retry-After
        start_response(entry.status, list(entry.headers))
        self._record(entry, path, environ, time.perf_counter() - start)
        return [entry.body]

    def _describe(self, environ):
        """(request digest, kind, path) as Django sees the request, or None when Django would refuse
        or redirect it; remembered by the raw values it is made of (settings do not change while a
        process runs)."""
        raw = (environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"), environ.get("QUERY_STRING"),
               environ.get("HTTP_HOST"), environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
               environ.get("wsgi.url_scheme"), environ.get("HTTP_X_FORWARDED_PROTO"),
               environ.get("HTTP_X_FORWARDED_HOST"), environ.get("HTTP_ACCEPT"))
        described = self._described.get(raw, False)
        if described is not False:
            return described
        request = WSGIRequest(environ)
        try:
            request.get_host()
            secure = request.is_secure()
            if settings.SECURE_SSL_REDIRECT and not secure:
                described = None
            else:
                described = (request_digest(request.path, request.GET),
                             f"|{int(secure)}|{environ.get('HTTP_ACCEPT', '')}", request.path)
        except DisallowedHost:
            described = None
        if len(self._described) >= DESCRIBED_MAX:
            self._described.clear()  # unique parameters (cache-busting clients) must not grow it for good
        self._described[raw] = described
        return described

    def _answer_of_another_thread(self, key, digest):
        """When another thread of this process is already asking Django for this answer, wait for
        it rather than compute it again (50 clients asking for a ranking the moment the statistics
        change would otherwise compute it 50 times)."""
        with self._lock:
            pending = self._pending.get(key)
        if pending is None or digest in self._not_kept:
            return None
        pending.wait(PENDING_WAIT_SECONDS)
        return self.store.get(key)

    def _answer_and_keep(self, environ, start_response, key, digest, kind):
        answered = {}

        def capture(status, headers, exc_info=None):
            answered["status"], answered["headers"] = status, headers
            return start_response(status, headers, exc_info)

        done = threading.Event()
        with self._lock:
            first = self._pending.setdefault(key, done) is done
        try:
            result = self.app(environ, capture)
            mark = environ.get(FRONT_MARK)
            headers = answered.get("headers") or []
            if (mark is None or not answered.get("status", "").startswith("200 ")
                    or any(name.lower() == "set-cookie" for name, _ in headers)):
                if len(self._not_kept) >= DESCRIBED_MAX:
                    self._not_kept.clear()
                self._not_kept.add(digest)  # nobody waits for it next time
                return result
            self._not_kept.discard(digest)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            marked_key, seconds, endpoint = mark
            self.store.put(marked_key + kind, Entry(
                expires=time.monotonic() + seconds, status=answered["status"], headers=list(headers), body=body,
                endpoint=endpoint, latency=REQUEST_LATENCY.labels(endpoint=endpoint, method="GET", status="2xx")))
            return [body]
        finally:
            if first:
                with self._lock:
                    self._pending.pop(key, None)
                done.set()

    @staticmethod
    def _record(entry, path, environ, seconds):
        entry.latency.observe(seconds)
        if logger.isEnabledFor(logging.INFO):
            logger.info(json.dumps({
                "method": "GET", "path": path, "status": int(entry.status[:3]),
                "duration_ms": round(seconds * 1000, 1), "db": "cache", "endpoint": entry.endpoint,
                "remote_addr": environ.get("REMOTE_ADDR"),
            }, separators=(",", ":")))
