from django.apps import AppConfig


class WarehouseConfig(AppConfig):
    name = "warehouse"
    verbose_name = "Warehouse"

    def ready(self):
        from themepark.operator_metrics import gauges_register

        from .gauges import statistics_gauges
        from themepark.run_registry import RunSource, runs_register

        from .models import AggregationRun

        runs_register("statistics", RunSource("statistics runs", AggregationRun))
        gauges_register(statistics_gauges)
