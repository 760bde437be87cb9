"""Ride ranking rows made straight in a row serializer's output shape (warehouse.recipes with
warehouse.api.represent.shape_of) are what DRF's serializer gives for the plain rows of the same
recipe: same keys in the same order, same values, byte for byte once written as JSON; and when the
serializer's fields change, the shaped rows change with them."""
import json
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework import serializers

from warehouse import periods
from warehouse.api import serializers_reliability as sx
from warehouse.api.represent import Shaped, represent, shape_of
from warehouse.api.serializers import Hours, Rounded
from warehouse.recipes import Recipe
from warehouse.selectors import RIDE_ROW

from .api_data import live_park, live_ride, park_day, park_with_rides, ride_day

BY_KIND = {"breakdown": 10.05, "park_wide": 0.0, "late_opening": 1.25, "stale_feed": -0.0}
FULL = {"downtime_hours": 2.675, "uptime_percentage": 99.95, "changes": 4, "longest": 60.04, "avg_wait": 12.5,
        "peak_wait": 40, "wait_sum": 7200.0, "breakdowns": 3, "mtbf_hours": 1.005, "mttr_minutes": 0.05,
        "opening_reliability": 0.6665, "downtime_minutes_by_kind": BY_KIND}
BRIEF = {"downtime_hours": 0.125, "uptime_percentage": None}  # the other keys missing
ODD = {"downtime_hours": Decimal("1.115"), "uptime_percentage": 100, "changes": None, "longest": None,
       "avg_wait": 0.5, "peak_wait": Decimal("89.5"), "wait_sum": 0, "breakdowns": 0, "mtbf_hours": None,
       "mttr_minutes": None, "opening_reliability": 1e-12, "downtime_minutes_by_kind": None}


def place(location="Orlando, FL, US", park=1, name="Park", never_down=False, coverage=87.65, comparable=True):
    return location, park, name, never_down, coverage, comparable


def fact(status, *, park=1, tier=1, wait=None, park_open=True, source="RULES", reason=""):
    return f"Ride {status}", park, tier, source, reason, status, wait, park_open


ITEMS = [
    (11, fact("OPERATING", wait=35), FULL, place(), -3.14159),
    (12, fact("DOWN", tier=None, source=None, park_open=None), BRIEF, place(coverage=None, comparable=False), None),
    (13, fact("CLOSED", tier=3, reason="staff: kiddie"), ODD, place(never_down=True), 0.05),
    (14, fact(None, park=2, park_open=False), {}, place("Paris, FR", 2, "Other", coverage=100.0), 2.5),
    (15, fact("REFURBISHMENT", park=2, wait=0), FULL, place("Paris, FR", 2, "Other", coverage=0.0), -0.0),
    # downtime by kind with keys missing, and not a dict
    (16, fact("DOWN"), {**FULL, "downtime_minutes_by_kind": {"breakdown": 0.25}}, place(), 1e300),
    (17, fact("DOWN"), {**FULL, "downtime_minutes_by_kind": SimpleNamespace(**BY_KIND)}, place(), 1.45),
]


def as_drf(envelope, rows):
    return json.dumps(envelope(rows).data).encode()


def as_shaped(envelope, rows):
    return json.dumps(represent(envelope, rows)).encode()


def body(data, **extra):
    return {"period": "7days", "filter": "all-parks", "dates": periods.DayRange(date(2024, 6, 5), date(2024, 6, 11)),
            "attribution": [], "sort_by": "downtime_hours", "exclude": [], "data": data, **extra}


@pytest.mark.parametrize("envelope,row", [(sx.RideDowntimeSerializer, sx.RideDowntimeRowSerializer),
                                          (sx.RideWaitSerializer, sx.RideWaitRowSerializer)])
def test_shaped_rows_are_what_the_serializer_gives_for_the_plain_rows(envelope, row):
    shaped = RIDE_ROW.rows(ITEMS, shape_of(row))
    assert type(shaped) is Shaped and shaped.serializer is row
    expected = as_drf(envelope, body(RIDE_ROW.rows(ITEMS)))
    assert as_shaped(envelope, body(shaped)) == expected
    assert json.loads(expected)["data"][0]["downtime_hours" if row is sx.RideDowntimeRowSerializer
                                           else "avg_wait_minutes"] in (2.67, 12.5)  # rounded, not as made
    assert RIDE_ROW.rows(ITEMS, shape_of(row)) == shaped  # compiled once, serves again


