"""Parameters shared by the public endpoints: parsing (400 naming the parameter and its allowed
values) and their OpenAPI description (drf-spectacular)."""
from datetime import datetime, time, timedelta, timezone as dt_timezone

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound, ValidationError

from themepark.api import query_values
from themepark.constants import QUEUE_TIMES_ATTRIBUTION, THEMEPARKS_WIKI_ATTRIBUTION
from themepark.models import Park, Ride

from .. import periods
from .filters import SCOPES

RANKING_PERIODS = periods.PERIODS
HISTORY_DEFAULT = timedelta(hours=24)
HISTORY_MAX = timedelta(days=31)


def _query(name, description, *, enum=None, type=str, default=None, required=False):
    return OpenApiParameter(name, type=type, location=OpenApiParameter.QUERY, description=description,
                            enum=enum, default=default, required=required)


def period_param(default="today", allowed=RANKING_PERIODS):
    return _query("period", "Period, resolved in each park's own timezone (park days start 04:00).",
                  enum=list(allowed), default=default)


FILTER = _query("filter", "Which parks: all of them, or Disney and Universal parks only.", enum=list(SCOPES),
                default=SCOPES[0])
START = _query("start", "First park day of a custom range (YYYY-MM-DD, with `end`; overrides `period`).",
               type=OpenApiTypes.DATE)
END = _query("end", "Last park day of a custom range, inclusive (YYYY-MM-DD, with `start`).", type=OpenApiTypes.DATE)


ID = OpenApiParameter("id", type=int, location=OpenApiParameter.PATH, description="The park or ride id.")


def limit_param(high, default):
    return _query("limit", f"Rows to return, 1 to {high}.", type=int, default=default)


def park_id_param(required=False):
    return _query("park_id", "A park id.", type=int, required=required)


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------
def period(query, *, allowed=RANKING_PERIODS, default="today", name="period"):
    return query_values.choice(query, name, allowed, default=default)


def day_range(query):
    """(start, end) dates of a custom range, or (None, None) when neither is given."""
    start, end = query_values.day(query, "start"), query_values.day(query, "end")
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        missing = "start" if start is None else "end"
        raise query_values.bad(missing, "is required with the other of start/end (YYYY-MM-DD)")
    try:
        periods.validate_range(start, end)
    except ValueError as exc:
        raise query_values.bad("start", str(exc)) from None
    return start, end


def period_and_range(query, *, allowed=RANKING_PERIODS, default="today", name="period"):
    """(period, start, end): a start/end pair makes the period `custom`."""
    chosen = period(query, allowed=allowed, default=default, name=name)
    start, end = day_range(query)
    return (periods.CUSTOM if start is not None else chosen), start, end


def instant(query, name):
    """An ISO 8601 datetime (UTC when naive) or a date (its 00:00 UTC); None when absent."""
    value = query.get(name)
    if value in (None, ""):
        return None
    try:
        moment = parse_datetime(value) if len(value) > 10 else datetime.combine(query_values.day(query, name), time())
    except (ValueError, ValidationError):
        moment = None
    if moment is None or not periods.MIN_YEAR <= moment.year <= periods.MAX_YEAR:
        raise query_values.bad(name, "must be an ISO 8601 datetime or a date YYYY-MM-DD (years 2000-2100)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt_timezone.utc)
    return moment.astimezone(dt_timezone.utc)


def history_window(query, now):
    start, end = instant(query, "start"), instant(query, "end")
    end = end or (start + HISTORY_DEFAULT if start else now)
    start = start or end - HISTORY_DEFAULT
    if start >= end:
        raise query_values.bad("start", "must be before end")
    if end - start > HISTORY_MAX:
        raise query_values.bad("end", f"the range may span at most {HISTORY_MAX.days} days")
    return start, end


def _pk(value):
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def get_park(value, name="park"):
    pk = _pk(value)
    park = Park.objects.filter(pk=pk).first() if pk is not None else None
    if park is None:
        raise NotFound(f"No {name} with id {value}.")
    return park


def get_ride(value):
    pk = _pk(value)
    ride = Ride.objects.select_related("park").filter(pk=pk).first() if pk is not None else None
    if ride is None:
        raise NotFound(f"No ride with id {value}.")
    return ride


def attribution(parks):
    """ThemeParks.wiki always; Queue-Times.com wherever a park's data may come from it."""
    sources = [THEMEPARKS_WIKI_ATTRIBUTION]
    if any(getattr(p, "queue_times_id", None) for p in parks):
        sources.append(QUEUE_TIMES_ATTRIBUTION)
    return sources
