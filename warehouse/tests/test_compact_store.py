"""The compact store: the standby wait in the snapshot only, narrow columns, page compression, and
migration 0009 converting stored rows forwards and backwards on MariaDB."""
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from importer.parser import parse_day_file
from themepark.choices import QueueType
from warehouse.ingest import ingest
from warehouse.models import QueueData, RideStatusSnapshot
from warehouse.rows import (
    QUEUE_TYPES, Observation, QueueRow, invalid_reason, queue_lines, row_tuples, standby_in_snapshot, stored_queues,
)

UTC = timezone.utc
T0 = datetime(2024, 3, 9, 14, 0, tzinfo=UTC)
BEFORE, COMPACT = ("warehouse", "0008_stats_locks_and_fingerprints"), ("warehouse", "0009_compact_store")


def test_the_queue_types_the_store_accepts_are_the_catalog_choices():
    assert QUEUE_TYPES == set(QueueType.values)


def test_a_standby_queue_with_only_the_snapshot_wait_is_left_to_the_snapshot():
    obs = Observation(1, T0, "OPERATING", 30, "LIVE", queues=[
        QueueRow("STANDBY", 30), QueueRow("SINGLE_RIDER", 10), QueueRow("PAID_STANDBY", None)])
    assert [q.queue_type for q in stored_queues(obs)] == ["SINGLE_RIDER", "PAID_STANDBY"]
    assert [line.split("\t")[2] for line in queue_lines([obs])] == ["SINGLE_RIDER", "PAID_STANDBY"]
    assert [row[2] for row in row_tuples([obs])[1]] == ["SINGLE_RIDER", "PAID_STANDBY"]
    # A STANDBY queue that carries more than the snapshot's wait keeps its row.
    assert not standby_in_snapshot(30, ("STANDBY", 25))
    assert not standby_in_snapshot(30, ("STANDBY", 30, None, None, "OPEN") + (None,) * 7)
    assert standby_in_snapshot(None, ("STANDBY", None)) and not standby_in_snapshot(30, ("SINGLE_RIDER", 30))


def test_an_unknown_queue_type_is_refused_not_stored_as_something_else():
    obs = Observation(1, T0, "OPERATING", 30, "LIVE", queues=[QueueRow("VIRTUAL_QUEUE", 5)])
    assert invalid_reason(obs, T0 + timedelta(days=1)) == "unknown queue type"


def _day_file(events):
    import zlib

    import orjson

    return zlib.compress(orjson.dumps({"events": [{
        "entityId": "e-1", "name": "Coaster", "entityType": "ATTRACTION", "parkId": "p-1", "parkSlug": "park",
        "timezone": "UTC", "internalId": "1", "eventTime": at, "data": {**data, "destinationId": "d1"}}
        for at, data in events]}))


@pytest.mark.parametrize("formatted", [True, False])
def test_the_archive_parser_writes_no_standby_rows_but_keeps_those_that_carry_more(formatted):
    raw = _day_file([
        ("2024-03-09T14:00:00.000Z", {"status": "OPERATING",
                                      "queue": {"STANDBY": {"waitTime": 30}, "SINGLE_RIDER": {"waitTime": 5}}}),
        ("2024-03-09T14:05:00.000Z", {"status": "OPERATING",
                                      "queue": {"STANDBY": {"waitTime": 35, "state": "OPEN"}}}),
        ("2024-03-09T14:10:00.000Z", {"status": "OPERATING", "queue": {"VIRTUAL_QUEUE": {"waitTime": 5}}}),
    ])
    parsed = parse_day_file("d1/2024/03/09.json.gz", raw, now=datetime(2030, 1, 1, tzinfo=UTC), formatted=formatted)
    if formatted:
        ((snapshots, full, count, short),) = parsed.blocks
        assert count == 2 and "\t30\t" in snapshots and "\t35\t" in snapshots
        assert "SINGLE_RIDER" in short and "STANDBY" not in short
        assert full.count("STANDBY") == 1 and "OPEN" in full
    else:
        stored = [[q for q in queues if not standby_in_snapshot(wait, q)] for _, _, _, wait, queues in parsed.events]
        assert [[q[0] for q in queues] for queues in stored] == [["SINGLE_RIDER"], ["STANDBY"]]
    assert sum(entry["count"] for entry in parsed.problems.values()) == 1  # the unknown queue type


