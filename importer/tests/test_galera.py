"""The project on a 3-node MariaDB Galera cluster (Debian's galera-4), started on loopback.

The schema, the partition DDL and `manage_partitions`, the job lock across nodes, and an import
spread over three `--worker` processes, one per node, during which one node is SIGKILLed and one
worker too: the surviving worker takes over their files, and the rows and statistics on every node
(the killed one rejoined) equal an uninterrupted single-process run's on a plain server.

Selected with `-m galera`; skipped where galera-4 or rsync is missing. The nodes listen on free
loopback ports (themepark/tests/mariadb_cluster.py).
"""
import json
import os
import subprocess
import sys

import pytest

from importer.tests.conftest import run_import, snapshot_rows
from importer.tests.test_kill_resume import statistics_rows
from importer.tests.test_workers import _kill
from themepark.tests.mariadb_cluster import GaleraCluster, galera_available
from themepark.tests.processes import ROOT, wait_for

pytestmark = [pytest.mark.galera, pytest.mark.mysql_only]
DATABASE = "themepark_galera"
# Writes stall on every node until the cluster has evicted a killed node (the harness sets
# evs.inactive_timeout to 6 s; Galera's default is 15 s): a lease must outlast that stall, or the
# surviving workers lose their locks to it. The default lease (60 s) does.
LEASE = 12.0
DUMP = ("import json; from importer.tests.conftest import snapshot_rows; "
        "from importer.tests.test_kill_resume import statistics_rows; "
        "print(json.dumps([snapshot_rows(), statistics_rows()], default=str))")


@pytest.fixture(scope="module")
def cluster():
    reason = galera_available()
    if reason:
        pytest.skip(reason)
    with GaleraCluster(3) as galera:
        galera.query(1, f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        yield galera


def _env(cluster, node):
    return dict(os.environ, DJANGO_SETTINGS_MODULE="themepark.settings.test", DATABASE_URL=cluster.url(node, DATABASE),
                JOB_LOCK_LEASE_SECONDS=str(LEASE))


def _manage(cluster, node, *args, check=True, timeout=300):
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=_env(cluster, node), cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-3000:])
    return result


def _spawn(cluster, node, *args):
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *args], env=_env(cluster, node), cwd=ROOT,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _one(cluster, node, sql, params=None):
    rows = cluster.query(node, sql, DATABASE, params)
    return rows[0] if rows else None


def _wait(predicate, timeout=120.0):
    def tolerant():
        try:
            return predicate()
        except Exception:  # noqa: BLE001 - a node still (re)joining
            return None
    return wait_for(tolerant, timeout, step=0.01)


@pytest.mark.django_db(transaction=True)
def test_schema_partitions_locks_and_a_worker_import_survive_a_killed_node_and_a_killed_worker(
        cluster, longer_archive):
    run_import(source=str(longer_archive))  # the reference: one process, one plain server
    expected = json.loads(json.dumps([snapshot_rows(), statistics_rows()], default=str))

    # schema and partitions, through different nodes
    _manage(cluster, 1, "migrate", "--no-input", "-v", "0")
    _manage(cluster, 2, "manage_partitions")
    partitions = {node: _one(cluster, node, "SELECT COUNT(*) FROM information_schema.PARTITIONS WHERE "
                                            "TABLE_SCHEMA = %s AND TABLE_NAME = 'ride_status_snapshots'", [DATABASE])
                  for node in (1, 2, 3)}
    assert len(set(partitions.values())) == 1 and partitions[1][0] > 1, partitions

    # the job lock is one row of the cluster: held through node 1, refused through node 2
    _manage(cluster, 1, "shell", "-c", "import os; from themepark.locks import JobLock; "
                                       "JobLock('galera-check', lease_seconds=60).acquire(); os._exit(0)")
    refused = _manage(cluster, 2, "shell", "-c", "from themepark.locks import JobLock, LockBusy\n"
                                                 "try:\n    JobLock('galera-check', lease_seconds=60).acquire()\n"
                                                 "except LockBusy as exc:\n    print('BUSY', exc)")
    assert "BUSY lock galera-check is held by" in refused.stdout, refused.stdout

    # a worker import through every node; node 1 and the worker on node 2 are SIGKILLed mid-run
    first = _spawn(cluster, 1, "import_archive", "--worker", "--source", str(longer_archive), "--no-input",
                   "--verbosity", "0")
    workers = [first]
    try:
        import_id = _wait(lambda: _one(cluster, 3, "SELECT c.import_id FROM importer_importcheckpoint c JOIN "
                                                   "importer_plannedfile p ON p.checkpoint_id = c.id LIMIT 1"))[0]
        second = _spawn(cluster, 2, "import_archive", "--worker", "--resume", import_id, "--no-input", "-v", "0")
        third = _spawn(cluster, 3, "import_archive", "--worker", "--resume", import_id, "--no-input", "-v", "0")
        workers += [second, third]

        def claimed_by(process):
            return _one(cluster, 3, "SELECT COUNT(*) FROM importer_plannedfile WHERE status = 'CLAIMED' "
                                    "AND worker LIKE %s", [f"%/{process.pid} %"])[0]

        _wait(lambda: claimed_by(first))
        cluster.kill(1)  # node 1 dies under its worker, which holds a file
        _wait(lambda: claimed_by(second) or second.poll() is not None)
        _kill(second)  # and the worker on node 2 dies holding a file
        third.wait(timeout=180)
        assert third.returncode == 0, third.stderr.read().decode()[-3000:]
        first.wait(timeout=60)
    finally:
        for process in workers:
            _kill(process)

    status, done, stats_days = _one(cluster, 3, "SELECT status, files_done, stats_days FROM "
                                                "importer_importcheckpoint WHERE import_id = %s", [import_id])
    assert (status, done, json.loads(stats_days)) == ("COMPLETED", 24, {})
    reclaimed = _one(cluster, 3, "SELECT COUNT(*) FROM importer_plannedfile WHERE claims > 1")[0]
    assert reclaimed >= 1  # the files the dead workers held were claimed again
    print(f"{reclaimed} file(s) reclaimed from dead workers")

    cluster.start_node(1)  # rejoins (IST or SST) and catches up
    cluster.wait_size(3)
    for node in (1, 2, 3):
        got = json.loads(_manage(cluster, node, "shell", "-c", DUMP).stdout.strip().splitlines()[-1])
        assert got[0] == expected[0], f"observations differ on node {node}"
        assert got[1] == expected[1], f"statistics differ on node {node}"
