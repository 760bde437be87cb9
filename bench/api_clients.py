"""The clients of the API benchmark (bench/api.py): timed requests over keep-alive sessions (one per
thread), uncached by a unique throwaway parameter when asked, their p50/p95, a soak of many clients
over a list of endpoints, and samples of one path on several servers taken in alternating rounds.
"""
import itertools
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

_local = threading.local()
_unique = itertools.count()


def timed_get(url, *, uncached):
    session = getattr(_local, "session", None) or requests.Session()
    _local.session = session
    if uncached:
        url += f"&_bench={next(_unique)}" if "?" in url else f"?_bench={next(_unique)}"
    start = time.perf_counter()
    response = session.get(url, timeout=30)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return elapsed


def percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def soak(base, seconds, clients, endpoints):
    """`clients` threads cycling through `endpoints` ((name, path) pairs) for `seconds`, one request in
    four uncached; returns the number of answers and the errors."""
    stop, counts, errors = time.monotonic() + seconds, [0] * clients, []

    def worker(i):
        urls = itertools.cycle(endpoints[i % len(endpoints):] + endpoints[:i % len(endpoints)])
        while time.monotonic() < stop:
            try:
                timed_get(base + next(urls)[1], uncached=counts[i] % 4 == 0)
                counts[i] += 1
            except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                errors.append(str(exc))
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), errors


def measure_sizes(bases, path, *, clients, requests_each, uncached, rounds=5):
    """Samples of `path` for every size, taken in alternating rounds."""
    samples = {size: [] for size in bases}
    if not uncached:
        for base in bases.values():
            timed_get(base + path, uncached=False)  # warm the cache
    per_round = max(1, requests_each // rounds)
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(rounds):
            for size, base in bases.items():
                samples[size] += pool.map(lambda _: timed_get(base + path, uncached=uncached),
                                          range(clients * per_round))
    return {size: percentiles(values) for size, values in samples.items()}
