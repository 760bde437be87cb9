"""Build the native fast path (`_scan.c`) beside its source, with the C compiler Python was built with.

    .venv/bin/python importer/parser/build_native.py [--force]

Run as a script, not with -m: it imports nothing of the project, so it also replaces a module
that cannot be loaded.

`bin/test` and `bin/demo` run it; a deployment runs it once after installing the requirements.
It builds only when the module is missing or older than its sources. Without a C compiler or
Python's headers it says so and exits 0: the import then runs on the pure Python fast path
(`fast.py`), which gives the same rows, about three times slower (docs/import.md).
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = (HERE / "_scan.c", *sorted(HERE.glob("_scan_*.h")))  # the module and the headers it includes
TARGET = HERE / f"_scan{sysconfig.get_config_var('EXT_SUFFIX') or '.so'}"


def up_to_date() -> bool:
    return TARGET.exists() and TARGET.stat().st_mtime >= max(source.stat().st_mtime for source in SOURCES)


def build(force: bool = False) -> str:
    """'built', 'up to date', or why it could not be built."""
    if not force and up_to_date():
        return "up to date"
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    partial = TARGET.with_name(f".{TARGET.name}.{os.getpid()}")
    command = [*compiler, "-O2", "-fPIC", "-shared", "-Wall", f"-I{sysconfig.get_paths()['include']}",
               str(SOURCES[0]), "-o", str(partial)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"not built ({exc})"
    if done.returncode:
        partial.unlink(missing_ok=True)
        return f"not built: {shlex.join(command)} failed:\n{done.stderr.strip()}"
    os.replace(partial, TARGET)  # a running import keeps the module it loaded
    return "built"


def main(argv: list[str]) -> int:
    outcome = build(force="--force" in argv)
    print(f"importer native fast path ({TARGET.name}): {outcome}")
    if outcome.startswith("not built"):
        print("the import runs on the pure Python fast path", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
