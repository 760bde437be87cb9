"""Benchmark of warehouse.ingest against MariaDB's own LOAD DATA on the same rows.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--rides 2000]

Streams N generated observations (a few thousand rides, 5-minute polls spread over three
months, about a fifth with a second queue) through `warehouse.ingest` into a fresh benchmark
database, then loads the same rows (snapshots and queue rows) with `LOAD DATA LOCAL INFILE` into identical
scratch tables (CREATE TABLE ... LIKE keeps the partitioning); the generator's time counts
against ingest, not against the reference. Prints rows/s for both, their
ratio (target >= 0.5) and peak memory.
"""
import argparse
import os
import random
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Timer, peak_memory_mb, setup_django  # noqa: E402

START = datetime(2026, 6, 1, tzinfo=timezone.utc)


def generate(ride_ids, rows, seed=7):
    """Realistic observations: each ride polls every 5 minutes from a staggered start."""
    from warehouse.ingest import Observation, QueueRow

    rng = random.Random(seed)
    per_ride = rows // len(ride_ids)
    statuses = ("OPERATING",) * 17 + ("DOWN", "CLOSED", "CLOSED")
    for ride_id in ride_ids:
        at = START + timedelta(days=rng.randrange(0, 60), minutes=5 * rng.randrange(0, 288))
        single = rng.random() < 0.2
        for _ in range(per_ride):
            status = rng.choice(statuses)
            wait = rng.randrange(0, 120, 5) if status == "OPERATING" else None
            queues = [QueueRow("SINGLE_RIDER", wait_time_minutes=wait)] if single else ()
            yield Observation(ride_id, at, status, wait, "LIVE", queues=queues)
            at += timedelta(minutes=5)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rides", type=int, default=2000)
    args = parser.parse_args()
    setup_django(fresh=True)
    from django.db import connection
    from django.utils import timezone as djtz

    from themepark.models import Park, Ride
    from warehouse.ingest import ingest
    from warehouse.rows import QUEUE_COLUMNS, SNAPSHOT_COLUMNS, queue_lines, snapshot_line
    from warehouse.services import partitions_ensure

    partitions_ensure(since=START.date())
    park = Park.objects.create(name="Bench Park", timezone="UTC")
    Ride.objects.bulk_create([Ride(park=park, name=f"Ride {i}") for i in range(args.rides)])
    ride_ids = list(Ride.objects.values_list("pk", flat=True))
    total = (args.rows // len(ride_ids)) * len(ride_ids)
    print(f"{total:,} observations, {len(ride_ids):,} rides, MariaDB at {connection.settings_dict['HOST']}")

    # Reference: LOAD DATA of the same rows (snapshots and queue rows), each table from one file,
    # into identical scratch tables.
    with connection.cursor() as cursor:
        for table in ("ride_status_snapshots", "queue_data"):
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cursor.execute(f"CREATE TABLE bench_{table} LIKE {table}")
    files = {}
    for table in ("ride_status_snapshots", "queue_data"):
        fd, files[table] = tempfile.mkstemp(suffix=".tsv")
        os.close(fd)
    with open(files["ride_status_snapshots"], "w") as snaps, open(files["queue_data"], "w") as queues:
        for obs in generate(ride_ids, args.rows):
            snaps.write(snapshot_line(obs))
            queues.writelines(queue_lines([obs]))
    with Timer() as ref, connection.cursor() as cursor:
        for table, columns in (("ride_status_snapshots", SNAPSHOT_COLUMNS), ("queue_data", QUEUE_COLUMNS)):
            cursor.execute(f"LOAD DATA LOCAL INFILE %s INTO TABLE bench_{table} ({', '.join(columns)})",
                           [files[table]])
    for path in files.values():
        os.unlink(path)
    ref_rate = total / ref.seconds

    with Timer() as ours:
        result = ingest(generate(ride_ids, args.rows), now=djtz.now())
    rate = total / ours.seconds
    assert result.written == total, result
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_ride_status_snapshots, bench_queue_data")
    print(f"LOAD DATA (reference): {ref_rate:>10,.0f} rows/s  ({ref.seconds:.1f} s)")
    print(f"warehouse.ingest:      {rate:>10,.0f} rows/s  ({ours.seconds:.1f} s, "
          f"{result.queue_rows:,} queue rows, method {os.environ.get('INGEST_METHOD', 'auto')})")
    print(f"ratio ingest / LOAD DATA: {rate / ref_rate:.2f}  (target >= 0.50)")
    print(f"peak memory: {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
