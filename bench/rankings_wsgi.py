"""CPU of one uncached ranking request through the production WSGI stack, in process, optionally profiled.

    .venv/bin/python bench/rankings_wsgi.py [--repeat 30] [--profile out.prof] [--save out.json] [--compare out.json]

What bin/serve runs for each request, without the HTTP server and its sockets: `themepark.wsgi.application`
(the cached-answer front around Django) under the production settings, the response cache on, and
each request carrying a parameter of its own (`_bench=N`, as bench/rankings.lua adds), so that it
misses every cache and computes its ranking from the database, as the uncached rows of
`bench/api.py --server production` do. The paths are those rows' (bench/api.py ENDPOINTS, parks/
and rides/). Reads the small benchmark database (BENCH_DATABASE_URL's name + _small; fill it with
`bench/api.py --fill small`; `--refresh small` brings its kept ranges to each park's today, as the statistics
run would). For each path: the least process CPU of the --repeat runs
(application only; the database server's own CPU is not in it), the median of all runs, the
median wall time of the database calls, the mean CPU of the database server's thread that served
them (MariaDB runs a thread per connection; found by the second of CPU a BENCHMARK() query puts
on it; clock ticks of 10 ms, so only the mean over many requests means anything) and the number
of queries. --profile writes cProfile statistics (process CPU time) of every measured request
(pstats format) and prints the top functions by own and cumulative time; --save/--compare check
that the bodies are the same, byte for byte, from one version to the next.
"""
import argparse
import cProfile
import itertools
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import ENDPOINTS, ROLLING_YEAR  # noqa: E402
from common import QueryTimer, setup_django  # noqa: E402

PATHS = [path for name, path in ENDPOINTS if name.startswith(("parks/", "rides/"))]
EXTRA = [path for _, path in ROLLING_YEAR]  # measured after the others, outside their mean


def environ(path, n):
    route, _, query = path.partition("?")
    return {"REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": f"{query}&_bench={n}", "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8162", "HTTP_HOST": "127.0.0.1:8162",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_ACCEPT": "*/*",
            "wsgi.url_scheme": "http", "wsgi.input": BytesIO(), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
            "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}


def _task_cpu(pid):
    """CPU seconds of each thread of process `pid`, by thread id."""
    out = {}
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:  # the process has ended
        return out
    for task in tasks:
        try:
            fields = (task / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        out[task.name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def server_thread(connection):
    """A reader of the CPU seconds of the database server's thread serving `connection` (MariaDB's
    one thread per connection, on this machine): of every mariadbd/mysqld running here, the thread
    that a second of the server's own CPU (BENCHMARK()) lands on; None when none can be read."""
    import subprocess

    pids = subprocess.run(["pgrep", "-x", "mariadbd|mysqld"], capture_output=True, text=True).stdout.split()
    before = {pid: _task_cpu(pid) for pid in pids}
    with connection.cursor() as cursor:
        cursor.execute("SELECT BENCHMARK(20000000, MD5('themepark'))")
    used, pid, tid = max(((cpu - before[pid].get(tid, 0.0), pid, tid) for pid in pids
                          for tid, cpu in _task_cpu(pid).items()), default=(0.0, None, None))
    if used < 0.5:
        return None
    return lambda: _task_cpu(pid).get(tid, 0.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile")
    parser.add_argument("--save")
    parser.add_argument("--compare")
    parser.add_argument("--only", help="Only paths containing this")
    parser.add_argument("--rolling-year", action="store_true",
                        help="Also the rankings of the named rolling year (period=365days), after the mean")
    args = parser.parse_args()
    base, _, name = os.environ.get("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/bench_api").rpartition("/")
    os.environ.update({"DJANGO_SETTINGS_MODULE": "themepark.settings.production", "DJANGO_SECRET_KEY": "bench-" * 9,
                       "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_COOKIES": "false",
                       "API_ANON_RATE": "100000000/min", "DATABASE_CONN_MAX_AGE": "60",
                       "REQUEST_LOG_LEVEL": "WARNING", "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),
                       "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="bench-metrics-")})
    setup_django(f"{base}/{name}_small", migrate=False)
    from django.db import connection

    from themepark.wsgi import application

    db = QueryTimer()

    def get(path, n):
        answered = {}
        body = b"".join(application(environ(path, n), lambda status, headers, exc=None: answered.update(s=status)))
        assert answered["s"].startswith("200"), (path, answered["s"], body[:300])
        return body

    unique = itertools.count(int(time.time()))
    for path in PATHS:  # connections, plans of the serializers, imports
        get(path, next(unique))
    server_cpu = server_thread(connection)
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waiting
    bodies, saved = {}, json.loads(Path(args.compare).read_text()) if args.compare else None
    total_min = total_median = total_server = 0.0
    print(f"{'request':72s} {'CPU min':>8s} {'median':>7s} {'db ms':>6s} {'db CPU':>6s} {'queries':>7s}")
    with connection.execute_wrapper(db):
        for path in PATHS + (EXTRA if args.rolling_year else []):
            if args.only and args.only not in path:
                continue
            cpu, wall, queries = [], [], []
            server_before = server_cpu() if server_cpu else 0.0
            for _ in range(args.repeat):
                db.reset()
                n = next(unique)
                start = time.process_time()
                if profiler:
                    profiler.enable()
                body = get(path, n)
                if profiler:
                    profiler.disable()
                cpu.append((time.process_time() - start) * 1000)
                wall.append(db.seconds * 1000)
                queries.append(db.queries)
            server = ((server_cpu() - server_before) * 1000 / args.repeat) if server_cpu else float("nan")
            bodies[path] = body.decode()
            note = ""
            if saved is not None and path not in saved:
                note = "  (not in the saved bodies)"
            elif saved is not None and saved.get(path) != bodies[path]:
                same = saved.get(path) is not None and json.loads(saved[path]) == json.loads(body)
                note = "  DIFFERENT BYTES, same JSON" if same else "  DIFFERENT"
            elif saved is not None:
                note = "  same bytes"
            if path in PATHS:  # the mean is the production load's paths'
                total_min, total_median, total_server = (total_min + min(cpu), total_median + statistics.median(cpu),
                                                         total_server + server)
            print(f"{path:72s} {min(cpu):8.2f} {statistics.median(cpu):7.2f} {statistics.median(wall):6.1f} "
                  f"{server:6.1f} {statistics.median(queries):7.0f}{note}", flush=True)
    count = len(bodies.keys() & set(PATHS)) or 1
    print(f"{'mean per request':72s} {total_min / count:8.2f} {total_median / count:7.2f} {'':6s} "
          f"{total_server / count:6.1f}")
    if args.save:
        Path(args.save).write_text(json.dumps(bodies, indent=1, sort_keys=True))
    if profiler:
        profiler.dump_stats(args.profile)
        for order in ("tottime", "cumulative"):
            pstats.Stats(args.profile).sort_stats(order).print_stats(35)


if __name__ == "__main__":
    main()
