"""collector.sources: the polite HTTP client against a fake server on loopback."""
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from collector.sources import NotFound, SourceError
from collector.sources.http import RateLimiter, retry_after_seconds
from collector.sources.queue_times import QueueTimesClient
from collector.sources.themeparks_wiki import ThemeParksWikiClient
from collector.tests.conftest import USF
from collector.fakeapi import FakeAPI

LIVE = f"/v1/entity/{USF}/live"


@pytest.fixture
def server():
    with FakeAPI() as fake:
        yield fake


def client(server, **options):
    options = {"timeout": 0.5, "max_retries": 2, "backoff_base": 0.05, **options}
    return ThemeParksWikiClient(server.tpw_url, **options)


def test_it_sends_a_descriptive_user_agent(server, settings):
    client(server).destinations()
    assert server.requests[0][2]["User-Agent"] == settings.HTTP_USER_AGENT


def test_a_429_with_retry_after_seconds_is_waited_out_and_then_succeeds(server):
    server.script[LIVE] = [(429, {"Retry-After": "1"}, {"error": "Too Many Requests", "retryAfter": 1}),
                           server.documents[LIVE]]
    started = time.monotonic()
    body = client(server).live(USF)
    assert body["id"] == USF
    assert time.monotonic() - started >= 0.95
    assert server.count(LIVE) == 2


def test_retry_after_accepts_an_http_date():
    now = datetime(2025, 7, 16, 1, 40, tzinfo=timezone.utc)
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds("soon") is None


def test_5xx_answers_are_retried_with_backoff(server):
    server.script[LIVE] = [500, 503, server.documents[LIVE]]
    assert client(server).live(USF)["id"] == USF
    assert server.count(LIVE) == 3


def test_persistent_5xx_gives_up_after_the_bounded_retries(server):
    server.script[LIVE] = [502]
    with pytest.raises(SourceError, match="after 3 attempt"):
        client(server).live(USF)
    assert server.count(LIVE) == 3


def test_a_timeout_is_retried_then_reported(server):
    server.script[LIVE] = [(200, {"X-Delay": "1.0"}, {})]
    started = time.monotonic()
    with pytest.raises(SourceError, match="Timeout"):
        client(server, timeout=0.2, max_retries=1).live(USF)
    assert server.count(LIVE) == 2 and time.monotonic() - started < 2


def test_malformed_json_is_an_error_without_retries(server):
    server.script[LIVE] = [(200, {}, b"{not json")]
    with pytest.raises(SourceError, match="malformed JSON"):
        client(server).live(USF)
    assert server.count(LIVE) == 1


def test_an_unknown_entity_is_not_found(server):
    with pytest.raises(NotFound):
        client(server).entity("no-such-entity")


def test_queue_times_client_reads_parks_and_queue_times(server):
    qt = QueueTimesClient(server.qt_url, timeout=0.5)
    assert [g["id"] for g in qt.parks()] == [11, 12]
    assert "lands" in qt.queue_times(64)


def test_the_rate_limiter_never_allows_more_than_its_ceiling_per_minute():
    clock = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(3, clock=lambda: clock[0], sleep=sleep)
    for _ in range(3):
        limiter.acquire()
    assert sleeps == []
    limiter.acquire()
    assert clock[0] >= 60.0


def test_a_429_closes_the_gate_for_every_caller():
    clock = [0.0]
    limiter = RateLimiter(100, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    limiter.close_for(5)
    limiter.acquire()
    assert clock[0] >= 5
