"""Schedules and entity metadata moved from the collector to the catalog (themepark 0005,
collector 0004) without touching their tables: rows written before the move are read through the
new models after it, and the move reverses to the old models with the rows still there."""
from datetime import date, datetime, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("themepark", "0004_joblock"), ("collector", "0003_alerts")]
AFTER = [("themepark", "0005_catalog_schedules_metadata"), ("collector", "0004_catalog_schedules_metadata")]
NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _content_type_app(model):
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_label FROM django_content_type WHERE model = %s", [model])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it_and_after_going_back():
    try:
        old = _migrate(BEFORE)
        park = old.get_model("themepark", "Park").objects.create(name="Moved Park", timezone="America/New_York")
        ride = old.get_model("themepark", "Ride").objects.create(park=park, name="Moved Ride")
        old.get_model("collector", "ParkSchedule").objects.create(
            park=park, date=date(2026, 11, 20), schedule_type="OPERATING", opening_time=NOW, closing_time=NOW)
        metadata = old.get_model("collector", "EntityMetadata").objects.create(
            ride=ride, latitude=28.4, longitude=-81.5, content_hash="a", checked_at=NOW, changed_at=NOW)
        old.get_model("collector", "EntityMetadataVersion").objects.create(
            metadata=metadata, version=1, data={"latitude": 28.4}, content_hash="a", recorded_at=NOW)
        if not _content_type_app("parkschedule"):
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO django_content_type (app_label, model) "
                               "VALUES ('collector', 'parkschedule')")

        new = _migrate(AFTER)
        schedule = new.get_model("themepark", "ParkSchedule").objects.get(park_id=park.pk)
        assert schedule.schedule_type == "OPERATING"
        moved = new.get_model("themepark", "EntityMetadata").objects.get(ride_id=ride.pk)
        assert moved.latitude == 28.4
        assert list(moved.versions.values_list("version", flat=True)) == [1]
        with pytest.raises(LookupError):
            new.get_model("collector", "ParkSchedule")
        assert _content_type_app("parkschedule") == ["themepark"]

        back = _migrate(BEFORE)
        assert back.get_model("collector", "ParkSchedule").objects.filter(park_id=park.pk).count() == 1
        assert back.get_model("collector", "EntityMetadataVersion").objects.get().metadata.ride_id == ride.pk
        with pytest.raises(LookupError):
            back.get_model("themepark", "ParkSchedule")
        assert _content_type_app("parkschedule") == ["collector"]
    finally:
        _latest()
