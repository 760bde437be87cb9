"""Operator metrics for Prometheus at /metrics: request latency by endpoint (every process of the
server, through prometheus-client's multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set, as
bin/serve does) and gauges read from the database at each scrape: collection lag per park, the
last import's rate, statistics lag and each replica's lag.

Only staff sessions and the addresses or networks in METRICS_ALLOWED_IPS may read it.
"""
import ipaddress
import os

from django.apps import apps
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REQUEST_LATENCY = Histogram(
    "themepark_http_request_duration_seconds", "Time to answer a request, by endpoint (URL pattern name)",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

NAN = float("nan")


def _seconds_since(now, moment):
    return NAN if moment is None else (now - moment).total_seconds()


class WarehouseCollector:
    """Gauges read from the database when Prometheus scrapes (on the primary: /metrics is not a
    public API read)."""

    def collect(self):
        from quality.timelines import parks_freshness

        from . import db_router

        now = timezone.now()
        lag = GaugeMetricFamily("themepark_collection_lag_seconds",
                                "Age of each active park's newest observation", labels=["park_id", "park"])
        for park in parks_freshness(now=now):
            lag.add_metric([str(park["park_id"]), park["park_name"]], _seconds_since(now, park["last_observation"]))
        yield lag

        checkpoint = apps.get_model("importer", "ImportCheckpoint")
        last_import = checkpoint.objects.filter(started_at__isnull=False).order_by("-started_at").first()
        yield GaugeMetricFamily("themepark_import_rate_events_per_second",
                                "Events per second of the latest archive import run (current or last)",
                                value=last_import.rate if last_import else NAN)
        yield GaugeMetricFamily("themepark_import_last_update_age_seconds",
                                "Seconds since the latest archive import run last recorded progress",
                                value=_seconds_since(now, last_import.updated_at if last_import else None))

        run = apps.get_model("warehouse", "AggregationRun")
        finished = (run.objects.filter(status=run.Status.COMPLETED, finished_at__isnull=False)
                    .order_by("-finished_at").values_list("finished_at", flat=True).first())
        yield GaugeMetricFamily("themepark_statistics_lag_seconds",
                                "Seconds since the statistics job last completed", value=_seconds_since(now, finished))

        replica_lag = GaugeMetricFamily("themepark_replica_lag_seconds",
                                        "Seconds_Behind_Master of each read replica (NaN: unknown)", labels=["replica"])
        replica_up = GaugeMetricFamily("themepark_replica_healthy",
                                       "1 when the replica takes API reads, 0 when it is skipped", labels=["replica"])
        for state in db_router.HEALTH.states(fresh=True):
            value = state["lag_seconds"]
            replica_lag.add_metric([state["alias"]], NAN if value is None else value)
            replica_up.add_metric([state["alias"]], 1 if state["ok"] else 0)
        yield replica_lag
        yield replica_up


def _address_allowed(address):
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if ip in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


def metrics_view(request):
    user = getattr(request, "user", None)
    if not (user is not None and user.is_active and user.is_staff) and not _address_allowed(
            request.META.get("REMOTE_ADDR")):
        return JsonResponse({"success": False, "error": "Metrics are for staff or the addresses in "
                                                        "METRICS_ALLOWED_IPS."}, status=403)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    warehouse = CollectorRegistry()
    warehouse.register(WarehouseCollector())
    return HttpResponse(generate_latest(processes) + generate_latest(warehouse), content_type=CONTENT_TYPE_LATEST)
