"""The production HTTP server (bin/serve): granian, a Rust HTTP server, running a WSGI application
(`themepark.wsgi:application` unless another target is given) in worker processes.

    python -m themepark.serve [module:application]

Every setting comes from the environment first, then from `.env` beside manage.py:

- BIND (127.0.0.1:8000);
- WEB_CONCURRENCY: worker processes, default one per core (each runs Python on one core at a time);
- SERVE_THREADS: threads per worker running the application, default 2. Connections, keep-alive
  and HTTP parsing stay in Rust; a thread is taken only while the application runs. More threads
  overlap more database waits but hand the interpreter lock to one another more often, which is
  what made the cached answers' tail (docs/scaling.md);
- SERVE_WORKER_LIFETIME (seconds, default 3600) and SERVE_WORKER_MAX_RSS (MiB, default 1024;
  0 turns either off): a worker older or larger is replaced, the new one started before the old
  one stops;
- SERVE_GRACEFUL_TIMEOUT (seconds, default 30): how long a stopping worker may finish the
  requests in hand before it is killed (SIGTERM stops, SIGHUP replaces every worker);
- SERVE_HEADER_TIMEOUT (seconds, default 30): a client must send its request headers within it;
- SERVE_LOG_LEVEL (info): the server's own messages on stderr;
- SERVE_SHARED_SOCKET (0): 0 gives each worker a listening socket of its own on the same port
  (SO_REUSEPORT), and the kernel spreads new connections evenly over them; 1 opens one socket in
  the main process, shared by the workers, whose Rust accept loops then take connections as fast
  as each can: under 50 keep-alive clients one worker often held 35-45 of them and the other
  worker's core sat half idle (docs/scaling.md). With per-worker sockets, set the sysctl
  `net.ipv4.tcp_migrate_req=1` so that the connections waiting in a stopping worker's socket (a
  reload, a recycled worker) move to another worker instead of being reset;
- PROMETHEUS_MULTIPROC_DIR (default /tmp/themepark-metrics-<port>): where the workers' request
  metrics meet (prometheus-client's multiprocess mode), emptied at each start.

A worker that dies is started again. Access lines come from the application (one JSON line per
request, themepark.middleware and the cached-answer front), not from the server;
X-Forwarded-Proto is trusted in themepark.wsgi (FORWARDED_ALLOW_IPS).
"""
import os
import sys

from themepark.settings.env import env  # noqa: F401 - loads .env into os.environ (existing variables win)

APPLICATION = "themepark.wsgi:application"


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _number(environ, name, default):
    return int(environ.get(name) or default)


def options(environ=os.environ):
    """The server's settings from the environment, as keyword arguments of granian's server."""
    host, _, port = (environ.get("BIND") or "127.0.0.1:8000").rpartition(":")
    lifetime, max_rss = _number(environ, "SERVE_WORKER_LIFETIME", 3600), _number(environ, "SERVE_WORKER_MAX_RSS", 1024)
    return {
        "address": host.strip("[]") or "127.0.0.1", "port": int(port),
        "workers": _number(environ, "WEB_CONCURRENCY", _cores()),
        "blocking_threads": _number(environ, "SERVE_THREADS", 2),
        "workers_lifetime": lifetime or None, "workers_max_rss": max_rss or None,
        "workers_kill_timeout": _number(environ, "SERVE_GRACEFUL_TIMEOUT", 30),
        "header_timeout_ms": 1000 * _number(environ, "SERVE_HEADER_TIMEOUT", 30),
        "log_level": (environ.get("SERVE_LOG_LEVEL") or "info").lower(),
        "shared_socket": (environ.get("SERVE_SHARED_SOCKET") or "0").strip().lower() in ("1", "true", "yes", "on"),
    }


def metrics_dir(port, environ=os.environ):
    """PROMETHEUS_MULTIPROC_DIR (set for the workers), created and emptied of the last run's files."""
    path = environ.get("PROMETHEUS_MULTIPROC_DIR") or os.path.join(
        environ.get("TMPDIR") or "/tmp", f"themepark-metrics-{port}")
    environ["PROMETHEUS_MULTIPROC_DIR"] = path
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))
    return path


def _server_class(shared_socket: bool):
    """granian's server: on Linux one SO_REUSEPORT socket per worker (granian's own way), or with
    `shared_socket` one listening socket, opened by the main process and shared by every worker.
    Per-worker sockets spread connections evenly, but the connections waiting in a stopping
    worker's socket (a restart, a recycled worker) are reset unless the kernel migrates them
    (`net.ipv4.tcp_migrate_req=1`); with the shared socket they wait for the next worker, as with
    any pre-fork server, but the workers take unequal shares of keep-alive connections."""
    import socket

    from granian import Granian
    from granian.net import SocketSpec

    if not shared_socket:
        return Granian

    class Server(Granian):
        def _init_shared_socket(self):
            if self.bind_uds:
                return super()._init_shared_socket()
            self._ssp = None
            self._shd = SocketSpec(self.bind_addr, self.bind_port, self.backlog).build()
            self._sfd = self._shd.get_fd()
            self._sso = socket.socket(fileno=self._sfd)
            self._sso.set_inheritable(True)

    return Server


def main(argv=None):
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "themepark.settings.production")
    settings = options()
    metrics_dir(settings["port"])
    _server_class(settings["shared_socket"])(
        argv[0] if argv else APPLICATION, interface=Interfaces.WSGI, http=HTTPModes.http1, websockets=False,
        address=settings["address"], port=settings["port"], workers=settings["workers"],
        blocking_threads=settings["blocking_threads"], respawn_failed_workers=True,
        workers_lifetime=settings["workers_lifetime"], workers_max_rss=settings["workers_max_rss"],
        workers_kill_timeout=settings["workers_kill_timeout"],
        http1_settings=HTTP1Settings(header_read_timeout=settings["header_timeout_ms"]),
        log_level=LogLevels(settings["log_level"]),
    ).serve()


if __name__ == "__main__":
    main()
