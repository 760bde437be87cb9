"""The replica health probe (themepark.db_router.probe) against a real server: what each way a
replica can fail reads as (the replica tests in test_replicas.py stop real replicas)."""
import MySQLdb
import pytest
from django.db import connection

from themepark import db_router


@pytest.mark.django_db(transaction=True)
def test_a_replica_gone_away_under_a_kept_connection_is_unreachable_not_a_primary():
    """The probe's connection is kept between checks: when the server behind it goes away, the
    next status read fails with a lost connection, which must read as "replica unreachable" (and
    close the connection), not as a server with no replication configured. The test database's
    own connection stands for the replica's; another connection drops it as a stopped server would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT CONNECTION_ID()")
        (thread_id,) = cursor.fetchone()
    assert db_router.probe("default")["error"] == "not a replica (no replication configured)"  # reachable
    params = connection.get_connection_params()
    other = MySQLdb.connect(**{key: params[key] for key in ("host", "port", "user", "passwd") if key in params})
    try:
        other.cursor().execute(f"KILL CONNECTION {int(thread_id)}")
    finally:
        other.close()
    assert db_router.probe("default") == {"alias": "default", "ok": False, "lag_seconds": None,
                                          "error": "replica unreachable"}
    assert connection.connection is None  # closed: the next use connects again
