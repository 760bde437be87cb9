"""The production entry for real: `check --deploy` under production settings, bin/serve (granian,
whitenoise) answering the API, an admin static file and /metrics, trusting X-Forwarded-Proto from
the local proxy and replacing its workers on SIGHUP without failing a request; structured request
logs; who may read /metrics."""
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection

from .serving import ROOT, connections_per_worker, production_env, start_serve, stop_serve, workers

PORT = 8160


def _test_database_url():
    """The test database (connection.settings_dict carries the test name once it is set up)."""
    db = connection.settings_dict
    return f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"


def _manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.mysql_only
@pytest.mark.django_db
def test_check_deploy_is_clean_with_production_settings():
    env = production_env(_test_database_url())
    env.pop("DJANGO_SECURE_SSL_REDIRECT")
    env.pop("DJANGO_SECURE_COOKIES")
    result = _manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

    # The check does find what production must not run with: a weak key and plain HTTP.
    weak = {**env, "DJANGO_SECRET_KEY": "short", "DJANGO_SECURE_SSL_REDIRECT": "false"}
    result = _manage(weak, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout and "security.W008" in result.stderr + result.stdout


@pytest.mark.mysql_only
@pytest.mark.django_db
def test_bin_serve_answers_the_api_static_files_and_metrics(tmp_path):
    env = production_env(_test_database_url(), STATIC_ROOT=tmp_path / "static", WEB_CONCURRENCY=2,
                         SERVE_THREADS=2, METRICS_ALLOWED_IPS="127.0.0.1", API_ANON_RATE="100000/min",
                         PROMETHEUS_MULTIPROC_DIR=tmp_path / "prometheus")
    log = tmp_path / "serve.log"
    process, base = start_serve(PORT, env, log_path=log)
    try:
        session = requests.Session()
        for _ in range(4):  # two workers: both see requests
            response = session.get(f"{base}/api/parks/downtime?period=today", timeout=30)
            assert response.status_code == 200 and response.json()["success"] is True
        missing = session.get(f"{base}/api/parks/999999/details", timeout=30)
        assert missing.status_code == 404 and missing.json()["success"] is False

        # The admin's static files come from the app (whitenoise), under hashed names cached for good.
        login = session.get(f"{base}/admin/login/", timeout=30)
        assert login.status_code == 200
        hashed = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
        assert hashed, "the admin links the hashed stylesheet from the manifest"
        css = session.get(base + hashed.group(1), timeout=30)
        assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
        assert "immutable" in css.headers["Cache-Control"] and "body" in css.text
        gzipped = session.get(base + hashed.group(1), headers={"Accept-Encoding": "gzip"}, timeout=30)
        assert gzipped.headers.get("Content-Encoding") == "gzip"

        metrics = session.get(f"{base}/metrics", timeout=30)
        assert metrics.status_code == 200 and metrics.headers["Content-Type"].startswith("text/plain")
        counts = re.findall(r'themepark_http_request_duration_seconds_count\{endpoint="api:park-downtime",'
                            r'method="GET",status="2xx"\} (\S+)', metrics.text)
        assert counts and float(counts[0]) == 4.0, "latency samples of both workers add up"
        for gauge in ("themepark_statistics_lag_seconds", "themepark_import_rate_events_per_second"):
            assert re.search(rf"^{gauge} ", metrics.text, re.M), gauge

        # The local proxy's X-Forwarded-Proto makes the request HTTPS for Django (HSTS is sent only then).
        proxied = session.get(f"{base}/api/health", headers={"X-Forwarded-Proto": "https"}, timeout=30)
        assert "max-age=31536000" in proxied.headers.get("Strict-Transport-Security", "")
        assert "Strict-Transport-Security" not in session.get(f"{base}/api/health", timeout=30).headers

        # Each worker listens on a socket of its own: the kernel spreads kept-alive connections over
        # them (with one shared socket the workers' accept loops race, and one often took most).
        # (40 clients connecting at once, as a load generator's do)
        clients = [requests.Session() for _ in range(40)]
        with ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(lambda client: client.get(f"{base}/api/rides/downtime?period=today", timeout=60),
                                    clients))
        assert all(answer.status_code == 200 for answer in answers)
        held = connections_per_worker(process.pid, PORT)
        assert sum(held.values()) >= 40 and min(held.values()) >= 8, held  # and the first session
        for client in clients:
            client.close()

        # SIGHUP (systemctl reload) replaces every worker, one after the other, and the server answers
        # throughout. A connection a stopping worker had accepted but not read is closed unanswered
        # (docs/deploying.md, "Restarts and recycling"): the client's one retry is answered.
        first = workers(process.pid)
        assert len(first) == 2
        os.kill(process.pid, signal.SIGHUP)
        deadline, answered, retried = time.monotonic() + 90, 0, 0
        while workers(process.pid) & first or len(workers(process.pid)) < 2:
            assert time.monotonic() < deadline, "the workers were not replaced"
            try:
                response = requests.get(f"{base}/api/health", timeout=30)
            except requests.ConnectionError:
                retried += 1
                response = requests.get(f"{base}/api/health", timeout=30)
            assert response.status_code == 200
            answered += 1
        assert answered >= 10 and retried <= 2
    finally:
        stop_serve(process)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    downtime = [line for line in lines if line["path"] == "/api/parks/downtime"]
    assert len(downtime) == 4
    assert {key for key in downtime[0]} >= {"method", "path", "status", "duration_ms"}
    assert downtime[0]["method"] == "GET" and downtime[0]["status"] == 200 and downtime[0]["duration_ms"] > 0


