"""Benchmark of `manage.py import_archive` on a generated archive, against LOAD DATA of the same rows.

    .venv/bin/python bench/import.py [--preset benchmark|small-files] [--archive DIR] [--workers N]
    .venv/bin/python bench/import.py --destinations 5 --days 25 --scale 4 [--archive DIR]

Two archives are first-class (`--preset`), generated with the project's generator
(importer.synthetic, about 25,000 events/s, so each is generated once and cached under
`.bench-archives/` at the top of the checkout, or in --archive when given, and reused):

- `benchmark` (the default): 5 destinations x 25 days at scale 4, 125 day files of about 22,000
  events, about 2.7 million events;
- `small-files`: 8 destinations x 60 days at scale 1, 480 day files of about 5,500 events, about
  2.6 million events: what costs per file (listing, checkpoints, commits, mapping) shows here.

--destinations/--days/--scale override the preset's figures. The archive is imported into a fresh
benchmark database (BENCH_DATABASE_URL) end to end (listing, decompression, parsing, mapping,
ingest, checkpoints), then the imported rows are written to TSV files (not timed) and loaded with
`LOAD DATA LOCAL INFILE` into identical scratch tables (timed). Prints events/s for both and
their ratio (target >= 0.9), and peak memory: the largest sum of resident memory of this process
and all its descendants (parse workers), sampled every 0.5 s (a sample reads every process's
/proc entry, about 3 ms of CPU taken from the import); the same sampler adds up the CPU the
import's process tree used (this process and its parse workers).

The command recomputes statistics of the touched parks and days after the last file; that is
the statistics engine's cost, so the benchmark runs the import with --no-statistics and then the
same recompute itself, timed apart, and prints the end-to-end rate both without and with it
(target >= 0.8 of LOAD DATA with it). When the database server runs on this machine it also
prints the server's CPU seconds for the import and for the reference load (steadier than wall
time on a shared machine, but it counts whatever else the server did meanwhile).

Last, the bytes stored per event in both observation tables after ANALYZE TABLE: on disk (the
tablespaces' allocated size once their pages are written: page compression counts) and as
information_schema.TABLES counts them (16 KB pages before compression); see docs/store.md.

With --processes N:

    .venv/bin/python bench/import.py --processes 2 [--preset ...] [--archive DIR ...]

imports the same archive twice as `import_archive --worker` runs (without statistics): once by
one worker process, then (database emptied) by N worker processes claiming the files of one
run. Prints both rates, their ratio, whether the totals are identical (checkpoint counters and a
checksum of every stored row keyed by archive ids), and the CPU split: the workers' CPU
(reading, parsing, mapping) against the database server's, which says what a second host gives.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Timer, make_archive, setup_django  # noqa: E402

PRESETS = {  # name: (destinations, days, scale)
    "benchmark": (5, 25, 4.0),
    "small-files": (8, 60, 1.0),
}


class TreeMemory(threading.Thread):
    """Peak summed RSS (MB) of this process and its descendants, the peak of their summed PSS
    (each shared page divided among the processes sharing it: a forked worker's inherited pages
    count once, not once per process), and the CPU seconds its descendants used (the last sample
    of each; parse workers are children of the forkserver, so the rusage of this process never
    sees them)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = self.peak_pss = 0.0
        self.running = True
        self.child_cpu: dict[int, float] = {}

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.sample())
            time.sleep(0.5)

    def reset(self):
        self.peak = self.peak_pss = 0.0

    def descendants_cpu(self) -> float:
        return sum(self.child_cpu.values())

    def sample(self):
        parents, rss, cpu = {}, {}, {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                parents[int(pid)] = int(fields[1])
                rss[int(pid)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
                cpu[int(pid)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                continue
        tree, grew = {os.getpid()}, True
        while grew:
            grew = False
            for pid, ppid in parents.items():
                if ppid in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        for pid in tree - {os.getpid()}:
            self.child_cpu[pid] = max(self.child_cpu.get(pid, 0.0), cpu.get(pid, 0.0))
        self.peak_pss = max(self.peak_pss, sum(map(_pss_kb, tree)) / 1024)
        return sum(rss.get(pid, 0) for pid in tree) / 2**20


def _pss_kb(pid) -> int:
    """A process's proportional set size in KB (0 when it is gone or the kernel has no rollup)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return next((int(line.split()[1]) for line in handle if line.startswith("Pss:")), 0)
    except (OSError, ValueError):
        return 0


def server_cpu_seconds(connection):
    """CPU seconds the database server process has used so far, when it runs on this machine
    (None otherwise): where the time of a load goes, whatever else the machine is doing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@pid_file")
        pid_file = cursor.fetchone()[0]
    try:
        pid = Path(pid_file).read_text().strip()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dump_tsv(connection, table, columns, path):
    """Stream a table to a LOAD DATA file (server-side cursor: flat memory)."""
    import MySQLdb.cursors

    raw = connection.connection
    cursor = raw.cursor(MySQLdb.cursors.SSCursor)
    cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
    with open(path, "w", encoding="utf-8") as out:
        for row in cursor:
            out.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    cursor.close()


def stored_bytes(connection, tables=("ride_status_snapshots", "queue_data")):
    """{table: (rows, data + index bytes, bytes on disk)} after ANALYZE TABLE. The first size is what
    information_schema.TABLES reports (allocated 16 KB pages: page fill and row overhead count);
    the second is what the table's tablespaces (one per partition) take on disk once its dirty
    pages are written (FLUSH TABLES ... FOR EXPORT), which is smaller with page compression."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE TABLE " + ", ".join(tables))
        cursor.fetchall()
        cursor.execute(f"FLUSH TABLES {', '.join(tables)} FOR EXPORT")
        try:
            sizes = {}
            for table in tables:
                cursor.execute("SELECT DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES "
                               "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s", [table])
                size = cursor.fetchone()[0] or 0
                cursor.execute("SELECT SUM(ALLOCATED_SIZE) FROM information_schema.INNODB_SYS_TABLESPACES "
                               "WHERE NAME = CONCAT(DATABASE(), '/', %s) "
                               "OR NAME LIKE CONCAT(DATABASE(), '/', %s, '#P#%%')", [table, table])
                disk = int(cursor.fetchone()[0] or 0)
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                sizes[table] = (cursor.fetchone()[0], size, disk)
        finally:
            cursor.execute("UNLOCK TABLES")
    return sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="benchmark",
                        help="benchmark: 5 destinations x 25 days, scale 4; small-files: 8 x 60, scale 1")
    parser.add_argument("--destinations", type=int, help="Override the preset's destinations")
    parser.add_argument("--days", type=int, help="Override the preset's days")
    parser.add_argument("--scale", type=float, help="Override the preset's scale")
    parser.add_argument("--archive", help="Use (or generate into) this folder (default: a cached one under "
                                          ".bench-archives/ named by its figures)")
    parser.add_argument("--workers", type=int, default=None, help="Parse processes (default: the command's)")
    parser.add_argument("--processes", type=int, default=0,
                        help="Compare one import_archive --worker process with this many sharing one run")
    args = parser.parse_args()

    destinations, days, scale = PRESETS[args.preset]
    destinations = args.destinations or destinations
    days = args.days or days
    scale = args.scale or scale
    archive = Path(args.archive or ROOT / ".bench-archives" / f"d{destinations}x{days}s{scale:g}")
    if not (archive / "MANIFEST.json").exists():
        with Timer() as gen:
            make_archive(archive, destinations=destinations, days=days, scale=scale, start="2024-01-01")
        print(f"generated {archive} in {gen.seconds:.0f} s")
    if args.processes:
        return processes_main(archive, args.processes)
    # Migrated by `manage.py migrate` in a process of its own: the benchmark's process then holds
    # what `manage.py import_archive` holds, not the migration graph too (about 25 MB, which each
    # statistics worker forked from it would count again).
    setup_django(fresh=True, migrate=False)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--verbosity", "0"], check=True)
    from django.core.management import call_command
    from django.db import connection

    from importer.models import ImportCheckpoint
    from themepark.models import Park
    from warehouse.services import stats_recompute
    from warehouse.models import QueueData, RideStatusSnapshot
    from warehouse.rows import QUEUE_COLUMNS, SNAPSHOT_COLUMNS

    memory = TreeMemory()
    memory.start()
    out = StringIO()
    options = {"source": str(archive), "no_input": True, "stdout": out, "no_statistics": True}
    if args.workers is not None:
        options["workers"] = args.workers
    server_before = server_cpu_seconds(connection)
    own_before = time.process_time()
    with Timer() as run:
        call_command("import_archive", **options)
    server_import = server_cpu_seconds(connection)
    python_cpu = time.process_time() - own_before + memory.descendants_cpu()
    import_peak = max(memory.peak, memory.sample())
    import_pss = memory.peak_pss
    memory.reset()
    # What the command does after the last file unless told not to: recompute the statistics of
    # the parks and days it touched (the statistics engine's cost, timed apart).
    days = sorted(date.fromisoformat("-".join(f.with_suffix("").with_suffix("").parts[-3:]))
                  for f in archive.glob("*/*/*/*.json.gz"))
    with Timer() as stats:
        stats_recompute(park_ids=list(Park.objects.values_list("pk", flat=True)), start=days[0] - timedelta(days=1),
                        end=days[-1] + timedelta(days=1))
    memory.running = False
    memory.join()
    events = RideStatusSnapshot.objects.count()
    queue_rows = QueueData.objects.count()
    print(out.getvalue().strip().splitlines()[-1])
    sizes = stored_bytes(connection)
    checkpoint = ImportCheckpoint.objects.get()
    loop_seconds = (checkpoint.finished_at - checkpoint.started_at).total_seconds()
    stats_seconds = stats.seconds

    # Reference: LOAD DATA of the same rows into identical scratch tables.
    files = {}
    with connection.cursor() as cursor:
        for table, columns in (("ride_status_snapshots", SNAPSHOT_COLUMNS), ("queue_data", QUEUE_COLUMNS)):
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cursor.execute(f"CREATE TABLE bench_{table} LIKE {table}")
            fd, files[table] = tempfile.mkstemp(suffix=".tsv")
            os.close(fd)
            dump_tsv(connection, table, columns, files[table])
    server_ref = server_cpu_seconds(connection)
    with Timer() as ref, connection.cursor() as cursor:
        for table, columns in (("ride_status_snapshots", SNAPSHOT_COLUMNS), ("queue_data", QUEUE_COLUMNS)):
            cursor.execute(f"LOAD DATA LOCAL INFILE %s INTO TABLE bench_{table} ({', '.join(columns)})",
                           [files[table]])
    server_after = server_cpu_seconds(connection)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_ride_status_snapshots, bench_queue_data")
    for path in files.values():
        os.unlink(path)
    ref_rate = events / ref.seconds
    rate = events / run.seconds
    day_files = len(list(archive.glob("*/*/*/*.json.gz")))
    print(f"{archive}: {day_files} day files, {events:,} events, {queue_rows:,} queue rows, "
          f"workers {options.get('workers', 'default')}")
    print(f"import loop (first file read .. last file committed): {events / loop_seconds:>10,.0f} events/s  "
          f"({loop_seconds:.1f} s)")
    print(f"import_archive end to end, WITHOUT statistics:        {rate:>10,.0f} events/s  "
          f"({run.seconds:.1f} s)")
    print(f"import_archive end to end, WITH statistics recompute: {events / (run.seconds + stats_seconds):>10,.0f} "
          f"events/s  ({run.seconds + stats_seconds:.1f} s)")
    print(f"statistics recompute alone (statistics engine):       {stats_seconds:>10.1f} s")
    print(f"LOAD DATA of the same rows (reference):               {ref_rate:>10,.0f} events/s  ({ref.seconds:.1f} s)")
    print(f"ratio end to end without statistics / LOAD DATA: {rate / ref_rate:.2f}  (target >= 0.90); "
          f"with statistics: {events / (run.seconds + stats_seconds) / ref_rate:.2f}  (target >= 0.80)")
    print(f"import's Python CPU (this process and its parse workers): {python_cpu:.1f} s "
          f"({python_cpu / events * 1e6:.1f} us/event)")
    print(f"peak memory (process tree, summed RSS): import {import_peak:.0f} MB  (target < 500 MB), "
          f"statistics recompute {memory.peak:.0f} MB; summed PSS: import {import_pss:.0f} MB, "
          f"statistics recompute {memory.peak_pss:.0f} MB")
    for label, column in (("on disk (tablespaces, after FLUSH ... FOR EXPORT)", 2),
                          ("in information_schema (data + indexes, pages before compression)", 1)):
        total = sum(entry[column] for entry in sizes.values())
        print(f"bytes stored per event {label}: {total / events:.1f}  (target <= 60); " + ", ".join(
            f"{table} {entry[0]:,} rows {entry[column] / 2**20:.1f} MB ({entry[column] / max(entry[0], 1):.1f} B/row)"
            for table, entry in sizes.items()))
    if server_before is not None:
        print(f"database server CPU: import_archive {server_import - server_before:.1f} s "
              f"({(server_import - server_before) / events * 1e6:.1f} us/event), "
              f"LOAD DATA reference {server_after - server_ref:.1f} s "
              f"({(server_after - server_ref) / events * 1e6:.1f} "
              "us/event)")


def _row_totals(connection):
    """Checkpoint counters and (rows, checksum) of each observation table, keyed by archive ids
    (ride pks differ between two runs into an emptied database)."""
    from importer.models import ImportCheckpoint

    counters = ImportCheckpoint.objects.values("files_done", "events_read", "events_imported", "duplicates",
                                               "invalid").get()
    out = {"checkpoint": counters}
    with connection.cursor() as cursor:
        for table, columns in (("ride_status_snapshots", "t.recorded_at, t.status, t.wait_time, t.data_source"),
                               ("queue_data", "t.recorded_at, t.queue_type, t.wait_time_minutes, "
                                              "t.return_time_start, t.price_amount")):
            cursor.execute(f"SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', r.themeparks_wiki_id, {columns}))) "
                           f"FROM {table} t JOIN themepark_ride r ON r.id = t.ride_id")
            out[table] = tuple(int(v or 0) for v in cursor.fetchone())
    return out


def _empty(connection):
    from importer.models import ImportCheckpoint
    from themepark.models import Destination

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM queue_data")
        cursor.execute("DELETE FROM ride_status_snapshots")
        cursor.execute("DELETE FROM job_lock")
    ImportCheckpoint.objects.all().delete()
    Destination.objects.all().delete()


def _workers_run(archive, processes):
    """N `import_archive --worker` processes on one run: (seconds, workers' CPU seconds)."""
    import subprocess

    from importer.models import ImportCheckpoint, PlannedFile

    manage = [sys.executable, str(Path(__file__).resolve().parents[1] / "manage.py"), "import_archive", "--worker",
              "--no-input", "--no-statistics", "--verbosity", "0"]
    cpu = 0.0
    started = time.monotonic()
    procs = [subprocess.Popen(manage + ["--source", str(archive)])]
    while not PlannedFile.objects.exists():
        if procs[0].poll() is not None:
            raise SystemExit("the first worker stopped before its run had a plan")
        time.sleep(0.02)
    import_id = ImportCheckpoint.objects.get().import_id
    procs += [subprocess.Popen(manage + ["--resume", import_id]) for _ in range(processes - 1)]
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
        if proc.returncode:
            raise SystemExit(f"a worker failed ({proc.returncode})")
    return time.monotonic() - started, cpu


def processes_main(archive, processes):
    setup_django(fresh=True)
    from django.db import connection

    from warehouse.models import RideStatusSnapshot

    results = []
    for count in (1, processes):
        _empty(connection)
        server_before = server_cpu_seconds(connection)
        seconds, cpu = _workers_run(archive, count)
        server = server_cpu_seconds(connection)
        events = RideStatusSnapshot.objects.count()
        results.append((count, events, seconds, cpu, None if server is None else server - server_before,
                        _row_totals(connection)))
        connection.close()
    for count, events, seconds, cpu, server, _ in results:
        print(f"{count} worker process(es): {events:,} events in {seconds:.1f} s = {events / seconds:,.0f} events/s; "
              f"workers' CPU {cpu:.1f} s" + ("" if server is None else f", database server CPU {server:.1f} s"))
    (_, _, one, cpu1, server1, totals1), (_, _, many, _, _, totals_n) = results
    print(f"ratio {processes} processes / 1: {one / many:.2f}")
    print(f"identical totals: {totals1 == totals_n}  ({totals1})")
    if server1:
        share = cpu1 / (cpu1 + server1)
        print(f"CPU split of the one-process run: workers {share:.0%}, database server {1 - share:.0%}: with the "
              f"workers on other hosts the database host keeps only its share, at most {1 / (1 - share):.1f}x the "
              "one-process rate if the server then has the cores it needs")
    if totals1 != totals_n:
        raise SystemExit("totals differ")


if __name__ == "__main__":
    main()
