"""A statistics chunk reads its observations as numbers the server packs per ride
(`warehouse.aggregation.packed`, MySQL): the arrays must be those of the row-by-row read, and a
ride's text cut short by the server's limit must send the read back to the rows."""
import random
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from django.db import connection

from themepark.tests.factories import make_park, make_ride
from warehouse.aggregation import daily, packed
from warehouse.ingest import Observation, ingest
from warehouse.metrics import RideInfo

UTC = timezone.utc
START = datetime(2024, 6, 10, 4, tzinfo=UTC)

pytestmark = pytest.mark.skipif(connection.vendor != "mysql", reason="the packed read is MySQL's")


def _rides_with_observations():
    rng = random.Random(7)
    park = make_park(timezone="Europe/Paris")
    rides, events = [], []
    for i in range(5):
        ride = make_ride(park)
        rides.append(RideInfo(ride.pk, None, True))
        at = START - timedelta(hours=3) + timedelta(seconds=rng.randrange(3600), microseconds=rng.randrange(10**6))
        while at < START + timedelta(days=2):
            status = rng.choice(["OPERATING", "DOWN", "CLOSED", "REFURBISHMENT", None])
            wait = rng.choice([None, 0, 5, 600]) if status == "OPERATING" else None
            events.append(Observation(ride.pk, at, status, wait, rng.choice(["LIVE", "ARCHIVE"])))
            at += timedelta(minutes=rng.randrange(1, 40), milliseconds=rng.randrange(1000))
    ingest(events, now=datetime(2100, 1, 1, tzinfo=UTC), log_invalid=False)
    return rides[::-1], len(events)  # places not in ride id order


def _read(rides, monkeypatch, *, packed_read: bool, cap=None):
    monkeypatch.setattr(packed, "MAX_TEXT", cap)
    calls = []
    real = packed.packed_rows

    def spy(*args):
        calls.append(result := real(*args))
        return result

    monkeypatch.setattr(daily, "packed_rows", spy if packed_read else lambda *args: None)
    return daily.read_arrays(rides, START, START + timedelta(days=1)), calls


@pytest.mark.django_db(transaction=True)
def test_packed_read_gives_the_arrays_of_the_row_read(monkeypatch):
    rides, count = _rides_with_observations()
    by_rows, _ = _read(rides, monkeypatch, packed_read=False)
    by_numbers, calls = _read(rides, monkeypatch, packed_read=True)
    assert calls and calls[0] is not None and len(calls[0]) > 100  # the numbers were read, not the rows
    assert len(by_rows.ride) > 100 and set(by_rows.status.tolist()) == {0, 1, 2, 3, 4}
    for name in ("ride", "at", "status", "wait", "live"):
        left, right = getattr(by_rows, name), getattr(by_numbers, name)
        assert left.dtype == right.dtype and np.array_equal(left, right), name
    assert by_rows.names == by_numbers.names


@pytest.mark.django_db(transaction=True)
def test_a_text_cut_by_the_server_falls_back_to_the_rows(monkeypatch):
    rides, _ = _rides_with_observations()
    by_rows, _ = _read(rides, monkeypatch, packed_read=False)
    cut, calls = _read(rides, monkeypatch, packed_read=True, cap=200)
    assert calls == [None]  # cut short: the read went back to the rows
    for name in ("ride", "at", "status", "wait", "live"):
        assert np.array_equal(getattr(by_rows, name), getattr(cut, name)), name

