"""The loader thread of an import run: commits prepared day files, in order, on its own connection.

Why a thread: while the server runs LOAD DATA for one file (the GIL released), the main thread
resolves and prefixes the next one. The queue between them is bounded (`depth` files), so memory
stays flat; a failure in the loader is kept and raised in the main thread (`put()`, `finish()`),
which marks the run FAILED as before. Once the handler says stop (pause/cancel read at a file
boundary) or fails, later files are dropped unread: they are not committed, so a resume reads them.

With `threaded=False` (SQLite: one writer at a time, and a shared in-memory test database locks
whole tables between connections) the same calls run the handler in the calling thread.
"""
from __future__ import annotations

import queue
import threading

from django.db import connections

_DONE = object()


class LoaderFailed(Exception):
    """Raised in the main thread when the loader thread died without an exception of its own."""


class FileLoader(threading.Thread):
    """Calls `handle(job) -> bool` for each job put, in order; False means stop."""

    def __init__(self, handle, *, depth: int = 1, threaded: bool = True):
        super().__init__(name="import-loader", daemon=True)
        self.handle = handle
        self.threaded = threaded
        self.jobs: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.stopped = False  # set by this thread only: the handler said stop
        self.abandoned = False  # set by the main thread only: it failed

    def run(self):
        try:
            while True:
                job = self.jobs.get()
                if job is _DONE:
                    return
                if self.stopped or self.abandoned or self.error is not None:
                    continue  # drain, so the main thread never blocks on a full queue
                try:
                    self.stopped = not self.handle(job)
                except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
                    self.error = exc
        finally:
            connections.close_all()  # this thread's own connections

    @property
    def accepting(self) -> bool:
        """False once the loader stopped or failed: the main thread stops preparing files."""
        return not self.stopped and self.error is None

    def start(self):
        if self.threaded:
            super().start()

    def put(self, job):
        """Queue a job, waiting while the queue is full; raises the loader's failure, if any."""
        if not self.threaded:
            if self.accepting:
                self.stopped = not self.handle(job)
            return
        while True:
            self.raise_error()
            try:
                self.jobs.put(job, timeout=0.5)
                return
            except queue.Full:
                if not self.is_alive():
                    raise LoaderFailed("the loader thread stopped unexpectedly") from None

    def finish(self):
        """Let queued jobs complete, stop the thread, and raise its failure in this thread."""
        if self.is_alive():
            self.jobs.put(_DONE)
            self.join()
        self.raise_error()

    def abandon(self):
        """Stop after the job in progress (the main thread failed); queued jobs are dropped."""
        self.abandoned = True
        if self.is_alive():
            self.jobs.put(_DONE)
            self.join()

    def raise_error(self):
        if self.error is not None:
            error, self.error = self.error, None
            raise error
