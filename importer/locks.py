"""Per-destination run locks that die with their process.

On MySQL/MariaDB: `GET_LOCK` on a dedicated connection (the server releases it when the
connection drops, so a SIGKILLed run never blocks the next). Elsewhere (SQLite demo): an
exclusive `flock` on a file, which the kernel releases when the process exits.
"""
import fcntl
import hashlib
import os
import tempfile

from django.db import connections


class LockBusy(Exception):
    """Another live process holds the lock named in `args[0]`."""


class RunLocks:
    """Holds several named locks; use as a context manager or call `release()`."""

    def __init__(self, names, *, using="default"):
        self.connection = connections[using]
        self.names = sorted(set(names))
        self.raw = None
        self.files = []

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    def _server_name(self, name):
        # Lock names are server-wide: scope them to the database, and keep within 64 characters.
        full = f"{self.connection.settings_dict['NAME']}:{name}"
        return full if len(full) <= 64 else "imp:" + hashlib.sha1(full.encode()).hexdigest()

    def acquire(self):
        try:
            if self.connection.vendor == "mysql":
                self.raw = self.connection.get_new_connection(self.connection.get_connection_params())
                cursor = self.raw.cursor()
                for name in self.names:
                    cursor.execute("SELECT GET_LOCK(%s, 0)", [self._server_name(name)])
                    if cursor.fetchone()[0] != 1:
                        raise LockBusy(name)
            else:
                folder = os.path.join(tempfile.gettempdir(), "themepark-import-locks")
                os.makedirs(folder, exist_ok=True)
                for name in self.names:
                    path = os.path.join(folder, hashlib.sha1(self._server_name(name).encode()).hexdigest())
                    handle = open(path, "w")
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        handle.close()
                        raise LockBusy(name) from None
                    self.files.append(handle)
        except BaseException:
            self.release()
            raise

    def release(self):
        if self.raw is not None:
            try:
                self.raw.close()  # closing the session releases every GET_LOCK it holds
            finally:
                self.raw = None
        for handle in self.files:
            handle.close()
        self.files = []
