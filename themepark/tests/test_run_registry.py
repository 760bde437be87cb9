"""The run registry: the apps that own runs register them at start-up, and the health check and
the dashboard read them by role without importing those apps."""
from datetime import datetime, timedelta, timezone

import pytest
from django.apps import apps

from themepark.run_registry import runs_last_finished, runs_source

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def test_each_run_owning_app_registered_its_roles():
    expected = {"collection": "collector.CollectionRun", "statistics": "warehouse.AggregationRun",
                "import": "importer.ImportCheckpoint", "mapping review": "importer.RideMapping"}
    for role, label in expected.items():
        assert runs_source(role).model is apps.get_model(label)
    assert runs_source("import").waiting_status == "IN_PROGRESS"
    assert runs_source("mapping review").waiting_status == "NEEDS_REVIEW"


def test_the_last_collection_is_the_newest_run_that_brought_data_in():
    run = apps.get_model("collector.CollectionRun")
    assert runs_last_finished("collection") is None
    run.objects.create(started_at=T0, finished_at=T0 + timedelta(minutes=1), status="SUCCESS")
    run.objects.create(started_at=T0 + timedelta(minutes=5), finished_at=T0 + timedelta(minutes=6), status="PARTIAL")
    run.objects.create(started_at=T0 + timedelta(minutes=10), finished_at=T0 + timedelta(minutes=11), status="FAILED")
    run.objects.create(started_at=T0 + timedelta(minutes=15), status="RUNNING")
    assert runs_last_finished("collection") == T0 + timedelta(minutes=6)


def test_a_role_nobody_registered_reads_as_unavailable():
    from quality.dashboard import _runs, _waiting

    assert runs_source("nobody") is None and runs_last_finished("nobody") is None
    assert _runs("nobody") == {"available": False, "label": "nobody"}
    assert _waiting("nobody") == {"available": False, "label": "nobody"}
