"""Storage growth: measuring tables, fitting the growth rate, projecting it and raising alerts.

The measurement reads information_schema on MySQL/MariaDB (TABLE_ROWS is InnoDB's estimate;
`analyze=True` refreshes it first). On SQLite it counts rows and sizes pages with `dbstat` when
compiled in, else shares the file size out by rows. The figures below it are pure functions of
the stored measurements, so they are tested on known series.
"""
from __future__ import annotations

import os
from datetime import date, datetime

from django.db import connections, transaction
from django.utils import timezone

from warehouse.partitions import PARTITIONED_TABLES, existing_partitions

from .choices import AlertLevel
from .models import StorageMetrics

GB = 1024 ** 3
MB = 1024 ** 2
WARNING_SHARE, CRITICAL_SHARE = 0.60, 0.80
RATE_CHANGE_LIMIT = 0.10
FULL_WARNING_DAYS, FULL_CRITICAL_DAYS = 365, 90
MIN_FUTURE_PARTITIONS = 2
RAW_TABLES = ("ride_status_snapshots", "queue_data")
SNAPSHOTS = "ride_status_snapshots"


# Measurement ---------------------------------------------------------------------------------

def _mysql_tables(cursor, analyze: bool):
    cursor.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                   "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")
    names = [row[0] for row in cursor.fetchall()]
    if analyze and names:
        cursor.execute("ANALYZE TABLE " + ", ".join(f"`{name}`" for name in names))
        cursor.fetchall()
    cursor.execute("SELECT TABLE_NAME, TABLE_ROWS, DATA_LENGTH, INDEX_LENGTH FROM information_schema.TABLES "
                   "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")
    return [(name, rows or 0, data or 0, index or 0) for name, rows, data, index in cursor.fetchall()]


