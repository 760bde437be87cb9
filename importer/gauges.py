"""The importer's figures for /metrics (themepark.operator_metrics): the latest run's rate and progress."""
from prometheus_client.core import GaugeMetricFamily

from themepark.operator_metrics import NAN, seconds_since

from .models import ImportCheckpoint


def import_gauges(now):
    last = ImportCheckpoint.objects.filter(started_at__isnull=False).order_by("-started_at").first()
    yield GaugeMetricFamily("themepark_import_rate_events_per_second",
                            "Events per second of the latest archive import run (current or last)",
                            value=last.rate if last else NAN)
    yield GaugeMetricFamily("themepark_import_last_update_age_seconds",
                            "Seconds since the latest archive import run last recorded progress",
                            value=seconds_since(now, last.updated_at if last else None))
