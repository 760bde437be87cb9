from django.apps import AppConfig


class CollectorConfig(AppConfig):
    name = "collector"
    verbose_name = "Live collection"

    def ready(self):
        from themepark.run_registry import RunSource, runs_register

        from .models import CollectionRun
        from .selectors import collection_last_finished

        runs_register("collection", RunSource("collection runs", CollectionRun,
                                              last_finished=collection_last_finished))
