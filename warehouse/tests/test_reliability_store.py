"""Reliability figures through the statistics run: stored on the daily rows, the spells with their
kind, and rolled up into weeks, months and years."""
import pytest

from warehouse.models import DownSpell, ParkDailyStats, ParkPeriodStats, RideDailyStats, RidePeriodStats
from warehouse.services import stats_recompute

from .test_aggregation import NOW, D, local, make_ride, scheduled_day, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def park():
    from themepark.tests.factories import make_park

    return make_park(timezone="America/New_York")


def test_a_run_stores_breakdowns_kinds_spells_and_rolls_them_up(park):
    a, b, c = make_ride(park, tier=1), make_ride(park, tier=3), make_ride(park, tier=2)
    for day in (D, D.replace(day=D.day + 1)):
        scheduled_day(park, day)
    # day 1: a breaks down twice (20 and 40 minutes); b is down at opening until 10:00
    store(a, (local(D, 9), "OPERATING", 30), (local(D, 11), "DOWN", None), (local(D, 11, 20), "OPERATING", 30),
          (local(D, 15), "DOWN", None), (local(D, 15, 40), "OPERATING", 30), (local(D, 21), "CLOSED", None))
    store(b, (local(D, 8), "DOWN", None), (local(D, 10), "OPERATING", 10), (local(D, 21), "CLOSED", None))
    store(c, (local(D, 9), "OPERATING", 5), (local(D, 21), "CLOSED", None))
    # day 2: a breaks down once more, for 60 minutes
    e = D.replace(day=D.day + 1)
    store(a, (local(e, 9), "OPERATING", 30), (local(e, 12), "DOWN", None), (local(e, 13), "OPERATING", 30),
          (local(e, 21), "CLOSED", None))
    store(b, (local(e, 9), "OPERATING", 10), (local(e, 21), "CLOSED", None))
    store(c, (local(e, 9), "OPERATING", 5), (local(e, 21), "CLOSED", None))
    summary = stats_recompute(park_ids=[park.pk], start=D, end=e, now=NOW)
    assert summary.errors == 0
    day_a = RideDailyStats.objects.get(ride=a, date=D)
    assert (day_a.breakdowns, day_a.downtime_minutes, day_a.opened_on_time) == (2, 60, True)
    day_b = RideDailyStats.objects.get(ride=b, date=D)
    assert (day_b.breakdowns, day_b.late_opening_minutes, day_b.opened_on_time) == (0, 60, False)
    park_day = ParkDailyStats.objects.get(park=park, date=D)
    assert (park_day.breakdowns, park_day.late_opening_minutes, park_day.park_wide_minutes) == (2, 60, 0)
    spells = list(DownSpell.objects.filter(park=park).order_by("started_at")
                  .values_list("ride_id", "kind", "minutes", "cut_by_close"))
    assert spells == [(b.pk, "late_opening", 60, False), (a.pk, "breakdown", 20, False),
                      (a.pk, "breakdown", 40, False), (a.pk, "breakdown", 60, False)]
    month = RidePeriodStats.objects.get(ride=a, period_type="MONTH")
    assert (month.breakdowns, month.downtime_minutes, month.days_on_time, month.days_operated) == (3, 120, 2, 2)
    month_b = RidePeriodStats.objects.get(ride=b, period_type="MONTH")
    assert (month_b.late_opening_minutes, month_b.days_on_time) == (60, 1)
    assert ParkPeriodStats.objects.get(park=park, period_type="YEAR").breakdowns == 3
    # recomputing replaces the spells, never doubles them
    stats_recompute(park_ids=[park.pk], start=D, end=e, now=NOW)
    assert DownSpell.objects.filter(park=park).count() == 4


def test_figures_of_an_older_version_are_noticed_never_mixed_silently(park, client):
    from io import StringIO

    from django.core.management import call_command

    ParkDailyStats.objects.create(park=park, date=D, open_hours=10, metrics_version=1)
    err = StringIO()
    call_command("aggregate_stats", "--park", str(park.pk), "--start", str(D), stdout=StringIO(), stderr=err)
    assert "0 park day(s) hold figures of an older metrics version" not in err.getvalue()  # the day was recomputed
    ParkDailyStats.objects.create(park=park, date=D.replace(day=1), open_hours=10, metrics_version=1)
    call_command("aggregate_stats", "--park", str(park.pk), "--start", str(D), stdout=StringIO(), stderr=err)
    assert "1 park day(s) hold figures of an older metrics version than 2" in err.getvalue()
    assert "aggregate_stats --rebuild" in err.getvalue()
    health = client.get("/api/health").json()
    assert health["checks"]["metrics_version"] == {"current": 2, "older_park_days": 1}
    assert health["status"] == "degraded"
    call_command("aggregate_stats", "--rebuild", "--park", str(park.pk), stdout=StringIO(), stderr=StringIO())
    assert not ParkDailyStats.objects.filter(metrics_version=1).exists()
