"""Benchmark of the statistics engine on a generated archive.

    BENCH_DATABASE_URL=mysql://root:@127.0.0.1:3306/bench_stats \\
        .venv/bin/python bench/aggregate.py [--destinations 5] [--days 90] [--start 2024-01-01]

Generates an archive with the project's generator (importer.synthetic), loads its events into a fresh benchmark
database through warehouse.ingest (ARCHIVE observations; catalog from the manifest), then
times: one park day (mean of several), one full day of all parks, the whole range (rows/s
read), rolling a month and a year up from the daily rows, and an incremental run with the
live-state refresh. Prints an extrapolation to a year of 30 parks. Only loopback is contacted.
"""
import argparse
import json
import sys
import tempfile
import zlib
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Timer, make_archive, peak_memory_mb, setup_django  # noqa: E402

UTC = timezone.utc


def generate(out: Path, args):
    return make_archive(out, destinations=args.destinations, days=args.days, start=args.start)


def load(out: Path, manifest):
    from themepark.models import Destination, Park, Ride
    from warehouse.ingest import Observation, ingest

    parks, rides = {}, {}
    for dest in manifest["destinations"]:
        d = Destination.objects.create(name=dest["name"], themeparks_wiki_id=dest["id"])
        for p in dest["parks"]:
            parks[p["id"]] = Park.objects.create(destination=d, name=p["name"], themeparks_wiki_id=p["id"],
                                                 timezone=dest["timezone"])
    for i, r in enumerate(manifest["rides"]):
        rides[r["entityId"]] = Ride.objects.create(park=parks[r["parkId"]], name=r["name"],
                                                   themeparks_wiki_id=r["entityId"], entity_type=r["entityType"],
                                                   tier=(1, 2, 3, None)[i % 4]).pk

    def events():
        for path in sorted(out.glob("*/*/*/*.json.gz")):
            for e in json.loads(zlib.decompress(path.read_bytes()))["events"]:
                queue = (e["data"].get("queue") or {}).get("STANDBY") or {}
                yield Observation(rides[e["entityId"]], datetime.fromisoformat(e["eventTime"].replace("Z", "+00:00")),
                                  e["data"]["status"], queue.get("waitTime"), "ARCHIVE")

    return ingest(events(), now=datetime(2100, 1, 1, tzinfo=UTC), log_invalid=False), list(parks.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--destinations", type=int, default=5)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--start", default="2024-01-01")
    args = parser.parse_args()
    setup_django(fresh=True)
    from django.db import connection

    from themepark.models import Park
    from warehouse.aggregation import park_day_refresh, park_periods_roll, park_rides
    from warehouse.models import AggregationRun, RideDailyStats, RideHourlyStats
    from warehouse.services import live_state_refresh, partitions_ensure, stats_recompute, stats_update

    start = date.fromisoformat(args.start)
    end = start + timedelta(days=args.days - 1)
    partitions_ensure(since=start - timedelta(days=1))
    with tempfile.TemporaryDirectory() as tmp:
        with Timer() as t:
            manifest = generate(Path(tmp), args)
        print(f"generated {manifest['totals']['valid_events']:,} events in {t.seconds:.1f} s")
        with Timer() as t:
            result, parks = load(Path(tmp), manifest)
        print(f"loaded {result.written:,} observations in {t.seconds:.1f} s ({result.written / t.seconds:,.0f}/s)")
    now = datetime.combine(end + timedelta(days=3), time(), tzinfo=UTC)

    theme = Park.objects.filter(name__contains="Studios").first() or parks[0]
    rides = park_rides(theme)
    sample = [start + timedelta(days=d) for d in range(1, args.days - 1, max(1, args.days // 20))]
    with Timer() as t:
        for day in sample:
            park_day_refresh(park=theme, day=day, now=now, rides=rides)
    one_day = t.seconds / len(sample)
    print(f"one park day ({theme.name}, {len(rides)} attractions): {one_day * 1000:.1f} ms (mean of {len(sample)})")

    mid = start + timedelta(days=args.days // 2)
    with Timer() as t:
        stats_recompute(start=mid, end=mid, now=now)
    print(f"one full day of all {len(parks)} parks: {t.seconds:.2f} s")

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM ride_status_snapshots")
        total_rows = cur.fetchone()[0]
    with Timer() as t:
        summary = stats_recompute(start=start, end=end, now=now)
    park_days = summary.days
    print(f"whole range: {park_days} park days in {t.seconds:.1f} s ({t.seconds / park_days * 1000:.1f} ms/park day), "
          f"{total_rows / t.seconds:,.0f} observation rows/s read; "
          f"{RideDailyStats.objects.count():,} ride-day and {RideHourlyStats.objects.count():,} ride-hour rows")
    year_est = t.seconds / park_days * 30 * 365
    print(f"extrapolated full rebuild of a year for 30 parks: {year_est / 60:.1f} min (target < 10 min)")

    with Timer() as t:
        park_periods_roll(park_id=theme.pk, days=[mid])
    print(f"roll one park's week+month+year from daily rows: {t.seconds * 1000:.1f} ms")
    with Timer() as t:
        list(RideDailyStats.objects.filter(park=theme, date__gte=start, date__lte=end).values("ride_id")
             .annotate(s=__import__("django.db.models", fromlist=["Sum"]).Sum("downtime_minutes")))
    print(f"ad-hoc range sum over {args.days} days of daily rows (one park): {t.seconds * 1000:.1f} ms")

    inc_now = datetime.combine(mid, time(20), tzinfo=ZoneInfo(theme.timezone)).astimezone(UTC)
    AggregationRun.objects.all().delete()
    stats_update(now=inc_now - timedelta(minutes=10))  # the run before: it closed yesterday
    with Timer() as t:
        inc = stats_update(now=inc_now)
        live_state_refresh(now=inc_now)
    print(f"incremental run ({inc.days} park days) + live state: {t.seconds:.2f} s (target < 5 s)")
    print(f"peak memory {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
