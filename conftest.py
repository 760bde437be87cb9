"""Shared pytest fixtures. Tests run on a real MariaDB/MySQL server; `mysql_only` tests are
skipped when the suite is pointed at SQLite."""
import pytest


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "mysql":
        return
    skip = pytest.mark.skip(reason="needs MySQL/MariaDB (partitions, LOAD DATA)")
    for item in items:
        if "mysql_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def park(db):
    from themepark.tests.factories import make_park

    return make_park()


@pytest.fixture
def ride(park):
    from themepark.tests.factories import make_ride

    return make_ride(park)
