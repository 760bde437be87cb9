"""Quality's figure for /metrics (themepark.operator_metrics): how old each park's newest observation is."""
from prometheus_client.core import GaugeMetricFamily

from themepark.operator_metrics import seconds_since

from .timelines import parks_freshness


def collection_lag_gauges(now):
    lag = GaugeMetricFamily("themepark_collection_lag_seconds",
                            "Age of each active park's newest observation", labels=["park_id", "park"])
    for park in parks_freshness(now=now):
        lag.add_metric([str(park["park_id"]), park["park_name"]], seconds_since(now, park["last_observation"]))
    yield lag
