"""Benchmark of the statistics engine on a generated archive.

    BENCH_DATABASE_URL=mysql://root:@127.0.0.1:3306/bench_stats \\
        .venv/bin/python bench/aggregate.py [--destinations 5] [--days 90] [--start 2024-01-01]

Generates an archive with the project's generator (importer.synthetic), loads its events into a fresh benchmark
database through warehouse.ingest (ARCHIVE observations; catalog from the manifest), then
times: one park day (mean of several), one full day of all parks, the whole range (rows/s
read), rolling a month and a year up from the daily rows, and an incremental run with the
live-state refresh. Prints an extrapolation to a year of 30 parks.

Version 2 of the metrics (breakdowns, MTBF/MTTR, kinds of downtime) is priced against version 1
on the same data: the whole range is rebuilt alternately with version 1's figures only and with
version 2's, `--repeat` times each (target: version 2 at most 20 % slower), and the pure engine
alone is timed the same way in CPU seconds (steadier on a busy machine). Then `classify_rides`
is timed on its own synthetic daily rows: `--classify-parks` parks of `--classify-rides`
attractions with 90 days each (target < 10 s for 100 x 40). Only loopback is contacted.

    .venv/bin/python bench/aggregate.py --rebuild-parks 30 --rebuild-days 365 [--repeat 3]

measures instead the full rebuild at archive scale for real (no extrapolation): it writes a
season of change events for every attraction of `--rebuild-parks` parks over `--rebuild-days`
days straight into the observation store in bulk (`warehouse.ingest`, seeded, three time zones,
about 45 events per ride and day: waits moving, breakdowns, closing), then times `--repeat` full
rebuilds (`stats_recompute` over the whole range, STATS_WORKERS processes) in wall time and in
CPU seconds of this process and its workers, and the incremental 10-minute run with
`--incremental-parks` parks (target: rebuild of 30 x 365 < 3 min, incremental of 100 parks < 1 s).
"""
import argparse
import json
import sys
import tempfile
import zlib
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Timer, make_archive, peak_memory_mb, setup_django  # noqa: E402

UTC = timezone.utc


def generate(out: Path, args):
    return make_archive(out, destinations=args.destinations, days=args.days, start=args.start)


def load(out: Path, manifest):
    from themepark.models import Destination, Park, Ride
    from warehouse.ingest import Observation, ingest

    parks, rides = {}, {}
    for dest in manifest["destinations"]:
        d = Destination.objects.create(name=dest["name"], themeparks_wiki_id=dest["id"])
        for p in dest["parks"]:
            parks[p["id"]] = Park.objects.create(destination=d, name=p["name"], themeparks_wiki_id=p["id"],
                                                 timezone=dest["timezone"])
    for i, r in enumerate(manifest["rides"]):
        rides[r["entityId"]] = Ride.objects.create(park=parks[r["parkId"]], name=r["name"],
                                                   themeparks_wiki_id=r["entityId"], entity_type=r["entityType"],
                                                   tier=(1, 2, 3, None)[i % 4]).pk

    def events():
        for path in sorted(out.glob("*/*/*/*.json.gz")):
            for e in json.loads(zlib.decompress(path.read_bytes()))["events"]:
                queue = (e["data"].get("queue") or {}).get("STANDBY") or {}
                yield Observation(rides[e["entityId"]], datetime.fromisoformat(e["eventTime"].replace("Z", "+00:00")),
                                  e["data"]["status"], queue.get("waitTime"), "ARCHIVE")

    return ingest(events(), now=datetime(2100, 1, 1, tzinfo=UTC), log_invalid=False), list(parks.values())


ZONES = ("America/New_York", "Europe/Paris", "Asia/Tokyo")


