"""Read replicas against real MariaDB replication: a throwaway primary (binary log, GTID) and a
replica on free loopback ports (themepark/tests/mariadb_cluster.py), the production server
(bin/serve) on another free loopback port with DATABASE_URL on the primary and DATABASE_REPLICA_URLS
on the replica. Where reads land is read from each server's own `Com_select` counter."""
import os
import subprocess
import sys
import threading
import time

import pytest
import requests
from django.db import connection

from .loopback import free_ports
from .mariadb_cluster import ReplicationCluster
from .processes import wait_for
from .serving import ROOT, production_env, start_serve, stop_serve

# django_db: the test database must exist (its schema is copied to the primary).
pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db]

CHECK_SECONDS = 0.5
MAX_LAG = 2
SEED = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from themepark.tests.factories import make_park
park = make_park(name="Replicated Park")
user = get_user_model().objects.create_user("ops", password="unused", is_staff=True)
print("SEEDED", park.pk, Token.objects.create(user=user).key)
"""


def _copy_schema(cluster):
    """The test database's tables (as migrated at the start of the run) into `themepark` on the primary."""
    db = connection.settings_dict
    dump = subprocess.run(["mysqldump", "-h", db["HOST"] or "127.0.0.1", "-P", str(db["PORT"] or 3306),
                           f"-u{db['USER']}", *([f"-p{db['PASSWORD']}"] if db["PASSWORD"] else []),
                           "--no-data", "--skip-comments", db["NAME"]], capture_output=True, check=True, timeout=60)
    cluster.primary.execute("CREATE DATABASE themepark CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(cluster.primary.port), "-uroot", "themepark"],
                   input=dump.stdout, check=True, timeout=60, capture_output=True)


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    if connection.vendor != "mysql":
        pytest.skip("needs MariaDB")
    with ReplicationCluster() as cluster:
        _copy_schema(cluster)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "DATABASE_"))}
        seeded = subprocess.run([sys.executable, "manage.py", "shell", "-c", SEED], cwd=ROOT, capture_output=True,
                                text=True, timeout=120, check=True,
                                env={**env, "DJANGO_SETTINGS_MODULE": "themepark.settings.base",
                                     "DATABASE_URL": cluster.primary.url("themepark")})
        park_id, token = next(line.split()[1:] for line in seeded.stdout.splitlines() if line.startswith("SEEDED"))
        cluster.wait_replicated()
        cluster.park_id, cluster.token = int(park_id), token
        yield cluster


