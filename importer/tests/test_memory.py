"""The run hands the heap the import freed back to the system before the statistics workers fork
(`services/memory.py`): blocks freed in the middle of the C heap stay resident until then."""
import sys

import pytest

from importer.services.memory import _trim, memory_release


def _rss_mb() -> float:
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("VmRSS")) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux") or _trim() is None, reason="glibc's malloc_trim only")
def test_freed_heap_is_given_back():
    blocks = [bytes(2000) for _ in range(60_000)]  # above pymalloc's sizes: the C heap, 120 MB
    last = blocks[-1]  # the heap's top stays in use: freeing the others alone shrinks nothing
    grown = _rss_mb()
    del blocks
    memory_release()
    assert _rss_mb() < grown - 80
    assert len(last) == 2000