@pytest.mark.django_db
def test_metrics_are_for_staff_or_allowed_addresses(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16", "not-an-address"]
    denied = client.get("/metrics", REMOTE_ADDR="192.0.2.7")
    assert denied.status_code == 403
    assert denied.json()["success"] is False and "METRICS_ALLOWED_IPS" in denied.json()["error"]
    allowed = client.get("/metrics", REMOTE_ADDR="10.1.200.3")
    assert allowed.status_code == 200 and b"themepark_statistics_lag_seconds" in allowed.content

    user = get_user_model().objects.create_user("ops", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200
    user.is_staff = False
    user.save()
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403


@pytest.mark.django_db
def test_metrics_report_collection_lag_per_park_and_the_last_import(client, settings, ride):
    from datetime import timedelta

    from django.utils import timezone

    from importer.models import ImportCheckpoint
    from warehouse.ingest import ingest

    from .factories import make_observations

    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    now = timezone.now().replace(microsecond=0)
    ingest(make_observations(ride, 1, now - timedelta(minutes=7)), now=now)
    ImportCheckpoint.objects.create(import_id="imp-1", source="s3://x", rate=1234.5, started_at=now)
    text = client.get("/metrics").content.decode()
    lag = re.search(rf'themepark_collection_lag_seconds\{{park="{re.escape(ride.park.name)}",'
                    rf'park_id="{ride.park_id}"\}} (\S+)', text)
    assert lag and 419 < float(lag.group(1)) < 600
    assert re.search(r"^themepark_import_rate_events_per_second 1234\.5$", text, re.M)


@pytest.mark.django_db
def test_each_request_logs_one_structured_line(client, caplog):
    logger = logging.getLogger("themepark.request")  # its own handler, not propagated to the root
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="themepark.request"):
            client.get("/api/parks/downtime?period=today")
            client.get("/api/nowhere")
    finally:
        logger.removeHandler(caplog.handler)
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "themepark.request"]
    assert [(r["method"], r["path"], r["status"]) for r in records] == [
        ("GET", "/api/parks/downtime", 200), ("GET", "/api/nowhere", 404)]
    assert records[0]["endpoint"] == "api:park-downtime" and records[1]["endpoint"] == "unmatched"
    assert all(r["duration_ms"] >= 0 and r["db"] == "default" for r in records)
