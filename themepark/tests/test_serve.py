"""The production server's settings (themepark/serve.py) and the X-Forwarded-Proto trust in front of
the application (themepark/wsgi.py); bin/serve itself runs in test_production.py."""
import os

from themepark.serve import metrics_dir, options


def test_options_default_to_one_worker_per_core_and_read_the_environment():
    defaults = options({})
    assert defaults["workers"] == len(os.sched_getaffinity(0))
    assert (defaults["address"], defaults["port"], defaults["blocking_threads"]) == ("127.0.0.1", 8000, 2)
    assert defaults["workers_lifetime"] == 3600 and defaults["workers_kill_timeout"] == 30
    assert defaults["shared_socket"] is False  # a socket per worker: the kernel spreads connections

    chosen = options({"BIND": "0.0.0.0:9001", "WEB_CONCURRENCY": "3", "SERVE_THREADS": "5",
                      "SERVE_WORKER_LIFETIME": "0", "SERVE_WORKER_MAX_RSS": "512", "SERVE_HEADER_TIMEOUT": "7",
                      "SERVE_LOG_LEVEL": "WARNING", "SERVE_SHARED_SOCKET": "1"})
    assert (chosen["address"], chosen["port"], chosen["workers"], chosen["blocking_threads"]) == ("0.0.0.0", 9001, 3, 5)
    assert chosen["workers_lifetime"] is None and chosen["workers_max_rss"] == 512
    assert chosen["header_timeout_ms"] == 7000 and chosen["log_level"] == "warning"
    assert chosen["shared_socket"] is True


def test_the_metrics_directory_is_emptied_at_start(tmp_path):
    old = tmp_path / "histogram_4242.db"
    old.write_bytes(b"x")
    kept = tmp_path / "notes.txt"
    kept.write_text("not prometheus")
    environ = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    assert metrics_dir(8000, environ) == str(tmp_path)
    assert not old.exists() and kept.exists()

    default = {"TMPDIR": str(tmp_path)}
    assert metrics_dir(8123, default) == str(tmp_path / "themepark-metrics-8123")
    assert default["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "themepark-metrics-8123")


def test_x_forwarded_proto_is_trusted_only_from_the_allowed_addresses():
    from themepark.wsgi import ForwardedProto

    def scheme(trusted, remote, proto):
        seen = {}

        def app(environ, start_response):
            seen["scheme"] = environ["wsgi.url_scheme"]
            return []
        environ = {"REMOTE_ADDR": remote, "wsgi.url_scheme": "http"}
        if proto is not None:
            environ["HTTP_X_FORWARDED_PROTO"] = proto
        ForwardedProto(app, trusted)(environ, None)
        return seen["scheme"]

    assert scheme(["127.0.0.1"], "127.0.0.1", "https") == "https"
    assert scheme(["127.0.0.1"], "127.0.0.1", "HTTPS ") == "https"
    assert scheme(["127.0.0.1"], "192.0.2.9", "https") == "http", "a client cannot claim HTTPS itself"
    assert scheme(["127.0.0.1"], "127.0.0.1", None) == "http"
    assert scheme(["*"], "192.0.2.9", "https") == "https"
    assert scheme([], "127.0.0.1", "https") == "http"
