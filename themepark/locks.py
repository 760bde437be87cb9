"""Exclusive jobs: one lock mechanism for the import, the collector and the statistics runs.

A lock is a row of the `job_lock` table (model `themepark.models.JobLock`), one per held name,
with a lease. Nothing here needs `GET_LOCK`, so it works alike on MariaDB, MySQL 8, a Galera
cluster and SQLite (the demo):

- **claimed atomically**: an INSERT (the primary key refuses a second holder), or, when the row
  is there but its lease has run out, a conditional UPDATE ... WHERE expires_at < now (InnoDB
  re-reads the row under its lock, so of two takers exactly one matches);
- **lost when its holder dies**: a daemon thread renews the lease every lease/3 seconds; a
  holder that is killed, frozen or cut off stops renewing, and its row is free once the lease
  has passed;
- **noticed by its old holder**: `ensure_held()` raises `LockLost` when the renewal thread saw
  the row taken or deleted, or when no renewal succeeded within a lease. Jobs call it at their
  commit points, so a holder that lost its lock stops before it writes more.

Claims, renewals and releases run on connections of their own, in autocommit, so they are
visible to other processes at once and never part of the caller's transaction. Lease times are
the database server's clock (`UTC_TIMESTAMP(6)` on MySQL/MariaDB; on a Galera cluster each node's
clock, which NTP keeps within far less than a lease); SQLite (one host) uses its own `now`.
The holder's side measures its lease on the monotonic clock, from before each renewal was sent.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connections

logger = logging.getLogger(__name__)
TABLE = "job_lock"
RETRIED_ERRORS = (1213, 1205)  # deadlock (also Galera's certification failure), lock wait timeout
POLL_SECONDS = 0.5  # how often a waiting acquire() tries again
CLAIM_ATTEMPTS = 3  # a name whose row vanishes (or whose claim deadlocks) between the steps is tried again


class LockBusy(Exception):
    """Another live holder has the lock. `args` are (name, owner, expires_at)."""

    def __init__(self, name: str, owner: str | None = None, expires_at=None):
        super().__init__(name, owner, expires_at)
        self.name, self.owner, self.expires_at = name, owner, expires_at

    def __str__(self):
        if self.owner is None:
            return f"lock {self.name} is held by another job"
        until = str(self.expires_at)[:19]
        return f"lock {self.name} is held by {self.owner} (lease until {until} UTC)"


class LockLost(Exception):
    """The holder's lease ran out or another holder took the lock: stop before writing more."""


def holder_name(purpose: str = "") -> str:
    """host/pid and what the job does, for the message another job gets when refused."""
    text = f"{socket.gethostname()}/{os.getpid()}" + (f" {purpose}" if purpose else "")
    return text[:255]


def _now_sql(vendor: str, seconds: float = 0.0) -> tuple[str, list]:
    """SQL for the database clock's UTC time plus `seconds`, and its parameters."""
    if vendor == "mysql":
        if not seconds:
            return "UTC_TIMESTAMP(6)", []
        return "(UTC_TIMESTAMP(6) + INTERVAL %s MICROSECOND)", [int(seconds * 1_000_000)]
    if vendor == "sqlite":
        # '%%' as every statement here has parameters: Django's SQLite cursor turns it back into '%'
        return "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', %s)", [f"+{seconds:.3f} seconds"]
    raise NotImplementedError(f"job locks are not written for the {vendor} backend")


