"""The S3 path: moto's server on loopback, boto3 over real HTTP, gives the rows the local folder gives."""
import boto3
import pytest

from importer.tests.conftest import clear_observations, manifest, run_import, snapshot_rows
from themepark.tests.loopback import free_ports

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.mysql_only]


@pytest.fixture
def s3_archive(clean_archive, settings):
    from moto.server import ThreadedMotoServer

    port = free_ports(1)[0]
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


def test_the_s3_path_and_the_local_folder_give_identical_rows(s3_archive, clean_archive):
    run_import(source=s3_archive)
    from_s3 = snapshot_rows()
    assert len(from_s3[0]) == manifest(clean_archive)["totals"]["valid_events"]
    clear_observations()
    run_import(source=str(clean_archive))
    assert snapshot_rows() == from_s3
