"""Parameters of the public endpoints: the calls the views make to parse them (through the DRF
serializers of query_serializers.py: a 400 naming the parameter and its allowed values), their
OpenAPI description (drf-spectacular), and the park or ride a path names."""
from types import SimpleNamespace

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound

from themepark.api.exceptions import ApiError
from themepark.choices import EntityType
from themepark.constants import QUEUE_TIMES_ATTRIBUTION, THEMEPARKS_WIKI_ATTRIBUTION
from themepark.models import Park, Ride

from . import query_serializers as qs, query_serializers_rides as qr
from .filters import SCOPES
from .query_serializers import RANKING_PERIODS


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
# Parsing (the serializers of query_serializers.py)
# ---------------------------------------------------------------------------------------------
def period_and_range(query, *, allowed=RANKING_PERIODS, default="today", name="period"):
    """(period, start, end): a start/end pair makes the period `custom`."""
    values = qs.PeriodQuery.parse(query, allowed=allowed, default=default, name=name)
    return values["period"], values["start"], values["end"]


def details(query, *, choices=None):
    """One park's or ride's period (or custom range) and the endpoint's own choices (PeriodQuery)."""
    return SimpleNamespace(**qs.PeriodQuery.parse(query, choices=choices))


def day_range(query):
    """(start, end) dates of a custom range, or (None, None) when neither is given."""
    values = qs.DayRangeQuery.parse(query)
    return values["start"], values["end"]


def ranking(query, *, limit, choices=None, exclude=False, default_period="today", name="period"):
    """A ranking's, trend's, chart's or award's parameters: period, start, end, filter, limit,
    exclude (when the endpoint takes it) and its own choices (see RankingQuery)."""
    values = qs.RankingQuery.parse(query, limit=limit, choices=choices, exclude=exclude, allowed=RANKING_PERIODS,
                                   default=default_period, name=name)
    return SimpleNamespace(**{"exclude": frozenset(), **values})


def status(query):
    return SimpleNamespace(**qs.StatusQuery.parse(query))


def year_over_year(query):
    return SimpleNamespace(**qs.YearOverYearQuery.parse(query))


def history_window(query, now):
    """(start, end) of a ride's raw history; the page size is checked too."""
    values = qr.HistoryQuery.parse(query, context={"now": now})
    return values["start"], values["end"]


def estimate(query):
    """(down_minutes, at) of a stay-or-go question."""
    values = qr.EstimateQuery.parse(query)
    return values["down_minutes"], values["at"]


def nearby(query):
    return SimpleNamespace(**qr.NearbyQuery.parse(query))


def export(query, dataset, formats):
    return SimpleNamespace(**qs.ExportQuery.parse(query, formats=formats, context={"dataset": dataset}))


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


def get_attraction(value):
    """A ride that is an attraction; a show, a restaurant or anything else is a 400 saying so."""
    ride = get_ride(value)
    if ride.entity_type != EntityType.ATTRACTION:
        raise ApiError(f"Ride {ride.pk} is a {ride.get_entity_type_display().lower()}, not an attraction: "
                       "only attractions break down and reopen.")
    return ride


def attribution(parks):
    """ThemeParks.wiki always; Queue-Times.com wherever a park's data may come from it."""
    sources = [THEMEPARKS_WIKI_ATTRIBUTION]
    if any(getattr(p, "queue_times_id", None) for p in parks):
        sources.append(QUEUE_TIMES_ATTRIBUTION)
    return sources
