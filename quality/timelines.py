"""Reads that feed the pure logic of `gaps.py`: each park's observations, open windows,
freshness and coverage. Time filters are ranges on recorded_at, so MySQL prunes partitions."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from themepark.choices import EntityType
from themepark.models import Park, ParkSchedule, Ride
from warehouse.models import RideStatusSnapshot

from . import gaps

# An ARCHIVE event holds until the next one, so the state at the start of a scan comes from
# the last event before it; looking one day back is enough for the daily archive files.
LOOKBACK = timedelta(days=1)


def live_hold() -> timedelta:
    return timedelta(minutes=3 * settings.COLLECTION_INTERVAL_MINUTES)


@dataclass
class ParkDay:
    day: date
    bounds: gaps.Interval
    window: list[gaps.Interval]
    scheduled: bool


@dataclass
class ParkTimeline:
    """What is known of one park over [start, end): per-ride known time and each day's window."""
    park: Park
    start: datetime
    end: datetime
    ride_known: dict[int, list[gaps.Interval]] = field(default_factory=dict)
    attractions: set[int] = field(default_factory=set)
    days: list[ParkDay] = field(default_factory=list)

    @property
    def known(self) -> list[gaps.Interval]:
        return gaps.union(iv for ivs in self.ride_known.values() for iv in ivs)


def park_timeline(*, park: Park, start: datetime, end: datetime) -> ParkTimeline:
    """Load a park's observations once and derive known time and open windows for its days."""
    rides = dict(Ride.objects.filter(park=park).values_list("pk", "entity_type"))
    points = defaultdict(list)
    rows = (RideStatusSnapshot.objects.for_rides(list(rides)).between(start - LOOKBACK, end)
            .order_by("ride_id", "recorded_at").values_list("ride_id", "recorded_at", "status", "data_source"))
    for ride_id, recorded_at, status, source in rows.iterator(chunk_size=5000):
        points[ride_id].append(gaps.Point(recorded_at, status, source))
    hold = live_hold()
    timeline = ParkTimeline(park=park, start=start, end=end,
                            attractions={pk for pk, kind in rides.items() if kind == EntityType.ATTRACTION})
    operating = []
    for ride_id, ride_points in points.items():
        timeline.ride_known[ride_id] = gaps.clip(gaps.known_intervals(ride_points, live_hold=hold, until=end),
                                                 start, end)
        if ride_id in timeline.attractions:
            operating += gaps.operating_intervals(ride_points, live_hold=hold, until=end)
    days = gaps.park_days(start, end, park.timezone)
    schedule = defaultdict(list)
    for day, opening, closing in ParkSchedule.objects.filter(
            park=park, date__in=days, schedule_type="OPERATING", opening_time__isnull=False,
            closing_time__isnull=False).values_list("date", "opening_time", "closing_time"):
        schedule[day].append((opening, closing))
    for day in days:
        bounds = gaps.park_day_bounds(day, park.timezone)
        window = gaps.open_window(schedule=schedule[day], operating=operating, day_bounds=bounds)
        timeline.days.append(ParkDay(day, bounds, gaps.clip(window, start, end), bool(schedule[day])))
    return timeline


def park_coverage(*, park: Park, first: date, last: date, now: datetime | None = None) -> list[dict]:
    """Per park day first..last: open minutes, minutes with known state and their share."""
    now = now or timezone.now()
    start = gaps.park_day_bounds(first, park.timezone)[0]
    end = min(gaps.park_day_bounds(last, park.timezone)[1], now)
    if end <= start:
        return []
    timeline = park_timeline(park=park, start=start, end=end)
    known = timeline.known
    out = []
    for day in timeline.days:
        if not first <= day.day <= last:
            continue
        share = gaps.coverage(window=day.window, known=known)
        out.append({
            "date": day.day.isoformat(),
            "window_source": "SCHEDULE" if day.scheduled else "INFERRED",
            "open_minutes": round(gaps.total(day.window).total_seconds() / 60, 1),
            "known_minutes": round(gaps.total(gaps.intersect(day.window, known)).total_seconds() / 60, 1),
            "coverage_percentage": None if share is None else round(100 * share, 1),
        })
    return out


def parks_freshness(*, now: datetime | None = None, parks=None) -> list[dict]:
    """Each active park's latest observation, its age and level (FRESH/NORMAL/STALE/NO_DATA).
    MAX per ride is a loose index scan of the (ride, recorded_at) primary key."""
    now = now or timezone.now()
    parks = list(parks if parks is not None else Park.objects.filter(is_active=True).order_by("name"))
    ride_park = dict(Ride.objects.filter(park__in=parks).values_list("pk", "park_id"))
    latest: dict[int, datetime] = {}
    for ride_id, last in (RideStatusSnapshot.objects.values("ride_id").annotate(last=Max("recorded_at"))
                          .values_list("ride_id", "last")):
        park_id = ride_park.get(ride_id)
        if park_id is not None and (park_id not in latest or last > latest[park_id]):
            latest[park_id] = last
    out = []
    for park in parks:
        last = latest.get(park.pk)
        age = (now - last) if last else None
        out.append({"park_id": park.pk, "park_name": park.name, "last_observation": last,
                    "age_minutes": None if age is None else round(age.total_seconds() / 60, 1),
                    "freshness": gaps.freshness(age)})
    return out
