"""Public API viewsets (docs/contracts.md §2). Thin: parse parameters, call one read, serialize."""
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from themepark.api.caching import cached
from themepark.api.negotiation import PublicContentNegotiation

from .. import periods
from ..models import RideStatusSnapshot
from ..selectors import (PARK_SORTS, RIDE_SORTS, park_downtime_ranking, park_wait_ranking, ride_downtime_ranking,
                         ride_wait_ranking, scope_resolve)
from . import charts, params, queries, serializers as s, serializers_rides as sr, serializers_trends as st, trends
from . import reliability as rel, serializers_reliability as sx
from .filters import parks_in_scope
from .nearby import rides_nearby
from .represent import represent, shape_of


def _scope(q, *, park_id=None):
    """The parks and periods of a ranking's parsed parameters (params.ranking)."""
    parks = parks_in_scope(q.filter, park_id=park_id)
    return scope_resolve(parks=parks, period=q.period, now=timezone.now(), start=q.start, end=q.end, exclude=q.exclude)


def _ride_shape(scope, row_serializer):
    """The rows of a ride ranking made straight in the serializer's output shape (represent.Shape),
    except live, where `rel.with_live_estimates` adds each row's estimate to plain rows."""
    return None if scope.period == periods.LIVE else shape_of(row_serializer)


def _common(request, scope):
    return {"period": scope.period, "filter": request.query_params.get("filter") or "all-parks",
            "dates": scope.span, "attribution": params.attribution(scope.parks.values())}


class _PublicViewSet(viewsets.GenericViewSet):
    """Read-only, anonymous, throttled; parameters are parsed explicitly (see params.py)."""

    filter_backends = []
    pagination_class = None
    content_negotiation_class = PublicContentNegotiation


PERIOD_RANGE = [params.period_param(), params.FILTER, params.START, params.END]
ENTITY = params._query("entity", "Parks or rides.", enum=["parks", "rides"], default="parks")
EXCLUDE = params._query("exclude", "Kinds of downtime to leave out of downtime, uptime and shame: park_wide, "
                        "stale_feed (repeat or comma-separate).")


class ParkViewSet(_PublicViewSet):
    """Park rankings and one park's details."""

    @extend_schema(parameters=[*PERIOD_RANGE, params._query("sort_by", "Ranking order.", enum=list(PARK_SORTS),
                                                            default="shame_score"),
                               params.limit_param(100, 50), EXCLUDE], responses=sx.ParkDowntimeSerializer)
    @action(detail=False, url_path="downtime")
    @cached()
    def downtime(self, request):
        q = params.ranking(request.query_params, limit=(100, 50), exclude=True,
                           choices={"sort_by": (list(PARK_SORTS), "shame_score")})
        scope, exclude, sort_by, limit = _scope(q), q.exclude, q.sort_by, q.limit
        aggregate, rows = park_downtime_ranking(scope, sort_by=sort_by, limit=limit)
        body = {**_common(request, scope), "sort_by": sort_by, "aggregate_stats": aggregate, "data": rows,
                "exclude": sorted(exclude)}
        return Response(represent(sx.ParkDowntimeSerializer, body))

    @extend_schema(parameters=[*PERIOD_RANGE, params.limit_param(100, 50)], responses=s.ParkWaitSerializer)
    @action(detail=False, url_path="waittimes")
    @cached()
    def waittimes(self, request):
        q = params.ranking(request.query_params, limit=(100, 50))
        scope, limit = _scope(q), q.limit
        body = {**_common(request, scope), "data": park_wait_ranking(scope, limit=limit)}
        return Response(represent(s.ParkWaitSerializer, body))

    @extend_schema(parameters=[params.ID, params.period_param(), params.START, params.END],
                   responses=sx.ParkDetailsSerializer)
    @action(detail=True, url_path="details")
    @cached()
    def details(self, request, pk=None):
        park = params.get_park(pk)
        period, start, end = params.period_and_range(request.query_params)
        body = queries.park_details(park=park, period=period, now=timezone.now(), start=start, end=end)
        body["attribution"] = params.attribution([park])
        return Response(sx.ParkDetailsSerializer(body).data)

    @extend_schema(parameters=[
        params.ID, params.period_param(), params.START, params.END,
        params._query("type", "What to compare: hours down per bucket, or mean standby wait (minutes) per bucket.",
                      enum=list(charts.RIDE_CHART_TYPES), default="downtime"),
    ], responses=st.ParkRideChartsSerializer)
    @action(detail=True, url_path="rides/charts")
    @cached()
    def ride_charts(self, request, pk=None):
        """Every attraction of the park over the period, hourly for one day, daily otherwise."""
        park = params.get_park(pk)
        q = params.details(request.query_params, choices={"type": (list(charts.RIDE_CHART_TYPES), "downtime")})
        chart_type, period, start, end = q.type, q.period, q.start, q.end
        scope = scope_resolve(parks=[park], period=period, now=timezone.now(), start=start, end=end)
        days = queries.park_range(scope, park)
        chart = charts.park_ride_charts(scope, park=park, chart_type=chart_type)
        body = {"period": period, "dates": days.as_dict(), **chart, "attribution": params.attribution([park])}
        return Response(st.ParkRideChartsSerializer(body).data)

    @extend_schema(parameters=[params.ID], responses=s.ParkRidesSerializer)
    @action(detail=True, url_path="rides")
    @cached()
    def rides(self, request, pk=None):
        park = params.get_park(pk)
        return Response(s.ParkRidesSerializer(queries.park_rides(park=park, now=timezone.now())).data)


