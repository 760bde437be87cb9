"""Benchmark of the exports: a park's 31 days of observations streamed as CSV and as Parquet,
against a plain read of the same rows in one query.

    .venv/bin/python bench/export.py [--rides 40] [--days 31]

Fills a fresh benchmark database (BENCH_DATABASE_URL, default
mysql://root:@127.0.0.1:3306/themepark_bench_export) with one park whose rides poll every 5
minutes over the range, then times `warehouse.export_streams.export_stream` for both formats (the
bytes are counted and dropped, as a client would take them) and the reference: one
`SELECT ... ORDER BY ride_id, recorded_at` fetched whole. The three run in alternating rounds
(--rounds, default 3) so load from elsewhere weighs on all alike; each round's wall and CPU
time is printed, then the best of each with rows/s, the file sizes and the ratio to the
reference, and the peak memory of the exports (measured before the reference first holds its
whole result) and after.
"""
import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Timer, peak_memory_mb, setup_django  # noqa: E402

START = datetime(2026, 5, 1, 4, 0, tzinfo=timezone.utc)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rides", type=int, default=40)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--rounds", type=int, default=3, help="Alternating rounds; the best of each is kept")
    args = parser.parse_args()
    os.environ.setdefault("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/themepark_bench_export")
    setup_django(fresh=True)
    from django.db import connection

    from themepark.models import Park, Ride
    from warehouse import export_streams
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

    start, end = range_bounds_utc(days, "UTC")
    select = ("SELECT ride_id, recorded_at, status, wait_time, computed_is_open, data_source "
              "FROM ride_status_snapshots WHERE ride_id IN (%s) AND recorded_at >= %%s AND recorded_at < %%s "
              "ORDER BY ride_id, recorded_at" % ", ".join(map(str, ride_ids)))

    def export(fmt):
        size = 0
        for block in export_streams.export_stream("observations", fmt, park, days):
            size += len(block)
        return size

    def reference():
        with connection.cursor() as cursor:
            cursor.execute(select, [start.replace(tzinfo=None), end.replace(tzinfo=None)])
            fetched = len(cursor.fetchall())
        assert fetched == rows, (fetched, rows)
        return 0

    steps = {"csv": lambda: export("csv"), "parquet": lambda: export("parquet"), "select": reference}
    best = {name: (float("inf"), float("inf")) for name in steps}
    sizes = {}
    for round_ in range(args.rounds):
        for name, step in steps.items():
            cpu = time.process_time()
            with Timer() as timer:
                sizes[name] = step()
            cpu = time.process_time() - cpu
            best[name] = (min(best[name][0], timer.seconds), min(best[name][1], cpu))
            print(f"round {round_ + 1} {name:8} {timer.seconds:6.2f} s wall  {cpu:6.2f} s CPU (this process)")
            if round_ == 0 and name == "parquet":
                print(f"peak memory of the exports: {peak_memory_mb():.0f} MB")
    print(f"peak memory with the reference's whole result: {peak_memory_mb():.0f} MB")
    for name, (wall, cpu) in best.items():
        extra = f"  {sizes[name] / 1e6:6.1f} MB" if sizes[name] else "  (reference: one query, fetched whole)"
        print(f"best {name:8} {wall:6.2f} s  {rows / wall:10,.0f} rows/s  CPU {cpu:6.2f} s{extra}")
    for name in ("csv", "parquet"):
        print(f"{name} / reference rate (best wall): {best['select'][0] / best[name][0]:.2f}")


if __name__ == "__main__":
    main()
