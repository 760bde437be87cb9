"""Benchmark of the exports: a park's 31 days of observations streamed as CSV and as Parquet,
against a plain read of the same rows in one query.

    .venv/bin/python bench/export.py [--rides 40] [--days 31]

Fills a fresh benchmark database (BENCH_DATABASE_URL, default
mysql://root:@127.0.0.1:3306/themepark_bench_export) with one park whose rides poll every 5
minutes over the range, then times `warehouse.exports.export_stream` for both formats (the
bytes are counted and dropped, as a client would take them) and the reference: one
`SELECT ... ORDER BY ride_id, recorded_at` fetched whole. Prints rows/s, the ratio to the
reference, the file sizes and this process's peak memory after each step (the exports run
first, so their peak is not the reference's whole result held at once).
"""
import argparse
import os
import random
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Timer, peak_memory_mb, setup_django  # noqa: E402

START = datetime(2026, 5, 1, 4, 0, tzinfo=timezone.utc)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rides", type=int, default=40)
    parser.add_argument("--days", type=int, default=31)
    args = parser.parse_args()
    os.environ.setdefault("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/themepark_bench_export")
    setup_django(fresh=True)
    from django.db import connection

    from themepark.models import Park, Ride
    from warehouse import exports
    from warehouse.ingest import Observation, ingest
    from warehouse.periods import DayRange, range_bounds_utc
    from warehouse.services import partitions_ensure

    partitions_ensure(since=START.date())
    park = Park.objects.create(name="Bench Park", slug="bench-park", timezone="UTC")
    Ride.objects.bulk_create([Ride(park=park, name=f"Ride {i}") for i in range(args.rides)])
    ride_ids = list(Ride.objects.filter(park=park).values_list("pk", flat=True))
    rng = random.Random(7)
    statuses = ("OPERATING",) * 17 + ("DOWN", "CLOSED", "CLOSED")
    polls = args.days * 288

    def generate():
        for ride_id in ride_ids:
            for i in range(polls):
                status = rng.choice(statuses)
                yield Observation(ride_id, START + timedelta(minutes=5 * i), status,
                                  rng.randrange(0, 120, 5) if status == "OPERATING" else None, "LIVE")

    result = ingest(generate(), now=START + timedelta(days=args.days + 1))
    rows = result.written
    days = DayRange(date(2026, 5, 1), date(2026, 5, 1) + timedelta(days=args.days - 1))
    print(f"{rows:,} observations of {args.rides} rides over {args.days} days")

    figures = {}
    for fmt in ("csv", "parquet"):
        size = 0
        with Timer() as timer:
            for block in exports.export_stream("observations", fmt, park, days):
                size += len(block)
        figures[fmt] = timer.seconds
        print(f"{fmt:8} {timer.seconds:7.2f} s  {rows / timer.seconds:12,.0f} rows/s  {size / 1e6:8.1f} MB  "
              f"peak memory {peak_memory_mb():6.0f} MB")

    start, end = range_bounds_utc(days, "UTC")
    with Timer() as timer, connection.cursor() as cursor:
        cursor.execute("SELECT ride_id, recorded_at, status, wait_time, computed_is_open, data_source "
                       "FROM ride_status_snapshots WHERE ride_id IN (%s) AND recorded_at >= %%s AND recorded_at < %%s "
                       "ORDER BY ride_id, recorded_at" % ", ".join(map(str, ride_ids)),
                       [start.replace(tzinfo=None), end.replace(tzinfo=None)])
        fetched = len(cursor.fetchall())
    assert fetched == rows, (fetched, rows)
    print(f"{'select':8} {timer.seconds:7.2f} s  {rows / timer.seconds:12,.0f} rows/s  (reference: one query, "
          f"fetched whole)  peak memory {peak_memory_mb():6.0f} MB")
    for fmt in ("csv", "parquet"):
        print(f"{fmt} / reference rate: {timer.seconds / figures[fmt]:.2f}")


if __name__ == "__main__":
    main()