def season(ride_ids, zone, first, days, seed):
    """A park's attractions over `days` park days from `first`: change events as the archive holds them
    (open at 09:00 with a wait, the wait moving every 10-20 minutes, 0-3 breakdowns of 5-90 minutes,
    closed at 21:00; one day in ten a ride stays closed)."""
    import random

    from warehouse.ingest import Observation

    rng, tz = random.Random(seed), ZoneInfo(zone)
    for d in range(days):
        day = first + timedelta(days=d)
        opening = datetime.combine(day, time(9), tzinfo=tz).astimezone(UTC)
        for ride_id in ride_ids:
            if rng.random() < 0.1:
                continue
            at, end = opening + timedelta(seconds=rng.randrange(900)), opening + timedelta(hours=12)
            downs = sorted(opening + timedelta(minutes=rng.randrange(30, 700)) for _ in range(rng.randrange(4)))
            while at < end:
                if downs and at >= downs[0]:
                    yield Observation(ride_id, at, "DOWN", None, "ARCHIVE")
                    at += timedelta(minutes=rng.randrange(5, 90))
                    downs.pop(0)
                    continue
                yield Observation(ride_id, at, "OPERATING", rng.randrange(5, 95, 5), "ARCHIVE")
                at += timedelta(seconds=rng.randrange(600, 1200))
            yield Observation(ride_id, end + timedelta(seconds=rng.randrange(60)), "CLOSED", None, "ARCHIVE")


def bulk_parks(n_parks, n_rides, first, days, *, prefix):
    """`n_parks` parks of `n_rides` attractions (tiers 1-3 and none in turn) with `days` days of events each."""
    from themepark.models import Destination, Park, Ride
    from warehouse.ingest import ingest

    dest = Destination.objects.create(name=f"{prefix} resort", slug=f"{prefix}-resort")
    written = 0
    parks = []
    for i in range(n_parks):
        park = Park.objects.create(destination=dest, name=f"{prefix} park {i:03d}", slug=f"{prefix}-park-{i}",
                                   timezone=ZONES[i % len(ZONES)], reports_down=True)
        Ride.objects.bulk_create([Ride(park=park, name=f"{prefix} {i} ride {j:02d}", tier=(1, 2, 3, None)[j % 4])
                                  for j in range(n_rides)])
        ride_ids = list(park.rides.values_list("pk", flat=True))
        written += ingest(season(ride_ids, park.timezone, first, days, seed=i), log_invalid=False,
                          now=datetime(2100, 1, 1, tzinfo=UTC)).written
        parks.append(park)
    return parks, written


