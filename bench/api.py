"""Benchmark of the public API's ranking endpoints at two data sizes.

    .venv/bin/python bench/api.py [--size small|large|both] [--soak 60] [--skip-fill]

For each size, fills a benchmark database of its own (BENCH_DATABASE_URL's name, default bench_api,
plus _small / _large) with synthetic observations through `warehouse.ingest` (small: about 2
million, large: about 20 million; 20 parks in 8 timezones, 50 rides each, 32 change events per ride
and day) and with the statistics rows the API reads (daily rows for every park and ride and day,
hourly rows for the last 3 days, live state) by bulk_create. Then it serves the API of both
databases at once, each from a real WSGI server (Django's threaded one) on 127.0.0.1 in a
subprocess, and measures over loopback p50/p95 latency of each ranking endpoint with 1 and 20
concurrent clients, uncached (a unique throwaway parameter makes each request miss the cache) and
cached, the two sizes in alternating rounds so that whatever else loads the machine weighs on both
alike; year-over-year; and a soak of 20 clients for --soak seconds per size that must see no error.
Targets: p95 < 50 ms uncached and < 10 ms cached with one client, p95(large) <= 1.3 x p95(small),
year-over-year < 200 ms.

--skip-fill reuses both databases as the last fill left them.

    .venv/bin/python bench/api.py --server production [--duration 60] [--replica] [--skip-fill]

Production serving: fills (or reuses) the small database, serves it from Django's threaded server
(what runserver runs) and from bin/serve (gunicorn, workers from the cores) side by side, and puts
50 concurrent clients (5 processes x 10 threads, keep-alive) on the ranking endpoints for
--duration seconds each, uncached (a unique parameter per request) and cached (after a warm-up),
reporting p50/p95, requests/s and errors. --replica adds a throwaway primary and replica
(MariaDB replication on 127.0.0.1:3362/3363) holding a copy of the database's catalog and
statistics, and bin/serve reading from the replica. Targets (production): 0 errors, cached
p95 < 20 ms, uncached p95 < 250 ms. The clients run on the same machine and take their share
of its cores.
"""
import argparse
import itertools
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Timer, setup_django  # noqa: E402

# Days of data x 1000 rides x 32 events a day = 2M / 20M observations. Even the small size covers
# every ranked period whole (last_month reaches back up to 61 days), so both sizes answer the same
# question and differ only in how much history lies around it.
SIZES = {"small": 64, "large": 640}
PARKS, RIDES_PER_PARK, EVENTS_PER_DAY = 20, 50, 32
ZONES = ["America/New_York", "Europe/Paris", "Asia/Tokyo", "America/Los_Angeles", "Australia/Sydney",
         "Europe/London", "Asia/Shanghai", "America/Chicago"]
ENDPOINTS = [
    ("parks/downtime today", "/api/parks/downtime?period=today"),
    ("parks/downtime 7days", "/api/parks/downtime?period=7days"),
    ("parks/downtime 30days", "/api/parks/downtime?period=30days&sort_by=uptime_percentage"),
    ("parks/downtime last_month", "/api/parks/downtime?period=last_month&filter=disney-universal"),
    ("parks/waittimes 7days", "/api/parks/waittimes?period=7days"),
    ("rides/downtime yesterday", "/api/rides/downtime?period=yesterday"),
    ("rides/downtime 7days", "/api/rides/downtime?period=7days"),
    ("rides/downtime 30days", "/api/rides/downtime?period=30days"),
    ("rides/waittimes 7days", "/api/rides/waittimes?period=7days"),
    ("trends parks-declining", "/api/trends?category=parks-declining&period=7days"),
    ("trends/chart-data parks", "/api/trends/chart-data?type=parks&period=7days"),
]
# A year's rankings (custom range ending yesterday, in UTC dates) beside the 7- and 30-day ones: rankings
# flat in period length serve whole weeks, months and years from the period rollups (target <= 1.2 x 7days).
_YEAR = f"start={date.today() - timedelta(days=365)}&end={date.today() - timedelta(days=1)}"
ENDPOINTS += [("parks/downtime year", f"/api/parks/downtime?{_YEAR}"),
              ("rides/downtime last_month", "/api/rides/downtime?period=last_month"),
              ("rides/downtime year", f"/api/rides/downtime?{_YEAR}")]
