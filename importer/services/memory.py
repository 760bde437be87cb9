"""Handing the import's memory back before the statistics step.

The statistics engine forks its worker processes from the importing process (`warehouse.
aggregation.runs`). A forked worker starts with every page its parent has resident, so whatever
heap the import left behind (freed blocks the allocator kept, cyclic garbage) is counted once
more in each worker. Before the statistics the run therefore collects its garbage and asks the C
allocator to return its free pages (glibc's `malloc_trim`; elsewhere only the collection runs).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache


@lru_cache(maxsize=1)
def _trim():
    """glibc's malloc_trim, or None (another C library, or none found)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def memory_release() -> None:
    """Collect the cyclic garbage and give the allocator's free pages back to the system."""
    gc.collect()
    trim = _trim()
    if trim is not None:
        trim(0)
