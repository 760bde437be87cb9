"""Partition both observation tables by month on MySQL/MariaDB.

Literal SQL on purpose: a migration is history, so it must not import app code that may change.
The months are computed when the migration runs: the current month through three months ahead,
plus the catch-all `p_future`; `manage_partitions` keeps them rolling from then on. The primary
keys already contain `recorded_at` and neither table has foreign keys, as MySQL requires.
Other backends keep the plain tables.
"""
from datetime import date, datetime, timezone

from django.db import migrations

TABLES = ("ride_status_snapshots", "queue_data")
MONTHS_AHEAD = 3


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def forward_statements(today):
    first = today.replace(day=1)
    parts = []
    for offset in range(MONTHS_AHEAD + 1):
        month = _add_months(first, offset)
        parts.append(f"PARTITION p{month.year:04d}{month.month:02d} "
                     f"VALUES LESS THAN ('{_add_months(month, 1).isoformat()}')")
    parts.append("PARTITION p_future VALUES LESS THAN (MAXVALUE)")
    return [f"ALTER TABLE {table} PARTITION BY RANGE COLUMNS (recorded_at) ({', '.join(parts)})"
            for table in TABLES]


BACKWARD = [f"ALTER TABLE {table} REMOVE PARTITIONING" for table in TABLES]


def execute_on_mysql(schema_editor, statements):
    if schema_editor.connection.vendor != "mysql":
        return  # other backends keep the plain tables
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    execute_on_mysql(schema_editor, forward_statements(datetime.now(timezone.utc).date()))


def backward(apps, schema_editor):
    execute_on_mysql(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    atomic = False  # MySQL commits around DDL; a transaction here is refused
    dependencies = [("warehouse", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