def cpu_seconds():
    """CPU seconds of this process and of its finished children (the statistics workers)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def server_cpu_seconds():
    """CPU seconds of the local database server process (mariadbd or mysqld, read from /proc), or None.
    The server is shared: whatever else runs against it at the same time counts too."""
    import os

    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() not in ("mariadbd", "mysqld"):
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return None


def _server_since(before):
    now = server_cpu_seconds()
    return "n/a" if now is None or before is None else f"{now - before:.1f} s"


def bench_rebuild(args):
    """The full rebuild of `--rebuild-parks` x `--rebuild-days`, measured, and the incremental run."""
    from django.conf import settings

    from themepark.models import Park
    from warehouse.models import AggregationRun, RideDailyStats
    from warehouse.services import partitions_ensure, stats_recompute, stats_update

    first = date.fromisoformat(args.start)
    last = first + timedelta(days=args.rebuild_days - 1)
    partitions_ensure(since=first - timedelta(days=1))
    parks = list(Park.objects.filter(name__startswith="year park").order_by("pk")) if args.reuse else []
    if parks:
        print(f"reusing the {len(parks)} parks written before (--reuse)", flush=True)
    else:
        with Timer() as t:
            parks, written = bulk_parks(args.rebuild_parks, args.rebuild_rides, first, args.rebuild_days,
                                        prefix="year")
        print(f"wrote {written:,} observations of {len(parks)} parks x {args.rebuild_rides} attractions x "
              f"{args.rebuild_days} days in {t.seconds:.0f} s ({written / t.seconds:,.0f}/s)", flush=True)
    now = datetime.combine(last + timedelta(days=3), time(), tzinfo=UTC)
    ids = [p.pk for p in parks]
    for i in range(args.repeat):
        cpu, server = cpu_seconds(), server_cpu_seconds()
        with Timer() as t:
            summary = stats_recompute(park_ids=ids, start=first - timedelta(days=1), end=last + timedelta(days=1),
                                      now=now)
        print(f"full rebuild run {i + 1}: {summary.days:,} park days in {t.seconds:.1f} s wall "
              f"({t.seconds / 60:.2f} min; target < 3 min), {cpu_seconds() - cpu:.1f} s CPU of this process and "
              f"its {settings.STATS_WORKERS} workers, {_server_since(server)} CPU of the database server, "
              f"{RideDailyStats.objects.count():,} ride-day rows, errors {summary.errors}", flush=True)

    # The incremental run: today's park day so far, for --incremental-parks parks polled live every 5 minutes.
    today = date.today()
    partitions_ensure(since=today - timedelta(days=2))
    extra = list(Park.objects.filter(name__startswith="inc park").order_by("pk")) if args.reuse else []
    written = 0
    if not extra or extra[0].created_at.date() != today:
        Park.objects.filter(pk__in=[p.pk for p in extra]).update(is_active=False)
        extra, written = bulk_parks(args.incremental_parks, args.rebuild_rides, today - timedelta(days=1), 2,
                                    prefix="inc")
    inc_ids = [p.pk for p in extra]
    print(f"incremental: {len(extra)} parks, " + (f"{written:,} observations of yesterday and today written"
          if written else "their observations of yesterday and today written earlier today (--reuse)"), flush=True)
    at = datetime.now(UTC).replace(microsecond=0)
    AggregationRun.objects.all().delete()
    stats_update(park_ids=inc_ids, now=at - timedelta(minutes=10))  # the run before closed yesterday
    for i in range(args.repeat):
        cpu, server = cpu_seconds(), server_cpu_seconds()
        with Timer() as t:
            inc = stats_update(park_ids=inc_ids, now=at + timedelta(minutes=10 * i))
        print(f"incremental run {i + 1}: {inc.days} park days in {t.seconds:.2f} s wall (target < 1 s), "
              f"{cpu_seconds() - cpu:.2f} s CPU, {_server_since(server)} CPU of the database server", flush=True)
    print(f"peak memory {peak_memory_mb():.0f} MB (this process)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--destinations", type=int, default=5)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--start", default="2024-01-01")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each version's rebuild and of classify_rides")
    parser.add_argument("--classify-parks", type=int, default=100, help="0: skip the classify_rides benchmark")
    parser.add_argument("--classify-rides", type=int, default=40)
    parser.add_argument("--rebuild-parks", type=int, default=0, help="Measure the full rebuild of this many parks")
    parser.add_argument("--rebuild-days", type=int, default=365)
    parser.add_argument("--rebuild-rides", type=int, default=30, help="Attractions per park (--rebuild-parks)")
    parser.add_argument("--incremental-parks", type=int, default=100)
    parser.add_argument("--reuse", action="store_true",
                        help="Keep the benchmark database and the parks --rebuild-parks wrote before (same sizes)")
    args = parser.parse_args()
    setup_django(fresh=not args.reuse)
    if args.rebuild_parks:
        return bench_rebuild(args)
    from django.db import connection

    from themepark.models import Park
    from warehouse.aggregation import park_day_refresh, park_periods_roll, park_rides
    from warehouse.models import AggregationRun, RideDailyStats, RideHourlyStats
    from warehouse.services import live_state_refresh, partitions_ensure, stats_recompute, stats_update

    start = date.fromisoformat(args.start)
    end = start + timedelta(days=args.days - 1)
    partitions_ensure(since=start - timedelta(days=1))
    with tempfile.TemporaryDirectory() as tmp:
        with Timer() as t:
            manifest = generate(Path(tmp), args)
        print(f"generated {manifest['totals']['valid_events']:,} events in {t.seconds:.1f} s")
        with Timer() as t:
            result, parks = load(Path(tmp), manifest)
        print(f"loaded {result.written:,} observations in {t.seconds:.1f} s ({result.written / t.seconds:,.0f}/s)")
    now = datetime.combine(end + timedelta(days=3), time(), tzinfo=UTC)

    theme = Park.objects.filter(name__contains="Studios").first() or parks[0]
    rides = park_rides(theme)
    sample = [start + timedelta(days=d) for d in range(1, args.days - 1, max(1, args.days // 20))]
    with Timer() as t:
        for day in sample:
            park_day_refresh(park=theme, day=day, now=now, rides=rides)
    one_day = t.seconds / len(sample)
    print(f"one park day ({theme.name}, {len(rides)} attractions): {one_day * 1000:.1f} ms (mean of {len(sample)})")

    mid = start + timedelta(days=args.days // 2)
    with Timer() as t:
        stats_recompute(start=mid, end=mid, now=now)
    print(f"one full day of all {len(parks)} parks: {t.seconds:.2f} s")

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM ride_status_snapshots")
        total_rows = cur.fetchone()[0]
    with Timer() as t:
        summary = stats_recompute(start=start, end=end, now=now)
    park_days = summary.days
    print(f"whole range: {park_days} park days in {t.seconds:.1f} s ({t.seconds / park_days * 1000:.1f} ms/park day), "
          f"{total_rows / t.seconds:,.0f} observation rows/s read; "
          f"{RideDailyStats.objects.count():,} ride-day and {RideHourlyStats.objects.count():,} ride-hour rows")
    year_est = t.seconds / park_days * 30 * 365
    print(f"extrapolated full rebuild of a year for 30 parks: {year_est / 60:.1f} min (target < 10 min)")

    with Timer() as t:
        park_periods_roll(park_id=theme.pk, days=[mid])
    print(f"roll one park's week+month+year from daily rows: {t.seconds * 1000:.1f} ms")
    with Timer() as t:
        list(RideDailyStats.objects.filter(park=theme, date__gte=start, date__lte=end).values("ride_id")
             .annotate(s=__import__("django.db.models", fromlist=["Sum"]).Sum("downtime_minutes")))
    print(f"ad-hoc range sum over {args.days} days of daily rows (one park): {t.seconds * 1000:.1f} ms")

    inc_now = datetime.combine(mid, time(20), tzinfo=ZoneInfo(theme.timezone)).astimezone(UTC)
    AggregationRun.objects.all().delete()
    stats_update(now=inc_now - timedelta(minutes=10))  # the run before: it closed yesterday
    with Timer() as t:
        inc = stats_update(now=inc_now)
        live_state_refresh(now=inc_now)
    print(f"incremental run ({inc.days} park days) + live state: {t.seconds:.2f} s (target < 5 s)")
    compare_versions(start, end, now, args.repeat)
    compare_engine(theme, sample, now, args.repeat)
    if args.classify_parks:
        bench_classify(args.classify_parks, args.classify_rides, args.repeat)
    print(f"peak memory {peak_memory_mb():.0f} MB")


def compare_versions(start, end, now, repeat):
    """Rebuild the whole range with version 1's figures only, then with version 2's, alternately."""
    from warehouse.aggregation import daily as engine
    from warehouse.services import stats_recompute

    times = {1: [], 2: []}
    for _ in range(repeat):
        for version in (1, 2):
            engine.VERSION_1_FIGURES_ONLY = version == 1
            try:
                with Timer() as t:
                    summary = stats_recompute(start=start, end=end, now=now)
            finally:
                engine.VERSION_1_FIGURES_ONLY = False
            times[version].append(t.seconds)
            print(f"rebuild {start}..{end} with version {version} figures: {t.seconds:.2f} s "
                  f"({summary.days} park days)")
    best1, best2 = min(times[1]), min(times[2])
    mean1, mean2 = sum(times[1]) / repeat, sum(times[2]) / repeat
    print(f"version 2 vs 1: best {best2:.2f} s vs {best1:.2f} s ({100 * (best2 / best1 - 1):+.1f} %), "
          f"mean {mean2:.2f} s vs {mean1:.2f} s ({100 * (mean2 / mean1 - 1):+.1f} %) (target <= +20 %)")


def compare_engine(park, days, now, repeat):
    """The pure engine alone on the same observations (read once), version 1's figures against
    version 2's, in CPU seconds of this process: steadier than wall time on a busy machine."""
    import time as clock

    from warehouse.aggregation.daily import live_hold_seconds, park_rides, read_observations, read_schedule
    from warehouse.metrics import compute_park_day, park_day_bounds

    rides = park_rides(park)
    inputs = []
    for day in days:
        start, end = park_day_bounds(day, park.timezone)
        inputs.append((day, read_observations([r.id for r in rides], start, min(end, now)), read_schedule(park, day)))
    cpu = {1: [], 2: []}
    for _ in range(repeat):
        for version in (1, 2):
            t0 = clock.process_time()
            for day, observations, schedule in inputs:
                compute_park_day(day=day, tz=park.timezone, rides=rides, observations=observations, schedule=schedule,
                                 reports_down=park.reports_down, now=now.timestamp(), live_hold=live_hold_seconds(),
                                 reliability=version == 2)
            cpu[version].append(clock.process_time() - t0)
    best1, best2 = min(cpu[1]), min(cpu[2])
    print(f"engine only, {len(inputs)} park days of {park.name}: version 1 {best1 * 1000:.0f} ms, version 2 "
          f"{best2 * 1000:.0f} ms CPU (best of {repeat}; {100 * (best2 / best1 - 1):+.1f} %)")


