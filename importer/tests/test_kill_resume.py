"""SIGKILL at random instants in every phase of a run (start-up and listing, loading, statistics),
then resume: the observations and every statistics row equal those of an uninterrupted run.

Each `import_archive` runs in its own process group (its parse worker and statistics workers
with it) and the whole group is killed, as a machine or container stop would. The seed is
printed on failure; `KILL_SEED=<n>` replays it.
"""
import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from importer.models import ImportCheckpoint
from importer.tests.conftest import (KILLED_RUN_LEASE, clear_observations, import_command_env, manifest, run_import,
                                     snapshot_rows)
from themepark.models import Destination, Park, Ride
from themepark.tests.processes import ROOT
from warehouse import models as wm

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.mysql_only]
STATISTICS = (wm.ParkOperatingSession, wm.RideStatusChange, wm.RideHourlyStats, wm.RideDailyStats,
              wm.RidePeriodStats, wm.ParkHourlyStats, wm.ParkDailyStats, wm.ParkPeriodStats)
# The phase each kill aims at, in order. A kill is counted in the phase the database shows at its
# instant: "loading" once this process committed a file, "statistics" once it started them.
PHASES = ("loading", "start", "loading", "start", "loading", "statistics", "start", "loading", "statistics",
          "start", "statistics", "statistics")
POLL = 0.005
# Why a start may end early and be started again: the server has not yet ended the killed run's
# session (its lock), or a statistics write met the killed run's unfinished transaction (the run
# ends FAILED with its park-days kept, for a resume to recompute).
RETRY = re.compile(r"being imported|already running|FAILED: statistics")


def _text(value):
    """Floats to 10 significant digits: the database sums a period's daily doubles in the order it
    reads them, which follows the order the days were stored in, and a run killed and resumed
    stores them in another order (the last bits of a sum differ; every other column is exact)."""
    return f"{value:.10g}" if isinstance(value, float) else str(value)


def statistics_rows():
    """Every row of every statistics table, keyed by archive ids (ride and park pks differ between runs)."""
    rides = dict(Ride.objects.values_list("pk", "themeparks_wiki_id"))
    parks = dict(Park.objects.values_list("pk", "themeparks_wiki_id"))
    out = {}
    for model in STATISTICS:
        rows = []
        for row in model.objects.values():
            row.pop("id", None)
            row.pop("computed_at", None)
            if "ride_id" in row:
                row["ride_id"] = rides[row["ride_id"]]
            if "park_id" in row:
                row["park_id"] = parks[row["park_id"]]
            rows.append(tuple(sorted((key, _text(value)) for key, value in row.items())))
        out[model.__name__] = sorted(rows)
    return out


def _wipe():
    clear_observations()
    for model in STATISTICS:
        model.objects.all().delete()
    wm.AggregationRun.objects.all().delete()
    ImportCheckpoint.objects.all().delete()
    Destination.objects.all().delete()  # mappings with it
    Ride.objects.all().delete()  # and the rides with the tiers a run classified (a park outlives its destination)
    Park.objects.all().delete()


