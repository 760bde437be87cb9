"""House rules of the source tree (docs/architecture.md, "Module sizes"): no Python module over 400
lines, and the median module at most 80 lines.

Counted: every .py file of the working tree that git tracks or would track (not ignored), except
migrations (generated, never split); a module's size is its number of lines. Without git, the
files under the project's folder are walked instead (virtualenv, static files and caches left out).
"""
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES, MAX_MEDIAN = 400, 80
SKIPPED_DIRS = {".venv", ".git", "node_modules", "staticfiles", "__pycache__"}


def project_modules() -> list[str]:
    try:
        command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"]
        found = subprocess.run(command, cwd=ROOT, capture_output=True, check=True, timeout=60)
        listed = found.stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                  if not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)]
    return sorted(path for path in listed
                  if path and "migrations" not in Path(path).parts and (ROOT / path).is_file())


def lines(path: str) -> int:
    return len((ROOT / path).read_text(encoding="utf-8").splitlines())


def test_no_module_is_over_400_lines():
    sizes = {path: lines(path) for path in project_modules()}
    over = {path: n for path, n in sizes.items() if n > MAX_LINES}
    assert not over, f"split these by meaning: {over}"
    assert len(sizes) > 100, "the module listing found too few files"


def test_the_median_module_is_at_most_80_lines():
    sizes = [lines(path) for path in project_modules()]
    median = statistics.median(sizes)
    assert median <= MAX_MEDIAN, f"the median module has {median} lines over {len(sizes)} modules"
