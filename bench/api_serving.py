"""Production serving under load (bench/api.py --server production).

    .venv/bin/python bench/api.py --server production [--duration 60] [--replica] [--skip-fill] [--python-clients]

Fills (or reuses) the small benchmark database, serves it from Django's threaded server (what
runserver runs) and from bin/serve (granian with the cached-response front) side by side, and puts
50 concurrent keep-alive clients on the 12 ranking endpoints for --duration seconds per row,
uncached (a unique parameter per request misses every cache; after a 5 s warm-up of the same load,
as a server that has been running would be) and cached (after a 10 s warm-up),
reporting p50/p95, requests/s and errors, and the CPU per request of the server (bin/serve's whole
process group) and of the load generator. After each row the benchmark waits until the server
has finished the requests still in hand (counted in that row's CPU), so no row inherits the last
one's backlog. --replica adds a throwaway primary and replica (MariaDB
replication on 127.0.0.1:3362/3363) holding a copy of the database's catalog and statistics, and
bin/serve reading from the replica.

The load generator is wrk (Debian's `wrk`, installed through bin/_setup.sh when missing): 2 threads,
50 connections, bench/rankings.lua rotating the endpoints; it costs a few microseconds of CPU per
request, where a Python client costs hundreds and would take most of the shared cores itself.
--python-clients uses 5 processes x 10 threads of http.client instead (also when wrk cannot be had).

Targets (production): 0 errors, cached p95 < 20 ms, uncached p95 < 250 ms. The clients run on
the same machine and take their share of its cores.

--layouts 2x2,1x4 [--rounds 3] compares worker layouts instead (WEB_CONCURRENCY x SERVE_THREADS):
bin/serve started with each in turn, round after round, each measured as the uncached production
row (warm-up, --duration seconds, drain); no runserver, cached or floor rows.
"""
import itertools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from api import ENDPOINTS, serve
from api_clients import percentiles
from api_data import size_url
from common import Timer

HERE = Path(__file__).resolve().parent
RANKINGS = [path for name, path in ENDPOINTS if name.startswith(("parks/", "rides/"))]
CLIENTS, WRK_THREADS = 50, 2
LOAD_PROCESSES, LOAD_THREADS = 5, 10
RUNSERVER_PORT, PRODUCTION_PORT, REPLICA_SERVER_PORT, FLOOR_PORT, CLUSTER_PORTS = 8164, 8162, 8163, 8165, (3362, 3363)