PERIOD_RATIOS = [(endpoint, ("30days", "last_month", "year")) for endpoint in ("parks/downtime", "rides/downtime")]
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/bench_api")


# ---------------------------------------------------------------------------------------------
# Fill
# ---------------------------------------------------------------------------------------------
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
    from warehouse.aggregation import park_periods_roll
    from warehouse.periods import park_today

    with Timer() as t:  # weeks, months and years of the complete days, as the statistics run leaves them
        now = datetime.now(timezone.utc)
        rolled = sum(park_periods_roll(park_id=p.pk, days=[first + timedelta(days=d) for d in range(days + 1)],
                                       until=park_today(now, p.timezone) - timedelta(days=1)) for p in parks)
    print(f"  period rollups: {rolled:,} rows in {t.seconds:.0f} s")
    from warehouse.aggregation.ranges import ranges_refresh

    with Timer() as t:  # the rankings' last 7 and 30 days (and the ranges before), as a run leaves them
        summed = ranges_refresh({p: [] for p in parks}, datetime.now(timezone.utc))
    print(f"  ranking ranges: {summed:,} rows in {t.seconds:.1f} s")
    return parks[0].pk, rides[0].pk


# ---------------------------------------------------------------------------------------------
# Serve and measure
# ---------------------------------------------------------------------------------------------
def serve_forever(port, url):
    """The API under Django's threaded WSGI server with TCP_NODELAY (runserver's handler writes
    headers and body separately, which with Nagle and delayed ACKs adds ~40 ms per keep-alive request)."""
    os.environ.update({"API_ANON_RATE": "100000000/min", "DATABASE_CONN_MAX_AGE": "60", "DJANGO_DEBUG": "False"})
    setup_django(url, migrate=False)
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Handler(WSGIRequestHandler):
        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", port), Handler)
    server.set_app(get_wsgi_application())
    server.serve_forever()


def serve(url, port=None):
    if port is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--url", url], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(f"{base}/api/health", timeout=2)
            return proc, base
        except requests.RequestException:  # refused, or a slow first answer on a busy machine
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the API server did not start")


_local = threading.local()
_unique = itertools.count()


def timed_get(url, *, uncached):
    session = getattr(_local, "session", None) or requests.Session()
    _local.session = session
    if uncached:
        url += f"&_bench={next(_unique)}" if "?" in url else f"?_bench={next(_unique)}"
    start = time.perf_counter()
    response = session.get(url, timeout=30)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return elapsed


def percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def soak(base, seconds, clients):
    stop, counts, errors = time.monotonic() + seconds, [0] * clients, []

    def worker(i):
        urls = itertools.cycle(ENDPOINTS[i % len(ENDPOINTS):] + ENDPOINTS[:i % len(ENDPOINTS)])
        while time.monotonic() < stop:
            try:
                timed_get(base + next(urls)[1], uncached=counts[i] % 4 == 0)
                counts[i] += 1
            except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                errors.append(str(exc))
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), errors


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


