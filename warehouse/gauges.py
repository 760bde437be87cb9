"""The warehouse's figure for /metrics (themepark.operator_metrics): how long since statistics last completed."""
from prometheus_client.core import GaugeMetricFamily

from themepark.operator_metrics import seconds_since

from .models import AggregationRun


def statistics_gauges(now):
    finished = (AggregationRun.objects.filter(status=AggregationRun.Status.COMPLETED, finished_at__isnull=False)
                .order_by("-finished_at").values_list("finished_at", flat=True).first())
    yield GaugeMetricFamily("themepark_statistics_lag_seconds",
                            "Seconds since the statistics job last completed", value=seconds_since(now, finished))
