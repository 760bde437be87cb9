"""The S3 path (moto's server on loopback, boto3 over real HTTP) and a SIGKILLed run resumed."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from django.db import connection

from importer.models import ImportCheckpoint
from importer.tests.conftest import manifest, run_import, snapshot_rows

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.mysql_only]
ROOT = Path(__file__).resolve().parents[2]
LEASE = 2.0  # the killed run's locks are free this long after it died


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_archive(clean_archive, settings):
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    uploader = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                            aws_secret_access_key="test")
    uploader.create_bucket(Bucket="archive.themeparks.wiki")
    for path in sorted(clean_archive.rglob("*.json.gz")):
        uploader.put_object(Bucket="archive.themeparks.wiki", Key=path.relative_to(clean_archive).as_posix(),
                            Body=path.read_bytes(), ACL="public-read")  # as the real bucket
    settings.ARCHIVE_S3_ENDPOINT_URL = url
    yield "s3://archive.themeparks.wiki"
    server.stop()


def _clear_observations():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM queue_data")
        cursor.execute("DELETE FROM ride_status_snapshots")


def test_the_s3_path_and_the_local_folder_give_identical_rows(s3_archive, clean_archive):
    run_import(source=s3_archive)
    from_s3 = snapshot_rows()
    assert len(from_s3[0]) == manifest(clean_archive)["totals"]["valid_events"]
    _clear_observations()
    run_import(source=str(clean_archive))
    assert snapshot_rows() == from_s3


def _command_env():
    db = connection.settings_dict
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="themepark.settings.test",
               DATABASE_URL=f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
                            f"{db['PORT'] or 3306}/{db['NAME']}", JOB_LOCK_LEASE_SECONDS=str(LEASE))
    return env


def test_a_run_killed_with_sigkill_and_resumed_equals_an_uninterrupted_run(clean_archive):
    command = [sys.executable, str(ROOT / "manage.py"), "import_archive", "--source", str(clean_archive),
               "--no-input", "--workers", "0", "--verbosity", "0"]
    process = subprocess.Popen(command, env=_command_env(), cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill once a couple of files have committed
        checkpoint = ImportCheckpoint.objects.first()
        if checkpoint and checkpoint.files_done >= 2:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    checkpoint = ImportCheckpoint.objects.get()
    assert checkpoint.status == "IN_PROGRESS" and 2 <= checkpoint.files_done < checkpoint.files_total
    time.sleep(LEASE + 0.5)  # the dead run's locks are free once their lease has run out
    run_import(resume_latest=True)
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.files_done) == ("COMPLETED", checkpoint.files_total)
    resumed = snapshot_rows()
    _clear_observations()
    run_import(source=str(clean_archive))
    assert snapshot_rows() == resumed
    assert len(resumed[0]) == manifest(clean_archive)["totals"]["valid_events"] == checkpoint.events_imported
