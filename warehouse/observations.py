"""Every change to stored observations other than adding them (that is `warehouse.ingest`): giving
an archive entity's observations to another ride when a mapping decision changes, dropping them
when a mapping is rejected, and deleting a time range before `import_archive --replace` loads it
again. With ingest, this is the whole list of writes to `ride_status_snapshots` and `queue_data`.

Only ARCHIVE rows move or are dropped by a mapping decision (an archive entity maps onto one
ride, so a ride's ARCHIVE rows are that entity's); LIVE rows stay. Where the target already holds
a row at the same time, the target's row stays and the moved one is dropped, as ingest's
INSERT IGNORE would have done."""
from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from themepark.choices import DataSource

from .models import QueueData, RideStatusSnapshot

SNAPSHOTS = RideStatusSnapshot._meta.db_table
QUEUES = QueueData._meta.db_table
ARCHIVE_TIMES = f"SELECT recorded_at FROM {SNAPSHOTS} WHERE ride_id = %s AND data_source = '{DataSource.ARCHIVE}'"


def _ignore(verb: str) -> str:
    return f"{verb} IGNORE" if connection.vendor == "mysql" else f"{verb} OR IGNORE"


def observations_move_archive(*, from_ride_id: int, to_ride_id: int) -> int:
    """Move the ARCHIVE observations (and their queue rows) of one ride onto another; what cannot
    move (the target holds that time already) is dropped. Returns the snapshots moved."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Queue rows first, while the snapshots still say which times are ARCHIVE ones; skip
        # times the target already has a snapshot for (those archive rows are dropped below).
        cursor.execute(
            f"{_ignore('UPDATE')} {QUEUES} SET ride_id = %s WHERE ride_id = %s AND recorded_at IN ({ARCHIVE_TIMES})"
            f" AND recorded_at NOT IN (SELECT recorded_at FROM {SNAPSHOTS} WHERE ride_id = %s)",
            [to_ride_id, from_ride_id, from_ride_id, to_ride_id])
        cursor.execute(f"{_ignore('UPDATE')} {SNAPSHOTS} SET ride_id = %s WHERE ride_id = %s AND data_source = %s",
                       [to_ride_id, from_ride_id, DataSource.ARCHIVE])
        moved = max(cursor.rowcount, 0)
        observations_delete_archive(ride_id=from_ride_id)
    return moved


def observations_delete_archive(*, ride_id: int) -> int:
    """Drop a ride's ARCHIVE observations and their queue rows; returns the snapshots dropped."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {QUEUES} WHERE ride_id = %s AND recorded_at IN ({ARCHIVE_TIMES})",
                       [ride_id, ride_id])
        cursor.execute(f"DELETE FROM {SNAPSHOTS} WHERE ride_id = %s AND data_source = %s",
                       [ride_id, DataSource.ARCHIVE])
        return max(cursor.rowcount, 0)


def observations_delete_range(*, ride_ids, start: datetime, end: datetime) -> None:
    """Drop every observation (and queue row) of `ride_ids` recorded in [start, end), UTC: what
    `import_archive --replace` clears before loading a day again. Runs in the caller's transaction."""
    ids = sorted(set(ride_ids))
    if not ids:
        return
    window = [start.isoformat(" "), end.isoformat(" ")]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        for table in (QUEUES, SNAPSHOTS):
            cursor.execute(f"DELETE FROM {table} WHERE ride_id IN ({marks}) AND recorded_at >= %s AND recorded_at < %s",
                           [*ids, *window])


def observations_exist(ride_id: int) -> bool:
    return RideStatusSnapshot.objects.filter(ride_id=ride_id).exists()
