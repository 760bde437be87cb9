"""The rate limit's client identity: the socket address, or with NUM_PROXIES of ours in front, the
address the outermost of them appended; a client's own X-Forwarded-For never buys more requests."""
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(monkeypatch):
    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/min", raising=False)
    yield APIClient()
    cache.clear()


def test_forged_forwarded_for_headers_do_not_escape_the_limit(limited):
    statuses = [limited.get("/api/search/index", REMOTE_ADDR="203.0.113.7",
                            HTTP_X_FORWARDED_FOR=f"10.0.{i}.{i}").status_code for i in range(20)]
    assert statuses == [200] * 3 + [429] * 17
    other = limited.get("/api/search/index", REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert other.status_code == 200  # another socket address is another client


def test_behind_one_proxy_the_client_is_the_address_it_appended(limited):
    with override_settings(REST_FRAMEWORK={**django_settings.REST_FRAMEWORK, "NUM_PROXIES": 1}):
        forged = [limited.get("/api/search/index", REMOTE_ADDR="10.0.0.2",  # the proxy
                              HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7").status_code for i in range(5)]
        assert forged == [200] * 3 + [429] * 2  # the client's own entries (left) are not its identity
        assert limited.get("/api/search/index", REMOTE_ADDR="10.0.0.2",
                           HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200


def test_the_limit_holds_across_a_window_boundary_and_frees_up_as_the_last_window_fades(limited):
    import time_machine

    def statuses(count):
        return [limited.get("/api/search/index", REMOTE_ADDR="203.0.113.20").status_code for _ in range(count)]

    start = 1_800_000_000 // 60 * 60  # the start of a one-minute window
    with time_machine.travel(start + 59.5, tick=False):
        assert statuses(4) == [200, 200, 200, 429]
    with time_machine.travel(start + 60.5, tick=False):  # a new window: the last one's 3 still count
        refused = limited.get("/api/search/index", REMOTE_ADDR="203.0.113.20")
        assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    with time_machine.travel(start + 100, tick=False):  # 1/3 of the last window left: ceil(3 x 1/3) = 1
        assert statuses(3) == [200, 200, 429]
    with time_machine.travel(start + 200, tick=False):
        assert statuses(4) == [200, 200, 200, 429]
