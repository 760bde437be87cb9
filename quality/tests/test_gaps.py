"""Gap logic on hand-built timelines (no database)."""
from datetime import date, datetime, timedelta, timezone

from quality import gaps
from quality.gaps import Entry, Point

HOLD = timedelta(minutes=15)


def at(hour, minute=0, day=10):
    return datetime(2024, 6, day, hour, minute, tzinfo=timezone.utc)


def polls(start, end, *, status="OPERATING", step=5, source="LIVE"):
    out, moment = [], start
    while moment < end:
        out.append(Point(moment, status, source))
        moment += timedelta(minutes=step)
    return out


def test_an_outage_inside_the_open_window_is_a_gap_starting_when_the_hold_runs_out():
    points = polls(at(9), at(12)) + polls(at(13), at(21))
    known = gaps.known_intervals(points, live_hold=HOLD, until=at(22))
    assert gaps.park_gaps(window=[(at(9), at(21))], known=known) == [(at(12, 10), at(13))]


def test_a_closed_park_at_night_is_not_a_gap():
    points = polls(at(9), at(21)) + polls(at(9, day=11), at(21, day=11))
    known = gaps.known_intervals(points, live_hold=HOLD, until=at(22, day=11))
    windows = [(at(9), at(21)), (at(9, day=11), at(21, day=11))]
    assert gaps.park_gaps(window=windows, known=known) == []


def test_a_stretch_of_thirty_minutes_or_less_is_not_a_gap():
    points = polls(at(9), at(11, 45)) + polls(at(12, 15), at(21))
    known = gaps.known_intervals(points, live_hold=HOLD, until=at(22))
    assert gaps.park_gaps(window=[(at(9), at(21))], known=known) == []


def test_archive_events_hold_until_the_next_event_so_a_quiet_afternoon_is_no_gap():
    points = [Point(at(9), "OPERATING", "ARCHIVE"), Point(at(17), "DOWN", "ARCHIVE")]
    known = gaps.known_intervals(points, live_hold=HOLD, until=at(21))
    assert gaps.park_gaps(window=[(at(9), at(21))], known=known) == []


def test_a_null_status_is_unknown_state():
    points = polls(at(9), at(10)) + polls(at(10), at(11), status=None) + polls(at(11), at(21))
    known = gaps.known_intervals(points, live_hold=HOLD, until=at(22))
    assert gaps.park_gaps(window=[(at(9), at(21))], known=known) == [(at(10), at(11))]


def test_the_inferred_window_runs_from_the_first_to_the_last_operating_moment():
    operating = gaps.operating_intervals(polls(at(8), at(20)), live_hold=HOLD, until=at(23))
    bounds = gaps.park_day_bounds(date(2024, 6, 10), "UTC")
    assert gaps.open_window(schedule=[], operating=operating, day_bounds=bounds) == [(at(8), at(20, 10))]


def test_a_known_schedule_wins_over_the_inferred_window():
    bounds = gaps.park_day_bounds(date(2024, 6, 10), "UTC")
    window = gaps.open_window(schedule=[(at(10), at(18))], operating=[(at(8), at(20))], day_bounds=bounds)
    assert window == [(at(10), at(18))]


def test_park_days_start_at_four_in_the_morning_local_time():
    days = gaps.park_days(at(3), at(5), "UTC")
    assert days == [date(2024, 6, 9), date(2024, 6, 10)]


def test_a_ride_that_stops_reporting_while_others_report_is_silent():
    ride = gaps.known_intervals(polls(at(9), at(15)), live_hold=HOLD, until=at(21))
    park = gaps.known_intervals(polls(at(9), at(21)), live_hold=HOLD, until=at(21))
    found = gaps.silent_stretches(ride_known=ride, park_known=gaps.union(park + ride), window=[(at(9), at(21))])
    assert found == [(at(15, 10), at(21))]


def test_a_ride_that_never_reported_is_not_silent():
    assert gaps.silent_stretches(ride_known=[], park_known=[(at(9), at(21))], window=[(at(9), at(21))]) == []


def test_missing_archive_days_come_in_runs():
    present = {date(2024, 6, 1), date(2024, 6, 2), date(2024, 6, 5), date(2024, 6, 7)}
    runs = gaps.missing_day_runs(present, date(2024, 6, 1), date(2024, 6, 7))
    assert runs == [(date(2024, 6, 3), date(2024, 6, 4)), (date(2024, 6, 6), date(2024, 6, 6))]


def test_coverage_is_the_known_share_of_the_window():
    assert gaps.coverage(window=[(at(9), at(21))], known=[(at(9), at(15))]) == 0.5
    assert gaps.coverage(window=[], known=[(at(9), at(15))]) is None


def test_freshness_levels_follow_the_thresholds():
    assert gaps.freshness(timedelta(minutes=14, seconds=59)) == "FRESH"
    assert gaps.freshness(timedelta(minutes=15)) == "NORMAL"
    assert gaps.freshness(timedelta(minutes=30)) == "STALE"
    assert gaps.freshness(None) == "NO_DATA"


def test_rerunning_on_the_same_data_changes_nothing():
    plan = gaps.reconcile([Entry(1, at(12), at(13))], [(at(12), at(13))], scanned=(at(4), at(4, day=11)))
    assert (plan.create, plan.update, plan.close) == ([], {}, [])


def test_an_ongoing_gap_is_extended_not_duplicated():
    plan = gaps.reconcile([Entry(1, at(12, 10), at(12, 50))], [(at(12, 10), at(13))], scanned=(at(4), at(21)))
    assert plan.create == [] and plan.update == {1: (at(12, 10), at(13))}


def test_a_gap_that_began_before_the_scan_keeps_its_start():
    plan = gaps.reconcile([Entry(1, at(10), at(12))], [(at(11), at(13))], scanned=(at(11), at(21)))
    assert plan.update == {1: (at(10), at(13))}


def test_an_open_entry_no_longer_found_is_closed_but_a_closed_one_is_left_alone():
    existing = [Entry(1, at(12), at(13)), Entry(2, at(14), at(15), closed=True)]
    plan = gaps.reconcile(existing, [], scanned=(at(4), at(21)))
    assert plan.close == [1]


def test_two_entries_bridged_by_one_gap_merge_into_the_first():
    existing = [Entry(1, at(12), at(13)), Entry(2, at(14), at(15))]
    plan = gaps.reconcile(existing, [(at(12), at(15))], scanned=(at(4), at(21)))
    assert plan.update == {1: (at(12), at(15))} and plan.close == [2] and plan.create == []
