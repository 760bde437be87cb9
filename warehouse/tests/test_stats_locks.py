"""Statistics runs are exclusive per park (job locks `stats:park:<id>`): started together, one
works and the others say who holds their parks and exit non-zero; runs over other parks go on;
a killed run blocks nobody after its lease. And `aggregate_stats --check` finds the park days
whose observations changed after their figures were computed; `--repair` recomputes them.

Runs race as separate `manage.py aggregate_stats` processes. To hold a winner inside its run
while the others start, the test write-locks the table a run writes after each park day
(`LOCK TABLES ... WRITE` on a connection of its own): the winner waits there, holding its
job lock, until the test unlocks it."""
import signal
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connections

from themepark.locks import JobLock
from themepark.tests.factories import make_observations, make_park, make_ride
from themepark.tests.processes import lock_holders, manage, stop, wait_for
from warehouse.ingest import ingest
from warehouse.models import AggregationRun, ParkDailyStats, ParkDayFingerprint, RideDailyStats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.mysql_only]
D = date(2024, 6, 12)
LEASE = 2.0


@pytest.fixture(autouse=True)
def no_lock_rows():
    yield
    conn = connections.create_connection("default")
    with conn.cursor() as cursor:
        cursor.execute("DELETE FROM job_lock")
    conn.close()


@contextmanager
def runs_held_after_their_first_day():
    """Runs that got their locks wait after computing their first park day until the block ends."""
    conn = connections.create_connection("default")
    with conn.cursor() as cursor:
        cursor.execute(f"LOCK TABLES {ParkDayFingerprint._meta.db_table} WRITE")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute("UNLOCK TABLES")
        conn.close()


def _parks(n):
    parks = []
    for _ in range(n):
        park = make_park()
        ride = make_ride(park)
        start = datetime(2024, 6, 12, 14, tzinfo=timezone.utc)  # 10:00 in New York
        ingest(make_observations(ride, 12, start, data_source="ARCHIVE"), now=datetime(2024, 7, 1, tzinfo=timezone.utc))
        parks.append(park)
    return parks


def _range(*parks, extra=()):
    return ("aggregate_stats", *[arg for p in parks for arg in ("--park", str(p.pk))], "--start", str(D),
            *extra)


def test_four_runs_started_together_one_works_and_the_others_exit_non_zero_naming_it():
    _parks(2)
    with runs_held_after_their_first_day():
        runs = [manage("aggregate_stats", "--verbosity", "1", JOB_LOCK_LEASE_SECONDS=LEASE) for _ in range(4)]
        try:
            wait_for(lambda: sum(run.poll() is not None for run in runs) == 3, timeout=120)
            [winner] = [run for run in runs if run.poll() is None]
            [owner] = set(lock_holders("stats:park:").values())  # both parks, one holder
            assert owner.endswith(f"/{winner.pid} aggregate_stats incremental")
            for run in runs:
                if run is not winner:
                    _, err = run.communicate()
                    assert run.returncode != 0
                    assert "another statistics run holds these parks, refused" in err
                    assert f"/{winner.pid} aggregate_stats incremental" in err
            wait_for(lambda: AggregationRun.objects.exists())  # the winner writes its row after its locks
            assert AggregationRun.objects.count() == 1  # a refused run leaves no row
        except BaseException:
            stop(*runs)
            raise
    try:
        out, err = winner.communicate(timeout=120)
        assert winner.returncode == 0, err
    finally:
        stop(*runs)
    run = AggregationRun.objects.get()
    assert (run.status, run.mode, run.parks_done) == ("COMPLETED", "INCREMENTAL", 2)
    assert lock_holders() == {}


