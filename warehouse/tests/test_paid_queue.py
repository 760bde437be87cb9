"""Paid-queue price history per park day: first/last/min/max price, currency, first sell-out and
the return window at each price change, for a ride and for every ride of a park."""
from datetime import datetime, timedelta, timezone

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from themepark.tests.factories import make_park, make_ride
from warehouse.ingest import Observation, QueueRow, ingest

pytestmark = pytest.mark.django_db
UTC = timezone.utc


def at(day, hour, minute=0):
    return datetime(2024, 6, day, hour, minute, tzinfo=UTC)


def paid(price, state="AVAILABLE", currency="USD", window=None):
    start = window
    return QueueRow("PAID_RETURN_TIME", return_time_start=start,
                    return_time_end=start + timedelta(minutes=15) if start else None, state=state,
                    price_amount=price, price_currency=currency)


@pytest.fixture
def client():
    cache.clear()
    return APIClient()


@pytest.fixture
def history(db):
    """A New York park: one ride with a paid queue over two park days, one without."""
    park = make_park(timezone="America/New_York")
    ride, plain = make_ride(park, name="Velocicoaster"), make_ride(park, name="Carousel")
    rows = [
        (at(12, 14, 0), paid(1999, window=at(12, 15))),
        (at(12, 14, 5), paid(1999, window=at(12, 15, 15))),
        (at(12, 15, 0), paid(2499, window=at(12, 16))),
        (at(12, 17, 0), paid(2999, window=at(12, 18))),
        (at(12, 17, 30), paid(1499, window=at(12, 19))),
        (at(12, 18, 0), paid(None, state="FINISHED", currency=None)),
        (at(12, 18, 5), paid(None, state="FINISHED", currency=None)),
        (at(13, 7, 30), paid(1499, window=at(13, 8))),  # 03:30 EDT: still the park day of the 12th
        (at(13, 14, 0), paid(1799, window=at(13, 15))),
    ]
    observations = [Observation(ride.pk, moment, "OPERATING", 30, "LIVE",
                                queues=[QueueRow("STANDBY", 30), queue]) for moment, queue in rows]
    observations.append(Observation(plain.pk, at(12, 14), "OPERATING", 5, "LIVE", queues=[QueueRow("STANDBY", 5)]))
    ingest(observations, now=at(20, 0))
    return park, ride, plain


def test_a_ride_s_price_history_per_park_day(client, history):
    _, ride, _ = history
    response = client.get(f"/api/rides/{ride.pk}/paid-queue", {"start": "2024-06-12", "end": "2024-06-13"})
    assert response.status_code == 200
    body = response.json()
    assert (body["ride_id"], body["timezone"], body["start"], body["end"]) == (
        ride.pk, "America/New_York", "2024-06-12", "2024-06-13")
    first, second = body["data"]
    assert (first["date"], first["queue_type"], first["currency"]) == ("2024-06-12", "PAID_RETURN_TIME", "USD")
    assert (first["first_price"], first["last_price"], first["min_price"], first["max_price"]) == (
        1999, 1499, 1499, 2999)
    assert isinstance(first["min_price"], int)
    assert first["observations"] == 8
    assert first["first_sold_out_at"] == "2024-06-12T18:00:00Z"
    assert [(c["at"], c["price"], c["return_time_start"]) for c in first["price_changes"]] == [
        ("2024-06-12T14:00:00Z", 1999, "2024-06-12T15:00:00Z"),
        ("2024-06-12T15:00:00Z", 2499, "2024-06-12T16:00:00Z"),
        ("2024-06-12T17:00:00Z", 2999, "2024-06-12T18:00:00Z"),
        ("2024-06-12T17:30:00Z", 1499, "2024-06-12T19:00:00Z"),
    ]
    assert first["price_changes"][1]["return_time_end"] == "2024-06-12T16:15:00Z"
    assert (second["date"], second["first_price"], second["last_price"], second["first_sold_out_at"]) == (
        "2024-06-13", 1799, 1799, None)


def test_one_park_day_only(client, history):
    _, ride, _ = history
    body = client.get(f"/api/rides/{ride.pk}/paid-queue", {"start": "2024-06-13", "end": "2024-06-13"}).json()
    assert [d["date"] for d in body["data"]] == ["2024-06-13"]
    assert body["data"][0]["observations"] == 1


def test_a_currency_change_within_a_day_gives_one_entry_per_currency(client, history):
    _, ride, _ = history
    ingest([Observation(ride.pk, at(13, 15), "OPERATING", 30, "LIVE", queues=[paid(1599, currency="EUR")])],
           now=at(20, 0))
    body = client.get(f"/api/rides/{ride.pk}/paid-queue", {"start": "2024-06-13", "end": "2024-06-13"}).json()
    assert [(d["currency"], d["first_price"]) for d in body["data"]] == [("USD", 1799), ("EUR", 1599)]


def test_every_ride_of_a_park_in_one_call(client, history):
    park, ride, _ = history
    response = client.get(f"/api/parks/{park.pk}/paid-queue/", {"start": "2024-06-12", "end": "2024-06-13"})
    assert response.status_code == 200
    body = response.json()
    assert body["park_id"] == park.pk
    assert [r["ride_id"] for r in body["rides"]] == [ride.pk]  # the carousel has no paid queue
    assert [d["date"] for d in body["rides"][0]["data"]] == ["2024-06-12", "2024-06-13"]


@pytest.mark.parametrize("path,query,status", [
    ("rides/{ride}", {"start": "2024-01-01", "end": "2025-06-30"}, 400),
    ("parks/{park}", {"start": "2024-06-01", "end": "2024-07-15"}, 400),
    ("rides/{ride}", {"start": "2024-06-13", "end": "2024-06-12"}, 400),
    ("rides/{ride}", {"start": "2024-06-13"}, 400),
    ("rides/999999", {"start": "2024-06-12", "end": "2024-06-13"}, 404),
    ("parks/999999", {"start": "2024-06-12", "end": "2024-06-13"}, 404),
])
def test_bad_requests(client, history, path, query, status):
    park, ride, _ = history
    response = client.get(f"/api/{path.format(ride=ride.pk, park=park.pk)}/paid-queue", query)
    assert response.status_code == status
    assert response.json()["success"] is False
