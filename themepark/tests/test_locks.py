"""The one lock mechanism (themepark.locks) on the real database: atomic claims, leases that free
a dead holder's lock, and holders that notice they lost it. Holders that die or freeze are
separate processes, killed or stopped with signals."""
import os
import signal
import threading
import time

import pytest
from django.db import connection, connections

from themepark.locks import JobLock, LockBusy, LockLost, job_lock
from themepark.tests.processes import HOLDER, lock_holders, python, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _sql(sql, params=()):
    """Run a statement on a connection of its own (autocommit), as another job would."""
    conn = connections.create_connection("default")
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, list(params))
            return cursor.fetchall() if cursor.description else cursor.rowcount
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def no_lock_rows():
    _sql("DELETE FROM job_lock")
    yield
    _sql("DELETE FROM job_lock")


def test_a_claim_is_refused_while_the_lock_is_held_and_the_refusal_names_the_holder():
    with JobLock("demo", purpose="nightly demo") as held:
        assert held.held
        with pytest.raises(LockBusy) as refused:
            JobLock("demo").acquire()
        text = str(refused.value)
        assert f"/{os.getpid()} nightly demo" in text and "lease until" in text
        assert refused.value.name == "demo"
    JobLock("demo").acquire()  # released on exit; the next holder gets it at once


def test_several_names_are_claimed_all_or_nothing():
    with JobLock("b"):
        with pytest.raises(LockBusy, match="lock b is held"):
            JobLock("c", "a", "b").acquire()
        assert set(lock_holders()) == {"b"}  # "a", claimed before "b" was refused, was given back
    with job_lock("c", "a", "b") as lock:
        assert lock.names == ("a", "b", "c") and set(lock_holders()) == {"a", "b", "c"}
    assert lock_holders() == {}


def test_release_leaves_alone_a_row_another_holder_took():
    lock = JobLock("taken", lease_seconds=30)
    lock.acquire()
    _sql("UPDATE job_lock SET token = %s, owner = %s WHERE name = %s", ["f" * 32, "the new holder", "taken"])
    lock.release()
    assert lock_holders() == {"taken": "the new holder"}


def test_a_row_whose_lease_ran_out_is_taken_over_by_exactly_one_of_many_claimers():
    _sql("INSERT INTO job_lock (name, owner, token, acquired_at, expires_at) "
         "VALUES ('stale', 'a dead job', %s, UTC_TIMESTAMP(6) - INTERVAL 2 MINUTE, "
         "UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE)" if connection.vendor == "mysql" else
         "INSERT INTO job_lock VALUES ('stale', 'a dead job', %s, '2000-01-01 00:00:00', '2000-01-01 00:01:00')",
         ["0" * 32])
    start, won, refused = threading.Barrier(8), [], []

    def claim():
        lock = JobLock("stale", lease_seconds=30)
        start.wait()
        try:
            lock.acquire()
            won.append(lock)
        except LockBusy as exc:
            refused.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert (len(won), len(refused)) == (1, 7)
        assert lock_holders() == {"stale": won[0].owner}
        assert all("dead job" not in str(exc) for exc in refused)  # refused by the new holder
    finally:
        for lock in won:
            lock.release()


def test_the_holder_notices_at_once_when_its_row_is_taken_and_stops():
    with JobLock("watched", lease_seconds=0.6) as lock:
        lock.ensure_held()
        _sql("UPDATE job_lock SET token = %s WHERE name = 'watched'", ["e" * 32])
        wait_for(lambda: not lock.held, timeout=2)  # the next renewal (every lease/3) matches no row
        with pytest.raises(LockLost, match="another holder took it"):
            lock.ensure_held()


def test_a_lock_whose_holder_process_is_sigkilled_is_free_after_its_lease(tmp_path):
    lease = 1.5
    holder = python(HOLDER, "killed", str(lease), str(tmp_path / "out"))
    try:
        assert holder.stdout.readline().strip() == "held"
        time.sleep(lease)  # renewed meanwhile: still held
        with pytest.raises(LockBusy, match="test holder"):
            JobLock("killed").acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        died = time.monotonic()
        with pytest.raises(LockBusy):  # the lease it renewed last is still running
            JobLock("killed").acquire()
        lock = JobLock("killed", lease_seconds=30)
        lock.acquire(wait=lease + 5)
        assert time.monotonic() - died <= lease + 1.0
        assert lock_holders() == {"killed": lock.owner}
        lock.release()
    finally:
        stop(holder)


def test_a_frozen_holder_whose_lock_was_taken_stops_before_writing_more(tmp_path):
    lease, out = 1.5, tmp_path / "out"
    holder = python(HOLDER, "frozen", str(lease), str(out))
    try:
        assert holder.stdout.readline().strip() == "held"
        wait_for(lambda: out.exists() and out.read_text().count("x") >= 3)
        holder.send_signal(signal.SIGSTOP)  # a stalled host, a paused VM: no renewals
        time.sleep(0.2)
        written = out.read_text().count("x")
        taker = JobLock("frozen", lease_seconds=30)
        taker.acquire(wait=lease + 5)  # taken over once the frozen holder's lease ran out
        holder.send_signal(signal.SIGCONT)
        assert holder.wait(timeout=30) == 3
        assert "lost" in holder.stdout.read()
        assert out.read_text().count("x") <= written + 1  # at most the line it was writing when frozen
        assert lock_holders() == {"frozen": taker.owner}  # its release left the new holder's row alone
        taker.release()
    finally:
        stop(holder)


@pytest.mark.mysql_only
def test_a_holder_whose_connections_are_killed_keeps_its_lock_and_renews_it():
    """The old import lock lived on an idle connection: killing it freed the lock silently."""
    with JobLock("connections", lease_seconds=1.2, purpose="import") as lock:
        for _ in range(3):
            connection.ensure_connection()
            own = connection.connection.thread_id()
            rows = _sql("SELECT id FROM information_schema.PROCESSLIST WHERE db = %s AND id <> %s",
                        [connection.settings_dict["NAME"], own])
            for (session,) in rows:
                try:
                    _sql(f"KILL {int(session)}")
                except Exception:  # noqa: BLE001 - it may have ended by itself
                    pass
            time.sleep(0.9)
        lock.ensure_held()  # renewed on a new connection all along
        with pytest.raises(LockBusy, match="import"):
            JobLock("connections").acquire()
