"""The compact observation store.

1. The standby wait lives in `ride_status_snapshots.wait_time` only: a STANDBY row of `queue_data`
   that holds nothing but its snapshot's wait is deleted (backwards: made again from the
   snapshots). STANDBY rows that carry more (a state, a price, a wait other than the snapshot's, or
   no snapshot at all) stay.
2. On MySQL/MariaDB the columns narrow, names unchanged: 4-byte ride ids, second-precision times
   (DATETIME, 5 bytes instead of 8), and one-byte ENUMs for the closed sets `status`,
   `data_source` and `queue_type`; and both tables use InnoDB page compression (PAGE_COMPRESSED=1:
   each 16 KB page is compressed when written, the file keeps only the compressed bytes). Backwards
   restores BIGINT, DATETIME(6), VARCHAR and uncompressed pages.

Literal SQL on purpose: a migration is history and must not import app code that may change.
Other backends keep their column types (step 1 applies everywhere).
"""
from django.db import migrations

STATUSES = ("OPERATING", "DOWN", "CLOSED", "REFURBISHMENT")
SOURCES = ("LIVE", "ARCHIVE")
QUEUE_TYPES = ("STANDBY", "SINGLE_RIDER", "RETURN_TIME", "PAID_RETURN_TIME", "BOARDING_GROUP", "PAID_STANDBY")
EXTRAS = ("return_time_start", "return_time_end", "state", "price_amount", "price_currency", "boarding_group_status",
          "boarding_group_current_start", "boarding_group_current_end", "next_allocation_time",
          "estimated_wait_minutes")


def _enum(values):
    return "ENUM(" + ", ".join(f"'{v}'" for v in values) + ")"


DROP_STANDBY = (
    "DELETE FROM queue_data WHERE queue_type = 'STANDBY' AND "
    + " AND ".join(f"{column} IS NULL" for column in EXTRAS)
    + " AND EXISTS (SELECT 1 FROM ride_status_snapshots s WHERE s.ride_id = queue_data.ride_id "
    "AND s.recorded_at = queue_data.recorded_at AND (s.wait_time = queue_data.wait_time_minutes "
    "OR (s.wait_time IS NULL AND queue_data.wait_time_minutes IS NULL)))"
)
RESTORE_STANDBY = (
    "{verb} INTO queue_data (ride_id, recorded_at, queue_type, wait_time_minutes) "
    "SELECT ride_id, recorded_at, 'STANDBY', wait_time FROM ride_status_snapshots WHERE wait_time IS NOT NULL"
)

COMPACT = [
    "ALTER TABLE ride_status_snapshots MODIFY ride_id INT NOT NULL, MODIFY recorded_at DATETIME NOT NULL, "
    f"MODIFY status {_enum(STATUSES)} NULL, MODIFY data_source {_enum(SOURCES)} NOT NULL, PAGE_COMPRESSED=1",
    "ALTER TABLE queue_data MODIFY ride_id INT NOT NULL, MODIFY recorded_at DATETIME NOT NULL, "
    f"MODIFY queue_type {_enum(QUEUE_TYPES)} NOT NULL, MODIFY return_time_start DATETIME NULL, "
    "MODIFY return_time_end DATETIME NULL, MODIFY next_allocation_time DATETIME NULL, PAGE_COMPRESSED=1",
]
WIDE = [
    "ALTER TABLE ride_status_snapshots MODIFY ride_id BIGINT NOT NULL, MODIFY recorded_at DATETIME(6) NOT NULL, "
    "MODIFY status VARCHAR(13) NULL, MODIFY data_source VARCHAR(7) NOT NULL, PAGE_COMPRESSED=0",
    "ALTER TABLE queue_data MODIFY ride_id BIGINT NOT NULL, MODIFY recorded_at DATETIME(6) NOT NULL, "
    "MODIFY queue_type VARCHAR(16) NOT NULL, MODIFY return_time_start DATETIME(6) NULL, "
    "MODIFY return_time_end DATETIME(6) NULL, MODIFY next_allocation_time DATETIME(6) NULL, PAGE_COMPRESSED=0",
]


def forward(apps, schema_editor):
    schema_editor.execute(DROP_STANDBY)
    if schema_editor.connection.vendor == "mysql":
        for sql in COMPACT:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    mysql = schema_editor.connection.vendor == "mysql"
    if mysql:
        for sql in WIDE:
            schema_editor.execute(sql)
    schema_editor.execute(RESTORE_STANDBY.format(verb="INSERT IGNORE" if mysql else "INSERT OR IGNORE"))


class Migration(migrations.Migration):
    atomic = False  # MySQL commits around DDL
    dependencies = [("warehouse", "0008_stats_locks_and_fingerprints")]
    operations = [migrations.RunPython(forward, backward)]
