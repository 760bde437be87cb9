"""Read-side summaries of the quality log and the storage measurements, shared by the admin
pages and the admin API so both always show the same figures."""
from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, F, Sum
from django.utils import timezone

from themepark.models import Park, Ride
from warehouse.partitions import months_ahead

from . import storage
from .choices import IssueType, ResolutionStatus
from .models import DataQualityLog, StorageMetrics

DEFAULT_BYTES_PER_ROW = 100  # only when a table has no rows to measure yet; flagged in the output
# Below this many rows an InnoDB table's size is its empty pages (16 KB each), not its rows.
MIN_ROWS_TO_MEASURE = 1000


# Quality --------------------------------------------------------------------------------------

def quality_summary() -> dict:
    """Issue counts by status, by type (open ones) and by type and status."""
    rows = DataQualityLog.objects.values_list("issue_type", "resolution_status").annotate(n=Count("pk")).order_by()
    by_status = {s: 0 for s in ResolutionStatus.values}
    open_by_type = {t: 0 for t in IssueType.values}
    matrix = defaultdict(dict)
    for issue_type, status, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        matrix[issue_type][status] = n
        if status in (ResolutionStatus.OPEN, ResolutionStatus.INVESTIGATING):
            open_by_type[issue_type] = open_by_type.get(issue_type, 0) + n
    return {"total": sum(by_status.values()), "by_status": by_status, "open_by_type": open_by_type,
            "by_type_and_status": dict(matrix)}


# Storage --------------------------------------------------------------------------------------

def latest_measurements() -> list[StorageMetrics]:
    last = StorageMetrics.objects.order_by("-measured_on").values_list("measured_on", flat=True).first()
    return list(StorageMetrics.objects.filter(measured_on=last).order_by("table_name")) if last else []


def _mb(value):
    return round(value / storage.MB, 3)


def storage_summary() -> dict:
    rows = latest_measurements()
    tables = [{"table": m.table_name, "rows": m.row_count, "data_mb": _mb(m.data_bytes),
               "index_mb": _mb(m.index_bytes), "total_mb": _mb(m.total_bytes),
               "partitions": [{"name": p["name"], "bound": p["bound"], "rows": p["rows"],
                               "data_mb": _mb(p["data_bytes"]), "index_mb": _mb(p["index_bytes"])}
                              for p in m.partitions]} for m in rows]
    total = sum(m.total_bytes for m in rows)
    return {"measured_at": rows[0].measured_at if rows else None, "vendor": rows[0].vendor if rows else None,
            "total_mb": _mb(total), "total_rows": sum(m.row_count for m in rows), "tables": tables}


def total_series() -> list[tuple]:
    """(day, total bytes of all tables) per measured day."""
    return list(StorageMetrics.objects.values_list("measured_on").annotate(
        total=Sum(F("data_bytes") + F("index_bytes"))).order_by("measured_on"))


def rows_series(table: str = storage.SNAPSHOTS) -> list[tuple]:
    return list(StorageMetrics.objects.filter(table_name=table).order_by("measured_on")
                .values_list("measured_on", "row_count"))


def storage_growth() -> dict:
    size = storage.growth(total_series())
    rows = storage.growth(rows_series())
    capacity = settings.STORAGE_CAPACITY_GB * storage.GB
    return {
        "measurements": size["measurements"], "current_mb": _mb(size["current"]),
        "bytes_per_day": size["per_day"], "mb_per_day": None if size["per_day"] is None else _mb(size["per_day"]),
        "rate_change_percentage": None if size["rate_change"] is None else round(100 * size["rate_change"], 1),
        "observation_rows_per_day": rows["per_day"],
        "projections_mb": {k: _mb(v) for k, v in size["projections"].items()},
        "capacity_gb": settings.STORAGE_CAPACITY_GB,
        "days_until_full": storage.days_until_full(current=size["current"], capacity=capacity,
                                                   per_day=size["per_day"]),
        "_raw": size,
    }


def storage_partitions() -> dict:
    by_table = {m.table_name: m for m in latest_measurements()}
    return {"months_ahead": months_ahead(timezone.now().date()),
            "tables": {t: [{**p, "data_mb": _mb(p["data_bytes"]), "index_mb": _mb(p["index_bytes"])}
                           for p in by_table[t].partitions] if t in by_table else []
                       for t in storage.RAW_TABLES}}


def _bytes_per_row(rows, match) -> tuple[float, bool]:
    chosen = [m for m in rows if match(m.table_name) and m.row_count]
    if sum(m.row_count for m in chosen) < MIN_ROWS_TO_MEASURE:
        return DEFAULT_BYTES_PER_ROW, False
    return sum(m.total_bytes for m in chosen) / sum(m.row_count for m in chosen), True


def storage_retention() -> dict:
    """The four retention policies sized from bytes per row measured in this database."""
    rows = latest_measurements()
    by_table = {m.table_name: m for m in rows}
    snapshots = by_table.get(storage.SNAPSHOTS)
    if snapshots and snapshots.row_count >= MIN_ROWS_TO_MEASURE:
        raw_bpr, raw_measured = sum(by_table[t].total_bytes for t in storage.RAW_TABLES
                                    if t in by_table) / snapshots.row_count, True
    else:
        raw_bpr, raw_measured = DEFAULT_BYTES_PER_ROW, False
    hourly_bpr, hourly_measured = _bytes_per_row(rows, lambda name: "hourly" in name)
    daily_bpr, daily_measured = _bytes_per_row(rows, lambda name: "daily" in name)
    rides = Ride.objects.filter(is_active=True, park__is_active=True).count()
    parks = Park.objects.filter(is_active=True).count()
    raw_per_day = storage.daily_rate(rows_series())
    raw_estimated = not raw_per_day or raw_per_day <= 0
    if raw_estimated:  # one poll per ride per collection interval
        raw_per_day = rides * 24 * 60 / settings.COLLECTION_INTERVAL_MINUTES
    inputs = {"raw_bytes_per_row": raw_bpr, "raw_rows_per_day": raw_per_day,
              "hourly_bytes_per_row": hourly_bpr, "hourly_rows_per_day": (rides + parks) * 24,
              "daily_bytes_per_row": daily_bpr, "daily_rows_per_day": rides + parks}
    return {"inputs": {k: round(v, 1) for k, v in inputs.items()},
            "measured": {"raw_bytes_per_row": raw_measured, "raw_rows_per_day": not raw_estimated,
                         "hourly_bytes_per_row": hourly_measured, "daily_bytes_per_row": daily_measured},
            "policies": [{**p, **{k.replace("_bytes", "_mb"): _mb(v) for k, v in p.items() if k.endswith("_bytes")}}
                         for p in storage.retention_comparison(**inputs)]}


def storage_alerts(growth: dict | None = None) -> list[dict]:
    growth = growth or storage_growth()
    raw = growth["_raw"]
    return storage.alerts(total_bytes=raw["current"], capacity_bytes=settings.STORAGE_CAPACITY_GB * storage.GB,
                          per_day=raw["per_day"], rate_change=raw["rate_change"],
                          months_ahead=months_ahead(timezone.now().date()))