class JobLock:
    """An exclusive lock on one or more names (all or nothing), held under a renewed lease.

    Use as a context manager (acquire on enter, release on exit) or call `acquire()` and
    `release()`. `acquire(wait=...)` retries for that many seconds before giving up."""

    def __init__(self, name: str, *more: str, lease_seconds: float | None = None, purpose: str = "",
                 using: str = "default", shared_token: str | None = None):
        self.names = tuple(sorted({name, *more}))
        # Holders that pass the same `shared_token` (the workers of one import run) hold the lock
        # together: each claims and renews it, and `release(keep=True)` leaves it to the others.
        self.shared_token = shared_token
        self.lease = float(lease_seconds if lease_seconds is not None else settings.JOB_LOCK_LEASE_SECONDS)
        if self.lease <= 0:
            raise ValueError("lease_seconds must be positive")
        self.owner = holder_name(purpose)
        self.using = using
        self.token: str | None = None
        self._valid_until = 0.0  # monotonic: the lease as this process knows it to be kept
        self._lost: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the public interface -----------------------------------------------------------------
    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    def __repr__(self):
        return f"<JobLock {', '.join(self.names)} {'held' if self.held else 'free'}>"

    @property
    def held(self) -> bool:
        return self.token is not None and self._lost is None and time.monotonic() < self._valid_until

    def acquire(self, wait: float = 0.0) -> None:
        """Claim every name or none; LockBusy (naming the holder) when one is held by a live job."""
        if self.token is not None:
            raise RuntimeError(f"{self!r} is already acquired")
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                self._claim_all()
                break
            except LockBusy:
                if time.monotonic() + POLL_SECONDS > deadline:
                    raise
                time.sleep(POLL_SECONDS)
        self._stop.clear()
        self._thread = threading.Thread(target=self._renew_loop, name=f"lease {self.names[0]}", daemon=True)
        self._thread.start()

    def ensure_held(self) -> None:
        """Raise LockLost when the lock is no longer this holder's. No query: the renewal thread
        keeps the state, and a lease not renewed in time counts as lost."""
        if self.token is None:
            raise LockLost(f"lock {', '.join(self.names)} is not acquired")
        if self._lost is None and time.monotonic() >= self._valid_until:
            self._lost = "its lease ran out before it could be renewed"
        if self._lost is not None:
            raise LockLost(f"lock {', '.join(self.names)} was lost: {self._lost}")

    def release(self, keep: bool = False) -> None:
        """Stop renewing and delete this holder's rows (a row another holder took is left alone);
        with `keep`, leave them to the other holders of a shared token (they lapse with the lease)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=max(5.0, self.lease))
            self._thread = None
        token, self.token = self.token, None
        if token is None or keep:
            return
        try:
            self._execute(f"DELETE FROM {TABLE} WHERE token = %s AND name IN ({self._marks()})",
                          [token, *self.names])
        except DatabaseError:  # the lease frees the rows anyway
            logger.warning("could not release lock %s; it is free once its lease ends", self.names, exc_info=True)

    def checker(self) -> "LeaseCheck":
        """A picklable check for another process (a forked worker) doing this holder's work."""
        if self.token is None:
            raise LockLost(f"lock {', '.join(self.names)} is not acquired")
        return LeaseCheck(self.names, self.token, self.using, self.lease / 3)

    # -- claim, renew -------------------------------------------------------------------------
    def _marks(self) -> str:
        return ", ".join(["%s"] * len(self.names))

    def _connect(self):
        return connections.create_connection(self.using)

    def _execute(self, sql: str, params: list, conn=None) -> int:
        """Run one statement in autocommit on a connection of its own; the rows it matched."""
        own = conn is None
        conn = conn or self._connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.rowcount
        finally:
            if own:
                conn.close()

    def _claim_all(self) -> None:
        token = self.shared_token or uuid.uuid4().hex
        started = time.monotonic()
        conn = self._connect()
        claimed = []
        try:
            if self._claim_together(conn, token):
                claimed = list(self.names)
            for name in self.names[len(claimed):]:
                self._claim(conn, name, token)
                claimed.append(name)
        except BaseException:
            if claimed and not self.shared_token:  # shared rows may be other holders' too: they lapse
                try:
                    marks = ", ".join(["%s"] * len(claimed))
                    self._execute(f"DELETE FROM {TABLE} WHERE token = %s AND name IN ({marks})", [token, *claimed],
                                  conn)
                except DatabaseError:
                    logger.warning("could not give back %s; free once its lease ends", claimed, exc_info=True)
            raise
        finally:
            conn.close()
        self.token, self._lost, self._valid_until = token, None, started + self.lease

    def _claim_together(self, conn, token: str) -> bool:
        """Every name in one INSERT (a run over 100 parks: one statement, not 100), when none is
        held; False when one is (the statement left nothing behind: each is then claimed alone)."""
        if len(self.names) < 2:
            return False
        now, now_params = _now_sql(conn.vendor)
        later, later_params = _now_sql(conn.vendor, self.lease)
        try:
            self._execute(f"INSERT INTO {TABLE} (name, owner, token, acquired_at, expires_at) VALUES "
                          + ", ".join([f"(%s, %s, %s, {now}, {later})"] * len(self.names)),
                          [p for name in self.names for p in (name, self.owner, token, *now_params, *later_params)],
                          conn)
        except IntegrityError:
            return False
        except OperationalError as exc:
            if not exc.args or exc.args[0] not in RETRIED_ERRORS:
                raise
            return False
        return True

    def _claim(self, conn, name: str, token: str) -> None:
        vendor = conn.vendor
        now, now_params = _now_sql(vendor)
        later, later_params = _now_sql(vendor, self.lease)
        row = None
        for attempt in range(CLAIM_ATTEMPTS):
            try:
                try:
                    self._execute(f"INSERT INTO {TABLE} (name, owner, token, acquired_at, expires_at) "
                                  f"VALUES (%s, %s, %s, {now}, {later})",
                                  [name, self.owner, token, *now_params, *later_params], conn)
                    return
                except IntegrityError:
                    pass  # held, or left by a dead holder: take it over if its lease has run out
                if self.shared_token:  # another holder of the same token: share it
                    joined = self._execute(f"UPDATE {TABLE} SET expires_at = {later} WHERE name = %s AND token = %s",
                                           [*later_params, name, token], conn)
                    if joined == 1:
                        return
                taken = self._execute(f"UPDATE {TABLE} SET owner = %s, token = %s, acquired_at = {now}, "
                                      f"expires_at = {later} WHERE name = %s AND expires_at < {now}",
                                      [self.owner, token, *now_params, *later_params, name, *now_params], conn)
                if taken == 1:
                    logger.warning("lock %s: took over a lease that had run out", name)
                    return
            except OperationalError as exc:  # a concurrent claim (Galera: certification) won the race
                if not exc.args or exc.args[0] not in RETRIED_ERRORS:
                    raise
            with conn.cursor() as cursor:
                cursor.execute(f"SELECT owner, expires_at FROM {TABLE} WHERE name = %s", [name])
                row = cursor.fetchone()
            if row is not None:
                break  # a live holder; gone meanwhile (released): claim again
        raise LockBusy(name, *(row or (None, None)))

    def _renew_loop(self) -> None:
        conn = None
        later, later_params = None, None
        interval = pause = self.lease / 3
        try:
            while not self._stop.wait(pause):
                pause = interval
                started = time.monotonic()
                try:
                    if conn is None:
                        conn = self._connect()
                        later, later_params = _now_sql(conn.vendor, self.lease)
                    matched = self._execute(f"UPDATE {TABLE} SET expires_at = {later} "
                                            f"WHERE token = %s AND name IN ({self._marks()})",
                                            [*later_params, self.token, *self.names], conn)
                except DatabaseError:
                    logger.warning("lock %s: renewal failed; retrying", self.names, exc_info=True)
                    if conn is not None:
                        conn.close()
                    conn = None
                    if time.monotonic() >= self._valid_until:
                        self._lost = "its lease ran out while the database could not be reached"
                        return
                    pause = min(interval / 4, 1.0)  # a new connection soon, well before the lease ends
                    continue
                if matched != len(self.names):
                    self._lost = "another holder took it after its lease ran out"
                    logger.error("lock %s lost: %s", self.names, self._lost)
                    return
                self._valid_until = started + self.lease
        finally:
            if conn is not None:
                conn.close()