def _sqlite_tables(connection, cursor):
    names = [n for n in connection.introspection.table_names(cursor) if not n.startswith("sqlite_")]
    rows = {}
    for name in names:
        cursor.execute(f'SELECT COUNT(*) FROM "{name}"')
        rows[name] = cursor.fetchone()[0]
    sizes = {}
    try:  # dbstat: pages of each table and of its indexes
        cursor.execute("SELECT m.tbl_name, m.type, SUM(s.pgsize) FROM dbstat s JOIN sqlite_master m "
                       "ON m.name = s.name GROUP BY m.tbl_name, m.type")
        for table, kind, size in cursor.fetchall():
            data, index = sizes.get(table, (0, 0))
            sizes[table] = (data + size, index) if kind == "table" else (data, index + size)
    except Exception:  # dbstat is optional in SQLite builds: share the file out by rows
        path = connection.settings_dict["NAME"]
        file_size = os.path.getsize(path) if os.path.exists(str(path)) else 0
        all_rows = sum(rows.values()) or 1
        sizes = {name: (file_size * count // all_rows, 0) for name, count in rows.items()}
    return [(name, rows[name], *sizes.get(name, (0, 0))) for name in names]


def storage_measure(*, analyze: bool = False, now: datetime | None = None, using: str = "default"):
    """Measure every table and store one StorageMetrics row per table for today (replacing an
    earlier measurement of the same day). Returns the saved rows."""
    now = now or timezone.now()
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            tables = _mysql_tables(cursor, analyze)
        else:
            tables = _sqlite_tables(connection, cursor)
    partitioned = {t: existing_partitions(t, using) for t in PARTITIONED_TABLES}
    saved = []
    with transaction.atomic(using=using):
        for name, rows, data, index in tables:
            parts = [{"name": p.name, "bound": p.bound.isoformat() if p.bound else None, "rows": p.rows,
                      "data_bytes": p.data_bytes, "index_bytes": p.index_bytes} for p in partitioned.get(name, [])]
            row, _ = StorageMetrics.objects.using(using).update_or_create(
                table_name=name, measured_on=now.date(),
                defaults={"measured_at": now, "row_count": rows, "data_bytes": data, "index_bytes": index,
                          "partitions": parts, "vendor": connection.vendor})
            saved.append(row)
    return saved


# Pure figures --------------------------------------------------------------------------------

def least_squares(points) -> tuple[float, float] | None:
    """(slope, intercept) of y = a x + b through (x, y) points; None with fewer than 2 distinct x."""
    points = list(points)
    n = len(points)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    if not var:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var
    return slope, mean_y - slope * mean_x


def daily_rate(series: list[tuple[date, float]]) -> float | None:
    """Growth per day fitted by least squares over (day, value) points."""
    if not series:
        return None
    first = series[0][0]
    fit = least_squares(((day - first).days, value) for day, value in series)
    return None if fit is None else fit[0]


def growth(series: list[tuple[date, float]], *, window: int = 30) -> dict:
    """Rate per day over the last `window` measurements, 1/3/5-year projections from the latest
    value, and the change of rate between the older and the newer half of the window."""
    series = sorted(series)[-window:]
    current = series[-1][1] if series else 0
    rate = daily_rate(series)
    half = len(series) // 2
    previous, recent = (daily_rate(series[:half]), daily_rate(series[half:])) if half >= 2 else (None, None)
    change = (recent - previous) / abs(previous) if previous and recent is not None else None
    return {
        "current": current, "per_day": rate, "measurements": len(series),
        "previous_per_day": previous, "recent_per_day": recent, "rate_change": change,
        "projections": {f"{years}y": (current + (rate or 0) * 365 * years) for years in (1, 3, 5)},
    }


def days_until_full(*, current: float, capacity: float, per_day: float | None) -> float | None:
    if per_day is None or per_day <= 0:
        return None
    return max(0.0, (capacity - current) / per_day)


def alerts(*, total_bytes: float, capacity_bytes: float, per_day: float | None, rate_change: float | None,
           months_ahead: int | None) -> list[dict]:
    """Active storage alerts, each {level, code, message, value}."""
    out = []

    def add(level, code, message, value):
        out.append({"level": level, "code": code, "message": message, "value": value})

    share = total_bytes / capacity_bytes if capacity_bytes else 0
    if share >= CRITICAL_SHARE:
        add(AlertLevel.CRITICAL, "capacity", f"{share:.0%} of the storage capacity used (critical at 80 %)",
            round(share, 4))
    elif share >= WARNING_SHARE:
        add(AlertLevel.WARNING, "capacity", f"{share:.0%} of the storage capacity used (warning at 60 %)",
            round(share, 4))
    if rate_change is not None and abs(rate_change) > RATE_CHANGE_LIMIT:
        add(AlertLevel.WARNING, "growth_rate_change", f"growth rate changed by {rate_change:+.0%}",
            round(rate_change, 4))
    days = days_until_full(current=total_bytes, capacity=capacity_bytes, per_day=per_day)
    if days is not None and days < FULL_WARNING_DAYS:
        level = AlertLevel.CRITICAL if days < FULL_CRITICAL_DAYS else AlertLevel.WARNING
        add(level, "days_until_full", f"storage full in {days:.0f} days at the current rate", round(days, 1))
    if months_ahead is not None and months_ahead < MIN_FUTURE_PARTITIONS:
        level = AlertLevel.CRITICAL if months_ahead < 1 else AlertLevel.WARNING
        add(level, "future_partitions", f"only {months_ahead} future monthly partition(s); run manage_partitions",
            months_ahead)
    return out


def retention_comparison(*, raw_bytes_per_row: float, raw_rows_per_day: float, hourly_bytes_per_row: float,
                         hourly_rows_per_day: float, daily_bytes_per_row: float, daily_rows_per_day: float,
                         raw_days: int = 90, years=(1, 3, 5)) -> list[dict]:
    """Size after each horizon under four policies: raw forever; raw for `raw_days` then hourly
    (hourly and daily kept for good); hourly only; daily only."""
    raw, hourly, daily = (raw_bytes_per_row * raw_rows_per_day, hourly_bytes_per_row * hourly_rows_per_day,
                          daily_bytes_per_row * daily_rows_per_day)
    policies = {
        "raw_forever": lambda days: raw * days,
        "raw_90_days_then_hourly": lambda days: raw * min(days, raw_days) + (hourly + daily) * days,
        "hourly_only": lambda days: hourly * days,
        "daily_only": lambda days: daily * days,
    }
    return [{"policy": name, **{f"{y}y_bytes": round(size(365 * y)) for y in years}}
            for name, size in policies.items()]
