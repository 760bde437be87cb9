"""One import run spread over several `import_archive --worker` processes.

Workers claim the run's day files one by one; a SIGKILLed worker's claimed file goes back to the
others once its lease has run out; the rows and the statistics equal a single-process run's.
"""
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date

import pytest
from django.core.management.base import CommandError

from importer.models import ImportCheckpoint, PlannedFile
from importer.services.workers import run_token
from importer.tests.conftest import import_command_env, run_import, snapshot_rows
from importer.tests.test_kill_resume import _wipe, statistics_rows
from themepark.locks import JobLock, LockBusy
from themepark.tests.processes import ROOT, lock_holders, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.mysql_only]


def _worker(*args):
    command = [sys.executable, str(ROOT / "manage.py"), "import_archive", "--worker", *args, "--no-input",
               "--verbosity", "0"]
    return subprocess.Popen(command, env=import_command_env(), cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(predicate, timeout=60.0):
    return wait_for(predicate, timeout, step=0.005)


def _kill(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_workers_share_a_run_a_killed_workers_file_is_reclaimed_and_totals_equal_one_process(clean_archive):
    run_import(source=str(clean_archive))  # the single-process run
    expected_rows, expected_stats = snapshot_rows(), statistics_rows()
    totals = ("files_done", "events_read", "events_imported", "duplicates", "invalid")
    expected_cp = ImportCheckpoint.objects.values(*totals).get()
    _wipe()

    first = _worker("--source", str(clean_archive))
    processes = [first]
    try:
        checkpoint = _wait(lambda: ImportCheckpoint.objects.filter(planned_files__isnull=False,
                                                                   status="IN_PROGRESS").first())
        # While the checkpoint's row is held no file can commit: each worker claims one and waits,
        # so the files are spread over the three, and the first is SIGKILLed holding its claim.
        with _checkpoint_row_held(checkpoint):
            second = _worker("--resume", checkpoint.import_id)
            third = _worker("--resume", checkpoint.import_id)
            processes += [second, third]
            _wait(lambda: _exited(processes) or PlannedFile.objects.filter(
                checkpoint=checkpoint, status="CLAIMED").values("claimed_by").distinct().count() >= 3)
            assert not _exited(processes), [p.stderr.read().decode()[-2000:] for p in processes if p.poll()]
            _kill(first)
        killed_key = PlannedFile.objects.filter(worker__contains=f"/{first.pid} ").exclude(
            status="DONE").values_list("key", flat=True).get()
        for process in (second, third):
            process.wait(timeout=120)
            errors = ImportCheckpoint.objects.values_list("error_log", flat=True).get()
            assert process.returncode == 0, (process.stderr.read().decode()[-2000:], errors)
    finally:
        for process in processes:
            _kill(process)

    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.stats_days, checkpoint.failed_files) == ("COMPLETED", {}, [])
    plan = list(PlannedFile.objects.filter(checkpoint=checkpoint).values_list("key", "status", "claims", "worker"))
    assert len(plan) == 8 and {status for _, status, _, _ in plan} == {"DONE"}
    assert len({worker.split()[0] for *_, worker in plan}) >= 2  # the files were spread over the workers
    assert dict((k, c) for k, _, c, _ in plan)[killed_key] >= 2  # the killed worker's file, claimed again
    assert ImportCheckpoint.objects.values(*totals).get() == expected_cp
    assert snapshot_rows() == expected_rows
    assert statistics_rows() == expected_stats


def _exited(processes):
    return any(process.poll() is not None for process in processes)


@contextmanager
def _checkpoint_row_held(checkpoint):
    """Hold the checkpoint's row lock on a connection of its own: a worker starting the run waits
    for it in its first write (`workers._start`)."""
    from django.db import connections

    conn = connections.create_connection("default")
    try:
        with conn.cursor() as cursor:
            cursor.execute("START TRANSACTION")
            table = ImportCheckpoint._meta.db_table
            cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [checkpoint.pk])
            yield
            cursor.execute("ROLLBACK")
    finally:
        conn.close()


