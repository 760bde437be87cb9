from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "importer"
    verbose_name = "Archive import"

    def ready(self):
        from themepark.operator_metrics import gauges_register

        from .gauges import import_gauges
        from themepark.run_registry import RunSource, runs_register

        from .choices import ImportStatus, MappingStatus
        from .models import ImportCheckpoint, RideMapping

        runs_register("import", RunSource("imports", ImportCheckpoint, waiting_status=ImportStatus.IN_PROGRESS))
        runs_register("mapping review", RunSource("ride mappings", RideMapping,
                                                  waiting_status=MappingStatus.NEEDS_REVIEW))
        gauges_register(import_gauges)
