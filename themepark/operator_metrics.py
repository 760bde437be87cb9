"""Operator metrics for Prometheus at /metrics: request latency by endpoint (every process of the
server, through prometheus-client's multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set, as
bin/serve does) and gauges read from the database at each scrape: collection lag per park, the
last import's rate, statistics lag and each replica's lag.

Only staff sessions and the addresses or networks in METRICS_ALLOWED_IPS may read it.

The catalog knows no other app: each app that owns a figure registers a gauge provider in its
AppConfig.ready() (`gauges_register`): the collection lag comes from quality, the import rate from
the importer, the statistics lag from the warehouse. A provider takes the scrape's time and yields
prometheus-client metric families.
"""
import ipaddress
import os

from typing import Callable, Iterable

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


def seconds_since(now, moment):
    return NAN if moment is None else (now - moment).total_seconds()


_providers: list[Callable] = []


def gauges_register(provider: Callable[..., Iterable]) -> None:
    """Add `provider(now)`, yielding metric families, to every scrape of /metrics."""
    if provider not in _providers:
        _providers.append(provider)


class DatabaseGauges:
    """Gauges read from the database when Prometheus scrapes (on the primary: /metrics is not a
    public API read)."""

    def collect(self):
        from . import db_router

        now = timezone.now()
        for provider in _providers:
            yield from provider(now)

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
    warehouse.register(DatabaseGauges())
    return HttpResponse(generate_latest(processes) + generate_latest(warehouse), content_type=CONTENT_TYPE_LATEST)