@pytest.mark.django_db
def test_live_rows_follow_the_same_rule_through_the_writer(ride):
    obs = [Observation(ride.pk, T0 + timedelta(minutes=5 * i), "OPERATING", 20 + i, "LIVE",
                       queues=[QueueRow("STANDBY", 20 + i), QueueRow("SINGLE_RIDER", 5)]) for i in range(3)]
    obs.append(Observation(ride.pk, T0 + timedelta(minutes=30), "OPERATING", 40, "LIVE",
                           queues=[QueueRow("STANDBY", 40, state="OPEN")]))
    result = ingest(obs, now=T0 + timedelta(days=1))
    assert (result.written, result.queue_rows) == (4, 4)
    assert list(QueueData.objects.filter(queue_type="STANDBY").values_list("wait_time_minutes", "state")) == [
        (40, "OPEN")]
    assert list(RideStatusSnapshot.objects.order_by("recorded_at").values_list("wait_time", flat=True)) == [
        20, 21, 22, 40]


def _columns(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS "
                       "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s", [table])
        columns = dict(cursor.fetchall())
        cursor.execute("SELECT CREATE_OPTIONS FROM information_schema.TABLES "
                       "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s", [table])
        options = cursor.fetchone()[0].lower()
        return columns, "page_compressed" in options and "page_compressed`='0'" not in options


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _queue_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT recorded_at, queue_type, wait_time_minutes, state FROM queue_data "
                       "ORDER BY recorded_at, queue_type")
        return [(at.replace(tzinfo=None), str(queue_type), wait, state) for at, queue_type, wait, state
                in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_migration_0009_converts_stored_rows_forwards_and_backwards(ride):
    if connection.vendor != "mysql":
        pytest.skip("the column types and page compression are MySQL/MariaDB's")
    t = [datetime(2024, 3, 9, 14, 5 * i) for i in range(4)]
    try:
        _migrate(BEFORE)
        columns, compressed = _columns("ride_status_snapshots")
        assert (columns["ride_id"], columns["recorded_at"]) == ("bigint(20)", "datetime(6)")
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO ride_status_snapshots (ride_id, recorded_at, status, wait_time, computed_is_open, "
                "data_source) VALUES (%s, %s, %s, %s, %s, 'ARCHIVE')",
                [(ride.pk, t[0], "OPERATING", 30, 1), (ride.pk, t[1], "OPERATING", 35, 1),
                 (ride.pk, t[2], "CLOSED", None, 0), (ride.pk, t[3] + timedelta(milliseconds=250), "DOWN", None, 0)])
            cursor.executemany(
                "INSERT INTO queue_data (ride_id, recorded_at, queue_type, wait_time_minutes, state) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(ride.pk, t[0], "STANDBY", 30, None),  # the snapshot's wait: goes
                 (ride.pk, t[0], "SINGLE_RIDER", 10, None),
                 (ride.pk, t[1], "STANDBY", 40, None),  # another wait than the snapshot's: stays
                 (ride.pk, t[2], "STANDBY", None, None),  # null like the snapshot's: goes
                 (ride.pk, t[3] + timedelta(milliseconds=250), "STANDBY", None, "CLOSED")])  # a state: stays
        _migrate(COMPACT)
        columns, compressed = _columns("ride_status_snapshots")
        assert (columns["ride_id"], columns["recorded_at"]) == ("int(11)", "datetime")
        assert columns["status"].startswith("enum(") and columns["data_source"] == "enum('LIVE','ARCHIVE')"
        assert compressed
        columns, compressed = _columns("queue_data")
        assert columns["queue_type"].startswith("enum(") and columns["return_time_start"] == "datetime"
        assert compressed
        assert _queue_rows() == [(t[0], "SINGLE_RIDER", 10, None), (t[1], "STANDBY", 40, None),
                                 (t[3], "STANDBY", None, "CLOSED")]
        assert list(RideStatusSnapshot.objects.order_by("recorded_at").values_list("recorded_at", "wait_time")) == [
            (t[0].replace(tzinfo=UTC), 30), (t[1].replace(tzinfo=UTC), 35), (t[2].replace(tzinfo=UTC), None),
            (t[3].replace(tzinfo=UTC), None)]  # to the second
        _migrate(BEFORE)
        columns, compressed = _columns("queue_data")
        assert (columns["ride_id"], columns["queue_type"]) == ("bigint(20)", "varchar(16)")
        assert not compressed
        # every standby wait is a queue row again; the one that differed from its snapshot kept its own
        assert _queue_rows() == [(t[0], "SINGLE_RIDER", 10, None), (t[0], "STANDBY", 30, None),
                                 (t[1], "STANDBY", 40, None), (t[3], "STANDBY", None, "CLOSED")]
    finally:
        _migrate(COMPACT)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM queue_data")
            cursor.execute("DELETE FROM ride_status_snapshots")
