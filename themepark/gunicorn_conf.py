"""gunicorn settings for bin/serve, every one overridable from the environment.

BIND (127.0.0.1:8000), WEB_CONCURRENCY (worker processes; default one per core: each process
runs Python on one core at a time, and every extra process is another cache to warm and more
switching between processes on the same cores), GUNICORN_THREADS (threads per worker, default 8:
while one thread waits for the database another answers; a keep-alive connection stays with its
worker, so enough threads keep a slow request from holding up the next ones),
GUNICORN_TIMEOUT (seconds, default 60),
GUNICORN_MAX_REQUESTS (a worker is replaced after this many requests, default 100000, about a
few minutes at full load on one core; each replacement boots Django again and starts with empty
in-process caches; 0 never),
PROMETHEUS_MULTIPROC_DIR (default /tmp/themepark-metrics-<port>).
Access logs come from the app (one JSON line per request, themepark.middleware), not gunicorn.
Like the settings, these are read from the environment first, then from `.env` beside manage.py.
"""
import os

from themepark.settings.env import env  # noqa: F401 - loads .env into os.environ (existing variables win)


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


bind = os.environ.get("BIND") or "127.0.0.1:8000"
workers = int(os.environ.get("WEB_CONCURRENCY") or _cores())
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 100_000)
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-Proto from a reverse proxy on this host marks the request HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket: its default path is shared by every gunicorn of the user; systemd and signals manage it.
control_socket_disable = True


# Request metrics of every worker meet in one directory (prometheus-client's multiprocess mode),
# emptied at each start; set before the workers import the app.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.path.join(
    os.environ.get("TMPDIR") or "/tmp", f"themepark-metrics-{bind.rpartition(':')[2]}")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir
os.makedirs(_metrics_dir, exist_ok=True)
for _name in os.listdir(_metrics_dir):
    if _name.endswith(".db"):
        os.remove(os.path.join(_metrics_dir, _name))


def child_exit(server, worker):
    """Forget a dead worker's live gauges in the shared Prometheus directory."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
