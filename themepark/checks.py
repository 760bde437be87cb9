"""System checks: UTC everywhere, a MySQL-family database, partitions ahead."""
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import connection


@register()
def check_utc(app_configs, **kwargs):
    if settings.TIME_ZONE != "UTC" or not settings.USE_TZ:
        return [Error("TIME_ZONE must be 'UTC' with USE_TZ = True; park days come from Park.timezone.",
                      id="themepark.E001")]
    return []


@register(Tags.database)
def check_database(app_configs, **kwargs):
    if connection.vendor != "mysql":
        if settings.DEBUG:
            return []  # the embedded SQLite demo
        return [Warning(f"The database is {connection.vendor}: fine for the demo, but production runs "
                        "on MySQL/MariaDB (partitions, fast ingest).", id="themepark.W001")]
    from django.utils import timezone

    from warehouse.partitions import months_ahead

    ahead = months_ahead(timezone.now().date())
    if ahead is not None and ahead < 1:  # None: not migrated yet
        return [Warning("Next month's partition is missing: run `manage.py manage_partitions`.",
                        id="themepark.W002")]
    return []
