"""Monthly RANGE COLUMNS partitions of the observation tables (MySQL/MariaDB only).

A partition `pYYYYMM` holds the month YYYY-MM: `recorded_at < first day of the next month`.
The first partition also holds everything older, and `p_future` (MAXVALUE) catches anything
beyond the last month. Months ahead are added by splitting `p_future`; months back (before an
import of old data) by splitting the first partition. Both are REORGANIZE PARTITION statements,
which only move the rows of the partition split, normally none.

RANGE COLUMNS(recorded_at) lets the optimizer prune a time-range predicate to the months it
touches; filters must be written as ranges on the raw column (see querysets.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connections

PARTITIONED_TABLES = ("ride_status_snapshots", "queue_data")
CATCH_ALL = "p_future"


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    bound: date | None  # exclusive upper bound; None for MAXVALUE
    rows: int = 0
    data_bytes: int = 0
    index_bytes: int = 0

    @property
    def month(self) -> date | None:
        """The month a monthly partition is named for (the month before its bound)."""
        return add_months(self.bound, -1) if self.bound else None


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"p{month.year:04d}{month.month:02d}"


def _definition(month: date) -> str:
    return f"PARTITION {partition_name(month)} VALUES LESS THAN ('{add_months(month, 1).isoformat()}')"


def _parse_bound(description: str | None) -> date | None:
    if description is None or description.upper() == "MAXVALUE":
        return None
    return date.fromisoformat(description.strip("'")[:10])


def existing_partitions(table: str, using: str = "default") -> list[Partition]:
    """The table's partitions in order; empty when the table is not partitioned."""
    connection = connections[using]
    if connection.vendor != "mysql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT PARTITION_NAME, PARTITION_DESCRIPTION, TABLE_ROWS, DATA_LENGTH, INDEX_LENGTH "
            "FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s "
            "AND PARTITION_NAME IS NOT NULL ORDER BY PARTITION_ORDINAL_POSITION",
            [table],
        )
        return [Partition(table, name, _parse_bound(desc), rows or 0, data or 0, index or 0)
                for name, desc, rows, data, index in cursor.fetchall()]


def plan_partitions(table: str, partitions: list[Partition], *, through: date,
                    since: date | None = None) -> tuple[list[str], list[str]]:
    """DDL statements and new partition names so that `table` has monthly partitions through
    the month of `through` and, with `since`, back to the month of `since`."""
    if not partitions:
        return [], []
    statements, created = [], []
    bounded = [p for p in partitions if p.bound is not None]
    last_month = bounded[-1].month if bounded else None
    through = month_start(through)
    if partitions[-1].bound is None and (last_month is None or last_month < through):
        first_new = add_months(last_month, 1) if last_month else through
        months = _months(first_new, through)
        parts = [_definition(m) for m in months] + [f"PARTITION {CATCH_ALL} VALUES LESS THAN (MAXVALUE)"]
        statements.append(f"ALTER TABLE {table} REORGANIZE PARTITION {partitions[-1].name} INTO ({', '.join(parts)})")
        created += [partition_name(m) for m in months]
    if since is not None and bounded:
        first = bounded[0]
        since = month_start(since)
        if since < first.month:
            months = _months(since, add_months(first.month, -1))
            parts = [_definition(m) for m in months] + [
                f"PARTITION {first.name} VALUES LESS THAN ('{first.bound.isoformat()}')"]
            statements.append(f"ALTER TABLE {table} REORGANIZE PARTITION {first.name} INTO ({', '.join(parts)})")
            created += [partition_name(m) for m in months]
    return statements, created


def _months(first: date, last: date) -> list[date]:
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months


def ensure_partitions(*, months_ahead: int, today: date, since: date | None = None, dry_run: bool = False,
                      using: str = "default") -> list[tuple[str, str, str]]:
    """Make sure every partitioned table covers `since` .. `months_ahead` months after `today`.

    Idempotent; returns (table, partition, statement) for what was (or, dry, would be) added.
    On other backends, or on tables that are not partitioned, it does nothing.
    """
    connection = connections[using]
    if connection.vendor != "mysql":
        return []
    through = add_months(month_start(today), months_ahead)
    done = []
    for table in PARTITIONED_TABLES:
        statements, created = plan_partitions(table, existing_partitions(table, using), through=through, since=since)
        for sql in statements:
            if not dry_run:
                with connection.cursor() as cursor:
                    cursor.execute(sql)
        done += [(table, name, "; ".join(statements)) for name in created]
    return done


def months_ahead(today: date, using: str = "default") -> int | None:
    """Whole months covered after the current one by every partitioned table (None if not partitioned)."""
    current = month_start(today)
    counts = []
    for table in PARTITIONED_TABLES:
        bounded = [p for p in existing_partitions(table, using) if p.bound is not None]
        if not bounded:
            return None
        last = bounded[-1].month
        counts.append((last.year - current.year) * 12 + last.month - current.month)
    return min(counts)
