"""Ground truth: a tiny archive from tools/make_archive.py (warehouse/tests/data/archive:
1 destination, 3 days from 2024-03-09 across the US DST switch, 10 rides and 1 show per park),
loaded through warehouse.ingest, aggregated, and checked against a straightforward
recomputation from the raw events written here, independently of warehouse.metrics."""
import json
import zlib
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from themepark.models import Destination, Park, Ride
from warehouse.ingest import Observation, ingest
from warehouse.models import ParkDailyStats, RideDailyStats
from warehouse.aggregation.runs import stats_workers
from warehouse.services import stats_recompute

ARCHIVE = Path(__file__).parent / "data" / "archive"
UTC = timezone.utc
WEIGHT = {1: 3, 2: 2, 3: 1, None: 2}
DAYS = [date(2024, 3, 9), date(2024, 3, 10)]  # complete park days (the files are UTC days 9-11)


def parse_time(text):
    """The event's time as the store keeps it: to the second (the archive's milliseconds are cut)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(microsecond=0)


def load_archive():
    """Catalog from the manifest, events through ingest(); returns {ride: [(time, status)]} and parks."""
    manifest = json.loads((ARCHIVE / "MANIFEST.json").read_text())
    parks = {}
    for dest in manifest["destinations"]:
        destination = Destination.objects.create(name=dest["name"], themeparks_wiki_id=dest["id"])
        for p in dest["parks"]:
            parks[p["id"]] = Park.objects.create(destination=destination, name=p["name"], themeparks_wiki_id=p["id"],
                                                 timezone=dest["timezone"], reports_down=True)
    rides = {}
    for i, r in enumerate(manifest["rides"]):
        rides[r["entityId"]] = Ride.objects.create(
            park=parks[r["parkId"]], name=r["name"], themeparks_wiki_id=r["entityId"],
            entity_type=r["entityType"], tier=(1, 2, 3, None)[i % 4])
    events, observations = {}, []
    for path in sorted(ARCHIVE.glob("*/*/*/*.json.gz")):
        for e in json.loads(zlib.decompress(path.read_bytes()))["events"]:
            ride = rides[e["entityId"]]
            at = parse_time(e["eventTime"])
            wait = ((e["data"].get("queue") or {}).get("STANDBY") or {}).get("waitTime")
            events.setdefault(ride, {})[at] = e["data"]["status"]
            observations.append(Observation(ride.pk, at, e["data"]["status"], wait, "ARCHIVE"))
    result = ingest(observations, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert result.written == len(observations) and result.invalid == 0
    return {ride: sorted(evs.items()) for ride, evs in events.items()}, list(parks.values())


def overlap(a, b, c, d):
    return max(0.0, (min(b, d) - max(a, c)).total_seconds())


def expected_day(park, day, events):
    """docs/metrics.md by hand: archive events hold until the next one; window = first to last
    OPERATING of any attraction in the park day; downtime only if operated >= 1 minute."""
    tz = ZoneInfo(park.timezone)
    start = datetime.combine(day, time(4), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(4), tzinfo=tz).astimezone(UTC)
    spans = {}
    for ride, evs in events.items():
        if ride.park_id != park.pk or ride.entity_type != "ATTRACTION":
            continue
        spans[ride] = [(at, evs[i + 1][0] if i + 1 < len(evs) else end, status) for i, (at, status) in enumerate(evs)]
    operating = [(max(a, start), min(b, end)) for s in spans.values() for a, b, st in s
                 if st == "OPERATING" and b > start and a < end]
    if not operating:
        return None
    w_from, w_to = min(a for a, _ in operating), max(b for _, b in operating)
    rides = {}
    for ride, s in spans.items():
        op = sum(overlap(a, b, w_from, w_to) for a, b, st in s if st == "OPERATING")
        down = sum(overlap(a, b, w_from, w_to) for a, b, st in s if st == "DOWN")
        known = sum(overlap(a, b, w_from, w_to) for a, b, st in s)
        if known == 0:
            continue
        operated = op >= 60
        down = down if operated else 0.0
        rides[ride] = dict(operated=operated, downtime=down / 60, uptime=100 * op / (op + down) if op + down else None)
    open_hours = (w_to - w_from).total_seconds() / 3600
    weight = sum(WEIGHT[r.tier] for r, f in rides.items() if f["operated"])
    lost = sum(f["downtime"] / 60 * WEIGHT[r.tier] for r, f in rides.items())
    raw = 10 * lost / (weight * open_hours) if weight else 0.0
    shame = min(10.0, float(Decimal(repr(raw)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)))
    return dict(rides=rides, shame=shame, open_hours=open_hours)


NOW = datetime(2024, 3, 20, tzinfo=UTC)


@pytest.mark.django_db
def test_stored_ride_days_match_a_recomputation_from_the_raw_events():
    events, parks = load_archive()
    summary = stats_recompute(park_ids=[p.pk for p in parks], start=DAYS[0], end=DAYS[-1], now=NOW)
    assert summary.errors == 0
    assert_matches_raw_events(events, parks)


def assert_matches_raw_events(events, parks):
    checked = downtime_seen = 0
    for park in parks:
        for day in DAYS:
            want = expected_day(park, day, events)
            stored = ParkDailyStats.objects.filter(park=park, date=day).first()
            if want is None:
                assert stored is None
                continue
            assert stored.open_hours == pytest.approx(want["open_hours"])
            assert stored.shame_score == want["shame"], (park, day)
            rows = {r.ride: r for r in RideDailyStats.objects.filter(park=park, date=day).select_related("ride")}
            assert set(rows) == set(want["rides"])
            for ride, fig in want["rides"].items():
                row = rows[ride]
                assert row.operated == fig["operated"]
                assert row.downtime_minutes == pytest.approx(fig["downtime"], abs=1e-6)
                assert row.uptime_percentage == pytest.approx(fig["uptime"])
                checked += 1
                downtime_seen += fig["downtime"] > 0
    assert checked >= 40 and downtime_seen >= 3  # the comparison covered real breakdowns


def stored_figures():
    """Every stored daily, hourly and change row, without the time it was computed."""
    from warehouse.models import ParkHourlyStats, RideHourlyStats, RideStatusChange

    def rows(model, *order):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "computed_at")]
        return list(model.objects.order_by(*order).values_list(*fields))

    return {
        "ride days": rows(RideDailyStats, "ride_id", "date"), "park days": rows(ParkDailyStats, "park_id", "date"),
        "ride hours": rows(RideHourlyStats, "ride_id", "hour_start_utc"),
        "park hours": rows(ParkHourlyStats, "park_id", "hour_start_utc"),
        "changes": rows(RideStatusChange, "ride_id", "changed_at"),
    }


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)  # the worker processes read what this test committed
def test_a_run_over_worker_processes_stores_what_one_process_day_by_day_stores(settings):
    events, parks = load_archive()
    assert len(parks) >= 2
    ids = [p.pk for p in parks]
    days = [DAYS[0] - timedelta(days=1), *DAYS, DAYS[-1] + timedelta(days=1)]
    settings.STATS_WORKERS = 1
    for day in days:  # one day per run: each day reads the state it starts in from the table
        assert stats_recompute(park_ids=ids, start=day, end=day, now=NOW).errors == 0
    alone = stored_figures()
    assert len(alone["ride hours"]) > 100 and len(alone["changes"]) > 10
    settings.STATS_WORKERS = 2  # parks spread over two processes, each day's start state carried
    assert stats_workers({park: days for park in parks}) == 2
    summary = stats_recompute(park_ids=ids, start=days[0], end=days[-1], now=NOW)
    assert (summary.errors, summary.parks, summary.days) == (0, len(parks), len(parks) * len(days))
    assert stored_figures() == alone
    assert_matches_raw_events(events, parks)