def measure_sizes(bases, path, *, clients, requests_each, uncached, rounds=5):
    """Samples of `path` for every size, taken in alternating rounds."""
    samples = {size: [] for size in bases}
    if not uncached:
        for base in bases.values():
            timed_get(base + path, uncached=False)  # warm the cache
    per_round = max(1, requests_each // rounds)
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(rounds):
            for size, base in bases.items():
                samples[size] += pool.map(lambda _: timed_get(base + path, uncached=uncached),
                                          range(clients * per_round))
    return {size: percentiles(values) for size, values in samples.items()}


ROWS = (("1 uncached", 1, 40, True), ("1 cached", 1, 60, False), ("20 uncached", 20, 5, True),
        ("20 cached", 20, 10, False))


def run_sizes(sizes, args):
    servers = {}
    try:
        for size in sizes:
            servers[size] = serve(size_url(size))
        bases = {size: base for size, (_, base) in servers.items()}
        results = {size: {} for size in sizes}
        for name, path in ENDPOINTS:
            if args.only and args.only not in name:
                continue
            for label, clients, each, uncached in ROWS:
                for size, figures in measure_sizes(bases, path, clients=clients, requests_each=each,
                                                   uncached=uncached).items():
                    results[size].setdefault(name, {})[label] = figures
            for size in sizes:
                row = results[size][name]
                cells = "  ".join(f"{k}: p50 {a:6.1f} p95 {b:6.1f}" for k, (a, b) in row.items())
                print(f"  {size:5s} {name:26s} {cells}", flush=True)
        if args.only:
            return results
        end = date.today() - timedelta(days=1)
        span = f"start={end - timedelta(days=29)}&end={end}"
        ids = {size: first_ids(size_url(size)) for size in sizes}
        for name, key, index in (("year-over-year park 30d", "park_id", 0), ("year-over-year ride 30d", "ride_id", 1)):
            for size in sizes:
                path = f"/api/trends/year-over-year?{key}={ids[size][index]}&{span}"
                figures = measure_sizes({size: bases[size]}, path, clients=1, requests_each=30, uncached=True)[size]
                results[size][name] = {"1 uncached": figures}
                print(f"  {size:5s} {name:26s} 1 uncached: p50 {figures[0]:6.1f} p95 {figures[1]:6.1f}")
        for size in sizes:
            done, errors = soak(bases[size], args.soak, 20)
            results[size]["soak"] = {"requests": done, "errors": len(errors), "seconds": args.soak}
            print(f"  {size:5s} soak: 20 clients x {args.soak} s: {done:,} requests, {len(errors)} errors"
                  + (f" (first: {errors[0]})" if errors else ""))
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(10)
    return results


def verdict(all_results):
    ok = True
    for size, results in all_results.items():
        for name, row in results.items():
            if name == "soak":
                ok &= row["errors"] == 0
            elif name.startswith("year-over-year"):
                ok &= row["1 uncached"][1] < 200
            else:
                ok &= row["1 uncached"][1] < 50 and row["1 cached"][1] < 10
    if {"small", "large"} <= set(all_results):
        print("== p95 large / small (1 client, uncached; target <= 1.3)")
        for name, _ in ENDPOINTS:
            ratio = all_results["large"][name]["1 uncached"][1] / all_results["small"][name]["1 uncached"][1]
            ok &= ratio <= 1.3
            print(f"  {name:28s} {ratio:.2f}")
    print("targets met" if ok else "some targets missed (see above; the machine is shared, figures are noisy)")


# ---------------------------------------------------------------------------------------------
# Production serving under load
# ---------------------------------------------------------------------------------------------
RANKINGS = [path for name, path in ENDPOINTS if name.startswith(("parks/", "rides/"))]
LOAD_PROCESSES, LOAD_THREADS = 5, 10
RUNSERVER_PORT, PRODUCTION_PORT, REPLICA_SERVER_PORT, CLUSTER_PORTS = 8164, 8162, 8163, (3362, 3363)


def _load_process(base, uncached, seconds, seed):
    """One client process: LOAD_THREADS keep-alive clients cycling through the rankings, on bare
    http.client connections (a third of what `requests` costs the shared CPU per request)."""
    import http.client
    from urllib.parse import urlsplit

    host, port = urlsplit(base).hostname, urlsplit(base).port
    unique = itertools.count(seed)  # each process numbers its unique parameters apart from the others
    stop = time.monotonic() + seconds
    latencies, errors = [], []

    def client(n):
        urls = itertools.cycle(RANKINGS[n % len(RANKINGS):] + RANKINGS[:n % len(RANKINGS)])
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while time.monotonic() < stop:
            path = next(urls) + (f"&_bench={next(unique)}" if uncached else "")
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
                latencies.append((time.perf_counter() - start) * 1000)
            except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                errors.append(str(exc)[:200])
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.close()
    threads = [threading.Thread(target=client, args=(n + seed,)) for n in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def load(base, *, uncached, seconds):
    """50 clients for `seconds`: (p50, p95, requests/s, errors, first error)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(LOAD_PROCESSES) as pool:
        first = int(time.time() * 1000) % 10**9 * 100
        futures = [pool.submit(_load_process, base, uncached, seconds, first + seed * 10_000_000)
                   for seed in range(LOAD_PROCESSES)]
        results = [future.result() for future in futures]
    latencies = [value for done, _ in results for value in done]
    errors = [error for _, failed in results for error in failed]
    p50, p95 = percentiles(latencies) if latencies else (float("nan"), float("nan"))
    return {"p50": p50, "p95": p95, "rps": len(latencies) / seconds, "requests": len(latencies),
            "errors": len(errors), "first_error": errors[0] if errors else None}


def _cpu_seconds(pid, *, group=False):
    """CPU seconds of a process, or of every process in its process group (a gunicorn master,
    its live workers and, through the master's children times, the workers it has replaced)."""
    def times(p, children):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
        return ticks / os.sysconf("SC_CLK_TCK")
    if not group:
        return times(pid, False)
    total = times(pid, True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != pid:
            try:
                if os.getpgid(int(entry.name)) == pid:
                    total += times(int(entry.name), False)
            except OSError:
                continue
    return total


def _copy_for_replica(url, cluster):
    """The database without the raw observation rows (the rankings read statistics) into
    `themepark` on the cluster's primary, then waits until the replica has it."""
    import environ

    cfg = environ.Env.db_url_config(url)
    connect = ["-h", cfg["HOST"] or "127.0.0.1", "-P", str(cfg["PORT"] or 3306), f"-u{cfg['USER']}",
               *([f"-p{cfg['PASSWORD']}"] if cfg["PASSWORD"] else [])]
    raw = ["ride_status_snapshots", "queue_data"]
    cluster.primary.execute("CREATE DATABASE themepark CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    for extra in ([f"--ignore-table={cfg['NAME']}.{table}" for table in raw], ["--no-data", cfg["NAME"], *raw]):
        args = extra if "--no-data" in extra else [*extra, cfg["NAME"]]
        dump = subprocess.run(["mysqldump", *connect, "--single-transaction", *args], capture_output=True, check=True)
        subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(cluster.primary.port), "-uroot", "themepark"],
                       input=dump.stdout, check=True, capture_output=True)
    cluster.wait_replicated(timeout=600)


def production_benchmark(args):
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from themepark.tests.mariadb_cluster import ReplicationCluster
    from themepark.tests.serving import production_env, start_serve, stop_serve

    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped benchmark still stops its servers
    url = size_url("small")
    if not args.skip_fill:
        subprocess.run([sys.executable, __file__, "--fill", "small"], check=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-production-"))
    # Request lines off: 50 clients' logs would go to a file on the same disks.
    knobs = {"API_ANON_RATE": "100000000/min", "DATABASE_CONN_MAX_AGE": 60, "STATIC_ROOT": tmp / "static",
             "PROMETHEUS_MULTIPROC_DIR": tmp / "prometheus", "REQUEST_LOG_LEVEL": "WARNING"}
    servers, processes, cluster = {}, [], None
    try:
        proc, servers["runserver"] = serve(url, RUNSERVER_PORT)
        processes.append((proc, False))
        cpu = {"runserver": lambda pid=proc.pid: _cpu_seconds(pid)}
        proc, servers["production"] = start_serve(PRODUCTION_PORT, production_env(url, **knobs),
                                                  log_path=tmp / "production.log")
        processes.append((proc, True))
        cpu["production"] = lambda pid=proc.pid: _cpu_seconds(pid, group=True)
        if args.replica:
            cluster = ReplicationCluster(ports=CLUSTER_PORTS).start()
            with Timer() as t:
                _copy_for_replica(url, cluster)
            print(f"  replica: primary 127.0.0.1:{CLUSTER_PORTS[0]}, replica :{CLUSTER_PORTS[1]}, "
                  f"statistics copied and replicated in {t.seconds:.0f} s", flush=True)
            env = production_env(cluster.primary.url("themepark"), **{
                **knobs, "DATABASE_REPLICA_URLS": cluster.replicas[0].url("themepark"),
                "PROMETHEUS_MULTIPROC_DIR": tmp / "prometheus-replica", "SERVE_COLLECTSTATIC": 0})
            proc, servers["production+replica"] = start_serve(REPLICA_SERVER_PORT, env,
                                                              log_path=tmp / "replica.log")
            processes.append((proc, True))
            cpu["production+replica"] = lambda pid=proc.pid: _cpu_seconds(pid, group=True)
            cpu["replica mariadbd"] = lambda pid=cluster.replicas[0].process.pid: _cpu_seconds(pid)
        workers = os.environ.get("WEB_CONCURRENCY") or f"2 x {len(os.sched_getaffinity(0))} cores + 1"
        print(f"== {LOAD_PROCESSES * LOAD_THREADS} clients x {args.duration} s on {len(RANKINGS)} ranking endpoints "
              f"(small database); production: gunicorn, {workers} workers", flush=True)
        results = {}
        for label, uncached in (("uncached", True), ("cached", False)):
            for name, base in servers.items():
                if not uncached:
                    load(base, uncached=False, seconds=5)  # warm every worker's cache
                before = {key: measure() for key, measure in cpu.items()}
                figures = load(base, uncached=uncached, seconds=args.duration)
                used = {key: measure() - before[key] for key, measure in cpu.items()}
                # Server CPU per request: steadier than wall time on a busy machine.
                figures["app_cpu_ms"] = 1000 * used[name] / max(1, figures["requests"])
                note = f"app CPU {figures['app_cpu_ms']:5.1f} ms/req"
                if name == "production+replica":
                    figures["replica_db_cpu_ms"] = 1000 * used["replica mariadbd"] / max(1, figures["requests"])
                    note += f", replica DB CPU {figures['replica_db_cpu_ms']:5.1f} ms/req"
                results[f"{name} {label}"] = figures
                print(f"  {name:19s} {label:8s} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  "
                      f"{figures['rps']:7.1f} req/s  {figures['errors']} errors  {note}"
                      + (f" (first: {figures['first_error']})" if figures["errors"] else ""), flush=True)
    finally:
        for proc, production in processes:
            if production:
                stop_serve(proc)
            else:
                proc.terminate()
                proc.wait(10)
        if cluster is not None:
            cluster.close()
        shutil.rmtree(tmp, ignore_errors=True)
    Path("/tmp/bench_api_production.json").write_text(json.dumps(results, indent=1))
    production = {k: v for k, v in results.items() if k.startswith("production ")}
    ok = (all(v["errors"] == 0 for v in results.values()) and production["production cached"]["p95"] < 20
          and production["production uncached"]["p95"] < 250)
    print("production targets met (0 errors, cached p95 < 20 ms, uncached p95 < 250 ms)" if ok else
          "some production targets missed (see above; the machine is shared, figures are noisy)")


def period_ratios(all_results):
    """p95 of the 30-day, last month's and a year's rankings over the 7-day one's (target <= 1.2)."""
    print("== p95 by period length / 7days (1 client, uncached; target <= 1.2)")
    for size, results in all_results.items():
        for endpoint, lengths in PERIOD_RATIOS:
            base = results.get(f"{endpoint} 7days", {}).get("1 uncached")
            cells = [f"{length} {results[f'{endpoint} {length}']['1 uncached'][1] / base[1]:.2f}"
                     for length in lengths if base and f"{endpoint} {length}" in results]
            if cells:
                print(f"  {size:5s} {endpoint:16s} " + "  ".join(cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=["small", "large", "both"], default="both")
    parser.add_argument("--soak", type=int, default=60, help="Seconds of the 20-client soak")
    parser.add_argument("--skip-fill", action="store_true", help="Reuse the data already in the bench databases")
    parser.add_argument("--only", help="Measure only the ranking endpoints whose name contains this (no verdict)")
    parser.add_argument("--server", choices=["production"], help="Production serving under 50 clients (see above)")
    parser.add_argument("--duration", type=int, default=60, help="Seconds of each --server production load")
    parser.add_argument("--replica", action="store_true", help="--server production: also through a read replica")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)  # a server subprocess
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--fill", choices=list(SIZES), help=argparse.SUPPRESS)  # a fill subprocess
    args = parser.parse_args()
    if args.serve:
        return serve_forever(args.serve, args.url)
    if args.fill:
        return fill_size(args.fill)
    if args.server == "production":
        return production_benchmark(args)
    sizes = ["small", "large"] if args.size == "both" else [args.size]
    if not args.skip_fill:
        for size in sizes:
            subprocess.run([sys.executable, __file__, "--fill", size], check=True)
    all_results = run_sizes(sizes, args)
    period_ratios(all_results)
    if args.only:
        return
    Path("/tmp/bench_api_results.json").write_text(json.dumps(all_results, indent=1))
    verdict(all_results)


if __name__ == "__main__":
    main()
