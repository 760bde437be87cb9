from django.apps import AppConfig


class ThemeparkConfig(AppConfig):
    name = "themepark"
    verbose_name = "Catalog"

    def ready(self):
        from . import checks  # noqa: F401  (registers system checks)
