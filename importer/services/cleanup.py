"""Temporary files a killed import leaves behind, removed when the next run starts.

A SIGKILLed import leaves the TSV files of the bulk writer (`ingest-*.tsv`, in /dev/shm) and the
named semaphores of its parse workers' pool (`sem.mp-*`). A file is removed only when it is ours
(same user), older than STALE_SECONDS, and no process has it open or mapped (`/proc/*/fd`,
`/proc/*/maps`): a run in progress next door keeps its own.
"""
import glob
import os
import tempfile
import time

PATTERNS = ("ingest-*.tsv", "sem.mp-*")
STALE_SECONDS = 60


def _folders():
    return sorted({folder for folder in ("/dev/shm", tempfile.gettempdir()) if os.path.isdir(folder)})


def _paths_in_use() -> set:
    """Paths any process we can see holds open or mapped."""
    used = set()
    for proc in glob.glob("/proc/[0-9]*"):
        try:
            for fd in os.listdir(f"{proc}/fd"):
                try:
                    used.add(os.readlink(f"{proc}/fd/{fd}"))
                except OSError:
                    pass
            with open(f"{proc}/maps", encoding="utf-8", errors="replace") as maps:
                for line in maps:
                    parts = line.split(None, 5)
                    if len(parts) == 6:
                        used.add(parts[5].strip())
        except OSError:  # gone, or not ours to read
            continue
    return used


def stale_temp_files_remove(folders=None, *, stale_seconds: float = STALE_SECONDS) -> list:
    """Remove what dead runs left; returns the paths removed."""
    candidates = [path for folder in (folders or _folders()) for pattern in PATTERNS
                  for path in glob.glob(os.path.join(folder, pattern))]
    if not candidates:
        return []
    in_use, now, uid, removed = _paths_in_use(), time.time(), os.getuid(), []
    for path in candidates:
        try:
            info = os.lstat(path)
            if info.st_uid != uid or now - info.st_mtime < stale_seconds or path in in_use:
                continue
            os.unlink(path)
        except OSError:
            continue
        removed.append(path)
    return removed
