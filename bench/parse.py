"""The parse stage alone: the native fast path (importer/parser/_scan.c) against the pure Python one.

    .venv/bin/python bench/parse.py [--preset benchmark|small-files] [--files N] [--rounds 3]

Reads the first N day files of a benchmark archive (generated as bench/import.py does and cached
under .bench-archives/), inflates each once (timed apart), then parses each text into the
import's line blocks both ways, alternating, and prints the CPU time per event of each (this
process's `time.process_time`, best and median of the rounds) and their ratio. Each file's
results are compared: the two paths must give the same entities and lines. No database.
"""
import argparse
import statistics
import sys
import time
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT  # noqa: E402

PRESETS = {"benchmark": "d5x25s4", "small-files": "d8x60s1"}


def parse_all(texts, horizon, native_on):
    from importer.parser import fast, native
    from importer.parser.limits import ParsedFile

    built = native._scan
    native._scan = built if native_on else None
    try:
        out = []
        started = time.process_time()
        for key, text in texts:
            parsed = ParsedFile(key=key)
            taken = fast._formatted_fast(text, parsed, horizon, key.split("/", 1)[0])
            out.append((taken, parsed.events_read, parsed.entities, parsed.blocks))
        return time.process_time() - started, out
    finally:
        native._scan = built


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="benchmark")
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from importer.parser import native

    if native._scan is None:
        raise SystemExit("the native parser is not built: .venv/bin/python importer/parser/build_native.py")
    folder = ROOT / ".bench-archives" / PRESETS[args.preset]
    paths = sorted(folder.glob("*/*/*/*.json.gz"))[:args.files]
    if not paths:
        raise SystemExit(f"no archive in {folder}: run bench/import.py --preset {args.preset} once to make it")
    started = time.process_time()
    texts = [(str(p.relative_to(folder)), zlib.decompress(p.read_bytes())) for p in paths]
    inflate = time.process_time() - started
    horizon = datetime.now(timezone.utc) + timedelta(minutes=5)
    times = {True: [], False: []}
    results = {}
    for _ in range(args.rounds):
        for native_on in (True, False):
            seconds, results[native_on] = parse_all(texts, horizon, native_on)
            times[native_on].append(seconds)
    if results[True] != results[False]:
        raise SystemExit("the two paths gave different results")
    events = sum(r[1] for r in results[True])
    size = sum(len(text) for _, text in texts)
    print(f"{len(texts)} files of {folder.name}, {events:,} events, {size / events:.0f} bytes of JSON per event; "
          f"inflating {inflate / events * 1e6:.2f} us/event")
    for native_on, name in ((True, "native (C)"), (False, "pure Python")):
        best, median = min(times[native_on]), statistics.median(times[native_on])
        print(f"{name:12s} best {best / events * 1e6:.2f} us/event, median {median / events * 1e6:.2f} us/event "
              f"over {args.rounds} rounds")
    print(f"ratio (median, Python / native): {statistics.median(times[False]) / statistics.median(times[True]):.2f}; "
          f"the same entities and lines both ways; files taken by the fast path: "
          f"{sum(bool(r[0]) for r in results[True])} of {len(texts)}")


if __name__ == "__main__":
    main()
