"""Shared set-up for benchmarks: a dedicated MariaDB database, migrated, and Django configured.

BENCH_DATABASE_URL (default mysql://root:@127.0.0.1:3306/themepark_bench) names the database;
it is created when missing. Only loopback servers are ever contacted. Archives are generated with
the project's own generator (`importer.synthetic`, the code behind `manage.py make_archive`).
"""
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_archive(out, *, workers=2, **options) -> dict:
    """Generate a synthetic archive under `out` (importer.synthetic; no Django needed) and return its
    manifest. `options` are `importer.synthetic.Options` fields (start as a date or YYYY-MM-DD)."""
    from datetime import date

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from importer.synthetic import Options, generate

    if isinstance(options.get("start"), str):
        options["start"] = date.fromisoformat(options["start"])
    return generate(Path(out), Options(**options), workers=workers)


def setup_django(database_url=None, *, migrate=True, fresh=False):
    url = database_url or os.environ.get("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/themepark_bench")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "themepark.settings.base")
    sys.path.insert(0, str(ROOT))
    import environ
    import MySQLdb

    cfg = environ.Env.db_url_config(url)
    server = MySQLdb.connect(host=cfg["HOST"] or "127.0.0.1", port=int(cfg["PORT"] or 3306), user=cfg["USER"],
                             passwd=cfg["PASSWORD"] or "")
    cur = server.cursor()
    if fresh:
        cur.execute(f"DROP DATABASE IF EXISTS `{cfg['NAME']}`")
    cur.execute(f"CREATE DATABASE IF NOT EXISTS `{cfg['NAME']}` CHARACTER SET utf8mb4")
    server.close()
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def peak_memory_mb():
    """Peak resident memory of this process, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


class QueryTimer:
    """A Django execute wrapper (`connection.execute_wrapper(timer)`) adding up the wall time and
    the number of the queries it sees; `reset()` before each measured request."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.seconds, self.queries = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1
