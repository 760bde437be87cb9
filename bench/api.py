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

--skip-fill reuses both databases as the last fill left them, after bringing their rollups and
kept ranges to each park's today as the statistics run (every 10 minutes in production) would
have: a park whose day turned since the fill otherwise ranks from daily rows.

    .venv/bin/python bench/api.py --server production [--duration 60] [--replica] [--skip-fill]
    .venv/bin/python bench/api.py --server production --layouts 2x2,1x4 [--rounds 3] [--duration 40] --skip-fill

Production serving under 50 clients, production server beside runserver: see bench/api_serving.py.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_clients import measure_sizes, soak  # noqa: E402
from api_data import SIZES, fill_size, first_ids, refresh_size, size_url  # noqa: E402
from api_results import period_ratios, verdict  # noqa: E402
from common import setup_django  # noqa: E402

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
# The named rolling year (the last 365 complete park days of each park, kept summed like 7 and 30
# days) beside the custom year above: measured with one client for the ratios, outside the
# production load's mix (RANKINGS), which stays the 12 rows above.
ROLLING_YEAR = [("parks/downtime 365days", "/api/parks/downtime?period=365days"),
                ("rides/downtime 365days", "/api/rides/downtime?period=365days")]
PERIOD_RATIOS = [(endpoint, ("30days", "last_month", "year", "365days"))
                 for endpoint in ("parks/downtime", "rides/downtime")]


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




ROWS = (("1 uncached", 1, 40, True), ("1 cached", 1, 60, False), ("20 uncached", 20, 5, True),
        ("20 cached", 20, 10, False))


def run_sizes(sizes, args):
    servers = {}
    try:
        for size in sizes:
            servers[size] = serve(size_url(size))
        bases = {size: base for size, (_, base) in servers.items()}
        results = {size: {} for size in sizes}
        for name, path in ENDPOINTS + ROLLING_YEAR:
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
            done, errors = soak(bases[size], args.soak, 20, ENDPOINTS)
            results[size]["soak"] = {"requests": done, "errors": len(errors), "seconds": args.soak}
            print(f"  {size:5s} soak: 20 clients x {args.soak} s: {done:,} requests, {len(errors)} errors"
                  + (f" (first: {errors[0]})" if errors else ""))
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(10)
    return results


# ---------------------------------------------------------------------------------------------
# Production serving under load
# ---------------------------------------------------------------------------------------------
RANKINGS = [path for name, path in ENDPOINTS if name.startswith(("parks/", "rides/"))]
LOAD_PROCESSES, LOAD_THREADS = 5, 10
RUNSERVER_PORT, PRODUCTION_PORT, REPLICA_SERVER_PORT, CLUSTER_PORTS = 8164, 8162, 8163, (3362, 3363)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=["small", "large", "both"], default="both")
    parser.add_argument("--soak", type=int, default=60, help="Seconds of the 20-client soak")
    parser.add_argument("--skip-fill", action="store_true", help="Reuse the data already in the bench databases")
    parser.add_argument("--only", help="Measure only the ranking endpoints whose name contains this (no verdict)")
    parser.add_argument("--server", choices=["production"], help="Production serving under 50 clients (see above)")
    parser.add_argument("--duration", type=int, default=60, help="Seconds of each --server production load")
    parser.add_argument("--replica", action="store_true", help="--server production: also through a read replica")
    parser.add_argument("--layouts", help="--server production: only the uncached row, for each worker layout "
                                          "WORKERSxTHREADS of this comma-separated list (e.g. 2x2,1x4), alternated")
    parser.add_argument("--rounds", type=int, default=3, help="--layouts: rounds of the alternation")
    parser.add_argument("--python-clients", action="store_true",
                        help="--server production: Python clients instead of wrk")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)  # a server subprocess
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--fill", choices=list(SIZES), help=argparse.SUPPRESS)  # a fill subprocess
    parser.add_argument("--refresh", choices=list(SIZES),
                        help="Only bring a filled database's rollups and kept ranges to each park's today "
                             "(what --skip-fill does first, as the statistics run would have)")
    args = parser.parse_args()
    if args.serve:
        return serve_forever(args.serve, args.url)
    if args.fill:
        return fill_size(args.fill)
    if args.refresh:
        return refresh_size(args.refresh)
    if args.server == "production":
        from api_serving import production_benchmark

        return production_benchmark(args)
    sizes = ["small", "large"] if args.size == "both" else [args.size]
    for size in sizes:  # filled, or brought to what the statistics run would have left by now
        subprocess.run([sys.executable, __file__, "--refresh" if args.skip_fill else "--fill", size], check=True)
    all_results = run_sizes(sizes, args)
    period_ratios(all_results, PERIOD_RATIOS)
    if args.only:
        return
    Path("/tmp/bench_api_results.json").write_text(json.dumps(all_results, indent=1))
    verdict(all_results, ENDPOINTS + ROLLING_YEAR)


if __name__ == "__main__":
    main()