def bench_classify(n_parks, n_rides, repeat, days=90):
    """classify_rides over n_parks x n_rides attractions with `days` days of daily rows each."""
    import random

    from django.db import connection

    from themepark.models import Park, Ride
    from warehouse.aggregation.daily import insert_values
    from warehouse.aggregation.classify import classify_rides
    from warehouse.engine_constants import METRICS_VERSION
    from warehouse.models import ParkDailyStats, RideDailyStats

    rng = random.Random(14)
    first = date(2023, 1, 2)
    parks = Park.objects.bulk_create([Park(name=f"Classify park {i}", timezone="UTC") for i in range(n_parks)])
    if connection.vendor != "mysql" or not parks[0].pk:
        parks = list(Park.objects.filter(name__startswith="Classify park ").order_by("pk"))
    Ride.objects.bulk_create([Ride(park=p, name=f"Ride {j} of {p.pk}") for p in parks for j in range(n_rides)],
                             batch_size=2000)
    rides = list(Ride.objects.filter(park__in=parks).values_list("pk", "park_id"))
    ParkDailyStats.objects.bulk_create([ParkDailyStats(park=p, date=first + timedelta(days=d), open_hours=12.0,
                                                       metrics_version=METRICS_VERSION)
                                        for p in parks for d in range(days)], batch_size=5000)
    rows = []
    for ride_id, park_id in rides:
        base = rng.uniform(2, 90)
        for d in range(days):
            # operating, downtime, known, wait known, mean wait, changes, longest, operated, kinds, version, time
            rows.append((ride_id, park_id, str(first + timedelta(days=d)), 600.0, 0.0, 600.0, 600.0,
                         max(0.0, rng.gauss(base, 8)), 0, 0.0, True, 0, 0.0, 0.0, 0.0, METRICS_VERSION,
                         "2023-01-01 00:00:00"))
    with Timer() as t:
        insert_values(RideDailyStats, ("ride_id", "park_id", "date", "operating_minutes", "downtime_minutes",
                                       "known_minutes", "wait_known_minutes", "avg_wait_minutes", "status_changes",
                                       "longest_downtime_minutes", "operated", "breakdowns", "park_wide_minutes",
                                       "late_opening_minutes", "stale_feed_minutes", "metrics_version",
                                       "computed_at"), rows)
    print(f"classify_rides data: {len(parks)} parks x {n_rides} attractions x {days} days "
          f"({len(rows):,} daily rows, written in {t.seconds:.1f} s)")
    ids = [p.pk for p in parks]
    for i in range(repeat):
        Ride.objects.filter(park__in=parks).update(tier=None, tier_source=None, tier_reason="")
        with Timer() as t:
            summary = classify_rides(park_ids=ids)
        print(f"classify_rides run {i + 1}: {summary.classified} of {summary.rides} attractions classified, "
              f"{len(summary.changes)} tiers set in {t.seconds:.2f} s (target < 10 s)")


if __name__ == "__main__":
    main()
