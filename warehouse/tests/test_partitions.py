from datetime import datetime, timezone
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from warehouse.partitions import (PARTITIONED_TABLES, add_months, existing_partitions,
                                  months_ahead)

pytestmark = pytest.mark.mysql_only


@pytest.mark.django_db
def test_migrate_partitions_both_tables_by_month_at_least_three_months_ahead():
    today = datetime.now(timezone.utc).date()
    for table in PARTITIONED_TABLES:
        parts = existing_partitions(table)
        assert parts[-1].name == "p_future" and parts[-1].bound is None
        bounds = [p.bound for p in parts[:-1]]
        assert all(add_months(a, 1) == b for a, b in zip(bounds, bounds[1:])), "one partition per month"
    assert months_ahead(today) >= 3


@pytest.mark.django_db
def test_a_one_day_range_touches_one_partition():
    parts = existing_partitions("ride_status_snapshots")
    month = parts[1].month
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN PARTITIONS SELECT * FROM ride_status_snapshots "
                       "WHERE recorded_at >= %s AND recorded_at < %s",
                       [f"{month.isoformat()} 00:00:00", f"{month.isoformat()} 23:59:59"])
        columns = [c[0] for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone()))
    assert row["partitions"] == parts[1].name


@pytest.mark.django_db(transaction=True)
def test_manage_partitions_run_twice_changes_nothing_the_second_time():
    # Two months before the oldest partition, whatever earlier tests (imports) already added.
    since = add_months(existing_partitions("ride_status_snapshots")[0].month, -2)
    wanted = f"p{since.year:04d}{since.month:02d}"
    out = StringIO()
    call_command("manage_partitions", "--months-ahead", "6", "--since", since.isoformat(), stdout=out)
    assert wanted in out.getvalue()
    after_first = {t: [p.name for p in existing_partitions(t)] for t in PARTITIONED_TABLES}
    out = StringIO()
    call_command("manage_partitions", "--months-ahead", "6", "--since", since.isoformat(), stdout=out)
    assert "already up to date" in out.getvalue()
    assert {t: [p.name for p in existing_partitions(t)] for t in PARTITIONED_TABLES} == after_first
    assert after_first["ride_status_snapshots"][0] == wanted


@pytest.mark.django_db(transaction=True)
def test_dry_run_prints_but_changes_nothing():
    before = [p.name for p in existing_partitions("queue_data")]
    out = StringIO()
    call_command("manage_partitions", "--months-ahead", "24", "--dry-run", stdout=out)
    assert "would add" in out.getvalue()
    assert [p.name for p in existing_partitions("queue_data")] == before


@pytest.mark.django_db(transaction=True)
def test_the_partition_migration_reverses_cleanly():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("warehouse", "0001_initial")])
        for table in PARTITIONED_TABLES:
            assert existing_partitions(table) == []
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert existing_partitions("ride_status_snapshots")[-1].name == "p_future"
