"""Bulk exports of a park's observations and daily ride statistics, as CSV or Parquet.

Everything here streams: rows are read in bounded chunks by keyset on the primary key (a ride's
observations in `(ride_id, recorded_at)` order, daily statistics by id), each chunk is turned
into output and handed on, so memory holds one chunk whatever the range. The API views
(`warehouse.api.exports`) send the chunks as a StreamingHttpResponse; `manage.py export` writes
them to files. Parquet is written with pyarrow, one row group per chunk, into a sink that gives
back the bytes written so far; timestamps are UTC instants, counts are integers.

The columns of each dataset are listed once, in `DATASETS`, with their type and meaning
(docs/exports-and-alerts.md prints the same list).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timezone as dt_timezone
from typing import Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection
from django.db.models import Q

from themepark.models import Park, Ride

from .models import RideDailyStats, RideStatusSnapshot
from .periods import DayRange, range_bounds_utc

CHUNK_ROWS = 20_000
FORMATS = ("csv", "parquet")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}
# Longest range of one request (park days, inclusive).
MAX_OBSERVATION_DAYS = 31
MAX_DAILY_STATS_DAYS = 5 * 366


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str


OBSERVATION_COLUMNS = (
    Column("park_id", pa.int64(), "The park's id"),
    Column("ride_id", pa.int64(), "The ride's id"),
    Column("ride_name", pa.string(), "The ride's current name"),
    Column("recorded_at", pa.timestamp("us", tz="UTC"), "When the observation was made (UTC)"),
    Column("status", pa.string(), "OPERATING, DOWN, CLOSED, REFURBISHMENT, or empty when unknown"),
    Column("wait_time", pa.int16(), "Posted standby wait in minutes, empty when none"),
    Column("computed_is_open", pa.bool_(), "Whether the ride counted as open at that moment"),
    Column("data_source", pa.string(), "LIVE (collected) or ARCHIVE (imported)"),
)

DAILY_STATS_COLUMNS = (
    Column("date", pa.date32(), "The park day (04:00 to 04:00 in the park's timezone)"),
    Column("park_id", pa.int64(), "The park's id"),
    Column("ride_id", pa.int64(), "The ride's id"),
    Column("ride_name", pa.string(), "The ride's current name"),
    Column("operating_minutes", pa.float64(), "Minutes of the open window the ride was operating"),
    Column("downtime_minutes", pa.float64(), "Minutes of the open window the ride was down"),
    Column("known_minutes", pa.float64(), "Minutes of the open window with a known state"),
    Column("uptime_percentage", pa.float64(), "Operating share of the known open minutes, empty when none"),
    Column("avg_wait_minutes", pa.float64(), "Time-weighted mean standby wait while operating"),
    Column("peak_wait_minutes", pa.int32(), "Longest posted standby wait"),
    Column("status_changes", pa.int32(), "Number of state changes"),
    Column("longest_downtime_minutes", pa.float64(), "Longest single spell of downtime"),
    Column("operated", pa.bool_(), "Whether the ride operated that day"),
    Column("metrics_version", pa.int32(), "Version of the metric definitions the row was computed with"),
)


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: tuple
    max_days: int


DATASETS = {
    "observations": Dataset("observations", OBSERVATION_COLUMNS, MAX_OBSERVATION_DAYS),
    "daily-stats": Dataset("daily-stats", DAILY_STATS_COLUMNS, MAX_DAILY_STATS_DAYS),
}


# ---------------------------------------------------------------------------------------------
# Reading in chunks
# ---------------------------------------------------------------------------------------------
def _rides(park: Park) -> list[tuple[int, str]]:
    return list(Ride.objects.filter(park=park).order_by("pk").values_list("pk", "name"))


def _raw(queryset) -> list[tuple]:
    """The rows of a values_list queryset whose first column is a time, as the driver returns
    them, without Django's per-value converters (a third of an export's time): times are naive
    UTC (pyarrow takes them as UTC for a UTC column), booleans 0/1."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if rows and isinstance(rows[0][0], str):  # SQLite without its type detection: times as text
        rows = [(datetime.fromisoformat(row[0]), *row[1:]) for row in rows]
    return rows


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt_timezone.utc)


def observation_chunks(park: Park, days: DayRange, *, chunk_rows: int = CHUNK_ROWS,
                       on_ride: Callable[[], None] | None = None) -> Iterator[list[tuple]]:
    """The park's observations over park days `days`, ride by ride in time order, as lists of
    row tuples (OBSERVATION_COLUMNS) of at most `chunk_rows`. Each read is one range of the
    primary key from the last row seen, so nothing but a chunk is ever held."""
    start, end = range_bounds_utc(days, park.timezone or "UTC")
    fields = ("recorded_at", "status", "wait_time", "computed_is_open", "data_source")
    pending: list[tuple] = []
    for ride_id, name in _rides(park):
        after = None
        while True:
            rows = RideStatusSnapshot.objects.filter(ride_id=ride_id, recorded_at__lt=end)
            rows = rows.filter(recorded_at__gt=after) if after else rows.filter(recorded_at__gte=start)
            batch = _raw(rows.order_by("recorded_at").values_list(*fields)[:chunk_rows])
            pending.extend((park.pk, ride_id, name, at, status, wait, bool(is_open), source)
                           for at, status, wait, is_open, source in batch)
            if len(pending) >= chunk_rows:
                yield pending
                pending = []
            if len(batch) < chunk_rows:
                break
            after = _aware(batch[-1][0])
        if on_ride:
            on_ride()
    if pending:
        yield pending


