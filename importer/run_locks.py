"""The import's locks: one per run and one per destination, held with `themepark.locks`.

A lock lives in the `job_lock` table under a lease its holder keeps renewing, so it is free
once a killed run's lease has passed, whatever happened to its connections, and a run that lost
its lock notices (`ensure_held()` at each file commit) and stops before writing more.
"""
from themepark.locks import JobLock, LockBusy, LockLost

__all__ = ["LockBusy", "LockLost", "RunLocks"]


class RunLocks(JobLock):
    """The named import locks (`import:<id>`, `dest:<destination>`), all or none; a context
    manager, or `acquire()` / `ensure_held()` / `release()`."""

    def __init__(self, names, *, using="default", lease_seconds=None, purpose="import"):
        first, *more = sorted(set(names))
        super().__init__(first, *more, lease_seconds=lease_seconds, purpose=purpose, using=using)
