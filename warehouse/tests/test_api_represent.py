"""The plan-based output (warehouse.api.represent) equals the DRF serializers' output for the
ranking bodies: same keys in the same order, same values, defaults, nulls, nested rows, rows of
serializers with their own to_representation (sparse award rows), dates and day ranges."""
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework import serializers

from warehouse import periods
from warehouse.api import serializers as s, serializers_reliability as sx, serializers_trends as st
from warehouse.api.represent import represent
from warehouse.api.serializers import Rounded


def ride_row(rank, **extra):
    return {"rank": rank, "ride_id": 10 + rank, "ride_name": f"Ride {rank}", "park_id": 1, "park_name": "Park",
            "tier": rank % 3 or None, "downtime_hours": 1.23456, "uptime_percentage": None, "status_changes": 2,
            "longest_downtime_minutes": 33.333, "avg_wait_time": 12.5, "peak_wait_time": 40.0,
            "avg_wait_minutes": 12.5, "peak_wait_minutes": 40.0, "current_status": "DOWN", "current_wait_time": None,
            "current_is_open": False, "is_down": True, "park_is_open": None, "location": "Orlando, FL, US",
            "trend_percentage": -3.14159, "cumulative_wait_hours": 2.5, "tier_source": None, "tier_reason": "",
            "breakdowns": 3, "mtbf_hours": 4.5678, "mttr_minutes": None, "opening_reliability": 0.6666,
            "downtime_minutes_by_kind": {"breakdown": 10.04, "park_wide": 0.0, "late_opening": 1.25,
                                         "stale_feed": 0.0},
            "coverage_percentage": 87.65, "comparable": True, **extra}


BODIES = [
    (sx.RideDowntimeSerializer, {
        "period": "7days", "filter": "all-parks", "dates": periods.DayRange(date(2024, 6, 5), date(2024, 6, 11)),
        "attribution": [{"name": "Queue-Times.com", "url": "https://queue-times.com"}], "sort_by": "downtime_hours",
        "exclude": ["park_wide"], "data": [ride_row(1), ride_row(2, downtime_minutes_by_kind=None),
                                           ride_row(3, reopen_estimate={
                                               "down_since": datetime(2024, 6, 12, 15, tzinfo=timezone.utc),
                                               "down_minutes": 12.345, "expected_reopen_minutes": None,
                                               "p75_reopen_minutes": 30.0, "spells_used": 4, "basis": "ride"})]}),
    (sx.RideWaitSerializer, {"period": "today", "filter": "disney-universal", "dates": None, "attribution": [],
                             "data": [ride_row(1)]}),
    (sx.ParkDowntimeSerializer, {
        "period": "30days", "filter": "all-parks", "dates": periods.DayRange(date(2024, 5, 13), date(2024, 6, 11)),
        "attribution": [], "sort_by": "shame_score", "exclude": [],
        "aggregate_stats": {"total_parks_tracked": 1, "rides_operating": 3, "rides_down": 1,
                            "total_downtime_hours": 4.56789, "avg_uptime_percentage": None},
        "data": [{"rank": 1, "park_id": 1, "park_name": "Park", "location": "Paris, FR", "timezone": "Europe/Paris",
                  "shame_score": 1.25, "total_downtime_hours": 3.33333, "weighted_downtime_hours": 6.66666,
                  "uptime_percentage": 97.777, "rides_down": 1, "effective_park_weight": 6.0, "park_is_open": False,
                  "queue_times_url": None, "trend_percentage": None, "breakdowns": 0,
                  "downtime_minutes_by_kind": None, "coverage_percentage": None, "comparable": False}]}),
    (s.ParkWaitSerializer, {"period": "7days", "filter": "all-parks", "dates": None, "attribution": [], "data": [
        {"rank": 1, "park_id": 1, "park_name": "Park", "location": "Paris, FR", "avg_wait_minutes": 21.55,
         "peak_wait_minutes": 89.6, "rides_reporting": 3, "queue_times_url": "https://queue-times.com/parks/4",
         "park_is_open": None, "trend_percentage": 12.0}]}),
    (st.TrendsSerializer, {"category": "rides-declining", "filter": "all-parks", "attribution": [],
                           "comparison": {"current_period": {"period": "7days", "start": date(2024, 6, 5),
                                                             "end": date(2024, 6, 11)},
                                          "previous_period": {"period": "7days", "start": None, "end": None}},
                           "rides": [{"ride_id": 1, "ride_name": "R", "park_id": 2, "park_name": "P", "tier": None,
                                      "current_uptime": 90.123, "previous_uptime": 95.0,
                                      "current_downtime_hours": 1.0, "previous_downtime_hours": 0.5,
                                      "change_percentage": -5.1234}]}),
    (st.ChartDataSerializer, {"period": "today", "filter": "all-parks", "dates": None, "attribution": [],
                              "type": "rides", "granularity": "hourly",
                              "chart_data": {"labels": ["2024-06-12T13:00:00Z"],
                                             "datasets": [{"label": "R", "entity_id": 1, "data": [1.5, None],
                                                           "park": "P"}, {"label": "S", "entity_id": 2,
                                                                          "data": []}]}}),
    (st.AwardsSerializer, {"period": "yesterday", "filter": "all-parks", "dates": None, "attribution": [],
                           "entity": "rides", "data": [ride_row(1), {"rank": 2, "park_id": 3, "park_name": "P",
                                                                     "location": "X", "avg_wait_time": 5.0}]}),
]


