"""A recompute over stored figures writes only the rows that changed (`aggregation.writes`): after
observations of one day changed (a ride's day removed, a breakdown added, waits moved), a
recompute of every day must leave exactly the rows a recompute into empty tables gives (rows that
must vanish gone, changed ones replaced), and the rows of the days that did not change untouched."""
import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from themepark.models import ParkSchedule
from themepark.tests.factories import make_park, make_ride
from warehouse.ingest import Observation, ingest
from warehouse.models import (DownSpell, ParkDailyStats, ParkHourlyStats, ParkOperatingSession, ParkPeriodStats,
                              RideDailyStats, RideHourlyStats, RidePeriodStats, RideStatusChange)
from warehouse.services import stats_recompute

UTC = timezone.utc
FIRST = date(2024, 6, 10)
DAYS = [FIRST + timedelta(days=d) for d in range(4)]
NOW = datetime(2024, 6, 20, tzinfo=UTC)
FIGURES = (RideDailyStats, ParkDailyStats, RideHourlyStats, ParkHourlyStats, ParkOperatingSession, DownSpell,
           RideStatusChange, RidePeriodStats, ParkPeriodStats)


def season(park, rides, rng):
    tz = ZoneInfo(park.timezone)
    events = []
    for ride in rides:
        for day in DAYS:
            at = datetime.combine(day, time(9), tzinfo=tz).astimezone(UTC) + timedelta(minutes=rng.randrange(20))
            end = at + timedelta(hours=11)
            while at < end:
                status = rng.choice(["OPERATING", "OPERATING", "OPERATING", "DOWN"])
                events.append(Observation(ride.pk, at, status, rng.randrange(5, 90, 5) if status == "OPERATING"
                                          else None, "ARCHIVE"))
                at += timedelta(minutes=rng.randrange(10, 90))
            events.append(Observation(ride.pk, end, "CLOSED", None, "ARCHIVE"))
            if ride == rides[0]:  # a breakdown every day
                down = datetime.combine(day, time(13, 0, 30), tzinfo=tz).astimezone(UTC)
                events.append(Observation(ride.pk, down, "DOWN", None, "ARCHIVE"))
    ingest(events, now=datetime(2100, 1, 1, tzinfo=UTC), log_invalid=False)


def rows_of(model, park):
    return model.objects.filter(ride__park=park) if model is RideStatusChange else model.objects.filter(park=park)


def stored(park) -> dict[str, list[tuple]]:
    """Every figure row of the park, without its id and the time it was computed, sorted."""
    out = {}
    for model in FIGURES:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "computed_at")]
        out[model.__name__] = sorted(rows_of(model, park).values_list(*fields), key=repr)
    return out


def ids(model, **where) -> set[int]:
    return set(model.objects.filter(**where).values_list("id", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Europe/Paris", "Asia/Kolkata"])  # Kolkata: an hour shared by two park days
def test_a_recompute_over_stored_figures_leaves_what_a_fresh_compute_gives(zone):
    rng = random.Random(zone)
    park = make_park(timezone=zone, reports_down=True)
    rides = [make_ride(park, tier=(1, 2, 3)[i % 3]) for i in range(4)]
    season(park, rides, rng)
    tz = ZoneInfo(zone)
    ParkSchedule.objects.create(park=park, date=DAYS[1], schedule_type="OPERATING",
                                opening_time=datetime.combine(DAYS[1], time(8, 30), tzinfo=tz),
                                closing_time=datetime.combine(DAYS[1], time(21), tzinfo=tz))
    assert stats_recompute(park_ids=[park.pk], start=DAYS[0], end=DAYS[-1], now=NOW).errors == 0
    before = stored(park)
    kept_days = ids(RideDailyStats, park=park, date=DAYS[0])
    kept_hours = ids(RideHourlyStats, park=park, date=DAYS[0])
    spells = DownSpell.objects.filter(ride=rides[0], date=DAYS[2])
    start, end = (datetime.combine(DAYS[2], time(4), tzinfo=tz), datetime.combine(DAYS[3], time(4), tzinfo=tz))
    changes = RideStatusChange.objects.filter(ride=rides[0], changed_at__gte=start, changed_at__lt=end)
    assert spells.exists() and changes.exists()

    # Day 3 changes: ride 0 loses its day (its rows must vanish), ride 1 breaks down at noon for an
    # hour and a half, ride 2's waits move; days 1 and 2 stay as they were (day 4 starts from day 3).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ride_status_snapshots WHERE ride_id = %s AND recorded_at >= %s "
                       "AND recorded_at < %s", [rides[0].pk, start.astimezone(UTC).replace(tzinfo=None),
                                                end.astimezone(UTC).replace(tzinfo=None)])
        cursor.execute("UPDATE ride_status_snapshots SET wait_time = wait_time + 5 WHERE ride_id = %s AND "
                       "recorded_at >= %s AND recorded_at < %s AND wait_time IS NOT NULL",
                       [rides[2].pk, start.astimezone(UTC).replace(tzinfo=None),
                        end.astimezone(UTC).replace(tzinfo=None)])
    noon = datetime.combine(DAYS[2], time(12), tzinfo=tz).astimezone(UTC)
    ingest([Observation(rides[1].pk, noon, "DOWN", None, "ARCHIVE"),
            Observation(rides[1].pk, noon + timedelta(minutes=90), "OPERATING", 30, "ARCHIVE")],
           now=datetime(2100, 1, 1, tzinfo=UTC), log_invalid=False)

    assert stats_recompute(park_ids=[park.pk], start=DAYS[0], end=DAYS[-1], now=NOW).errors == 0
    over = stored(park)
    assert over != before  # the change reached the figures
    assert not spells.exists() and not changes.exists()  # rows that vanished
    assert ids(RideDailyStats, park=park, date=DAYS[0]) == kept_days  # unchanged rows were not rewritten
    assert ids(RideHourlyStats, park=park, date=DAYS[0]) == kept_hours

    for model in FIGURES:  # into empty tables
        rows_of(model, park).delete()
    assert stats_recompute(park_ids=[park.pk], start=DAYS[0], end=DAYS[-1], now=NOW).errors == 0
    fresh = stored(park)
    assert sum(map(len, fresh.values())) > 100
    for name in fresh:
        assert over[name] == fresh[name], name
