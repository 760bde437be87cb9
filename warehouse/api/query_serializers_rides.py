"""Query parameters of one ride's raw history and stay-or-go question, and of rides near a point
(see query_serializers.py)."""
from datetime import datetime, time, timedelta, timezone as dt_timezone

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError

from themepark.api.query_values import Day, Flag, Integer, Number, QuerySerializer, bad

from .. import periods

HISTORY_DEFAULT = timedelta(hours=24)
HISTORY_MAX = timedelta(days=31)
INSTANT = "must be an ISO 8601 datetime or a date YYYY-MM-DD (years 2000-2100)"


class Instant(Day):
    """An ISO 8601 datetime (UTC when naive) or a date (its 00:00 UTC), in UTC; None when absent."""

    def __init__(self, **kwargs):
        super().__init__(error_messages={"invalid": INSTANT}, **kwargs)

    def to_internal_value(self, data):
        try:
            if len(data) > 10:
                moment = parse_datetime(data)
            else:
                moment = datetime.combine(super().to_internal_value(data), time())
        except (ValueError, ValidationError):
            moment = None
        if moment is None or not periods.MIN_YEAR <= moment.year <= periods.MAX_YEAR:
            self.fail("invalid")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt_timezone.utc)
        return moment.astimezone(dt_timezone.utc)


class HistoryQuery(QuerySerializer):
    """A ride's raw history: a window of at most 31 days (24 hours by default) and the page size."""

    start = Instant()
    end = Instant()
    page_size = Integer(high=5000, default=500)

    def validate(self, attrs):
        start, end = attrs["start"], attrs["end"]
        end = end or (start + HISTORY_DEFAULT if start else self.context["now"])
        start = start or end - HISTORY_DEFAULT
        if start >= end:
            raise bad("start", "must be before end")
        if end - start > HISTORY_MAX:
            raise bad("end", f"the range may span at most {HISTORY_MAX.days} days")
        return {**attrs, "start": start, "end": end}


class EstimateQuery(QuerySerializer):
    """The stay-or-go question: as if down `down_minutes` (0 to 1440), at a past moment `at` (needs
    down_minutes)."""

    down_minutes = Number(low=0, high=1440, default=None)
    at = Instant()

    def validate(self, attrs):
        if attrs["at"] is not None and attrs["down_minutes"] is None:
            raise bad("down_minutes", "is required with `at`: how long the ride has been down")
        return attrs


class NearbyQuery(QuerySerializer):
    """Rides within `radius_m` of a point, optionally indoor/outdoor only or by minimum height."""

    lat = Number(low=-90, high=90)
    lon = Number(low=-180, high=180)
    radius_m = Number(low=1, high=50000, default=1000)
    indoor = Flag()
    max_height_cm = Integer(low=0, high=300, default=None)
    limit = Integer(high=200, default=50)
