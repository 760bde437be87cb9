"""Staff-only admin API: storage measurements and the data-quality log (docs/contracts.md §3)."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from quality import reports
from quality.choices import Freshness, IssueType
from quality.models import DataQualityLog
from quality.services import TransitionError, issue_transition
from quality.gaps import FRESH_MINUTES, NORMAL_MINUTES
from quality.storage import storage_measure
from quality.timelines import park_coverage, parks_freshness
from themepark.api.exceptions import ApiError
from themepark.api.query_values import bad
from themepark.models import Park

from .filters import IssueFilterSet
from .permissions import StaffOnly
from .serializers import CoverageQuery, IssueSerializer, IssueUpdateSerializer

MAX_COVERAGE_DAYS = 31


def ok(**data):
    return Response({"success": True, **data})


class SuccessPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500

    def get_paginated_response(self, data):
        return ok(count=self.count, next=self.get_next_link(), previous=self.get_previous_link(), data=data)


class StorageViewSet(StaffOnly, viewsets.ViewSet):
    """Table and partition sizes, growth, projections, retention policies and alerts."""

    @action(detail=False)
    def summary(self, request):
        return ok(**reports.storage_summary())

    @action(detail=False)
    def growth(self, request):
        growth = reports.storage_growth()
        growth.pop("_raw")
        return ok(**growth)

    @action(detail=False)
    def partitions(self, request):
        return ok(**reports.storage_partitions())

    @action(detail=False)
    def retention_comparison(self, request):
        return ok(**reports.storage_retention())

    @action(detail=False)
    def alerts(self, request):
        return ok(alerts=reports.storage_alerts())

    @action(detail=False, methods=["post"])
    def measure(self, request):
        rows = storage_measure(analyze=bool(request.data.get("analyze", False)))
        return Response({"success": True, "tables_measured": len(rows), **reports.storage_summary()},
                        status=status.HTTP_201_CREATED)


class QualityViewSet(StaffOnly, viewsets.ViewSet):
    """Counts, gaps, per-park freshness and per-park-day coverage."""

    @action(detail=False)
    def summary(self, request):
        return ok(**reports.quality_summary())

    @action(detail=False)
    def gaps(self, request):
        queryset = IssueFilterSet(request.query_params, DataQualityLog.objects.filter(issue_type=IssueType.GAP)
                                  .select_related("park", "ride").order_by("-period_start"))
        if not queryset.is_valid():
            raise ApiError("; ".join(f"{k}: {' '.join(v)}" for k, v in queryset.errors.items()))
        paginator = SuccessPagination()
        page = paginator.paginate_queryset(queryset.qs, request, view=self)
        return paginator.get_paginated_response(IssueSerializer(page, many=True).data)

    @action(detail=False)
    def freshness(self, request):
        rows = parks_freshness()
        for row in rows:
            row["last_observation"] = row["last_observation"] and row["last_observation"].isoformat()
        return ok(thresholds_minutes={Freshness.FRESH: FRESH_MINUTES, Freshness.NORMAL: NORMAL_MINUTES}, parks=rows)

    @extend_schema(parameters=[CoverageQuery])
    @action(detail=False)
    def coverage(self, request):
        query = CoverageQuery.parse(request.query_params)
        parks = Park.objects.filter(is_active=True).order_by("name")
        if query["park_id"] is not None:
            parks = [get_object_or_404(Park, pk=query["park_id"])]
        out = []
        for park in parks:
            first, last = self._dates(query, park)
            out.append({"park_id": park.pk, "park_name": park.name, "days": park_coverage(park=park, first=first,
                                                                                          last=last)})
        return ok(parks=out)

    @staticmethod
    def _dates(query, park):
        last = query["end"] or timezone.now().astimezone(ZoneInfo(park.timezone)).date()
        first = query["start"] or last - timedelta(days=6)
        if first > last:
            raise bad("start", "must not be after end")
        if (last - first).days >= MAX_COVERAGE_DAYS:
            raise bad("end", f"at most {MAX_COVERAGE_DAYS} days at a time")
        return first, last


class IssueViewSet(StaffOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The quality log; PATCH moves an issue OPEN -> INVESTIGATING -> RESOLVED or WONTFIX."""

    queryset = DataQualityLog.objects.select_related("park", "ride").order_by("-created_at", "-pk")
    serializer_class = IssueSerializer
    filterset_class = IssueFilterSet
    pagination_class = SuccessPagination

    def retrieve(self, request, *args, **kwargs):
        return ok(data=self.get_serializer(self.get_object()).data)

    def partial_update(self, request, *args, **kwargs):
        issue = self.get_object()
        change = IssueUpdateSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        try:
            issue_transition(issue=issue, status=change.validated_data["resolution_status"],
                             note=change.validated_data["notes"], user=request.user)
        except TransitionError as exc:
            raise ApiError(str(exc))
        return ok(data=self.get_serializer(issue).data)
