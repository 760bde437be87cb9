"""The data of the API benchmark (bench/api.py): one database per size, filled with synthetic
observations through `warehouse.ingest` and with the statistics rows the API reads.

Each size has its own database (BENCH_DATABASE_URL's name plus _small / _large), so both can be
served at once. `fill_size` runs in a subprocess of bench/api.py (one Django set-up per database).
"""
import os
import random
import sys
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Timer, setup_django  # noqa: E402

# Days of data x 1000 rides x 32 events a day = 2M / 20M observations. Even the small size covers
# every ranked period whole (last_month reaches back up to 61 days), so both sizes answer the same
# question and differ only in how much history lies around it.
SIZES = {"small": 64, "large": 640}
PARKS, RIDES_PER_PARK, EVENTS_PER_DAY = 20, 50, 32
ZONES = ["America/New_York", "Europe/Paris", "Asia/Tokyo", "America/Los_Angeles", "Australia/Sydney",
         "Europe/London", "Asia/Shanghai", "America/Chicago"]
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/bench_api")


def observations(ride_ids, first_day, days, seed=11):
    from warehouse.ingest import Observation

    rng = random.Random(seed)
    step = timedelta(minutes=17)
    for day in range(days):
        base = datetime.combine(first_day + timedelta(days=day), dtime(12), tzinfo=timezone.utc)
        for ride_id in ride_ids:
            at = base + timedelta(seconds=rng.randrange(600))
            for _ in range(EVENTS_PER_DAY):
                status = "DOWN" if rng.random() < 0.05 else "OPERATING"
                yield Observation(ride_id, at, status, rng.randrange(5, 90, 5) if status == "OPERATING" else None,
                                  "ARCHIVE")
                at += step


def fill(days):
    from themepark.models import Destination, Park, Ride
    from warehouse.engine_constants import METRICS_VERSION
    from warehouse.ingest import ingest
    from warehouse.models import (LiveParkState, LiveRideState, ParkDailyStats, ParkHourlyStats, RideDailyStats,
                                  RideHourlyStats)
    from warehouse.services import partitions_ensure

    today = date.today()
    first = today - timedelta(days=days)
    partitions_ensure(since=first)
    dest = Destination.objects.create(name="Bench Resort", slug="bench")
    Park.objects.bulk_create([Park(destination=dest, name=f"Park {i:02d}", slug=f"park-{i}", timezone=ZONES[i % 8],
                                   country="US", continent="North America", is_disney=i < 4,
                                   is_universal=4 <= i < 6, queue_times_id=i + 1 if i % 3 == 0 else None)
                              for i in range(PARKS)])
    parks = list(Park.objects.all())
    Ride.objects.bulk_create([Ride(park=p, name=f"{p.name} ride {j:02d}", tier=(None, 1, 2, 3)[j % 4])
                              for p in parks for j in range(RIDES_PER_PARK)])
    rides = list(Ride.objects.all())
    with Timer() as t:
        result = ingest(observations([r.pk for r in rides], first, days), now=datetime.now(timezone.utc))
    print(f"  observations: {result.written:,} written in {t.seconds:.0f} s ({result.written / t.seconds:,.0f}/s)")

    rng = random.Random(5)
    with Timer() as t:
        ride_rows, park_rows = [], []
        for d in range(days + 1):
            day = first + timedelta(days=d)
            for park in parks:
                downs = []
                for ride in rides[parks.index(park) * RIDES_PER_PARK:(parks.index(park) + 1) * RIDES_PER_PARK]:
                    down = rng.choice((0, 0, 0, 15, 45, 120))
                    downs.append((down, ride.tier_weight))
                    ride_rows.append(RideDailyStats(
                        ride=ride, park=park, date=day, operating_minutes=720 - down, downtime_minutes=down,
                        known_minutes=720, uptime_percentage=100 * (720 - down) / 720,
                        avg_wait_minutes=rng.uniform(5, 60), peak_wait_minutes=rng.randrange(30, 120),
                        status_changes=2 if down else 0, longest_downtime_minutes=down, operated=True,
                        metrics_version=METRICS_VERSION))
                weight = sum(w for _, w in downs)
                weighted = sum(dn * w for dn, w in downs) / 60
                park_rows.append(ParkDailyStats(
                    park=park, date=day, shame_score=min(10, 10 * weighted / (weight * 12)),
                    total_downtime_hours=sum(dn for dn, _ in downs) / 60, weighted_downtime_hours=weighted,
                    effective_park_weight=weight, rides_operated=RIDES_PER_PARK,
                    rides_down=sum(1 for dn, _ in downs if dn), uptime_percentage=rng.uniform(90, 100),
                    avg_wait_minutes=rng.uniform(15, 40), peak_wait_minutes=rng.randrange(60, 150), open_hours=12,
                    metrics_version=METRICS_VERSION))
            if len(ride_rows) >= 50_000:
                RideDailyStats.objects.bulk_create(ride_rows, batch_size=5000)
                ride_rows = []
        RideDailyStats.objects.bulk_create(ride_rows, batch_size=5000)
        ParkDailyStats.objects.bulk_create(park_rows, batch_size=5000)
        hourly_rides, hourly_parks = [], []
        for d in range(3):
            day = today - timedelta(days=d)
            for h in range(12):
                hour = datetime.combine(day, dtime(13 + h if h < 11 else 0), tzinfo=timezone.utc)
                hourly_parks += [ParkHourlyStats(park=p, date=day, hour_start_utc=hour, shame_score=rng.uniform(0, 3),
                                                 metrics_version=METRICS_VERSION) for p in parks]
                hourly_rides += [RideHourlyStats(ride=r, park_id=r.park_id, date=day, hour_start_utc=hour,
                                                 operating_minutes=60, avg_wait_minutes=rng.uniform(5, 60),
                                                 uptime_percentage=100, metrics_version=METRICS_VERSION)
                                 for r in rides]
        RideHourlyStats.objects.bulk_create(hourly_rides, batch_size=5000)
        ParkHourlyStats.objects.bulk_create(hourly_parks, batch_size=5000)
        LiveRideState.objects.bulk_create([LiveRideState(
            ride=r, park_id=r.park_id, status=rng.choice(("OPERATING",) * 8 + ("DOWN", "CLOSED")),
            wait_time=rng.randrange(5, 90, 5), recorded_at=datetime.now(timezone.utc), operated_last_7_days=True)
            for r in rides])
        LiveParkState.objects.bulk_create([LiveParkState(park=p, is_open=True, rides_open=45, rides_down=3,
                                                         total_rides=50, avg_wait_time=25, max_wait_time=90,
                                                         shame_score=rng.uniform(0, 3)) for p in parks])
    print(f"  statistics: {RideDailyStats.objects.count():,} ride-days, {ParkDailyStats.objects.count():,} "
          f"park-days, {RideHourlyStats.objects.count():,} ride-hours in {t.seconds:.0f} s")
    derived(parks, first, days)
    return parks[0].pk, rides[0].pk



