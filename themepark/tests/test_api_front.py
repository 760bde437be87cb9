"""The cached-response front (themepark.api.front) in front of the real Django application: a hit
is byte for byte what Django answers (status, headers, body), goes stale with the statistics
generation, counts against the client's rate limit, logs its line and its latency sample; writes,
HEAD, credentials, session cookies and CORS requests always reach Django."""
import json
import logging
import time
from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import RequestFactory
from prometheus_client import REGISTRY
from rest_framework.throttling import AnonRateThrottle

from themepark.api.front import CachedAPIFront
from themepark.wsgi import django_application
from warehouse.cache import stats_generation_bump
from warehouse.models import ParkDailyStats
from warehouse.tests.api_data import NOW, park_day, park_with_rides

pytestmark = pytest.mark.django_db
YESTERDAY = date(2024, 6, 11)
RANKING = "/api/parks/downtime?period=yesterday"


class Counting:
    """The Django application, counting the requests that reach it."""

    def __init__(self, app):
        self.app, self.calls = app, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


@pytest.fixture
def front():
    """A front of its own around Django, with the request signals unhooked: their
    close_old_connections would close the connection holding the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    cache.clear()
    django = Counting(django_application)
    with time_machine.travel(NOW, tick=False):
        yield CachedAPIFront(django, max_bytes=2**20), django
    cache.clear()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def park():
    park, _ = park_with_rides(tiers=(1, 2), name="Magic")
    park_day(park, YESTERDAY, shame=1.0, downtime_hours=1.0, weight=5, rides_operated=2, rides_down=1, uptime=90.0)
    return park


def call(app, path, method="GET", **headers):
    """(status, headers, body) of one WSGI call."""
    environ = RequestFactory().generic(method, path, **headers).environ
    answered = {}

    def start_response(status, response_headers, exc_info=None):
        answered["status"], answered["headers"] = status, list(response_headers)

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answered["status"], answered["headers"], body


def test_a_hit_is_what_django_answers_without_running_django(front, park):
    app, django = front
    first = call(app, RANKING)
    assert first[0] == "200 OK" and django.calls == 1
    assert json.loads(first[2])["data"][0]["shame_score"] == 1.0
    second = call(app, RANKING)
    assert django.calls == 1, "the second request never reached Django"
    assert second == first
    without_front = call(django_application, RANKING)  # Django's own cached answer
    assert without_front == second
    assert dict(second[1])["Content-Type"] == "application/json"
    assert dict(second[1])["Cache-Control"] == "public, max-age=300"

    # Another query is another response; the same parameters in another order are the same one.
    call(app, RANKING + "&limit=5")
    assert django.calls == 2
    assert call(app, "/api/parks/downtime?limit=5&period=yesterday")[2] == call(app, RANKING + "&limit=5")[2]
    assert django.calls == 2


def test_a_hit_goes_stale_when_the_statistics_change(front, park):
    app, django = front
    call(app, RANKING)
    ParkDailyStats.objects.filter(park=park, date=YESTERDAY).update(shame_score=7.0)
    assert json.loads(call(app, RANKING)[2])["data"][0]["shame_score"] == 1.0  # still the kept answer
    stats_generation_bump()
    status, _, body = call(app, RANKING)
    assert status == "200 OK" and json.loads(body)["data"][0]["shame_score"] == 7.0
    assert django.calls == 2
    call(app, RANKING)
    assert django.calls == 2


def test_a_hit_goes_stale_when_a_statistics_run_finishes_in_another_process(front, park, settings):
    """Local memory: a run elsewhere cannot bump this process's counter; its finished row in the
    database makes the answers stale within STATS_GENERATION_POLL_SECONDS."""
    from django.utils import timezone

    from warehouse.models import AggregationRun

    app, django = front
    settings.STATS_GENERATION_POLL_SECONDS = 3600
    call(app, RANKING)
    ParkDailyStats.objects.filter(park=park, date=YESTERDAY).update(shame_score=7.0)
    run = AggregationRun.objects.create(mode="INCREMENTAL", started_at=timezone.now())  # still running
    settings.STATS_GENERATION_POLL_SECONDS = 0
    assert json.loads(call(app, RANKING)[2])["data"][0]["shame_score"] == 1.0
    AggregationRun.objects.filter(pk=run.pk).update(status="COMPLETED", finished_at=timezone.now(), days_done=1)
    settings.STATS_GENERATION_POLL_SECONDS = 3600  # read within the interval: not looked at again yet
    assert json.loads(call(app, RANKING)[2])["data"][0]["shame_score"] == 1.0
    settings.STATS_GENERATION_POLL_SECONDS = 0
    assert json.loads(call(app, RANKING)[2])["data"][0]["shame_score"] == 7.0
    assert django.calls == 2


def test_live_answers_are_kept_a_minute_at_most(front, park):
    app, django = front
    _, headers, _ = call(app, "/api/parks/downtime?period=live")
    assert dict(headers)["Cache-Control"] == "public, max-age=60"
    kept = list(app.store._entries.values())
    assert len(kept) == 1 and kept[0].expires - time.monotonic() <= 60


@pytest.mark.parametrize("method, headers", [
    ("POST", {}),
    ("HEAD", {}),
    ("GET", {"HTTP_AUTHORIZATION": "Token 0123456789abcdef"}),
    ("GET", {"HTTP_COOKIE": "sessionid=abc123"}),
    ("GET", {"HTTP_ORIGIN": "https://frontend.example"}),
])
def test_writes_credentials_sessions_and_cors_always_reach_django(front, park, method, headers):
    app, django = front
    call(app, RANKING)
    call(app, RANKING)
    assert django.calls == 1
    call(app, RANKING, method, **headers)
    call(app, RANKING, method, **headers)
    assert django.calls == 3


def test_a_secure_request_is_not_answered_with_a_plain_requests_headers(front, park, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    django = Counting(WSGIHandler())  # SecurityMiddleware reads its settings when it is built
    app = CachedAPIFront(django, max_bytes=2**20)
    plain = call(app, RANKING)
    secure = call(app, RANKING, HTTP_X_FORWARDED_PROTO="https")
    assert django.calls == 2
    assert "Strict-Transport-Security" in dict(secure[1]) and "Strict-Transport-Security" not in dict(plain[1])
    assert call(app, RANKING, HTTP_X_FORWARDED_PROTO="https") == secure and django.calls == 2


def test_a_disallowed_host_reaches_django_and_gets_its_400(front, park):
    app, django = front
    call(app, RANKING)
    status, _, _ = call(app, RANKING, HTTP_HOST="evil.example")
    assert status.startswith("400") and django.calls == 2


def test_hits_count_against_the_rate_limit(front, park, monkeypatch):
    app, django = front
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/min", raising=False)
    statuses = [call(app, RANKING)[0] for _ in range(3)]
    assert statuses == ["200 OK", "200 OK", "429 Too Many Requests"]
    assert django.calls == 2  # the miss, then the refused request (Django writes the 429 and Retry-After)
    assert call(app, RANKING, REMOTE_ADDR="192.0.2.9")[0] == "200 OK" and django.calls == 2


def test_a_hit_logs_its_line_and_its_latency(front, park, caplog):
    app, _ = front
    labels = {"endpoint": "api:park-downtime", "method": "GET", "status": "2xx"}
    call(app, RANKING)
    before = REGISTRY.get_sample_value("themepark_http_request_duration_seconds_count", labels) or 0
    logger = logging.getLogger("themepark.request")  # its own handler, not propagated to the root
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="themepark.request"):
            call(app, RANKING)
    finally:
        logger.removeHandler(caplog.handler)
    assert REGISTRY.get_sample_value("themepark_http_request_duration_seconds_count", labels) == before + 1
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "themepark.request"]
    assert len(records) == 1
    assert {k: records[0][k] for k in ("method", "path", "status", "db", "endpoint", "remote_addr")} == {
        "method": "GET", "path": "/api/parks/downtime", "status": 200, "db": "cache",
        "endpoint": "api:park-downtime", "remote_addr": "127.0.0.1"}


def test_the_store_keeps_to_its_size(front, park):
    app, _ = front
    app.store.max_bytes = 3 * len(call(app, RANKING)[2])
    for limit in range(1, 10):
        call(app, f"{RANKING}&limit={limit}")
    assert app.store.size <= app.store.max_bytes and len(app.store._entries) <= 3


def test_requests_arriving_while_django_answers_wait_for_that_answer(front, park):
    import threading

    app, django = front
    started, release = threading.Event(), threading.Event()
    inner = django.app

    def slow(environ, start_response):
        started.set()
        release.wait(10)
        return inner(environ, start_response)

    django.app = slow
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(call(app, RANKING))) for _ in range(4)]
    threads[0].start()
    assert started.wait(10)
    for thread in threads[1:]:
        thread.start()
    time.sleep(0.2)  # the three others are waiting for the first
    release.set()
    for thread in threads:
        thread.join(10)
    assert django.calls == 1 and len(answers) == 4 and all(answer == answers[0] for answer in answers)
    assert answers[0][0] == "200 OK"

    # An answer that is not kept (a 404) makes nobody wait the next time.
    assert call(app, "/api/parks/999999/details")[0].startswith("404") and django.calls == 2
    assert call(app, "/api/parks/999999/details")[0].startswith("404") and django.calls == 3


def test_django_keeps_its_own_copy_only_of_answers_the_front_does_not_keep(front, park):
    """Local memory: what the front keeps, @cached does not keep again; a request the front does not
    answer (CORS) keeps Django's own copy, under the key the front made of the same request, and
    the next one is answered from it."""
    from themepark.api.caching import _entry_key, cache_key, request_digest
    from warehouse.cache import stats_generation

    app, django = front
    _, _, body = call(app, RANKING)
    key = _entry_key(cache_key(request_digest("/api/parks/downtime", RequestFactory().get(RANKING).GET),
                               stats_generation()))
    assert cache.get(key) is None
    status, _, cors = call(app, RANKING, HTTP_ORIGIN="https://frontend.example")
    assert status == "200 OK" and cors == body and django.calls == 2
    assert cache.get(key) is not None
    ParkDailyStats.objects.filter(park=park, date=YESTERDAY).update(shame_score=7.0)
    assert call(app, RANKING, HTTP_ORIGIN="https://frontend.example")[2] == body  # Django's kept copy


def test_with_a_shared_cache_django_keeps_a_copy_of_what_the_front_keeps(settings):
    """A shared cache (Redis) serves the other processes: @cached keeps its copy there as well."""
    from themepark.api.caching import FRONT_KEY, _front_keeps
    from warehouse.api.views import ParkViewSet

    asked_by_the_front = RequestFactory().get(RANKING, **{FRONT_KEY: "api:1:digest"})
    assert _front_keeps(ParkViewSet(), asked_by_the_front)
    assert not _front_keeps(ParkViewSet(), RequestFactory().get(RANKING))
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # not local memory
    assert not _front_keeps(ParkViewSet(), asked_by_the_front)


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json; indent=2", "text/html",
                                    "application/*, */*;q=0.5"])
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api"])
def test_the_public_negotiation_answers_as_drfs(accept, query):
    """themepark.api.negotiation: DRF's renderer and media type (or its 404/406) for every Accept and format."""
    from rest_framework.negotiation import DefaultContentNegotiation
    from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
    from rest_framework.request import Request

    from themepark.api.negotiation import PublicContentNegotiation

    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    renderers = [JSONRenderer(), BrowsableAPIRenderer()]

    def answer(negotiation):
        try:
            renderer, media_type = negotiation().select_renderer(
                Request(RequestFactory().get(f"/api/parks/downtime{query}", **headers)), renderers)
        except Exception as exc:  # noqa: BLE001 - the same refusal either way
            return type(exc)
        return type(renderer), media_type

    assert answer(PublicContentNegotiation) == answer(DefaultContentNegotiation)
