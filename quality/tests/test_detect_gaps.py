"""detect_gaps against observations stored through warehouse.ingest on the real database."""
from datetime import date, datetime, timedelta, timezone
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from themepark.models import ParkSchedule
from quality.choices import IssueType, ResolutionStatus
from quality.models import DataQualityLog
from themepark.tests.factories import make_destination, make_park, make_observations, make_ride
from warehouse.ingest import ingest

pytestmark = pytest.mark.django_db


def at(hour, minute=0, day=10):
    return datetime(2024, 6, day, hour, minute, tzinfo=timezone.utc)


def polls(ride, start, end, **kwargs):
    return make_observations(ride, int((end - start) / timedelta(minutes=5)), start, **kwargs)


def detect(*args):
    out = StringIO()
    call_command("detect_gaps", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def open_park():
    park = make_park(timezone="UTC")
    rides = [make_ride(park), make_ride(park)]
    ParkSchedule.objects.create(park=park, date=date(2024, 6, 10), schedule_type="OPERATING",
                                opening_time=at(9), closing_time=at(21))
    return park, rides


def gap_entries(**filters):
    return list(DataQualityLog.objects.filter(issue_type=IssueType.GAP, **filters).order_by("period_start"))


def test_a_collector_outage_inside_the_open_window_is_logged_once_with_its_range(open_park):
    park, rides = open_park
    for ride in rides:
        ingest(polls(ride, at(9), at(12)) + polls(ride, at(13), at(21)))
    output = detect("--park", str(park.pk), "--start", "2024-06-10", "--end", "2024-06-11")
    detect("--park", str(park.pk), "--start", "2024-06-10", "--end", "2024-06-11")
    [entry] = gap_entries(entity_type="PARK")
    assert (entry.park, entry.period_start, entry.period_end) == (park, at(12, 10), at(13))
    assert entry.details == {"kind": "PARK_OUTAGE"} and entry.resolution_status == ResolutionStatus.OPEN
    assert "1 new" in output and gap_entries(entity_type="RIDE") == []


def test_an_ongoing_outage_is_extended_by_the_next_run(open_park):
    park, rides = open_park
    for ride in rides:
        ingest(polls(ride, at(9), at(12)) + polls(ride, at(13), at(21)))
    detect("--park", str(park.pk), "--start", "2024-06-10T04:00", "--end", "2024-06-10T12:50")
    assert [(e.period_start, e.period_end) for e in gap_entries()] == [(at(12, 10), at(12, 50))]
    output = detect("--park", str(park.pk), "--start", "2024-06-10T04:00", "--end", "2024-06-11T04:00")
    assert [(e.period_start, e.period_end) for e in gap_entries()] == [(at(12, 10), at(13))]
    assert "1 extended" in output


def test_a_closed_park_at_night_gives_no_gap(open_park):
    park, rides = open_park
    for ride in rides:
        ingest(polls(ride, at(9), at(21)))
    detect("--start", "2024-06-10", "--end", "2024-06-11T12:00")
    assert gap_entries() == []


def test_a_gap_filled_by_later_data_is_closed_as_resolved(open_park):
    park, rides = open_park
    for ride in rides:
        ingest(polls(ride, at(9), at(12)) + polls(ride, at(13), at(21)))
    detect("--start", "2024-06-10", "--end", "2024-06-11")
    for ride in rides:
        ingest(polls(ride, at(12), at(13)))
    output = detect("--start", "2024-06-10", "--end", "2024-06-11")
    [entry] = gap_entries()
    assert entry.resolution_status == ResolutionStatus.RESOLVED and "no longer detected" in entry.notes
    assert "1 closed" in output


def test_a_ride_that_stops_reporting_while_the_park_is_open_is_a_ride_gap(open_park):
    park, (steady, quitter) = open_park
    ingest(polls(steady, at(9), at(21)) + polls(quitter, at(9), at(15)))
    detect("--start", "2024-06-10", "--end", "2024-06-11")
    [entry] = gap_entries()
    assert (entry.entity_type, entry.ride, entry.period_start, entry.period_end) == ("RIDE", quitter, at(15, 10),
                                                                                     at(21))


def test_archive_days_missing_between_archive_days_are_one_destination_gap():
    destination = make_destination()
    park = make_park(destination=destination, timezone="UTC")
    ride = make_ride(park)
    for day in (1, 2, 5):
        ingest(make_observations(ride, 3, at(10, day=day), step=timedelta(hours=3), data_source="ARCHIVE"))
    detect("--park", str(park.pk), "--start", "2024-06-01", "--end", "2024-06-08")
    detect("--park", str(park.pk), "--start", "2024-06-01", "--end", "2024-06-08")
    [entry] = gap_entries(entity_type="DESTINATION")
    assert entry.entity_id == str(destination.pk) and entry.source == "ARCHIVE"
    assert (entry.period_start, entry.period_end) == (at(4, day=3), at(4, day=5))


def test_bad_input_is_refused():
    with pytest.raises(CommandError):
        detect("--start", "2024-06-11", "--end", "2024-06-10")
    with pytest.raises(CommandError):
        detect("--park", "999999")
    with pytest.raises(CommandError):
        detect("--start", "yesterday")


def test_it_is_silent_at_verbosity_zero(open_park):
    out = StringIO()
    call_command("detect_gaps", "--start", "2024-06-10", "--end", "2024-06-11", verbosity=0, stdout=out)
    assert out.getvalue() == ""
