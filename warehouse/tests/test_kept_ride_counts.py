"""A park ranking over a kept range (the last 7, 30 or 365 days, last week or month) counts its
rides from the range's stamp: the same counts as its rides' rows give, forgotten as soon as a ride
changes tier and summed again by the next statistics run."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from themepark.models import Ride
from themepark.tests.test_admin import staff_client  # noqa: F401
from warehouse.aggregation.classify import classify_rides, tiers_set_by_staff
from warehouse.aggregation.ranges import ranges_refresh
from warehouse.models import ParkRangeStamp
from warehouse.park_totals import park_figures
from warehouse.selectors import scope_resolve

from .test_rankings_rollups import NOW, daily_only, season  # noqa: F401

pytestmark = pytest.mark.django_db
COUNTED = ("rides_down", "rides_operated", "effective_weight", "uptime_percentage", "rides_reporting")


def counts(scope):
    return {pk: {key: row[key] for key in COUNTED} for pk, row in park_figures(scope).items()}


def known(park):
    return {row[0] for row in ParkRangeStamp.objects.filter(park=park).values_list("rides_operated")} != {None}


@pytest.mark.parametrize("period", ["7days", "30days", "365days", "last_week", "last_month"])
def test_the_counts_of_a_kept_range_are_its_rides_counts_read_from_the_stamp(season, period):  # noqa: F811
    scope = scope_resolve(parks=season, now=NOW, period=period)
    with CaptureQueriesContext(connection) as queries:
        fast = counts(scope)
    assert not any(Ride._meta.db_table in query["sql"] for query in queries.captured_queries)
    slow = counts(daily_only(scope))  # every ride's daily rows, joined to the rides
    assert fast == slow and all(row["rides_operated"] == 3 for row in fast.values())
    assert {row["effective_weight"] for row in fast.values()} == {6.0}  # tiers 1, 2, 3: weights 3 + 2 + 1


def test_a_tier_set_by_staff_is_weighed_at_once_and_kept_again_by_the_next_run(season):  # noqa: F811
    scope = scope_resolve(parks=season, now=NOW, period="7days")
    before = counts(scope)
    ride = Ride.objects.get(park=season[0], tier=1)
    tiers_set_by_staff([ride.pk], 3)
    assert not known(season[0]) and known(season[1])
    after = counts(scope_resolve(parks=season, now=NOW, period="7days"))
    assert after[season[0].pk]["effective_weight"] == before[season[0].pk]["effective_weight"] - 2
    assert after[season[1].pk] == before[season[1].pk]
    ranges_refresh({season[0]: []}, NOW)  # the next statistics run sums the park's ranges again
    assert known(season[0])
    scope = scope_resolve(parks=season, now=NOW, period="7days")
    with CaptureQueriesContext(connection) as queries:
        fast = counts(scope)
    assert fast == after == counts(daily_only(scope))
    assert not any(Ride._meta.db_table in query["sql"] for query in queries.captured_queries)


def test_the_rules_changing_a_tier_forget_the_parks_counts_and_keeping_every_tier_does_not(season):  # noqa: F811
    Ride.objects.filter(park__in=season).update(tier_source="RULES")
    classify_rides(park_ids=[park.pk for park in season], now=NOW)
    ranges_refresh({park: [] for park in season}, NOW)
    assert known(season[0]) and known(season[1])
    assert not classify_rides(park_ids=[park.pk for park in season], now=NOW).changes  # nothing moved
    assert known(season[0]) and known(season[1])
    ride = Ride.objects.filter(park=season[1]).first()
    Ride.objects.filter(pk=ride.pk).update(tier=1 if ride.tier != 1 else 3)  # a tier the rules will put back
    ranges_refresh({season[1]: []}, NOW)
    assert ParkRangeStamp.objects.filter(park=season[1], rides_operated__isnull=True).count() == 0
    summary = classify_rides(park_ids=[park.pk for park in season], now=NOW)
    assert [change.ride_id for change in summary.changes] == [ride.pk]
    assert known(season[0]) and not known(season[1])
    scope = scope_resolve(parks=season, now=NOW, period="30days")
    assert counts(scope) == counts(daily_only(scope))


def test_a_tier_edited_in_the_admin_forgets_the_parks_counts(season, staff_client):  # noqa: F811
    ride = Ride.objects.get(park=season[0], tier=2)
    response = staff_client.post("/admin/themepark/ride/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(ride.pk), "form-0-tier": "1",
        "_save": "Save"})
    assert response.status_code == 302
    assert not known(season[0]) and known(season[1])
    scope = scope_resolve(parks=season, now=NOW, period="7days")
    assert counts(scope)[season[0].pk]["effective_weight"] == 7.0 == counts(daily_only(scope))[season[0].pk][
        "effective_weight"]
