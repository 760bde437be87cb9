"""Ride tiers by rule (docs/metrics.md §7): the pure rules on a hand-built park, then classify_rides
against the database (demand from daily rows, staff settings kept, the command)."""
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from themepark.models import EntityMetadata
from themepark.tests.factories import make_park, make_ride
from warehouse.aggregation.classify import classify_rides, tiers_return_to_rules, tiers_set_by_staff
from warehouse.engine_constants import METRICS_VERSION
from warehouse.metrics.tiers import TierInput, classify_park, ordinal, small_ride_mark, tier_by_rank
from warehouse.models import ParkDailyStats, RideDailyStats

# name, mean wait (minutes), minimum height (cm): nine rides of one park, highest demand first
NINE = [("Space Coaster", 75, 122), ("Castle Carousel", 60, None), ("River Rapids", 50, 107),
        ("Haunted Manor", 40, None), ("Tea Cups", 30, None), ("Log Flume", 25, 102),
        ("Sky Tower", 20, None), ("Old Steam Train", 10, None), ("Drop Zone", 5, 132)]


def test_ranks_split_into_quarters():
    assert [tier_by_rank(r, 9) for r in range(1, 10)] == [1, 1, 1, 2, 2, 2, 2, 3, 3]
    assert [tier_by_rank(r, 1) for r in range(1, 2)] == [1]
    assert [tier_by_rank(r, 3) for r in range(1, 4)] == [1, 2, 2]
    assert [tier_by_rank(r, 4) for r in range(1, 5)] == [1, 2, 2, 3]
    assert ordinal(1) == "1st" and ordinal(2) == "2nd" and ordinal(13) == "13th" and ordinal(31) == "31st"


def test_a_park_of_nine_rides_gets_its_tiers_with_the_height_and_name_exceptions():
    rides = [TierInput(i, name, wait, 30, height) for i, (name, wait, height) in enumerate(NINE, start=1)]
    decisions = {d.ride_id: (d.tier, d.reason) for d in classify_park(rides)}
    assert [decisions[i][0] for i in range(1, 10)] == [1, 2, 1, 2, 2, 2, 2, 3, 2]
    assert decisions[1][1] == "mean wait 75 min, 1st of 9 in the park"
    assert decisions[2][1] == "mean wait 60 min, 2nd of 9 in the park; 'carousel': never tier 1"
    assert decisions[8][1] == "mean wait 10 min, 8th of 9 in the park"
    assert decisions[9][1] == "mean wait 5 min, 9th of 9 in the park; minimum height 132 cm: never tier 3"


def test_staff_rides_take_part_in_the_ranking_but_keep_their_tier_and_thin_data_gives_none():
    rides = [TierInput(i, name, wait, 30, height) for i, (name, wait, height) in enumerate(NINE, start=1)]
    rides[0] = rides[0]._replace(source="STAFF")
    rides[7] = rides[7]._replace(days_with_wait=9)  # Old Steam Train: too few days
    decisions = {d.ride_id: d for d in classify_park(rides)}
    assert 1 not in decisions and 8 not in decisions
    assert decisions[3].reason == "mean wait 50 min, 3rd of 8 in the park"
    assert decisions[9].tier == 2 and decisions[7].tier == 3  # 8 ranked: two in the top, two at the bottom


def test_names_and_tags_that_mark_small_rides():
    assert small_ride_mark("Dumbo's Play Area") == "play area"
    assert small_ride_mark("Mine Walk-Through") == "walk-through"
    assert small_ride_mark("Kiddie Coaster") == "kiddie"
    assert small_ride_mark("Coaster", ["TYPE Merry-Go-Round"]) == "merry-go-round"
    assert small_ride_mark("Kidnapper's Revenge") is None and small_ride_mark("Space Mountain") is None


# ---------------------------------------------------------------------------------------------
# Against the database
# ---------------------------------------------------------------------------------------------
D = date(2024, 6, 1)


def demand_days(park, ride, wait, days):
    for i in range(days):
        RideDailyStats.objects.create(ride=ride, park=park, date=D + timedelta(days=i), operating_minutes=600,
                                      wait_known_minutes=600, avg_wait_minutes=wait, operated=True,
                                      metrics_version=METRICS_VERSION)


@pytest.fixture
def nine(db):
    park = make_park()
    for i in range(12):
        ParkDailyStats.objects.create(park=park, date=D + timedelta(days=i), open_hours=10,
                                      metrics_version=METRICS_VERSION)
    rides = []
    for name, wait, height in NINE:
        ride = make_ride(park, name=name)
        if height:
            EntityMetadata.objects.create(ride=ride, min_height_cm=height, content_hash="x", checked_at=ride.created_at,
                                          changed_at=ride.created_at)
        demand_days(park, ride, wait, 12)
        rides.append(ride)
    return park, rides


def tiers(rides):
    for ride in rides:
        ride.refresh_from_db()
    return [ride.tier for ride in rides]


def test_classify_rides_sets_tiers_reasons_and_sources_and_staff_settings_survive(nine):
    park, rides = nine
    thin = make_ride(park, name="New Ride")
    demand_days(park, thin, 90, 9)  # nine days: not enough
    summary = classify_rides(park_ids=[park.pk], dry_run=True)
    assert len(summary.changes) == 9 and tiers(rides) == [None] * 9  # a dry run writes nothing
    summary = classify_rides(park_ids=[park.pk])
    assert tiers(rides) == [1, 2, 1, 2, 2, 2, 2, 3, 2]
    assert (summary.classified, summary.too_little_data, summary.staff) == (9, 1, 0)
    assert rides[0].tier_source == "RULES" and rides[0].tier_reason == "mean wait 75 min, 1st of 9 in the park"
    assert rides[0].tier_set_at is not None
    thin.refresh_from_db()
    assert (thin.tier, thin.tier_source) == (None, "RULES")
    assert thin.tier_reason == "unclassified: 9 day(s) with a known wait, 10 needed"
    tiers_set_by_staff([rides[7].pk], 1)  # staff think the old train is a headliner
    again = classify_rides(park_ids=[park.pk])
    assert tiers(rides)[7] == 1 and rides[7].tier_source == "STAFF" and again.staff == 1 and not again.changes
    tiers_return_to_rules([rides[7].pk])
    assert tiers(rides)[7] == 3 and rides[7].tier_source == "RULES"


def test_the_command_classifies_and_dry_runs(nine):
    park, rides = nine
    out = StringIO()
    call_command("classify_rides", "--park", str(park.pk), "--dry-run", stdout=out)
    assert "Space Coaster" in out.getvalue()
    assert "tier - -> 1 (mean wait 75 min, 1st of 9 in the park)" in out.getvalue()
    assert tiers(rides) == [None] * 9
    call_command("classify_rides", stdout=out)
    assert tiers(rides) == [1, 2, 1, 2, 2, 2, 2, 3, 2]
    assert "9 classified by rule, 9 tier(s) changed" in out.getvalue()