def daily_stats_chunks(park: Park, days: DayRange, *, chunk_rows: int = CHUNK_ROWS,
                       on_ride: Callable[[], None] | None = None) -> Iterator[list[tuple]]:
    """The park's daily ride statistics over `days`, by date then ride, in chunks of row tuples
    (keyset on (date, ride_id), the order of the unique key)."""
    names = dict(_rides(park))
    fields = ("date", "ride_id", "operating_minutes", "downtime_minutes", "known_minutes",
              "uptime_percentage", "avg_wait_minutes", "peak_wait_minutes", "status_changes",
              "longest_downtime_minutes", "operated", "metrics_version")
    rows = RideDailyStats.objects.filter(park=park, date__gte=days.start, date__lte=days.end).order_by(
        "date", "ride_id")
    last = None
    while True:
        page = rows if last is None else rows.filter(Q(date__gt=last[0]) | Q(date=last[0], ride_id__gt=last[1]))
        batch = list(page.values_list(*fields)[:chunk_rows])
        if not batch:
            return
        last = batch[-1][:2]
        yield [(day, park.pk, ride_id, names.get(ride_id, ""), *rest[:8], bool(rest[8]), rest[9])
               for day, ride_id, *rest in batch]
        if on_ride:
            on_ride()
        if len(batch) < chunk_rows:
            return


def dataset_chunks(dataset: str, park: Park, days: DayRange, **options) -> Iterator[list[tuple]]:
    reader = observation_chunks if dataset == "observations" else daily_stats_chunks
    return reader(park, days, **options)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
def _utc_text(value: datetime) -> str:
    """ISO 8601 with a Z; naive times (the observation reads) are UTC."""
    return value.isoformat().replace("+00:00", "Z") if value.tzinfo else value.isoformat() + "Z"


def _csv_converters(columns) -> list[tuple[int, Callable]]:
    """(index, text function) of the columns whose CSV text is not the csv module's own (which
    already writes None as empty and numbers and strings as they are)."""
    out = []
    for i, column in enumerate(columns):
        if pa.types.is_timestamp(column.type):
            out.append((i, _utc_text))
        elif pa.types.is_date(column.type):
            out.append((i, date.isoformat))
        elif pa.types.is_boolean(column.type):
            out.append((i, lambda value: "true" if value else "false"))
    return out


def csv_stream(columns: Iterable[Column], chunks: Iterable[list[tuple]]) -> Iterator[bytes]:
    """A header line, then one block of CSV lines per chunk."""
    columns = tuple(columns)
    converters = _csv_converters(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    yield buffer.getvalue().encode()
    for chunk in chunks:
        buffer.seek(0)
        buffer.truncate()
        for row in chunk:
            row = list(row)
            for i, text in converters:
                if row[i] is not None:
                    row[i] = text(row[i])
            writer.writerow(row)
        yield buffer.getvalue().encode()


class _Sink:
    """A write-only file for pyarrow that hands back what was written since the last take()."""

    closed = False

    def __init__(self):
        self.parts: list[bytes] = []
        self.position = 0

    def write(self, data) -> int:
        data = bytes(data)
        self.parts.append(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self):
        pass

    def close(self):
        self.closed = True

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts = []
        return out


def schema(columns: Iterable[Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, c.type) for c in columns])


def parquet_stream(columns: Iterable[Column], chunks: Iterable[list[tuple]]) -> Iterator[bytes]:
    """A Parquet file, one row group per chunk, yielded as it is written."""
    columns = tuple(columns)
    arrow_schema = schema(columns)
    sink = _Sink()
    writer = pq.ParquetWriter(sink, arrow_schema, compression="zstd")
    try:
        for chunk in chunks:
            arrays = [pa.array([row[i] for row in chunk], type=c.type) for i, c in enumerate(columns)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=arrow_schema))
            data = sink.take()
            if data:
                yield data
    finally:
        writer.close()
    yield sink.take()


def export_stream(dataset: str, fmt: str, park: Park, days: DayRange, **options) -> Iterator[bytes]:
    """The bytes of one export file of `dataset` for a park over park days `days`."""
    columns = DATASETS[dataset].columns
    chunks = dataset_chunks(dataset, park, days, **options)
    return (parquet_stream if fmt == "parquet" else csv_stream)(columns, chunks)


def filename(dataset: str, fmt: str, park: Park, days: DayRange) -> str:
    slug = park.slug or f"park-{park.pk}"
    return f"{dataset}_{slug}_{days.start:%Y%m%d}-{days.end:%Y%m%d}.{fmt}"
