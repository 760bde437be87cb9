"""/api/health says what failed without the database driver's own text."""
import pytest
from django.db import connection
from rest_framework.test import APIClient

from collector.models import CollectionRun

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.mysql_only]


def test_an_unreachable_database_is_named_without_the_driver_error():
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=8131)  # nothing listens there
    try:
        response = APIClient().get("/api/health")
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": {"ok": False, "error": "database unreachable"}, "replicas": []}
    assert "Can't connect" not in response.content.decode() and "8131" not in response.content.decode()


def test_a_table_that_cannot_be_read_is_named_without_the_driver_error():
    table = CollectionRun._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"RENAME TABLE {table} TO {table}_away")
    try:
        response = APIClient().get("/api/health")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"RENAME TABLE {table}_away TO {table}")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": {"ok": False, "error": "database query failed"}, "replicas": []}
    assert table not in response.content.decode() and "exist" not in response.content.decode()