@pytest.mark.parametrize("serializer,body", BODIES, ids=[b[0].__name__ for b in BODIES])
def test_the_plan_gives_what_the_serializer_gives(serializer, body):
    expected = serializer(body).data
    got = represent(serializer, body)
    assert json.dumps(got) == json.dumps(expected, default=str)  # keys in the same order, same values
    assert represent(serializer, body) == got  # the plan, made once, serves again


def test_the_compiled_plan_reads_dotted_sources_missing_keys_and_objects():
    """Fields of a dotted source, keys left out (a default, a field skipped) and rows that are not
    dicts give what the serializer gives."""
    from warehouse.api import serializers_rides as sr

    ride = {"pk": 7, "name": "R", "park_id": 2, "park": {"name": "P", "location": "Paris, FR"}, "tier": None,
            "category": "", "themeparks_wiki_id": None, "queue_times_url": None}
    assert represent(sr.RideSerializer, ride) == sr.RideSerializer(ride).data
    as_object = SimpleNamespace(**{**ride, "park": SimpleNamespace(**ride["park"])})
    assert represent(sr.RideSerializer, as_object) == sr.RideSerializer(as_object).data
    body = {"period": "today", "filter": "all-parks", "dates": None, "attribution": [], "data": [ride_row(1)]}
    got = represent(sx.RideWaitSerializer, body)
    assert got["success"] is True and got["data"][0]["reopen_estimate"] is None  # a default; a null
    assert json.dumps(got) == json.dumps(sx.RideWaitSerializer(body).data)
    status = {"is_open": True, "avg_wait_time": 12.4, "max_wait_time": None, "last_updated": None}
    got = represent(s.CurrentStatusSerializer, status)
    assert "uptime_percentage" not in got and got["rides_open"] == 0  # a field skipped; a default
    assert got == s.CurrentStatusSerializer(status).data


class _Places(serializers.Serializer):
    p0, p1, p2, p3 = Rounded(0), Rounded(1), Rounded(2), Rounded(3)
    negative = Rounded(-1)


@pytest.mark.parametrize("value", [0.0, -0.0, 1.0, 100.0, 645.0, -3.0, 2.0 ** 53, 2.0 ** 53 + 2, 1e300, -1e300,
                                   float("inf"), float("-inf"), float("nan"), 0.5, 2.5, -2.5, 2.675, 1e-12, 99.95,
                                   3, True, Decimal("2.50"), Decimal("7")])
def test_roundings_are_rounds(value):
    """A float with no fraction is written as it is, without round(): the same float, sign and all,
    as round() gives for 0 or more places (not for fewer: 645.0 to -1 places is 640.0)."""
    row = dict.fromkeys(("p0", "p1", "p2", "p3", "negative"), value)
    expected = repr(list(_Places(row).data.values()))
    assert repr(list(represent(_Places, row).values())) == expected  # the compiled plan
    assert repr(list(represent(_Places, SimpleNamespace(**row)).values())) == expected  # an object: _value
