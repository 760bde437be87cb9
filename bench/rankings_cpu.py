"""CPU and queries of one uncached request of each ranking endpoint, in process (no server, no cache).

    .venv/bin/python bench/rankings_cpu.py [--repeat 15] [--save out.json] [--compare out.json]

Reads the small database of bench/api.py (BENCH_DATABASE_URL's name + _small; fill it first with
`bench/api.py --size small`). For each endpoint and period it runs the request --repeat times
through Django's test client with the response cache off and prints: the least process CPU of
the runs (application: views, selectors, serializers, rendering; the least is the steadiest on a
shared machine), the median wall time spent in database calls (the server's work plus the round
trips), the number of queries and the rows the database server handled (its session's
Handler_read_* and Handler_tmp_* counters: index and table reads, temporary-table writes). --save writes every response
body; --compare checks that each body equals the saved one (same fields, same values).
"""
import argparse
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import QueryTimer, setup_django  # noqa: E402

_YEAR = f"start={date.today() - timedelta(days=365)}&end={date.today() - timedelta(days=1)}"
PATHS = []
for _period in ("today", "7days", "30days"):
    PATHS += [f"/api/parks/downtime?period={_period}", f"/api/rides/downtime?period={_period}",
              f"/api/parks/waittimes?period={_period}", f"/api/rides/waittimes?period={_period}",
              f"/api/trends?category=parks-declining&period={_period}",
              f"/api/trends?category=rides-improving&period={_period}",
              f"/api/trends/chart-data?type=parks&period={_period}",
              f"/api/trends/chart-data?type=rides&period={_period}"]
PATHS += ["/api/parks/downtime?period=last_month", "/api/rides/downtime?period=last_month",
          f"/api/parks/downtime?{_YEAR}", f"/api/rides/downtime?{_YEAR}",
          "/api/parks/downtime?period=7days&exclude=park_wide", "/api/rides/downtime?period=30days&sort_by=mtbf_hours",
          "/api/rides/downtime?period=7days&sort_by=trend_percentage",
          "/api/parks/downtime?period=30days&filter=disney-universal"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--save")
    parser.add_argument("--compare")
    parser.add_argument("--only", help="Only paths containing this")
    args = parser.parse_args()
    base, _, name = os.environ.get("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/bench_api").rpartition("/")
    os.environ.update({"API_CACHE_SECONDS": "0", "API_ANON_RATE": "100000000/min", "DJANGO_DEBUG": "False",
                       "DATABASE_CONN_MAX_AGE": "60", "REQUEST_LOG_LEVEL": "WARNING"})
    setup_django(f"{base}/{name}_small", migrate=False)
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    db = QueryTimer()

    def handled():
        with connection.cursor() as cursor:
            cursor.execute("SHOW SESSION STATUS WHERE Variable_name LIKE 'Handler_read%%'"
                           " OR Variable_name LIKE 'Handler_tmp%%'")
            return sum(int(value) for _, value in cursor.fetchall())

    bodies, saved = {}, json.loads(Path(args.compare).read_text()) if args.compare else None
    totals = [0.0, 0.0]
    print(f"{'request':62s} {'app CPU ms':>10s} {'db ms':>7s} {'queries':>7s} {'db rows':>8s}")
    client.get("/api/health")
    baseline = -handled() + handled()  # what reading the counters costs itself
    with connection.execute_wrapper(db):
        for path in PATHS:
            if args.only and args.only not in path:
                continue
            cpu, wall, queries, rows = [], [], [], []
            for _ in range(args.repeat):
                before = handled()
                db.reset()
                start = time.process_time()
                response = client.get(path)
                cpu.append((time.process_time() - start) * 1000)
                wall.append(db.seconds * 1000)
                queries.append(db.queries)
                rows.append(handled() - before - baseline)
                assert response.status_code == 200, (path, response.status_code, response.content[:300])
            bodies[path] = response.json()
            app, sql = min(cpu), statistics.median(wall)
            totals[0] += app
            totals[1] += sql
            note = ""
            if saved is not None:
                note = "  same" if saved.get(path) == bodies[path] else "  DIFFERENT"
            print(f"{path:62s} {app:10.1f} {sql:7.1f} {statistics.median(queries):7.0f} {min(rows):8d}{note}",
                  flush=True)
    print(f"{'sum':62s} {totals[0]:10.1f} {totals[1]:7.1f}")
    if args.save:
        Path(args.save).write_text(json.dumps(bodies, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