# ---------------------------------------------------------------------------------------------
# Load generators
# ---------------------------------------------------------------------------------------------
def wrk_available():
    if shutil.which("wrk"):
        return True
    subprocess.run(["bash", "-c", "source bin/_setup.sh && ensure_debian_packages wrk"], cwd=HERE.parent,
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return bool(shutil.which("wrk"))


def load_wrk(base, *, uncached, seconds):
    """50 connections for `seconds` through wrk: (p50, p95, requests/s, errors, client CPU)."""
    run = f"{time.time_ns() % 10**12}"
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{CLIENTS}", f"-d{seconds}s", "--timeout", "30s",
               "-s", str(HERE / "rankings.lua"), base, "--", "uncached" if uncached else "cached", run, *RANKINGS]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:  # the benchmark is stopped: so is its load
        process.kill()
        process.wait()
        raise
    process.returncode = os.waitstatus_to_exitcode(status)
    out, err = process.stdout.read(), process.stderr.read()
    line = next((text for text in out.splitlines() if text.startswith("{")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({process.returncode}): {out[-2000:]} {err[-2000:]}")
    figures = json.loads(line)
    errors = sum(figures[key] for key in ("connect", "read", "write", "status", "timeout"))
    detail = {key: figures[key] for key in ("connect", "read", "write", "status", "timeout") if figures[key]}
    return {"p50": figures["p50_us"] / 1000, "p95": figures["p95_us"] / 1000, "p99": figures["p99_us"] / 1000,
            "rps": figures["requests"] / figures["seconds"], "requests": figures["requests"], "errors": errors,
            "first_error": json.dumps(detail) if detail else None,
            "client_cpu_s": usage.ru_utime + usage.ru_stime}


def _load_process(base, uncached, seconds, seed):
    """One client process: LOAD_THREADS keep-alive clients cycling through the rankings, on bare
    http.client connections."""
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
    return latencies, errors, resource.getrusage(resource.RUSAGE_SELF)


def load_python(base, *, uncached, seconds):
    """50 Python clients (5 processes x 10 threads) for `seconds`."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(LOAD_PROCESSES) as pool:
        first = int(time.time() * 1000) % 10**9 * 100
        futures = [pool.submit(_load_process, base, uncached, seconds, first + seed * 10_000_000)
                   for seed in range(LOAD_PROCESSES)]
        results = [future.result() for future in futures]
    latencies = [value for done, _, _ in results for value in done]
    errors = [error for _, failed, _ in results for error in failed]
    p50, p95 = percentiles(latencies) if latencies else (float("nan"), float("nan"))
    return {"p50": p50, "p95": p95, "rps": len(latencies) / seconds, "requests": len(latencies),
            "errors": len(errors), "first_error": errors[0] if errors else None,
            "client_cpu_s": sum(usage.ru_utime + usage.ru_stime for _, _, usage in results)}


# ---------------------------------------------------------------------------------------------
# CPU, replica
# ---------------------------------------------------------------------------------------------
def _cpu_seconds(pid, *, group=False):
    """CPU seconds of a process, or of every process in its process group (the server's main process,
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


def drain(measure, *, idle_cpu=0.05, longest=120):
    """Wait until the server has finished what the clients left it (requests still being answered
    when the load stopped), so that the next row does not share the cores with them; their CPU
    counts in this row's. Returns the seconds waited."""
    start = last = time.monotonic()
    used = measure()
    while time.monotonic() - start < longest:
        time.sleep(1)
        now = measure()
        if now - used < idle_cpu * (time.monotonic() - last):
            break
        used, last = now, time.monotonic()
    return time.monotonic() - start


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


# ---------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------
def _row(name, label, figures):
    note = (f"app CPU {figures['app_cpu_ms']:6.2f} ms/req, clients {figures['client_cpu_ms']:5.2f} ms/req, "
            f"drained in {figures['drain_s']:.0f} s")
    if figures.get("connections_per_worker"):
        note += f", connections per worker {'/'.join(map(str, figures['connections_per_worker']))}"
    if "replica_db_cpu_ms" in figures:
        note += f", replica DB CPU {figures['replica_db_cpu_ms']:5.2f} ms/req"
    return (f"  {name:19s} {label:8s} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  "
            f"{figures['rps']:7.1f} req/s  {figures['errors']} errors  {note}"
            + (f" (first: {figures['first_error']})" if figures["errors"] else ""))


def start_floor(env, log_path):
    """The production server (themepark/serve.py, bin/serve's settings) serving bench/serving_floor.py;
    returns (process, base)."""
    import requests

    env = {**env, "BIND": f"127.0.0.1:{FLOOR_PORT}"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "themepark.serve", "bench.serving_floor:application"],
                                   cwd=HERE.parent, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{FLOOR_PORT}"
    for _ in range(300):
        try:
            requests.get(base + "/", timeout=5)
            return process, base
        except requests.ConnectionError:
            time.sleep(0.2)
    return process, base


def _measured(load, base, *, uncached, seconds, cpu, name, held=None):
    """One row: the load for `seconds` after its warm-up (uncached: 5 s, then the server drained, so
    every worker has connected and made its first plans; cached: 10 s, so every worker keeps each
    answer), then the server drained again (the requests still in hand count in the row). Returns
    the figures, with the CPU per request of the server (`cpu[name]`, steadier than wall time on a
    busy machine) and of the clients and, given `held`, the connections per worker halfway through
    (how evenly the workers share them), and what each of `cpu`'s counters used over the row."""
    if uncached:
        load(base, uncached=True, seconds=5)
        drain(cpu[name])
    else:
        load(base, uncached=False, seconds=10)
    before = {key: measure() for key, measure in cpu.items()}
    spread, timer = {}, None
    if held is not None:
        timer = threading.Timer(seconds / 2, lambda: spread.update(held()))
        timer.start()
    figures = load(base, uncached=uncached, seconds=seconds)
    if timer is not None:
        timer.cancel()
        figures["connections_per_worker"] = sorted(spread.values(), reverse=True)
    figures["drain_s"] = drain(cpu[name])
    used = {key: measure() - before[key] for key, measure in cpu.items()}
    requests = max(1, figures["requests"])
    figures["app_cpu_ms"] = 1000 * used[name] / requests
    figures["client_cpu_ms"] = 1000 * figures.pop("client_cpu_s") / requests
    return figures, used


def layouts_benchmark(args, url, knobs, tmp):
    """The uncached production row for each worker layout of --layouts, alternated --rounds times."""
    from themepark.tests.serving import connections_per_worker, production_env, start_serve, stop_serve

    layouts = [tuple(int(n) for n in layout.lower().split("x")) for layout in args.layouts.split(",")]
    load = load_wrk if not args.python_clients and wrk_available() else load_python
    print(f"== worker layouts {args.layouts}, {args.rounds} rounds of {args.duration} s uncached rows; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    for round_ in range(1, args.rounds + 1):
        for workers, threads in layouts:
            env = production_env(url, **knobs, WEB_CONCURRENCY=workers, SERVE_THREADS=threads,
                                 PROMETHEUS_MULTIPROC_DIR=tmp / f"prometheus-{workers}x{threads}")
            proc, base = start_serve(PRODUCTION_PORT, env, log_path=tmp / "layout.log")
            try:
                figures, _ = _measured(load, base, uncached=True, seconds=args.duration, name="production",
                                       cpu={"production": lambda pid=proc.pid: _cpu_seconds(pid, group=True)},
                                       held=lambda pid=proc.pid: connections_per_worker(pid, PRODUCTION_PORT))
                print(f"  round {round_}, {workers} x {threads}: " + _row("production", "uncached", figures).strip(),
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
            finally:
                stop_serve(proc)


def production_benchmark(args):
    sys.path.insert(0, str(HERE.parent))
    from themepark.tests.mariadb_cluster import ReplicationCluster
    from themepark.tests.serving import connections_per_worker, production_env, start_serve, stop_serve

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped benchmark still stops its servers
    url = size_url("small")
    # filled, or brought to what the statistics run would have left by now (bench/api.py --skip-fill)
    subprocess.run([sys.executable, str(HERE / "api.py"), "--refresh" if args.skip_fill else "--fill", "small"],
                   check=True)
    use_wrk = not args.python_clients and wrk_available()
    load = load_wrk if use_wrk else load_python
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-production-"))
    # Request lines off: 50 clients' logs would go to a file on the same disks.
    knobs = {"API_ANON_RATE": "100000000/min", "DATABASE_CONN_MAX_AGE": 60, "STATIC_ROOT": tmp / "static",
             "PROMETHEUS_MULTIPROC_DIR": tmp / "prometheus", "REQUEST_LOG_LEVEL": "WARNING"}
    if args.layouts:
        try:
            return layouts_benchmark(args, url, {k: v for k, v in knobs.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
                                     tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    servers, processes, cluster = {}, [], None
    try:
        proc, servers["runserver"] = serve(url, RUNSERVER_PORT)
        processes.append((proc, False))
        cpu = {"runserver": lambda pid=proc.pid: _cpu_seconds(pid)}
        proc, servers["production"] = start_serve(PRODUCTION_PORT, production_env(url, **knobs),
                                                  log_path=tmp / "production.log")
        processes.append((proc, True))
        cpu["production"] = lambda pid=proc.pid: _cpu_seconds(pid, group=True)
        held = {"production": lambda pid=proc.pid: connections_per_worker(pid, PRODUCTION_PORT)}
        floor_env = production_env(url, **{**knobs, "PROMETHEUS_MULTIPROC_DIR": tmp / "prometheus-floor"})
        proc, floor = start_floor(floor_env, tmp / "floor.log")
        processes.append((proc, True))
        cpu["server floor"] = lambda pid=proc.pid: _cpu_seconds(pid, group=True)
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
            held["production+replica"] = lambda pid=proc.pid: connections_per_worker(pid, REPLICA_SERVER_PORT)
            cpu["replica mariadbd"] = lambda pid=cluster.replicas[0].process.pid: _cpu_seconds(pid)
        cores = len(os.sched_getaffinity(0))
        workers = os.environ.get("WEB_CONCURRENCY") or f"default for {cores} cores"
        threads = os.environ.get("SERVE_THREADS") or "default"
        sockets = "one shared socket" if os.environ.get("SERVE_SHARED_SOCKET", "0") not in ("", "0") else \
            "a socket per worker"
        clients = (f"wrk, {WRK_THREADS} threads x {CLIENTS} connections" if use_wrk
                   else f"Python, {LOAD_PROCESSES} processes x {LOAD_THREADS} threads")
        print(f"== {CLIENTS} clients ({clients}) x {args.duration} s on {len(RANKINGS)} ranking endpoints "
              f"(small database); production: granian, workers {workers}, threads {threads}, {sockets}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        results = {}
        for label, uncached in (("uncached", True), ("cached", False)):
            for name, base in servers.items() if uncached else [*servers.items(), ("server floor", floor)]:
                figures, used = _measured(load, base, uncached=uncached, seconds=args.duration, cpu=cpu, name=name,
                                          held=held.get(name))
                if name == "production+replica":
                    figures["replica_db_cpu_ms"] = 1000 * used["replica mariadbd"] / max(1, figures["requests"])
                results[f"{name} {label}"] = figures
                print(_row(name, label, figures), flush=True)
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
    print("  (server floor: the same server and settings answering a fixed 10 kB body, no Django: "
          "what the server and the clients cost on this machine)")
    production = {k: v for k, v in results.items() if k.startswith("production")}
    ok = (all(v["errors"] == 0 for v in results.values())
          and all(v["p95"] < 20 for k, v in production.items() if k.endswith(" cached"))
          and all(v["p95"] < 250 for k, v in production.items() if k.endswith(" uncached")))
    print("production targets met (0 errors, cached p95 < 20 ms, uncached p95 < 250 ms)" if ok else
          "some production targets missed (see above; the machine is shared, figures are noisy)")