class HistoryPagination(CursorPagination):
    """Raw observations in time order; the cursor encodes the last recorded_at seen."""

    ordering = "recorded_at"
    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000


class RideViewSet(_PublicViewSet):
    """Ride rankings, one ride's details and raw history, and rides near a point."""

    @extend_schema(parameters=[*PERIOD_RANGE, params._query("sort_by", "Ranking order.", enum=list(RIDE_SORTS),
                                                            default="downtime_hours"),
                               params.limit_param(200, 100), EXCLUDE], responses=sx.RideDowntimeSerializer)
    @action(detail=False, url_path="downtime")
    @cached()
    def downtime(self, request):
        q = params.ranking(request.query_params, limit=(200, 100), exclude=True,
                           choices={"sort_by": (list(RIDE_SORTS), "downtime_hours")})
        scope, exclude, sort_by, limit = _scope(q), q.exclude, q.sort_by, q.limit
        shape = _ride_shape(scope, sx.RideDowntimeRowSerializer)
        rows = ride_downtime_ranking(scope, sort_by=sort_by, limit=limit, shape=shape)
        rows = rel.with_live_estimates(rows, now=timezone.now(), period=scope.period)
        body = {**_common(request, scope), "sort_by": sort_by, "data": rows, "exclude": sorted(exclude)}
        return Response(represent(sx.RideDowntimeSerializer, body))

    @extend_schema(parameters=[*PERIOD_RANGE, params._query("mode", "Alias of `period`.", enum=list(periods.PERIODS)),
                               params.limit_param(200, 100)], responses=sx.RideWaitSerializer)
    @action(detail=False, url_path="waittimes")
    @cached()
    def waittimes(self, request):
        name = "mode" if request.query_params.get("mode") and not request.query_params.get("period") else "period"
        q = params.ranking(request.query_params, limit=(200, 100), name=name)
        scope, limit = _scope(q), q.limit
        rows = ride_wait_ranking(scope, limit=limit, shape=_ride_shape(scope, sx.RideWaitRowSerializer))
        rows = rel.with_live_estimates(rows, now=timezone.now(), period=scope.period)
        body = {**_common(request, scope), "data": rows}
        return Response(represent(sx.RideWaitSerializer, body))

    @extend_schema(parameters=[params.ID, params.period_param(), params.START, params.END],
                   responses=sx.RideDetailsSerializer)
    @action(detail=True, url_path="details")
    @cached()
    def details(self, request, pk=None):
        ride = params.get_ride(pk)
        period, start, end = params.period_and_range(request.query_params)
        body = queries.ride_details(ride=ride, period=period, now=timezone.now(), start=start, end=end)
        body["attribution"] = params.attribution([ride.park])
        return Response(sx.RideDetailsSerializer(body).data)

    @extend_schema(parameters=[
        params.ID,
        params._query("down_minutes", "Ask as if the ride had been down this many minutes (0 to 1440); default: "
                      "how long it has been down now.", type=float),
        params._query("at", "Ask at this past moment (ISO 8601 datetime or date), over the breakdowns of the "
                      "365 days before it; needs down_minutes."),
    ], responses=sx.ReopenEstimateSerializer)
    @action(detail=True, url_path="reopen-estimate")
    @cached(live=True)
    def reopen_estimate(self, request, pk=None):
        ride = params.get_attraction(pk)
        minutes, at = params.estimate(request.query_params)
        body = rel.stay_or_go(ride=ride, now=timezone.now(), minutes=minutes, at=at)
        return Response(sx.ReopenEstimateSerializer(body).data)

    @extend_schema(parameters=[
        params.ID,
        params._query("start", "From (ISO 8601 datetime or date, UTC); default: 24 hours before `end`."),
        params._query("end", "Until, exclusive (default: now, or 24 hours after `start`); at most 31 days."),
        params._query("cursor", "Opaque cursor from `next`/`previous`."),
        params._query("page_size", "Observations per page, 1 to 5000.", type=int, default=500),
    ], responses=sr.RideHistorySerializer)
    @action(detail=True, url_path="history")
    def history(self, request, pk=None):
        ride = params.get_ride(pk)
        start, end = params.history_window(request.query_params, timezone.now())
        rows = RideStatusSnapshot.objects.for_ride(ride).between(start, end).values(
            "recorded_at", "status", "wait_time", "data_source")
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        body = {"ride_id": ride.pk, "start": start, "end": end, "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(), "data": page}
        return Response(sr.RideHistorySerializer(body).data)

    @extend_schema(parameters=[
        params._query("lat", "Latitude, -90 to 90.", type=float, required=True),
        params._query("lon", "Longitude, -180 to 180.", type=float, required=True),
        params._query("radius_m", "Radius in metres, 1 to 50000.", type=float, default=1000),
        params._query("indoor", "Only indoor (true) or outdoor (false) rides.", type=bool),
        params._query("max_height_cm", "Only rides whose minimum height is at most this (cm), 0 to 300.", type=int),
        params.limit_param(200, 50),
    ], responses=sr.NearbySerializer)
    @action(detail=False, url_path="nearby")
    @cached()
    def nearby(self, request):
        q = params.nearby(request.query_params)
        lat, lon, radius = q.lat, q.lon, q.radius_m
        rows = rides_nearby(lat=lat, lon=lon, radius_m=radius, indoor=q.indoor, max_height_cm=q.max_height_cm,
                            limit=q.limit)
        return Response(sr.NearbySerializer({"center": {"lat": lat, "lon": lon}, "radius_m": radius,
                                             "data": rows}).data)


class LiveViewSet(_PublicViewSet):
    """Attractions by live status."""

    @extend_schema(parameters=[params.FILTER, params.park_id_param()], responses=st.StatusSummarySerializer)
    @action(detail=False, url_path="status-summary")
    @cached(live=True)
    def status_summary(self, request):
        q = params.status(request.query_params)
        park_id = q.park_id
        if park_id is not None:
            params.get_park(park_id)
        parks = parks_in_scope(q.filter, park_id=park_id)
        body = {"filter": request.query_params.get("filter") or "all-parks", "park_id": park_id,
                "status_summary": queries.status_summary(parks=parks)}
        return Response(st.StatusSummarySerializer(body).data)


class TrendViewSet(_PublicViewSet):
    """Improving and declining parks and rides, chart series, and year-over-year comparisons."""

    @extend_schema(parameters=[
        params._query("category", "What to list.", enum=list(trends.TREND_CATEGORIES), required=True),
        *PERIOD_RANGE, params.limit_param(100, 20)], responses=st.TrendsSerializer)
    @cached()
    def list(self, request):
        q = params.ranking(request.query_params, limit=(100, 20),
                           choices={"category": (list(trends.TREND_CATEGORIES), None)})
        scope, category, limit = _scope(q), q.category, q.limit
        comparison, entity, rows = trends.trends(
            category=category, parks=list(scope.parks.values()), period=scope.period, now=timezone.now(),
            limit=limit, **_custom(scope))
        body = {"category": category, "filter": request.query_params.get("filter") or "all-parks",
                "comparison": comparison, entity: rows, "attribution": params.attribution(scope.parks.values())}
        return Response(represent(st.TrendsSerializer, body))

    @extend_schema(parameters=[
        params._query("type", "Which series.", enum=[*trends.CHART_TYPES], default="parks"),
        *PERIOD_RANGE, params.limit_param(20, 5)], responses=st.ChartDataSerializer)
    @action(detail=False, url_path="chart-data")
    @cached()
    def chart_data(self, request):
        q = params.ranking(request.query_params, limit=(20, 5), choices={"type": (list(trends.CHART_TYPES), "parks")})
        scope, kind, limit = _scope(q), q.type, q.limit
        chart, granularity = trends.chart_data(kind=kind, parks=list(scope.parks.values()), period=scope.period,
                                               now=timezone.now(), limit=limit, **_custom(scope))
        body = {**_common(request, scope), "type": kind, "chart_data": chart, "granularity": granularity}
        return Response(represent(st.ChartDataSerializer, body))

    @extend_schema(parameters=[
        ENTITY, params.period_param(default="yesterday"), params.FILTER, params.START, params.END,
        params.limit_param(100, 10)], responses=st.AwardsSerializer)
    @action(detail=False, url_path="longest-wait-times")
    @cached()
    def longest_wait_times(self, request):
        """Parks or rides by mean standby wait over the period, longest first (the Awards tab)."""
        return self._awards(request, charts.longest_waits)

    @extend_schema(parameters=[
        ENTITY, params.period_param(default="yesterday"), params.FILTER, params.START, params.END,
        params.limit_param(100, 10)], responses=st.AwardsSerializer)
    @action(detail=False, url_path="least-reliable")
    @cached()
    def least_reliable(self, request):
        """Parks by mean shame score, rides by downtime hours, most first; only those with downtime."""
        return self._awards(request, charts.least_reliable)

    def _awards(self, request, read):
        q = params.ranking(request.query_params, limit=(100, 10), default_period="yesterday",
                           choices={"entity": (list(charts.ENTITIES), "parks")})
        scope, entity, limit = _scope(q), q.entity, q.limit
        body = {**_common(request, scope), "entity": entity, "data": read(scope, entity=entity, limit=limit)}
        return Response(represent(st.AwardsSerializer, body))

    @extend_schema(parameters=[
        params._query("type", "Which heatmap.", enum=[*charts.HEATMAP_TYPES], default="parks-shame"),
        *PERIOD_RANGE, params.limit_param(50, 10)], responses=st.HeatmapSerializer)
    @action(detail=False, url_path="heatmap-data")
    @cached()
    def heatmap_data(self, request):
        """The top parks or rides as a matrix of entities x hours (one-day periods) or park days."""
        q = params.ranking(request.query_params, limit=(50, 10),
                           choices={"type": ([*charts.HEATMAP_TYPES], "parks-shame")})
        scope, kind, limit = _scope(q), q.type, q.limit
        body = {**_common(request, scope), "type": kind, **charts.heatmap(scope, kind=kind, limit=limit)}
        return Response(represent(st.HeatmapSerializer, body))

    @extend_schema(parameters=[
        params.park_id_param(), params._query("ride_id", "A ride id (instead of park_id).", type=int),
        params.START, params.END,
        params._query("align", "Compare the same dates, or the same ISO week one year earlier.",
                      enum=["dates", "iso_week"], default="dates"),
    ], responses=st.YearOverYearSerializer)
    @action(detail=False, url_path="year-over-year")
    @cached()
    def year_over_year(self, request):
        q = params.year_over_year(request.query_params)
        align = q.align
        park = params.get_park(q.park_id) if q.park_id is not None else None
        ride = params.get_ride(q.ride_id) if q.ride_id is not None else None
        start, end = q.start, q.end
        if start is None:
            today = periods.park_today(timezone.now(), (park or ride.park).timezone)
            days = periods.resolve("7days", today=today)
            start, end = days.start, days.end
        result = trends.year_over_year(park=park, ride=ride, start=start, end=end, iso_week=align == "iso_week",
                                       now=timezone.now())
        entity = ({"type": "park", "id": park.pk, "name": park.name} if park else
                  {"type": "ride", "id": ride.pk, "name": ride.name, "park_id": ride.park_id})
        body = {"entity": entity, "alignment": align, **result,
                "attribution": params.attribution([park or ride.park])}
        return Response(st.YearOverYearSerializer(body).data)


def _custom(scope):
    if scope.period != periods.CUSTOM or not scope.ranges:
        return {}
    days = next(iter(scope.ranges.values()))
    return {"start": days.start, "end": days.end}


class SearchViewSet(_PublicViewSet):
    """Every active park and attraction, for client-side search."""

    @extend_schema(responses=st.SearchIndexSerializer)
    @action(detail=False, url_path="index")
    @cached()
    def index(self, request):
        return Response(st.SearchIndexSerializer(queries.search_index()).data)
