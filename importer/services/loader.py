"""The loader of an import run: commits prepared day files, in file order, on connections of its own.

Why threads: while the server runs LOAD DATA for a file (the GIL released), the main thread
resolves and prefixes the next one. The queue between them is bounded (`depth` files), so memory
stays flat; a failure in a loader thread is kept and raised in the main thread (`put()`,
`finish()`), which marks the run FAILED as before. Once the handler says stop (pause/cancel read
at a file boundary) or fails, later files are dropped unread: they are not committed, so a resume
reads them.

Lanes: with `lanes=2` two threads, each with its own connection, load two files at once, so the
server works on both cores while the other file is sent. Commits stay in file order: the handler
loads its file inside its transaction, then calls `turn.wait()`, which returns once every earlier
file has finished; only then does it advance the checkpoint and commit. So the committed files are
always a prefix of the run's order, and a killed run resumes after the last one, as with one lane.
While a file waits for its turn it holds the row locks of what it loaded; if an earlier file is
stuck on one of them (rows sharing keys, which InnoDB cannot see is a cycle because the second
wait is in Python), `turn.wait()` raises `YieldTurn`: the handler rolls back, waits for its turn
holding nothing (`turn.wait_free()`), and loads again.

With `threaded=False` (SQLite: one writer at a time, and a shared in-memory test database locks
whole tables between connections) the same calls run the handler in the calling thread.
"""
from __future__ import annotations

import queue
import threading
from typing import Callable

from django.db import connections

_DONE = object()
POLL_SECONDS = 0.25  # how often a file waiting for its turn checks whether it blocks an earlier one


class LoaderFailed(Exception):
    """Raised in the main thread when a loader thread died without an exception of its own."""


class YieldTurn(Exception):
    """An earlier file waits on a lock this file holds: roll back, wait for the turn, load again."""


class Turn:
    """A job's place in the commit order (see the module docstring)."""

    def __init__(self, loader: "FileLoader | None" = None, seq: int = 0):
        self.loader, self.seq = loader, seq

    def register(self, session) -> None:
        """Name the database session this job loads on, for `blocked` checks by later jobs."""
        if self.loader:
            with self.loader.cond:
                self.loader.sessions[self.seq] = session

    def wait(self, blocked: Callable[[list], bool] | None = None) -> bool:
        """Wait until every earlier job has finished. False when the loader stopped or failed
        meanwhile (roll back). `blocked(sessions)` is asked every POLL_SECONDS while waiting;
        when it says an earlier job's session waits on a lock, raise YieldTurn."""
        return self._wait(blocked)

    def wait_free(self) -> bool:
        """Wait for the turn while holding no locks (after a rollback)."""
        return self._wait(None)

    def _wait(self, blocked):
        loader = self.loader
        if loader is None:
            return True
        with loader.cond:
            while loader.finished < self.seq:
                if loader.halted:
                    return False
                loader.cond.wait(POLL_SECONDS)
                if loader.finished < self.seq and blocked is not None:
                    sessions = [s for seq, s in loader.sessions.items() if seq < self.seq]
                    loader.cond.release()
                    try:
                        stuck = bool(sessions) and blocked(sessions)
                    finally:
                        loader.cond.acquire()
                    if stuck:
                        raise YieldTurn()
            return not loader.halted


SOLO = Turn()  # one lane, or no threads: every job's turn has come


class FileLoader:
    """Calls `handle(job, turn) -> bool` for each job put, committing in put order; False means stop."""

    def __init__(self, handle, *, depth: int = 1, threaded: bool = True, lanes: int = 1):
        self.handle = handle
        self.threaded = threaded
        self.lanes = max(1, lanes) if threaded else 1
        self.jobs: queue.Queue = queue.Queue(maxsize=depth + self.lanes - 1)
        self.cond = threading.Condition()
        self.threads = [threading.Thread(target=self._run, name=f"import-loader-{i + 1}" if self.lanes > 1
                                         else "import-loader", daemon=True) for i in range(self.lanes)]
        self.put_seq = 0  # next job's number (main thread)
        self.finished = 0  # jobs 0 .. finished-1 are done
        self.done: set[int] = set()
        self.sessions: dict[int, object] = {}  # seq -> session of a job at work
        self.error: BaseException | None = None
        self.raised = False
        self.stopped = False  # set by the loader threads only: a handler said stop
        self.abandoned = False  # set by the main thread only: it failed

    @property
    def halted(self) -> bool:
        return self.stopped or self.abandoned or self.error is not None

    def _run(self):
        try:
            while True:
                item = self.jobs.get()
                if item is _DONE:
                    return
                seq, job = item
                try:
                    if not self.halted:  # else drain, so the main thread never blocks on a full queue
                        turn = Turn(self, seq) if self.lanes > 1 else SOLO
                        if not self.handle(job, turn):
                            self.stopped = True
                except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
                    with self.cond:
                        self.error = self.error or exc
                finally:
                    self._finish(seq)
        finally:
            connections.close_all()  # this thread's own connections

    def _finish(self, seq):
        with self.cond:
            self.sessions.pop(seq, None)
            self.done.add(seq)
            while self.finished in self.done:
                self.done.remove(self.finished)
                self.finished += 1
            self.cond.notify_all()

    @property
    def accepting(self) -> bool:
        """False once the loader stopped or failed: the main thread stops preparing files."""
        return not self.stopped and self.error is None

    def start(self):
        if self.threaded:
            for thread in self.threads:
                thread.start()

    def is_alive(self) -> bool:
        return any(thread.is_alive() for thread in self.threads)

    def put(self, job):
        """Queue a job, waiting while the queue is full; raises the loader's failure, if any."""
        if not self.threaded:
            if self.accepting:
                self.stopped = not self.handle(job, SOLO)
            return
        item = (self.put_seq, job)
        self.put_seq += 1
        while True:
            self.raise_error()
            try:
                self.jobs.put(item, timeout=0.5)
                return
            except queue.Full:
                if not self.is_alive():
                    raise LoaderFailed("the loader thread stopped unexpectedly") from None

    def _stop_threads(self):
        if self.is_alive():
            for _ in self.threads:
                self.jobs.put(_DONE)
            for thread in self.threads:
                thread.join()

    def finish(self):
        """Let queued jobs complete, stop the threads, and raise a failure in this thread."""
        self._stop_threads()
        self.raise_error()

    def abandon(self):
        """Stop after the jobs in progress (the main thread failed); queued jobs are dropped."""
        self.abandoned = True
        with self.cond:
            self.cond.notify_all()
        self._stop_threads()

    def raise_error(self):
        """Raise a loader failure once; the loader stays halted, so no later file commits."""
        if self.error is not None and not self.raised:
            self.raised = True
            raise self.error
