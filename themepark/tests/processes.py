"""Helpers for tests that run jobs in processes of their own (kill, freeze, race them) against
the test database of the running suite."""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A process that holds a job lock and, while it holds it, appends a line to a file every 50 ms:
# argv = name, lease seconds, output file. It exits 3 when it finds the lock lost.
HOLDER = """
import sys, time
import django
django.setup()
from themepark.locks import JobLock, LockLost
lock = JobLock(sys.argv[1], lease_seconds=float(sys.argv[2]), purpose="test holder")
lock.acquire()
print("held", flush=True)
with open(sys.argv[3], "a") as out:
    try:
        while True:
            lock.ensure_held()
            out.write("x\\n")
            out.flush()
            time.sleep(0.05)
    except LockLost as exc:
        print("lost:", exc, flush=True)
        sys.exit(3)
"""


def command_env(**extra) -> dict:
    """The environment of a child process using this suite's test database."""
    from django.db import connection

    db = connection.settings_dict
    url = (f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"
           if connection.vendor == "mysql" else f"sqlite:///{db['NAME']}")
    return dict(os.environ, DJANGO_SETTINGS_MODULE="themepark.settings.test", DATABASE_URL=url,
                **{key: str(value) for key, value in extra.items()})


def manage(*args, **env) -> subprocess.Popen:
    """Start `manage.py <args>` in a child process (stdout and stderr captured as text)."""
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *args], env=command_env(**env), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def python(code: str, *args, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], env=command_env(**env), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, timeout: float = 60.0, step: float = 0.05):
    """Poll `condition()` until it is truthy (and return it); AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not reached within {timeout} s: {condition}")


def stop(*processes):
    """Kill what is still running (a failed test must leave no child behind)."""
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate()


def lock_holders(prefix: str = "") -> dict:
    """name -> owner of the job_lock rows (read on a connection of its own, outside any test transaction)."""
    from django.db import connections

    conn = connections.create_connection("default")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT name, owner FROM job_lock WHERE name LIKE %s", [prefix + "%"])
            return dict(cursor.fetchall())
    finally:
        conn.close()
