"""Fixtures of the collector tests: a fake API on loopback serving ../fixtures, the moment the
fixtures describe (2025-07-15 21:40 EDT = 2025-07-16T01:40:00Z), and the Universal Orlando
catalog synced from it."""
from datetime import datetime, timezone

import pytest

from collector.fakeapi import FakeAPI
from collector.services import parks_sync
from themepark.models import Park

SNAPSHOT = datetime(2025, 7, 16, 1, 40, tzinfo=timezone.utc)
USF = "eb3f4560-2383-4a36-9152-6b3e5ed6bc57"
IOA = "267615cc-8943-4c2a-ae2c-5da728ca591f"
UOR = "89db5d43-c434-4097-b71f-f6869f495a22"


@pytest.fixture
def api(settings):
    with FakeAPI() as fake:
        settings.THEMEPARKS_WIKI_BASE_URL = fake.tpw_url
        settings.QUEUE_TIMES_BASE_URL = fake.qt_url
        settings.HTTP_TIMEOUT_SECONDS = 0.5
        settings.HTTP_MAX_RETRIES = 2
        settings.COLLECTOR_CONCURRENCY = 4
        yield fake


@pytest.fixture
def catalog(api):
    """The two Universal Orlando parks, synced from the fake ThemeParks.wiki: {"usf": ..., "ioa": ...}."""
    parks_sync(source="themeparks-wiki", destination_ids=["universalorlando"])
    return {"usf": Park.objects.get(themeparks_wiki_id=USF), "ioa": Park.objects.get(themeparks_wiki_id=IOA)}