def test_plain_rows_carry_every_value_and_the_rank():
    rows = RIDE_ROW.rows(ITEMS)
    assert type(rows) is list and [r["rank"] for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert list(rows[0]) == [*RIDE_ROW.values]
    assert rows[0]["downtime_hours"] == 2.675 and rows[0]["cumulative_wait_hours"] == 2.0
    assert rows[1]["status_changes"] == 0 and rows[1]["is_down"] is True and rows[1]["current_is_open"] is False
    assert rows[2]["is_down"] is True and rows[3]["current_is_open"] is None and rows[3]["downtime_hours"] == 0.0


class ChangedRow(sx.RideDowntimeRowSerializer):
    """Another rounding, a field of the recipe the ranking does not show, a field under another name
    (its source), a nested field gone plain, a field removed and one the recipe does not know (left
    out: not required)."""

    downtime_hours = Rounded(3)
    cumulative_wait_hours = Hours()
    hours_down = Rounded(0, source="downtime_hours")
    downtime_minutes_by_kind = serializers.JSONField(allow_null=True)
    mtbf_hours = None
    unknown = serializers.IntegerField(required=False)


class ChangedRanking(sx.RideDowntimeSerializer):
    data = ChangedRow(many=True)


def test_a_changed_serializer_changes_the_shaped_rows():
    items = ITEMS[:-1]  # a JSONField leaves an object as it is: not written as JSON
    shaped = RIDE_ROW.rows(items, shape_of(ChangedRow))
    assert as_shaped(ChangedRanking, body(shaped)) == as_drf(ChangedRanking, body(RIDE_ROW.rows(items)))
    first = shaped[0]
    assert first["downtime_hours"] == 2.675 and first["hours_down"] == 3.0 and first["cumulative_wait_hours"] == 2.0
    assert "mtbf_hours" not in first and "unknown" not in first and first["downtime_minutes_by_kind"] == BY_KIND
    assert list(first)[-1] == "hours_down"  # the serializer's order


def test_rows_of_another_serializer_are_represented_again():
    """A list of rows shaped for another serializer is not taken as it is."""
    downtime = RIDE_ROW.rows(ITEMS, shape_of(sx.RideDowntimeRowSerializer))
    got = represent(sx.RideWaitSerializer, body(downtime))
    assert got["data"] is not downtime and got["data"][0]["avg_wait_minutes"] is None  # the rows have none
    assert json.dumps(got).encode() == as_drf(sx.RideWaitSerializer, body(downtime))


def test_a_field_the_recipe_cannot_give_is_refused():
    class NeedsMore(sx.RideWaitRowSerializer):
        extra = serializers.IntegerField()

    class Dotted(sx.RideWaitRowSerializer):
        country = serializers.CharField(source="park.country")

    with pytest.raises(ValueError, match="extra"):
        RIDE_ROW.rows(ITEMS, shape_of(NeedsMore))
    with pytest.raises(ValueError, match="country"):
        RIDE_ROW.rows(ITEMS, shape_of(Dotted))
    clashing = Recipe(RIDE_ROW.target, RIDE_ROW.values, f_shape0=len)
    with pytest.raises(ValueError, match="clash"):
        clashing.rows(ITEMS, shape_of(sx.RideWaitRowSerializer))


# ---------------------------------------------------------------------------------------------
# Through the API, on a database: every ride ranking variant answers what DRF gives for the plain rows
# ---------------------------------------------------------------------------------------------
TODAY = date(2024, 6, 12)


@pytest.fixture
def parks():
    disney, (d1, d2, d3) = park_with_rides(name="Magic", is_disney=True, country="US", queue_times_id=6)
    plain, (p1, p2, p3) = park_with_rides(name="Plain", country="DE")
    never_down, (n1,) = park_with_rides(tiers=(None,), name="Closed only", country="FR", reports_down=False)
    for back in range(1, 16):
        day = TODAY - timedelta(days=back)
        park_day(disney, day, downtime_hours=1.5, weight=6, rides_operated=3, rides_down=1, uptime=95.0,
                 avg_wait=31.26, peak_wait=90)
        park_day(plain, day, weight=6, rides_operated=3, uptime=100.0, avg_wait=12.0, peak_wait=20)
        ride_day(d1, day, operating=510 - back, downtime=90 + back, avg_wait=40.0 + back / 3, peak_wait=90,
                 changes=4, longest=60.04)
        ride_day(d2, day, operating=600, downtime=back % 4 * 7.5, avg_wait=20.0, peak_wait=35.5)
        ride_day(d3, day, operating=600, avg_wait=None, peak_wait=None)
        for ride in (p1, p2, p3):
            ride_day(ride, day, operating=600, downtime=back % 3 * 2.675, avg_wait=12.0, peak_wait=20)
        ride_day(n1, day, operating=300 + back, avg_wait=7.25, peak_wait=9)
    live_park(disney, is_open=True, shame_score=1.0, rides_down=1, rides_open=2)
    live_ride(d1, "DOWN")
    live_ride(d2, "OPERATING", wait=25)
    live_ride(p1, "CLOSED")
    live_ride(p2, "OPERATING", wait=5)
    live_ride(n1, "CLOSED")


QUERIES = [("downtime", {"period": period, "sort_by": sort_by})
           for period in ("yesterday", "7days", "30days", "last_week", "today")
           for sort_by in ("downtime_hours", "uptime_percentage", "trend_percentage", "current_is_open",
                           "mtbf_hours", "mttr_minutes", "breakdowns")]
QUERIES += [("downtime", {"period": "7days", "limit": 2, "sort_by": "trend_percentage"}),
            ("downtime", {"period": "7days", "filter": "disney-universal", "exclude": "park_wide"}),
            *[("waittimes", {"period": period}) for period in ("yesterday", "7days", "30days", "today", "live")],
            ("waittimes", {"mode": "7days", "limit": 2})]


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize("kind,query", QUERIES, ids=[f"{k}-{'-'.join(map(str, q.values()))}" for k, q in QUERIES])
def test_the_api_answers_what_the_serializer_gives_for_plain_rows(api, parks, kind, query, monkeypatch):
    from warehouse.api import views

    got = api.get(f"/api/rides/{kind}", query)
    assert got.status_code == 200
    shaped_rows = []
    real = views._ride_shape

    def noted(scope, row):
        shaped_rows.append(real(scope, row))
        return None  # the plain rows, then represent as DRF does

    monkeypatch.setattr(views, "_ride_shape", noted)
    monkeypatch.setattr(views, "represent", lambda serializer, body: serializer(body).data)
    plain = api.get(f"/api/rides/{kind}", {**query, "_bench": 1})  # another key: not the cached answer
    assert got.content == plain.content
    assert shaped_rows and (shaped_rows[0] is None) == (query.get("period") == "live")
    if query.get("period") in ("yesterday", "7days"):
        assert json.loads(got.content)["data"], "a variant with rows"