@pytest.fixture(scope="module")
def server(cluster, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replica-serve")
    env = production_env(cluster.primary.url("themepark"), DATABASE_REPLICA_URLS=cluster.replicas[0].url("themepark"),
                         REPLICA_MAX_LAG_SECONDS=MAX_LAG, REPLICA_CHECK_SECONDS=CHECK_SECONDS, API_CACHE_SECONDS=0,
                         DATABASE_CONN_MAX_AGE=60, WEB_CONCURRENCY=1, SERVE_THREADS=4, SERVE_COLLECTSTATIC=0,
                         STATIC_ROOT=tmp, PROMETHEUS_MULTIPROC_DIR=tmp, API_ANON_RATE="100000/min")
    process, base = start_serve(free_ports(1)[0], env, log_path=tmp / "serve.log")
    try:
        yield base
    finally:
        stop_serve(process)


def selects(cluster):
    return cluster.primary.status("Com_select"), cluster.replicas[0].status("Com_select")


def read_api(base, rounds, *, tag="r"):
    """Uncached public reads (search index and a ranking); returns the park names the index listed."""
    names = set()
    for i in range(rounds):
        index = requests.get(f"{base}/api/search/index?{tag}={i}", timeout=30)
        assert index.status_code == 200, index.text
        names |= {park["name"] for park in index.json()["parks"]}
        ranking = requests.get(f"{base}/api/parks/downtime?period=7days&{tag}={i}", timeout=30)
        assert ranking.status_code == 200, ranking.text
    return names


def replica_state(base):
    body = requests.get(f"{base}/api/health", timeout=30).json()
    return body["status"], body["checks"]["replicas"][0]


def test_public_api_reads_land_on_the_replica(cluster, server):
    read_api(server, 1, tag="warm")
    before = selects(cluster)
    names = read_api(server, 10)
    after = selects(cluster)
    assert "Replicated Park" in names  # written on the primary, read through replication
    assert after[1] - before[1] >= 20, "every read went to the replica"
    assert after[0] == before[0], "the primary served no SELECT"

    status, replica = replica_state(server)
    assert replica == {"alias": "replica_0", "ok": True, "lag_seconds": 0, "error": None}


def test_staff_api_reads_stay_on_the_primary(cluster, server):
    headers = {"Authorization": f"Token {cluster.token}"}
    requests.get(f"{server}/api/admin/quality/freshness", headers=headers, timeout=30)
    before = selects(cluster)
    for _ in range(3):
        response = requests.get(f"{server}/api/admin/quality/freshness", headers=headers, timeout=30)
        assert response.status_code == 200, response.text
    after = selects(cluster)
    assert after[0] - before[0] >= 3
    assert after[1] == before[1]


def test_a_lagging_replica_is_skipped_until_it_catches_up(cluster, server):
    replica = cluster.replicas[0]
    replica.execute("STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY=60", "START SLAVE")
    try:
        cluster.primary.execute(f"UPDATE themepark_park SET name = 'Renamed Park' WHERE id = {cluster.park_id}",
                                database="themepark")
        wait_for(lambda: (replica.execute("SHOW SLAVE STATUS")[0]["Seconds_Behind_Master"] or 0) > MAX_LAG + 1)
        time.sleep(2 * CHECK_SECONDS)  # past the last healthy probe
        # every worker process has probed again and reads from the primary, which has the change
        wait_for(lambda: read_api(server, 2, tag="probe") == {"Renamed Park"}, timeout=30)

        before = selects(cluster)
        names = read_api(server, 5)
        after = selects(cluster)
        assert names == {"Renamed Park"}, "reads come from the primary, which has the change"
        # Served nothing: 5 pages cost at least 10 SELECTs; at most a worker thread's first connection
        # to the replica (a probe) runs Django's one server-settings SELECT.
        assert after[1] - before[1] <= 2, "the lagging replica served nothing"
        assert after[0] - before[0] >= 10

        status, state = replica_state(server)
        assert status == "degraded"
        assert state["ok"] is False and state["lag_seconds"] > MAX_LAG
        assert state["error"] == f"lagging more than {MAX_LAG} s"
    finally:
        replica.execute("STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY=0", "START SLAVE")
    cluster.wait_replicated()
    wait_for(lambda: replica_state(server)[1]["ok"])
    before = selects(cluster)
    assert "Renamed Park" in read_api(server, 3, tag="back")
    after = selects(cluster)
    assert after[1] - before[1] >= 6 and after[0] == before[0], "the caught-up replica takes the reads again"


def test_a_stopped_replica_loses_no_request(cluster, server):
    read_api(server, 1, tag="warm2")  # the server holds an open connection to the replica
    replica = cluster.replicas[0]
    results, stop = [], threading.Event()

    def client(n):
        session, i = requests.Session(), 0
        while not stop.is_set():
            i += 1
            response = session.get(f"{server}/api/parks/downtime?period=7days&c{n}={i}", timeout=30)
            results.append(response.status_code)

    clients = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(0.5)
        before_primary = cluster.primary.status("Com_select")
        replica.stop()
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in clients:
            thread.join(60)
    assert len(results) > 20
    assert set(results) == {200}, f"{sum(s != 200 for s in results)} requests failed"
    assert cluster.primary.status("Com_select") > before_primary, "the primary took over"

    status, state = replica_state(server)
    assert status == "degraded"
    assert state == {"alias": "replica_0", "ok": False, "lag_seconds": None, "error": "replica unreachable"}

    replica.start()  # replication resumes from its saved GTID position
    wait_for(lambda: replica_state(server)[1]["ok"])
    cluster.wait_replicated()

    def replica_serves_again():  # each worker process probes the replica again on its own schedule
        before = selects(cluster)
        read_api(server, 3, tag="again")
        after = selects(cluster)
        return after[1] - before[1] >= 6 and after[0] == before[0]

    wait_for(replica_serves_again)
