"""Benchmark of the synthetic archive generator (importer.synthetic, `manage.py make_archive`).

    .venv/bin/python bench/generate.py [--destinations 4] [--days 7 28] [--scale 1] [--workers 1]

Generates the same world over each number of days into a temporary folder, in a fresh process
each (so peak memory is that run's own), and prints events/s, bytes on disk and peak resident
memory. Memory should not grow with the days: one destination and one park-local day are
simulated at a time and each file is written as soon as it is complete. Needs no database.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from datetime import date
from importer.synthetic import Options, generate
started = time.perf_counter()
manifest = generate({out!r}, Options(destinations={destinations}, days={days}, scale={scale}, start=date(2024, 1, 1)),
                    workers={workers})
print(json.dumps({{"seconds": time.perf_counter() - started, "events": manifest["totals"]["events_written"],
                  "bytes": manifest["totals"]["compressed_bytes"],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--destinations", type=int, default=4)
    parser.add_argument("--days", type=int, nargs="+", default=[7, 28])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    for days in args.days:
        with tempfile.TemporaryDirectory(prefix="bench-generate-") as out:
            code = CHILD.format(root=str(ROOT), out=out, destinations=args.destinations, days=days, scale=args.scale,
                                workers=args.workers)
            result = json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                               text=True).stdout)
        print(f"{args.destinations} destination(s) x {days} day(s), scale {args.scale}, workers {args.workers}: "
              f"{result['events']:,} events in {result['seconds']:.1f} s "
              f"({result['events'] / result['seconds']:,.0f} events/s), {result['bytes'] / 2**20:.1f} MB on disk, "
              f"peak memory {result['peak_mb']:.0f} MB (main process)")


if __name__ == "__main__":
    main()