def _spawn(source):
    resume = ImportCheckpoint.objects.exists()  # a run killed before its checkpoint exists starts afresh
    args = ["--resume-latest"] if resume else ["--source", str(source)]
    # --workers 0: parsed in turn, the files load slowly enough for the loading kills to land
    command = [sys.executable, str(ROOT / "manage.py"), "import_archive", *args, "--no-input", "--workers", "0",
               "--verbosity", "0"]
    return subprocess.Popen(command, env=import_command_env(), cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _state():
    checkpoint = ImportCheckpoint.objects.first()
    return (checkpoint.files_done, checkpoint.files_total, checkpoint.status) if checkpoint else (0, 0, None)


def _kill_in(process, phase, rng, spawned_at):
    """Kill the process group at a random instant of `phase`; the phase hit, or None if it ended first."""
    files_before = _state()[0]
    at = time.monotonic() + rng.uniform(0.05, 0.5)  # "start": interpreter and Django start-up, listing, locks
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        done, total, status = _state()
        loaded = bool(total) and done == total and status == "IN_PROGRESS"
        if phase == "start" and time.monotonic() >= at:
            break
        if phase == "loading" and not loaded and done > files_before:
            time.sleep(rng.uniform(0, 0.05))  # a file just committed: the next one is on its way
            break
        if loaded and wm.AggregationRun.objects.filter(started_at__gte=spawned_at, status="RUNNING").exists():
            time.sleep(rng.uniform(0, 0.15))
            break
        time.sleep(POLL)
    if process.poll() is not None:
        return None
    done, total, status = _state()
    in_statistics = wm.AggregationRun.objects.filter(started_at__gte=spawned_at).exists()
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    if in_statistics:
        return "statistics"
    return "loading" if done > files_before else "start"  # nothing of this process seen yet: start-up


def test_sigkill_at_random_instants_in_every_phase_then_resume_equals_an_uninterrupted_run(clean_archive):
    seed = int(os.environ.get("KILL_SEED") or time.time_ns() % 1_000_000)
    rng = random.Random(seed)

    run_import(source=str(clean_archive))  # the uninterrupted run
    expected_rows, expected_stats = snapshot_rows(), statistics_rows()
    assert expected_rows[0] and expected_rows[1] and expected_stats["RideDailyStats"]
    assert expected_stats["ParkDailyStats"] and expected_stats["RidePeriodStats"]
    _wipe()

    kills, phases, starts = [], list(PHASES), 0
    while phases and starts < 8 * len(PHASES):  # a scenario the run outpaced starts over
        starts += 1
        if _state()[2] == "COMPLETED":  # it finished between two kills (a busy or an idle machine):
            _wipe()  # the scenario starts over, so every kill counted acts on the final rows
            kills, phases = [], list(PHASES)
        spawned_at = timezone.now()
        process = _spawn(clean_archive)
        hit = _kill_in(process, phases[0], rng, spawned_at)
        if hit is None:  # it ended before the instant came: done, or it must be started again
            error = process.stderr.read().decode()
            assert process.returncode == 0 or RETRY.search(error), (seed, kills, error[-2000:])
            continue
        kills.append((hit, *_state()))
        phases.pop(0)
    for _ in range(30):  # the last resume, uninterrupted (a killed run's lease may still run)
        if _state()[2] == "COMPLETED":
            break
        try:
            run_import(resume_latest=True) if ImportCheckpoint.objects.exists() else run_import(
                source=str(clean_archive))
        except CommandError as exc:
            assert RETRY.search(str(exc)), (seed, kills, str(exc))
            time.sleep(0.3)
    checkpoint = ImportCheckpoint.objects.get()

    print(f"seed {seed}: {len(kills)} kills (phase, files done, files total, status): {kills}")
    phases = {phase for phase, *_ in kills}
    assert len(kills) >= 10 and phases == {"start", "loading", "statistics"}, (seed, kills)
    assert (checkpoint.status, checkpoint.files_done, checkpoint.stats_days) == ("COMPLETED", 8, {}), (seed, kills)
    assert snapshot_rows() == expected_rows, (seed, kills)
    got = statistics_rows()
    for name, rows in expected_stats.items():
        missing, extra = sorted(set(rows) - set(got[name])), sorted(set(got[name]) - set(rows))
        differing = [sorted(set(a) ^ set(b)) for a, b in zip(missing, extra)]
        assert (len(got[name]), missing, extra) == (len(rows), [], []), (seed, kills, name, differing)


def test_a_run_killed_with_sigkill_and_resumed_equals_an_uninterrupted_run(clean_archive):
    command = [sys.executable, str(ROOT / "manage.py"), "import_archive", "--source", str(clean_archive),
               "--no-input", "--workers", "0", "--verbosity", "0"]
    process = subprocess.Popen(command, env=import_command_env(), cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill once a couple of files have committed
        checkpoint = ImportCheckpoint.objects.first()
        if checkpoint and checkpoint.files_done >= 2:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    checkpoint = ImportCheckpoint.objects.get()
    assert checkpoint.status == "IN_PROGRESS" and 2 <= checkpoint.files_done < checkpoint.files_total
    time.sleep(KILLED_RUN_LEASE + 0.5)  # the dead run's locks are free once their lease has run out
    run_import(resume_latest=True)
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.files_done) == ("COMPLETED", checkpoint.files_total)
    resumed = snapshot_rows()
    clear_observations()
    run_import(source=str(clean_archive))
    assert snapshot_rows() == resumed
    assert len(resumed[0]) == manifest(clean_archive)["totals"]["valid_events"] == checkpoint.events_imported


class _Crash(BaseException):
    """A process stop right after the rides' tiers were written (nothing catches it)."""


def test_a_run_stopped_right_after_classifying_its_rides_resumes_to_the_same_figures(longer_archive, monkeypatch):
    """The tiers a run classifies from its figures commit with the end of its statistics: a run
    stopped between the two recomputes its statistics on resume with the tiers it started with,
    not with the ones it had just classified (which would change every park's weights)."""
    from warehouse.aggregation import classify

    run_import(source=str(longer_archive))  # the uninterrupted run
    expected = statistics_rows()
    tiers = set(Ride.objects.filter(tier_source="RULES").values_list("tier", flat=True))
    assert tiers & {1, 3}, tiers  # the classified weights differ from the unclassified ones
    _wipe()

    classify_rides = classify.classify_rides

    def classify_then_stop(**kwargs):
        classify_rides(**kwargs)
        raise _Crash

    monkeypatch.setattr(classify, "classify_rides", classify_then_stop)
    with pytest.raises(_Crash):
        run_import(source=str(longer_archive))
    monkeypatch.setattr(classify, "classify_rides", classify_rides)
    checkpoint = ImportCheckpoint.objects.get()
    assert checkpoint.status == "IN_PROGRESS" and checkpoint.stats_days
    assert not Ride.objects.filter(tier__isnull=False).exists()  # the stopped run's tiers did not commit
    run_import(resume_latest=True)
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.stats_days) == ("COMPLETED", {})
    assert statistics_rows() == expected
    assert set(Ride.objects.filter(tier_source="RULES").values_list("tier", flat=True)) == tiers
