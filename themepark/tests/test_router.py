"""Which requests may read from a replica, and what keeps a request on the primary (the replica
tests in test_replicas.py check the same against real replication)."""
import pytest
from django.db import router
from django.test import RequestFactory

from themepark import db_router
from themepark.middleware import replica_eligible
from themepark.models import Park
from themepark.settings.databases import databases

factory = RequestFactory()


@pytest.mark.parametrize(("method", "path", "eligible"), [
    ("GET", "/api/parks/downtime", True),
    ("HEAD", "/api/health", True),
    ("GET", "/api/admin/quality/summary", False),  # the staff API
    ("POST", "/api/admin/storage/measure", False),
    ("POST", "/api/parks/downtime", False),
    ("GET", "/admin/", False),
    ("GET", "/metrics", False),
])
def test_only_public_api_reads_are_eligible(method, path, eligible):
    assert replica_eligible(factory.generic(method, path)) is eligible


def test_a_request_that_wrote_reads_from_the_primary_from_then_on():
    token = db_router._routing.set(db_router.RequestRouting(eligible=True, replica="replica_0"))
    try:
        assert router.db_for_read(Park) == "replica_0"
        assert db_router.current_replica() == "replica_0"
        assert router.db_for_write(Park) == "default"
        assert router.db_for_read(Park) == "default"
    finally:
        db_router._routing.reset(token)


def test_outside_a_request_everything_is_on_the_primary():
    assert router.db_for_read(Park) == "default" and router.db_for_write(Park) == "default"
    assert db_router.ReplicaRouter().allow_migrate("replica_0", "themepark") is False
    assert router.allow_migrate("default", "themepark") is True


def test_without_replicas_no_request_is_eligible():
    token = db_router.begin_request(True)
    try:
        assert db_router._routing.get().eligible is False
        assert router.db_for_read(Park) == "default"
    finally:
        db_router.end_request(token)


def test_fail_over_only_for_a_request_reading_from_a_replica_that_wrote_nothing():
    for state, expected in ((db_router.RequestRouting(eligible=True), False),
                            (db_router.RequestRouting(eligible=True, replica="default"), False),
                            (db_router.RequestRouting(eligible=True, replica="replica_0", wrote=True), False)):
        token = db_router._routing.set(state)
        try:
            assert db_router.fail_over() is expected
        finally:
            db_router._routing.reset(token)


def test_replica_urls_become_aliases_with_the_primary_options():
    config = databases("mysql://app:pw@db1:3306/themepark",
                       ["mysql://ro:pw@db2:3306/themepark", "mysql://ro:pw@db3:3307/themepark"], conn_max_age=60)
    assert list(config) == ["default", "replica_0", "replica_1"]
    assert config["replica_1"]["HOST"] == "db3" and config["replica_1"]["PORT"] == 3307
    assert config["replica_0"]["OPTIONS"]["charset"] == config["default"]["OPTIONS"]["charset"] == "utf8mb4"
    assert config["replica_0"]["OPTIONS"]["connect_timeout"] == 2 and "connect_timeout" not in config["default"][
        "OPTIONS"]
    assert config["replica_0"]["TEST"] == {"MIRROR": "default"}
    assert all(c["CONN_MAX_AGE"] == 60 for c in config.values())
