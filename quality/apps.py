from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Data quality"

    def ready(self):
        from warehouse.problems import problems_sink_register

        from .services import quality_issue_record

        problems_sink_register(quality_issue_record)