def test_ranged_runs_over_shared_parks_never_run_at_once_and_runs_over_other_parks_do():
    p1, p2, p3, p4 = _parks(4)
    with runs_held_after_their_first_day():
        first = manage(*_range(p1, p2), JOB_LOCK_LEASE_SECONDS=LEASE)
        started = []
        try:
            wait_for(lambda: {f"stats:park:{p1.pk}", f"stats:park:{p2.pk}"} <= set(lock_holders()))
            overlapping = manage(*_range(p2, p3), JOB_LOCK_LEASE_SECONDS=LEASE)
            started.append(overlapping)
            _, err = overlapping.communicate(timeout=120)
            assert overlapping.returncode != 0 and f"stats:park:{p2.pk} is held by" in err
            assert f"stats:park:{p3.pk}" not in lock_holders()  # all or nothing: p3 was given back
            waiting = manage(*_range(p2, p3, extra=("--wait", "120")), JOB_LOCK_LEASE_SECONDS=LEASE)
            other = manage(*_range(p4), JOB_LOCK_LEASE_SECONDS=LEASE)
            started += [waiting, other]
            wait_for(lambda: f"stats:park:{p4.pk}" in lock_holders())  # other parks: runs alongside
            time.sleep(1.0)
            assert waiting.poll() is None and f"stats:park:{p3.pk}" not in lock_holders()  # waits its turn
        except BaseException:
            stop(first, *started)
            raise
    try:
        for run in (first, waiting, other):
            _, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
    finally:
        stop(first, *started)
    runs = sorted(AggregationRun.objects.values_list("status", "parks_done"))
    assert runs == [("COMPLETED", 1), ("COMPLETED", 2), ("COMPLETED", 2)]
    assert set(ParkDailyStats.objects.filter(date=D).values_list("park_id", flat=True)) == {p1.pk, p2.pk, p3.pk, p4.pk}


def test_a_killed_run_blocks_nobody_after_its_lease_and_is_marked_failed():
    park, = _parks(1)
    with runs_held_after_their_first_day():
        killed = manage(*_range(park), JOB_LOCK_LEASE_SECONDS=LEASE)
        try:
            wait_for(lambda: f"stats:park:{park.pk}" in lock_holders())
            wait_for(lambda: AggregationRun.objects.filter(status="RUNNING").exists())
            killed.send_signal(signal.SIGKILL)
            killed.wait()
        finally:
            stop(killed)
    with pytest.raises(CommandError, match=f"/{killed.pid} aggregate_stats range"):
        call_command("aggregate_stats", "--park", str(park.pk), "--start", str(D), stdout=StringIO())
    call_command("aggregate_stats", "--park", str(park.pk), "--start", str(D), "--wait", str(LEASE + 5),
                 stdout=StringIO())
    dead, done = AggregationRun.objects.order_by("pk")
    assert (dead.status, done.status) == ("FAILED", "COMPLETED") and "died" in dead.error_text
    assert ParkDailyStats.objects.filter(park=park, date=D).exists()


def test_a_run_whose_parks_are_held_is_refused_with_the_holder_and_writes_nothing():
    park, = _parks(1)
    with JobLock(f"stats:park:{park.pk}", purpose="an import's statistics"):
        with pytest.raises(CommandError, match="held by .* an import's statistics"):
            call_command("aggregate_stats", "--park", str(park.pk), "--start", str(D), stdout=StringIO())
    assert not AggregationRun.objects.exists() and not ParkDailyStats.objects.exists()


def test_check_lists_park_days_changed_after_their_figures_and_repair_recomputes_them():
    park, = _parks(1)
    ride = park.rides.get()
    with time_machine.travel(datetime(2024, 7, 1, tzinfo=timezone.utc), tick=False):
        call_command("aggregate_stats", "--park", str(park.pk), "--start", str(D - timedelta(days=1)),
                     "--end", str(D + timedelta(days=1)), stdout=StringIO())
        check = ("aggregate_stats", "--check", "--park", str(park.pk), "--start", str(D - timedelta(days=3)),
                 "--end", str(D + timedelta(days=3)))
        out = StringIO()
        call_command(*check, stdout=out)
        assert "0 park day(s) changed" in out.getvalue()
        assert RideDailyStats.objects.get(ride=ride, date=D).peak_wait_minutes == 10
        # A late file: the afternoon of D (longer waits), and a day never computed at all.
        ingest(make_observations(ride, 24, datetime(2024, 6, 12, 18, tzinfo=timezone.utc), data_source="ARCHIVE",
                                 wait_time=60)
               + make_observations(ride, 6, datetime(2024, 6, 15, 15, tzinfo=timezone.utc), data_source="ARCHIVE"),
               now=datetime(2024, 7, 1, tzinfo=timezone.utc))
        out = StringIO()
        with pytest.raises(CommandError, match="2 park day"):
            call_command(*check, stdout=out)
        assert f"park {park.pk} 2024-06-12: 36 observations now, 12 observations when computed" in out.getvalue()
        assert f"park {park.pk} 2024-06-15: 6 observations now, never computed" in out.getvalue()
        call_command(*check, "--repair", stdout=StringIO())
        assert RideDailyStats.objects.get(ride=ride, date=D).peak_wait_minutes == 60
        assert AggregationRun.objects.order_by("-pk").first().mode == "REPAIR"
        out = StringIO()
        call_command(*check, stdout=out)
        assert "0 park day(s) changed" in out.getvalue()