def test_pause_stops_every_worker_and_a_worker_resumes_the_run(longer_archive):
    run_import(source=str(longer_archive))
    expected_rows = snapshot_rows()
    _wipe()

    first = _worker("--source", str(longer_archive))
    workers = [first]
    try:
        # Paused as soon as the first worker has started the run (a pause before that is undone by
        # its start), so that two workers share what is left however fast the machine is.
        checkpoint = _wait(lambda: ImportCheckpoint.objects.filter(planned_files__isnull=False,
                                                                   status="IN_PROGRESS").first())
        ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(status="PAUSED")
        first.wait(timeout=60)  # it stops at its first file boundary (or before it claims any)
        with _checkpoint_row_held(checkpoint):  # both resumed workers wait at the run's start ...
            workers = [_worker("--resume", checkpoint.import_id) for _ in range(2)]
            _wait(lambda: _exited(workers) or len(lock_holders(f"worker:{checkpoint.import_id}:")) >= 2)
            assert not _exited(workers), [w.stderr.read().decode()[-2000:] for w in workers if w.poll() is not None]
        # ... and are let go together, so that both work however loaded the machine is
        _wait(lambda: PlannedFile.objects.exclude(worker="").values("worker").distinct().count() >= 2)
        ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(status="PAUSED")
        for process in workers:
            process.wait(timeout=60)
            assert process.returncode == 0, process.stderr.read().decode()[-2000:]
    finally:
        for process in workers:
            _kill(process)
    checkpoint.refresh_from_db()
    assert checkpoint.status == "PAUSED" and checkpoint.files_done < 24
    assert not PlannedFile.objects.filter(checkpoint=checkpoint, status="CLAIMED").exists()
    left = PlannedFile.objects.filter(checkpoint=checkpoint, status="PENDING").count()

    run_import(resume=checkpoint.import_id, worker=True)
    checkpoint.refresh_from_db()
    assert checkpoint.status == "COMPLETED" and checkpoint.files_done == 24
    assert not PlannedFile.objects.filter(checkpoint=checkpoint).exclude(status="DONE").exists()
    assert snapshot_rows() == expected_rows
    print(f"paused with {left} file(s) left")


def test_a_running_worker_run_holds_its_destinations_against_other_runs(clean_archive):
    run_import(source=str(clean_archive), worker=True, no_statistics=True)
    checkpoint = ImportCheckpoint.objects.get()
    assert checkpoint.status == "COMPLETED" and PlannedFile.objects.filter(status="DONE").count() == 8
    ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(status="PAUSED")
    destinations = sorted({key.split("/")[0] for key in PlannedFile.objects.values_list("key", flat=True)})
    names = [f"import:{checkpoint.import_id}", *[f"dest:{d}" for d in destinations]]
    one = JobLock(*names, shared_token=run_token(checkpoint.import_id), lease_seconds=30)
    other = JobLock(*names, shared_token=run_token(checkpoint.import_id), lease_seconds=30)
    one.acquire()
    try:
        other.acquire()  # a second worker of the same run shares the locks
        with pytest.raises(LockBusy):
            JobLock(names[1], lease_seconds=30).acquire()
        with pytest.raises(CommandError, match="being imported|already running"):
            run_import(source=str(clean_archive))  # another run on the same destinations
        with pytest.raises(CommandError, match="being imported|already running"):
            run_import(resume=checkpoint.import_id)  # a single process on the workers' run
        other.release(keep=True)  # a worker leaving while another works keeps the rows
        one.ensure_held()
        time.sleep(0.1)
        with pytest.raises(LockBusy):
            JobLock(names[1], lease_seconds=30).acquire()
    finally:
        other.release()
        one.release()