class LeaseCheck:
    """Checks, from any process, that a lock is still held by `token` (a query at most every
    `every` seconds). Raises LockLost like `JobLock.ensure_held`."""

    def __init__(self, names, token, using, every):
        self.names, self.token, self.using, self.every = tuple(names), token, using, every
        self._checked = 0.0

    def __call__(self) -> None:
        if time.monotonic() - self._checked < self.every:
            return
        conn = connections[self.using]
        now, params = _now_sql(conn.vendor)
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE token = %s AND expires_at > {now} "
                           f"AND name IN ({', '.join(['%s'] * len(self.names))})", [self.token, *params, *self.names])
            held = cursor.fetchone()[0] == len(self.names)
        if not held:
            raise LockLost(f"lock {', '.join(self.names)} was lost: its lease ran out or another holder took it")
        self._checked = time.monotonic()

    def __getstate__(self):
        return {"names": self.names, "token": self.token, "using": self.using, "every": self.every, "_checked": 0.0}


def tokens_held(tokens, *, using: str = "default") -> set[str]:
    """Which of these holder tokens still hold a lock whose lease runs (by the database clock)."""
    tokens = [t for t in tokens if t]
    if not tokens:
        return set()
    conn = connections[using]
    now, params = _now_sql(conn.vendor)
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT token FROM {TABLE} WHERE expires_at > {now} "
                       f"AND token IN ({', '.join(['%s'] * len(tokens))})", [*params, *tokens])
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def job_lock(*names: str, lease_seconds: float | None = None, purpose: str = "", wait: float = 0.0,
             using: str = "default"):
    """Hold every one of `names` (claimed in sorted order, all or nothing) for the block."""
    lock = JobLock(*names, lease_seconds=lease_seconds, purpose=purpose, using=using)
    lock.acquire(wait=wait)
    try:
        yield lock
    finally:
        lock.release()
