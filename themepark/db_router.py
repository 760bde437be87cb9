"""Read replicas: the public API's reads go to a healthy replica, everything else to the primary.

Replicas are the `replica_N` aliases that DATABASE_REPLICA_URLS adds (themepark/settings/databases.py),
ordinary MariaDB/MySQL replicas of the primary. A request is eligible when
`ReplicaRoutingMiddleware` says so (a GET/HEAD under /api/ outside the staff API /api/admin/);
within it `ReplicaRouter` sends reads to one healthy replica, chosen once per request, until the
request writes: from its first write on, reads go to the primary too (it must see what it wrote).
Writes, the admin, the staff API, management commands and scheduled jobs never see a replica.

A replica is healthy when it answers and its replication runs with `Seconds_Behind_Master` (the
replica's own measure of how far it is behind) at most REPLICA_MAX_LAG_SECONDS. Each process
probes a replica at most every REPLICA_CHECK_SECONDS (one `SHOW SLAVE STATUS`); a replica that is
down, stopped replicating or lags is skipped until a later probe finds it well again. A request
whose replica fails mid-way is answered again on the primary by the middleware (`fail_over`).
"""
import contextvars
import logging
import random
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, ProgrammingError, connections

PRIMARY = "default"
logger = logging.getLogger(__name__)


@dataclass
class RequestRouting:
    eligible: bool
    wrote: bool = False
    replica: str | None = None  # the alias chosen for this request's reads, once chosen


_routing: contextvars.ContextVar[RequestRouting | None] = contextvars.ContextVar("themepark_routing", default=None)


def replica_aliases():
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


def begin_request(eligible):
    """Called by the middleware around each request; returns the token for `end_request`."""
    return _routing.set(RequestRouting(eligible=eligible and bool(replica_aliases())))


def end_request(token):
    _routing.reset(token)


def current_replica():
    """The replica this request read from, or None."""
    state = _routing.get()
    return state.replica if state is not None and state.replica != PRIMARY else None


def pin_primary():
    """The rest of this request reads from the primary (health checks, a replica that failed)."""
    state = _routing.get()
    if state is not None:
        state.replica = PRIMARY


# ---------------------------------------------------------------------------------------------
# Health
# ---------------------------------------------------------------------------------------------
def _status_row(cursor):
    """SHOW REPLICA STATUS (MariaDB 10.5+, MySQL 8.0.22+) or SHOW SLAVE STATUS (older servers). Only a
    statement the server does not know moves on to the next; any other error (a server gone away
    under a kept connection) is the caller's: the replica is unreachable, not "not a replica"."""
    for statement in ("SHOW REPLICA STATUS", "SHOW SLAVE STATUS"):
        try:
            cursor.execute(statement)
        except ProgrammingError:
            continue
        row = cursor.fetchone()
        return None if row is None else dict(zip([c[0] for c in cursor.description], row))
    return None


def probe(alias):
    """One replica's state now: {alias, ok, lag_seconds, error}; error says why it is skipped."""
    state = {"alias": alias, "ok": False, "lag_seconds": None, "error": None}
    try:
        with connections[alias].cursor() as cursor:
            row = _status_row(cursor)
    except DatabaseError:
        _close(alias)
        return {**state, "error": "replica unreachable"}
    if row is None:
        return {**state, "error": "not a replica (no replication configured)"}
    lag = row.get("Seconds_Behind_Master", row.get("Seconds_Behind_Source"))
    io = row.get("Slave_IO_Running", row.get("Replica_IO_Running"))
    sql = row.get("Slave_SQL_Running", row.get("Replica_SQL_Running"))
    if lag is None or io != "Yes" or sql != "Yes":
        return {**state, "error": "replication stopped"}
    state["lag_seconds"] = int(lag)
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        return {**state, "error": f"lagging more than {settings.REPLICA_MAX_LAG_SECONDS:g} s"}
    return {**state, "ok": True}


def _close(alias):
    try:
        connections[alias].close()
    except DatabaseError:
        pass


class ReplicaHealth:
    """Each replica's last probe in this process, reused for REPLICA_CHECK_SECONDS."""

    def __init__(self):
        self._lock = threading.Lock()
        self._states = {}  # alias -> (monotonic time of the probe, state)

    def state(self, alias, *, fresh=False):
        with self._lock:
            cached = self._states.get(alias)
        if not fresh and cached and time.monotonic() - cached[0] < settings.REPLICA_CHECK_SECONDS:
            return cached[1]
        state = probe(alias)
        with self._lock:
            self._states[alias] = (time.monotonic(), state)
        return state

    def states(self, *, fresh=False):
        return [self.state(alias, fresh=fresh) for alias in replica_aliases()]

    def healthy(self):
        return [state["alias"] for state in self.states() if state["ok"]]

    def mark_failed(self, alias, error="replica unreachable"):
        """Skip `alias` until its next probe (after REPLICA_CHECK_SECONDS)."""
        _close(alias)
        with self._lock:
            self._states[alias] = (time.monotonic(), {"alias": alias, "ok": False, "lag_seconds": None,
                                                      "error": error})

    def clear(self):
        with self._lock:
            self._states.clear()


HEALTH = ReplicaHealth()


def public_read_alias() -> str:
    """Where a public read goes: a healthy replica chosen at random, else the primary."""
    healthy = HEALTH.healthy()
    return random.choice(healthy) if healthy else PRIMARY


def fail_over():
    """After a database error in an eligible request: if it came while reading from a replica and
    nothing was written, skip that replica and read from the primary. True when the request may
    be answered again."""
    state = _routing.get()
    if state is None or state.wrote or state.replica in (None, PRIMARY):
        return False
    logger.warning("%s failed during a request; answering it from the primary", state.replica)
    HEALTH.mark_failed(state.replica)
    state.replica = PRIMARY
    return True


# ---------------------------------------------------------------------------------------------
# Router
# ---------------------------------------------------------------------------------------------
class ReplicaRouter:
    """Chooses only for eligible requests; everywhere else it leaves Django's default choice
    (`default`, or the database an instance came from) alone."""

    def db_for_read(self, model, **hints):
        state = _routing.get()
        if state is None or not state.eligible or state.wrote:
            return None
        if state.replica is None:
            state.replica = public_read_alias()
        return state.replica

    def db_for_write(self, model, **hints):
        state = _routing.get()
        if state is not None:
            state.wrote = True
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, **hints):
        return False if db.startswith("replica_") else None