def _stats_worker():
    command = [sys.executable, str(ROOT / "manage.py"), "aggregate_stats", "--worker", "--start", "2024-03-08",
               "--end", "2024-03-21", "--wait", "120", "--verbosity", "0"]
    return subprocess.Popen(command, env=import_command_env(), cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_while_running(process):
    """SIGKILL `process` at a moment it certainly holds a RUNNING statistics run (whose id is
    returned): frozen (SIGSTOP) first, killed only if its run is still RUNNING once a statement it
    had sent before it froze has had time to land, else thawed and tried again."""
    from themepark.models import JobLock as LockRow
    from warehouse.models import AggregationRun

    def running():
        tokens = LockRow.objects.filter(owner__contains=f"/{process.pid} ").values_list("token", flat=True)
        return AggregationRun.objects.filter(status="RUNNING", lock_token__in=list(tokens)).values_list(
            "pk", flat=True).first()

    while True:
        _wait(running)
        os.killpg(process.pid, signal.SIGSTOP)
        time.sleep(1.0)
        run = running()
        if run:
            _kill(process)
            return run
        os.killpg(process.pid, signal.SIGCONT)


def test_statistics_workers_share_the_parks_and_take_over_a_killed_workers_park(longer_archive):
    from importer.tests.test_kill_resume import STATISTICS
    from warehouse.aggregation.runs import runs_abandoned_close
    from warehouse.models import AggregationRun, ParkDayFingerprint

    from django.core.management import call_command

    def wipe():
        for model in (*STATISTICS, ParkDayFingerprint, AggregationRun):
            model.objects.all().delete()

    run_import(source=str(longer_archive))  # rows, and the rides' tiers classified from their figures
    wipe()
    call_command("aggregate_stats", start=date(2024, 3, 8), end=date(2024, 3, 21), verbosity=0)  # one process
    expected = statistics_rows()
    wipe()

    first, second = _stats_worker(), _stats_worker()
    try:
        _wait(lambda: AggregationRun.objects.filter(status="RUNNING").count() >= 2)  # each holds a park
        killed = _kill_while_running(first)
        second.wait(timeout=180)
        assert second.returncode == 0, second.stderr.read().decode()[-2000:]
    finally:
        _kill(first)
        _kill(second)
    # The killed worker's run is closed FAILED once its lease has run out: by the other worker when
    # it had to take the park over, else (the park was computed already) by the next run.
    _wait(lambda: runs_abandoned_close() or AggregationRun.objects.get(pk=killed).status != "RUNNING")
    assert AggregationRun.objects.get(pk=killed).status == "FAILED"
    assert not AggregationRun.objects.filter(status="RUNNING").exists()
    assert statistics_rows() == expected


def test_a_pause_made_before_a_new_runs_first_worker_starts_it_stands(clean_archive, monkeypatch):
    """An operator pausing the run between its creation and its start: the worker does not undo
    the pause; it stops with a message and loads nothing. A --resume then runs it whole."""
    from importer.services import workers

    real_plan = workers.plan_create

    def paused_meanwhile(cp, files):
        count = real_plan(cp, files)
        ImportCheckpoint.objects.filter(pk=cp.pk).update(status="PAUSED")
        return count

    monkeypatch.setattr(workers, "plan_create", paused_meanwhile)
    with pytest.raises(CommandError, match="is PAUSED: it was stopped before it started"):
        run_import(source=str(clean_archive), worker=True, no_statistics=True)
    checkpoint = ImportCheckpoint.objects.get()
    assert checkpoint.status == "PAUSED" and checkpoint.files_done == 0
    assert not PlannedFile.objects.exclude(status="PENDING").exists() and PlannedFile.objects.count() == 8

    monkeypatch.setattr(workers, "plan_create", real_plan)
    run_import(resume=checkpoint.import_id, worker=True, no_statistics=True)
    checkpoint.refresh_from_db()
    assert checkpoint.status == "COMPLETED" and checkpoint.files_done == 8
