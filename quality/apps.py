from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Data quality"

    def ready(self):
        from themepark.operator_metrics import gauges_register
        from warehouse.problems import problems_sink_register

        from .gauges import collection_lag_gauges
        from .services import quality_issue_record

        problems_sink_register(quality_issue_record)
        gauges_register(collection_lag_gauges)
