"""sync_schedules against the fake API: park schedules in UTC, updated in place, a window of days."""
from datetime import datetime, timedelta, timezone
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from collector.services import schedules_sync
from collector.tests.conftest import IOA, SNAPSHOT, USF
from themepark.models import ParkSchedule

pytestmark = pytest.mark.django_db
UTC = timezone.utc
RIVER = "db5b2165-15c2-4e51-8bd1-611e9c351866"


def test_schedules_are_stored_in_utc_with_a_window_past_midnight_kept_whole(catalog):
    result = schedules_sync(now=SNAPSHOT)
    assert (result.parks_ok, result.errors) == (2, [])
    event = ParkSchedule.objects.get(park=catalog["usf"], schedule_type="TICKETED_EVENT")
    assert (str(event.date), event.opening_time, event.closing_time) == (
        "2025-08-08", datetime(2025, 8, 8, 23, tzinfo=UTC), datetime(2025, 8, 9, 5, tzinfo=UTC))
    day = ParkSchedule.objects.filter(park=catalog["usf"], date="2025-07-15")
    assert sorted(day.values_list("schedule_type", flat=True)) == ["EXTRA_HOURS", "OPERATING"]
    operating = day.get(schedule_type="OPERATING")
    assert operating.purchases[0]["price"] == {"amount": 13999, "currency": "USD", "formatted": "$139.99"}
    assert ParkSchedule.objects.filter(park=catalog["ioa"], schedule_type="PRIVATE_EVENT").exists()
    assert not ParkSchedule.objects.filter(park=catalog["ioa"], date="2025-08-05").exists()


def test_a_second_sync_updates_in_place_and_changed_hours_replace_the_old_ones(catalog, api):
    schedules_sync(now=SNAPSHOT)
    total = ParkSchedule.objects.count()
    doc = api.documents[f"/v1/entity/{USF}/schedule"]
    doc["schedule"][0]["closingTime"] = "2025-07-15T23:00:00-04:00"
    doc["schedule"][0]["openingTime"] = "2025-07-15T10:00:00-04:00"
    result = schedules_sync(now=SNAPSHOT)
    assert (ParkSchedule.objects.count(), result.removed, result.created) == (total, 1, 1)
    operating = ParkSchedule.objects.get(park=catalog["usf"], date="2025-07-15", schedule_type="OPERATING")
    assert operating.closing_time == datetime(2025, 7, 16, 3, tzinfo=UTC)


def test_days_limit_the_window_and_one_failing_park_fails_alone(catalog, api):
    api.script[f"/v1/entity/{IOA}/schedule"] = [500]
    result = schedules_sync(days=2, now=SNAPSHOT)
    assert (result.parks_ok, len(result.errors)) == (1, 1)
    dates = set(ParkSchedule.objects.values_list("date", flat=True))
    assert max(dates) <= (SNAPSHOT - timedelta(hours=4)).date() + timedelta(days=2)


def test_the_schedule_command_reports_and_refuses_negative_days(catalog):
    out = StringIO()
    with time_machine.travel(SNAPSHOT):
        call_command("sync_schedules", stdout=out)
    assert "2 park(s):" in out.getvalue() and "0 park(s) failed" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("sync_schedules", "--days", "-1")
