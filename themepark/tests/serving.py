"""Start the production entry (bin/serve: granian) on a loopback port for a test or a benchmark,
and stop it with all its workers. The server runs in a process group of its own, killed by id."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def production_env(database_url, **extra):
    """The environment of a production server on plain HTTP over loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "DATABASE_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "themepark.settings.production",
        "DJANGO_SECRET_KEY": "x7-" + "production-test-secret-key-4f9c2a81b3d6e0" * 2,
        "DATABASE_URL": database_url,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    })
    env.update({key: str(value) for key, value in extra.items()})
    return env


def start_serve(port, env, *, log_path, timeout=90):
    """bin/serve on 127.0.0.1:`port`; returns (process, base URL) once /api/health answers."""
    env = {**env, "BIND": f"127.0.0.1:{port}"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(["bash", str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(process, base, log_path, timeout)
    except BaseException:
        stop_serve(process)
        raise
    return process, base


def _wait_until_serving(process, base, log_path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bin/serve exited with {process.returncode}: {Path(log_path).read_text()[-3000:]}")
        try:
            requests.get(f"{base}/api/health", timeout=60)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"bin/serve did not answer in {timeout} s: {Path(log_path).read_text()[-3000:]}")


def stop_serve(process):
    """SIGTERM to the server's own process group (its main process and workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    except ProcessLookupError:
        pass


def workers(pid) -> set[int]:
    """The server's worker processes: the main process's children."""
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def connections_per_worker(pid, port) -> dict[int, int]:
    """Per worker of the server `pid`: how many established TCP connections to `port` it holds."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
                established.add(fields[9])  # the socket's inode
    held = {}
    for worker in workers(pid):
        links = []
        for fd in Path(f"/proc/{worker}/fd").iterdir():
            try:
                links.append(os.readlink(fd))
            except OSError:  # closed meanwhile
                continue
        held[worker] = sum(link[len("socket:["):-1] in established for link in links if link.startswith("socket:["))
    return held