def derived(parks, first, days):
    """The weeks, months and years of the complete days and the rankings' kept ranges (the last 7 and
    30 days, the ranges before them, the year and month to date), as the statistics run leaves them
    for each park's today."""
    from warehouse.aggregation import park_periods_roll
    from warehouse.aggregation.ranges import ranges_refresh
    from warehouse.periods import park_today

    with Timer() as t:
        now = datetime.now(timezone.utc)
        rolled = sum(park_periods_roll(park_id=p.pk, days=[first + timedelta(days=d) for d in range(days + 1)],
                                       until=park_today(now, p.timezone) - timedelta(days=1)) for p in parks)
    print(f"  period rollups: {rolled:,} rows in {t.seconds:.0f} s")
    with Timer() as t:
        summed = ranges_refresh({p: [] for p in parks}, datetime.now(timezone.utc))
    print(f"  ranking ranges: {summed:,} rows in {t.seconds:.1f} s", flush=True)


def refresh_size(size):
    """Runs in a subprocess: a database filled earlier brought to what the statistics run (every 10
    minutes in production) would have left by now: a park whose day turned since the fill has its
    new week, month or year rolled up and its kept ranges summed for its new today (otherwise its
    rankings fall back to daily rows). Migrates first: a database filled by an earlier version gets
    the columns the statistics run now keeps."""
    setup_django(size_url(size))
    from themepark.models import Park
    from warehouse.models import RideDailyStats

    first = RideDailyStats.objects.order_by("date").values_list("date", flat=True).first()
    if first is None:
        return
    print(f"== refresh {size}: the statistics run's rollups and ranges for each park's today", flush=True)
    derived(list(Park.objects.all()), first, (date.today() - first).days)


def size_url(size):
    """Each size has its own database (BENCH_DATABASE_URL's name + _small / _large), so both can be
    served at once and measured alternately: load on the shared machine then hits both alike."""
    base, _, name = BENCH_URL.rpartition("/")
    return f"{base}/{name}_{size}"


def first_ids(url):
    import environ
    import MySQLdb

    cfg = environ.Env.db_url_config(url)
    conn = MySQLdb.connect(host=cfg["HOST"] or "127.0.0.1", port=int(cfg["PORT"] or 3306), user=cfg["USER"],
                           passwd=cfg["PASSWORD"] or "", db=cfg["NAME"])
    try:
        cur = conn.cursor()
        cur.execute("SELECT MIN(id) FROM themepark_park")
        park_id = cur.fetchone()[0]
        cur.execute("SELECT MIN(id) FROM themepark_ride")
        return park_id, cur.fetchone()[0]
    finally:
        conn.close()


def fill_size(size):
    """Runs in a subprocess (one Django set-up per database)."""
    setup_django(size_url(size), fresh=True)
    print(f"== fill {size}: {SIZES[size]} days into {size_url(size).rpartition('/')[2]}", flush=True)
    fill(SIZES[size])
