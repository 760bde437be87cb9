"""The throwaway-server harness (mariadb_cluster.py): free ports, and nothing left behind when a
cluster fails to start."""
import socket

import pytest

from .loopback import free_ports
from .mariadb_cluster import ReplicationCluster

pytestmark = pytest.mark.mysql_only


def test_free_ports_are_distinct_and_bindable_on_loopback():
    ports = free_ports(8)
    assert len(set(ports)) == 8
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_a_cluster_that_fails_to_start_leaves_no_server_and_no_folder():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        cluster = ReplicationCluster(ports=[free_ports(1)[0], busy.getsockname()[1]])
        base = cluster.base
        with pytest.raises(RuntimeError, match="already in use"):
            with cluster:
                pass  # never reached: the replica's port is taken
    assert not base.exists()
    assert not any(server.running for server in cluster.servers)
