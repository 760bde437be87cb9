"""Benchmark one live collection cycle: 100 parks x 40 rides from a fake ThemeParks.wiki on
loopback that answers every request after 100 ms, bounded-concurrent and sequential, in the
same run. Target: a concurrent cycle under 10 s without exceeding HTTP_REQUESTS_PER_MINUTE.

    BENCH_DATABASE_URL=mysql://root:@127.0.0.1:3306/themepark_bench_collect .venv/bin/python bench/collect.py

Options: --parks N --rides N --latency SECONDS --concurrency N (default COLLECTOR_CONCURRENCY).
The database is dropped and recreated; only loopback is contacted.
"""
import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/themepark_bench_collect")

from bench.common import Timer, peak_memory_mb, setup_django  # noqa: E402

QUEUE_SHAPES = [
    {"STANDBY": {"waitTime": 35}},
    {"STANDBY": {"waitTime": 20}, "SINGLE_RIDER": {"waitTime": None}},
    {"STANDBY": {"waitTime": 45}, "PAID_RETURN_TIME": {"state": "AVAILABLE", "returnStart": "2025-07-15T21:55:00-04:00",
                                                       "returnEnd": "2025-07-15T22:10:00-04:00",
                                                       "price": {"amount": 1999, "currency": "USD"}}},
    {"STANDBY": {"waitTime": None}},
]
STATUSES = ["OPERATING"] * 7 + ["DOWN", "CLOSED", "REFURBISHMENT"]


def build_catalog(parks, rides):
    from themepark.models import Park, Ride

    Park.objects.bulk_create([Park(name=f"Bench Park {p}", themeparks_wiki_id=f"bench-park-{p}",
                                   timezone="America/New_York") for p in range(parks)])
    by_id = dict(Park.objects.values_list("themeparks_wiki_id", "pk"))
    Ride.objects.bulk_create([Ride(park_id=by_id[f"bench-park-{p}"], name=f"Ride {p}-{r}",
                                   themeparks_wiki_id=f"bench-ride-{p}-{r}")
                              for p in range(parks) for r in range(rides)], batch_size=2000)


def live_document(park, rides, last_updated):
    items = [{"id": f"bench-park-{park}", "name": f"Bench Park {park}", "entityType": "PARK", "parkId": None,
              "status": "OPERATING", "lastUpdated": last_updated}]
    for r in range(rides):
        status = STATUSES[(park + r) % len(STATUSES)]
        item = {"id": f"bench-ride-{park}-{r}", "name": f"Ride {park}-{r}", "entityType": "ATTRACTION",
                "parkId": f"bench-park-{park}", "externalId": str(r), "status": status, "lastUpdated": last_updated}
        if status != "REFURBISHMENT":
            item["queue"] = QUEUE_SHAPES[r % len(QUEUE_SHAPES)]
        items.append(item)
    return {"id": f"bench-park-{park}", "name": f"Bench Park {park}", "entityType": "PARK",
            "timezone": "America/New_York", "liveData": items}


def max_per_minute(times):
    times, best, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 60.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parks", type=int, default=100)
    parser.add_argument("--rides", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=None)
    args = parser.parse_args()
    setup_django(fresh=True)

    import orjson
    from django.conf import settings
    from django.utils import timezone

    from collector.services import snapshots_collect
    from collector.fakeapi import FakeAPI

    build_catalog(args.parks, args.rides)
    now = timezone.now()
    stamp = (now - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    pages = {f"/v1/entity/bench-park-{p}/live": orjson.dumps(live_document(p, args.rides, stamp))
             for p in range(args.parks)}
    concurrency = args.concurrency or settings.COLLECTOR_CONCURRENCY
    print(f"{args.parks} parks x {args.rides} rides, {args.latency * 1000:.0f} ms per response, "
          f"concurrency {concurrency}, ceiling {settings.HTTP_REQUESTS_PER_MINUTE} requests/minute")
    with FakeAPI(documents=pages, latency=args.latency) as api:
        settings.THEMEPARKS_WIKI_BASE_URL = api.tpw_url
        runs = {}
        for label, workers, at in (("concurrent", concurrency, now),
                                   ("sequential", 1, now + timedelta(minutes=settings.COLLECTION_INTERVAL_MINUTES))):
            with Timer() as timer:
                result = snapshots_collect(now=at, concurrency=workers)
            run = result.run
            runs[label] = timer.seconds
            print(f"{label:>10}: {timer.seconds:6.2f} s  {run.parks_ok} ok / {run.parks_failed} failed, "
                  f"{run.observations_written} observations written, {run.duplicates} duplicates")
        peak = max_per_minute([t for t, _, _ in api.requests])
    ratio = runs["sequential"] / runs["concurrent"]
    print(f"speed-up sequential/concurrent: {ratio:.1f}x")
    ceiling = settings.HTTP_REQUESTS_PER_MINUTE
    print(f"requests: {len(api.requests)} in all, at most {peak} in any 60 s "
          f"(ceiling {ceiling}: {'OK' if peak <= ceiling else 'EXCEEDED'})")
    print(f"target < 10 s for a concurrent cycle: {'PASS' if runs['concurrent'] < 10 else 'FAIL'}; "
          f"peak memory {peak_memory_mb():.0f} MB (2 shared cores: figures are noisy)")


if __name__ == "__main__":
    main()
