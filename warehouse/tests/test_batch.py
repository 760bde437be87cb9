"""The incremental run reads, computes and stores parks in batches (`warehouse.aggregation.batch`):
every park's figures must be the oracle's (each park day on its own), whatever parks share a
batch (time zones, schedules, rides without observations, a park without attractions), and a
batch must replace what an earlier run stored."""
import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from themepark.models import ParkSchedule
from themepark.tests.factories import make_park, make_ride
from warehouse.aggregation import batch, runs
from warehouse.ingest import Observation, ingest
from warehouse.models import ParkDailyStats, ParkDayFingerprint, RideHourlyStats, RideStatusChange
from warehouse.services import stats_update

from .test_engine_oracle import check_day

UTC = timezone.utc
DAY = date(2024, 6, 12)
ZONES = ["Europe/Paris", "America/New_York", "Asia/Dubai", "Europe/Paris", "Asia/Tokyo", "America/New_York"]


def fill(park, rng, n_rides):
    tz = ZoneInfo(park.timezone)
    events = []
    for i in range(n_rides):
        ride = make_ride(park, tier=(1, 2, 3, None)[i % 4])
        if i == n_rides - 1:
            continue  # a ride never observed
        at = datetime.combine(DAY - timedelta(days=1), time(8), tzinfo=tz).astimezone(UTC)
        end = at + timedelta(hours=40)
        source = "LIVE" if i % 2 else "ARCHIVE"
        while at < end:
            status = rng.choice(["OPERATING", "OPERATING", "OPERATING", "DOWN", "CLOSED"])
            events.append(Observation(ride.pk, at, status, rng.randrange(5, 90, 5) if status == "OPERATING" else None,
                                      source))
            at += timedelta(minutes=5 if source == "LIVE" else rng.randrange(5, 120))
    ingest(events, now=datetime(2100, 1, 1, tzinfo=UTC), log_invalid=False)


@pytest.mark.django_db
@pytest.mark.parametrize("batch_parks", [1, 4, 25])
def test_batches_of_parks_store_the_figures_of_the_oracle(batch_parks, monkeypatch):
    monkeypatch.setattr(batch, "BATCH_PARKS", batch_parks)
    rng = random.Random(batch_parks)
    parks = []
    for i, zone in enumerate(ZONES):
        park = make_park(timezone=zone, reports_down=i % 3 != 1)
        fill(park, rng, 0 if i == 5 else 3 + i)
        if i % 2:
            tz = ZoneInfo(zone)
            ParkSchedule.objects.create(park=park, date=DAY, schedule_type="OPERATING",
                                        opening_time=datetime.combine(DAY, time(9), tzinfo=tz),
                                        closing_time=datetime.combine(DAY + timedelta(days=1), time(1), tzinfo=tz))
        parks.append(park)
    ids = [p.pk for p in parks]
    now = datetime.combine(DAY, time(18), tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
    stats_update(park_ids=ids, now=now - timedelta(hours=3))  # stored before: replaced below
    summary = stats_update(park_ids=ids, now=now)
    assert summary.errors == 0 and summary.parks == len(parks)
    for park in parks:
        for day in {DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)}:
            check_day(park, day, now)
        assert ParkDayFingerprint.objects.filter(park=park, date=DAY).exists()
    assert RideHourlyStats.objects.filter(park__in=parks).count() > 0
    changes = RideStatusChange.objects.filter(ride__park__in=parks)
    assert changes.count() == changes.values("ride_id", "changed_at").distinct().count()


@pytest.mark.django_db
def test_a_batch_of_parks_takes_a_few_statements(monkeypatch):
    rng = random.Random(3)
    parks = [make_park(timezone="Europe/Paris") for _ in range(8)]
    for park in parks:
        fill(park, rng, 3)
    now = datetime.combine(DAY, time(18), tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
    stats_update(park_ids=[p.pk for p in parks], now=now - timedelta(minutes=10))
    with CaptureQueriesContext(connection) as queries:
        stats_update(park_ids=[p.pk for p in parks], now=now)
    assert ParkDailyStats.objects.filter(park__in=parks, date=DAY).count() == len(parks)
    assert len(queries) < 60, [q["sql"][:80] for q in queries]


def test_parks_are_batched_only_when_each_parks_days_fit_one_chunk():
    class P:
        def __init__(self, pk):
            self.pk = pk
    one = {P(i): [DAY] for i in range(60)}
    assert [len(b) for b in batch._batches(one, 2)] == [30, 30]
    assert [len(b) for b in batch._batches({P(i): [DAY] for i in range(130)}, 2)] == [50, 50, 30]
    assert [len(b) for b in batch._batches(dict(list(one.items())[:9]), 2)] == [5, 4]
    assert batch._batches({P(1): [DAY + timedelta(days=d) for d in range(runs.CHUNK_DAYS + 1)]}, 2) is None
