"""/api/health: the primary database, each read replica and its lag, collection freshness,
statistics lag and partition headroom. 503 when the primary is unreachable, "degraded" when
something needs an operator (stale collection or statistics, no partition ahead, a replica
skipped). Errors are said in words ("database unreachable"), never as the driver's text."""
import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Max
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from themepark import db_router
from themepark.choices import DataSource
from themepark.models import Ride
from themepark.run_registry import runs_last_finished

from ..aggregation.daily import older_version_days
from ..engine_constants import METRICS_VERSION
from ..models import AggregationRun, RideStatusSnapshot
from ..partitions import months_ahead
from . import serializers_trends as st
from .views import _PublicViewSet

AGGREGATION_LAG_LIMIT_MINUTES = 60
logger = logging.getLogger(__name__)


def _last_collection(now):
    """When the collector last finished a run that collected something (the "collection" role of
    the run registry); before any run is recorded, the newest LIVE observation of an active ride
    in the last two days (per ride on the primary key, pruned to the last partitions, so the
    fallback never walks the whole table)."""
    finished = runs_last_finished("collection")
    if finished is not None:
        return finished
    rides = list(Ride.objects.filter(is_active=True).values_list("pk", flat=True))
    return (RideStatusSnapshot.objects.for_rides(rides).between(now - timedelta(days=2), now + timedelta(minutes=1))
            .filter(data_source=DataSource.LIVE).aggregate(last=Max("recorded_at"))["last"])


def _age(now, moment):
    return None if moment is None else (now - moment).total_seconds() / 60


def replica_checks():
    """Each configured replica probed now: alias, ok, lag_seconds and, when skipped, why."""
    return db_router.HEALTH.states(fresh=True)


def health_check(*, now):
    """Every check; the worst decides the status. Reads the primary (a replica may be behind)."""
    db_router.pin_primary()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("health: the database cannot be reached")
        return "unhealthy", {"database": {"ok": False, "error": "database unreachable"}, "replicas": replica_checks()}
    try:
        return _health_figures(now)
    except DatabaseError:  # connected, but the tables cannot be read (migrations, permissions)
        logger.exception("health: the monitoring tables cannot be read")
        return "unhealthy", {"database": {"ok": False, "error": "database query failed"}, "replicas": replica_checks()}


def _health_figures(now):
    collected = _last_collection(now)
    aggregated = (AggregationRun.objects.filter(status=AggregationRun.Status.COMPLETED, finished_at__isnull=False)
                  .order_by("-finished_at").values_list("finished_at", flat=True).first())
    ahead = months_ahead(now.date())
    replicas = replica_checks()
    checks = {
        "database": {"ok": True},
        "data_collection": {"last_collection": collected, "age_minutes": _age(now, collected)},
        "aggregation": {"last_completed_at": aggregated, "lag_minutes": _age(now, aggregated)},
        "partitions": {"months_ahead": ahead},
        "replicas": replicas,
        "metrics_version": {"current": METRICS_VERSION, "older_park_days": older_version_days()},
    }
    stale = 3 * settings.COLLECTION_INTERVAL_MINUTES
    problems = [
        collected is None or _age(now, collected) > stale,
        aggregated is None or _age(now, aggregated) > AGGREGATION_LAG_LIMIT_MINUTES,
        ahead is not None and ahead < 1,
        any(not replica["ok"] for replica in replicas),
        checks["metrics_version"]["older_park_days"] > 0,  # aggregate_stats --rebuild recomputes them
    ]
    return ("degraded" if any(problems) else "healthy"), checks


class ReplicaCheckSerializer(serializers.Serializer):
    alias = serializers.CharField()
    ok = serializers.BooleanField()
    lag_seconds = serializers.IntegerField(allow_null=True, help_text="Seconds_Behind_Master; null when unknown")
    error = serializers.CharField(allow_null=True, help_text="Why the replica is skipped")


class HealthChecksSerializer(st.HealthChecksSerializer):
    replicas = ReplicaCheckSerializer(many=True, required=False)


class HealthSerializer(st.HealthSerializer):
    checks = HealthChecksSerializer()


class HealthViewSet(_PublicViewSet):
    """Database, replicas, collection freshness, statistics lag and partition headroom; 503 when unhealthy."""

    throttle_classes = []

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer})
    def list(self, request):
        now = timezone.now()
        status, checks = health_check(now=now)
        body = HealthSerializer({"status": status, "timestamp": now, "checks": checks}).data
        response = Response(body, status=503 if status == "unhealthy" else 200)
        response["Cache-Control"] = "no-store"
        return response
