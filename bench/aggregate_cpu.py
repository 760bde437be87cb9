"""CPU of a statistics run in one process: this process's, and that of the database server thread
serving its connection (read from /proc: the server is shared, and its process's CPU counts every
other client's work too; one thread's does not). Steadier than wall time on a busy machine.

    BENCH_DATABASE_URL=mysql://root:@127.0.0.1:3306/bench_stats \\
        .venv/bin/python bench/aggregate_cpu.py rebuild --empty   # into empty statistics tables
    ... aggregate_cpu.py rebuild                                   # over the stored statistics
    ... aggregate_cpu.py incremental --repeat 3                    # the 10-minute run

Runs on the parks `bench/aggregate.py --rebuild-parks N --rebuild-days D --incremental-parks P`
wrote (the "year" parks for a rebuild of their --days from --start, the "inc" parks for the
incremental run), with STATS_WORKERS=1 so that one connection does all the work. The lock claims
use connections of their own (not counted: one statement for all the parks). The server's process
must be local (its thread is read from /proc).
"""
import argparse
import os
import sys
import time
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django  # noqa: E402

UTC = timezone.utc
FIGURE_TABLES = ("warehouse_ridehourlystats", "warehouse_parkhourlystats", "warehouse_ridedailystats",
                 "warehouse_parkdailystats", "warehouse_downspell", "warehouse_parkoperatingsession",
                 "warehouse_parkdayfingerprint", "warehouse_rideperiodstats", "warehouse_parkperiodstats",
                 "warehouse_riderangestats", "warehouse_parkrangestamp")


def connection_thread() -> int:
    """The server's OS thread serving this process's connection (MariaDB: processlist TID)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT TID FROM information_schema.processlist WHERE ID = CONNECTION_ID()")
        return cursor.fetchone()[0]


def thread_cpu(tid: int) -> float:
    """CPU seconds of a thread of a local process (its id is unique on the machine)."""
    with open(f"/proc/{tid}/task/{tid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def empty_figures(park_ids: list[int]) -> None:
    from django.db import connection

    ids = ",".join(map(str, park_ids))
    with connection.cursor() as cursor:
        for table in FIGURE_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE park_id IN ({ids})")
        cursor.execute(f"DELETE FROM warehouse_ridestatuschange WHERE ride_id IN "
                       f"(SELECT id FROM themepark_ride WHERE park_id IN ({ids}))")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["rebuild", "incremental"])
    parser.add_argument("--empty", action="store_true", help="Rebuild into empty statistics tables (deletes them)")
    parser.add_argument("--start", default="2024-01-01")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    setup_django(migrate=False)
    from django.conf import settings

    from themepark.models import Park
    from warehouse.services import stats_recompute, stats_update

    settings.STATS_WORKERS = 1
    if args.what == "rebuild":
        ids = list(Park.objects.filter(name__startswith="year park").values_list("pk", flat=True))
        first = date.fromisoformat(args.start)
        last = first + timedelta(days=args.days - 1)
        now = datetime.combine(last + timedelta(days=3), dtime(), tzinfo=UTC)

        def run(_):
            return stats_recompute(park_ids=ids, start=first - timedelta(days=1), end=last + timedelta(days=1),
                                   now=now)
    else:
        ids = list(Park.objects.filter(name__startswith="inc park", is_active=True).values_list("pk", flat=True))
        at = datetime.now(UTC).replace(microsecond=0)
        stats_update(park_ids=ids, now=at)  # the run before

        def run(i):
            return stats_update(park_ids=ids, now=at + timedelta(minutes=10 * (i + 1)))
    for i in range(args.repeat):
        if args.what == "rebuild" and args.empty:
            empty_figures(ids)  # before the clocks start: deleting is not the rebuild's work
        tid = connection_thread()
        server, cpu, wall = thread_cpu(tid), time.process_time(), time.perf_counter()
        summary = run(i)
        if connection_thread() != tid:
            raise SystemExit("the connection changed during the run: its server thread's CPU is unknown")
        server, cpu, wall = thread_cpu(tid) - server, time.process_time() - cpu, time.perf_counter() - wall
        days = max(1, summary.days)
        print(f"{args.what}{' (empty tables)' if args.empty else ''} run {i + 1}: {summary.days:,} park days of "
              f"{len(ids)} parks, {wall:.2f} s wall, this process {cpu:.2f} s CPU ({cpu / days * 1000:.2f} ms per park "
              f"day), its server thread {server:.2f} s CPU ({server / days * 1000:.2f} ms per park day), "
              f"load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
