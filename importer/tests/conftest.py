"""Fixtures of the importer tests: small committed archives made with make_archive.py."""
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from themepark.tests.processes import command_env

DATA = Path(__file__).resolve().parent / "data"
KILLED_RUN_LEASE = 2.0  # the job-lock lease of runs the tests kill: their locks are free this long after
KILLED_RUN_GROUP_ROWS = 1800  # runs the tests kill load their files two by two (the clean archive's ~900 events each)


@pytest.fixture
def corrupt_archive():
    """3 destinations x 3 days, 8 files each corrupted in one of the 8 ways (see its MANIFEST.json)."""
    return DATA / "corrupt"


@pytest.fixture
def clean_archive():
    """2 destinations x 4 days (2024-03-09..12, across the US DST change), one ride renamed."""
    return DATA / "clean"


@pytest.fixture(scope="module")
def longer_archive(tmp_path_factory):
    """2 destinations x 12 days: long enough to pause while two workers are at it."""
    out = tmp_path_factory.mktemp("archive24")
    call_command("make_archive", out=str(out), destinations=2, days=12, parks=2, rides=6, seed=5,
                 stdout=StringIO())
    return out


def manifest(path):
    return json.loads((Path(path) / "MANIFEST.json").read_text())


def run_import(*args, **options):
    """call_command('import_archive') -> (output text, exception or None)."""
    out = StringIO()
    options.setdefault("no_input", True)
    options.setdefault("workers", 0)
    call_command("import_archive", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def snapshot_rows():
    """Every stored observation keyed by archive ids, so runs on different ride pks compare."""
    from themepark.models import Ride
    from warehouse.models import QueueData, RideStatusSnapshot

    wiki = dict(Ride.objects.values_list("pk", "themeparks_wiki_id"))
    snaps = sorted((wiki[r], at.isoformat(), s, w, src) for r, at, s, w, src in RideStatusSnapshot.objects.values_list(
        "ride_id", "recorded_at", "status", "wait_time", "data_source"))
    queues = sorted((wiki[r], at.isoformat(), q, w, str(rs), p) for r, at, q, w, rs, p in QueueData.objects.values_list(
        "ride_id", "recorded_at", "queue_type", "wait_time_minutes", "return_time_start", "price_amount"))
    return snaps, queues


def import_command_env():
    """The environment of an import run in a child process (one the test may kill)."""
    return command_env(JOB_LOCK_LEASE_SECONDS=KILLED_RUN_LEASE, IMPORT_LOAD_GROUP_ROWS=KILLED_RUN_GROUP_ROWS)


def clear_observations():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM queue_data")
        cursor.execute("DELETE FROM ride_status_snapshots")
