"""Benchmark of the quality jobs on a week of live polls: detect_gaps, freshness, coverage, measure_storage.

    BENCH_DATABASE_URL=mysql://root:@127.0.0.1:3306/themepark_bench_quality \
        .venv/bin/python bench/quality.py [--parks 20] [--rides 40] [--days 7]

Each park (UTC) is polled every 5 minutes from 09:00 to 21:00 with one 70-minute collector outage
per day; a ride per park goes silent at 15:00 on the last day. Prints timings, findings and
query counts; the machine is shared, so treat the figures as rough.
"""
import argparse
from collections import Counter
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Timer, peak_memory_mb, setup_django  # noqa: E402


def observations(rides, first_day, days):
    from warehouse.ingest import Observation

    for d in range(days):
        day = datetime.combine(first_day + timedelta(days=d), datetime.min.time(), tzinfo=timezone.utc)
        for minute in range(9 * 60, 21 * 60, 5):
            if 12 * 60 <= minute < 13 * 60 + 10:  # the daily outage
                continue
            at = day + timedelta(minutes=minute)
            for index, ride_id in enumerate(rides):
                if d == days - 1 and index == 0 and minute >= 15 * 60:
                    continue
                yield Observation(ride_id, at, "OPERATING", 20, "LIVE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--parks", type=int, default=20)
    parser.add_argument("--rides", type=int, default=40)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    setup_django(fresh=True)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quality.models import DataQualityLog
    from quality.services import gaps_detect
    from quality.storage import storage_measure
    from quality.timelines import park_coverage, parks_freshness
    from themepark.models import Park, Ride
    from warehouse.ingest import ingest
    from warehouse.services import partitions_ensure

    first_day = date.today() - timedelta(days=args.days)
    partitions_ensure(since=first_day)
    rows = 0
    with Timer() as t:
        for p in range(args.parks):
            park = Park.objects.create(name=f"Bench park {p}", timezone="UTC")
            rides = [r.pk for r in Ride.objects.bulk_create(
                [Ride(park=park, name=f"Ride {p}-{i}") for i in range(args.rides)])]
            rows += ingest(observations(rides, first_day, args.days)).written
    print(f"setup: {rows} observations in {t.seconds:.1f} s")
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=timezone.utc)
    end = start + timedelta(days=args.days)
    for label, span_start in (("detect_gaps, whole range", start), ("detect_gaps, last 48 h", end - timedelta(days=2))):
        with CaptureQueriesContext(connection) as queries, Timer() as t:
            found = sum((c for _, c in gaps_detect(start=span_start, end=end)), start=Counter())
        print(f"{label}: {t.seconds:.2f} s, {len(queries)} queries, {dict(found)}")
    with Timer() as t:
        again = sum((c for _, c in gaps_detect(start=start, end=end)), start=Counter())
    print(f"detect_gaps re-run: {t.seconds:.2f} s, {dict(again)}; log rows: {DataQualityLog.objects.count()}")
    with Timer() as t:
        fresh = parks_freshness()
    print(f"freshness of {len(fresh)} parks: {t.seconds:.3f} s")
    with Timer() as t:
        for park in Park.objects.all():
            park_coverage(park=park, first=first_day, last=first_day + timedelta(days=args.days - 1))
    print(f"coverage, {args.parks} parks x {args.days} days: {t.seconds:.2f} s")
    with Timer() as t:
        measured = storage_measure(analyze=True)
    print(f"measure_storage --analyze: {t.seconds:.2f} s for {len(measured)} tables")
    print(f"peak memory {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
