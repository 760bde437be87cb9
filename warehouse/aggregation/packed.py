"""Observations read as numbers packed by the server (MySQL/MariaDB): one text per ride.

A chunk's read fetched each observation as a row of five values, which the client library turned
into a tuple of Python objects and the engine then turned into arrays value by value: about 3 us
of client CPU per observation, the largest part of a statistics run's own CPU after an import.
Here the server writes each ride's observations as one comma-separated text of integers
(`GROUP_CONCAT`: ride id, microseconds since the epoch, status code, wait, LIVE flag), which
numpy parses in C (`np.fromstring`), so no Python object is made per observation. The server
formats the same numbers it would send as text anyway. On the compact store's columns the text
is leaner (`lean_source_position`): the ride id once per ride, whole seconds, and the ENUM
positions of status and source as they are stored.

A ride's text longer than the server sends (`max_allowed_packet`) comes back cut; each text comes
with its ride's row count, and a read whose numbers do not add up returns None: the caller reads
those rows as tuples instead (`daily._read_arrays`), so figures never depend on the size."""
from __future__ import annotations

import numpy as np

from ..metrics.vector import BASE_NAMES, NO_WAIT
from ..metrics.timeline import LIVE

FIELDS = 5  # ride id, microseconds since the epoch, status code, wait (NO_WAIT: none), 1 when LIVE
# Status codes as `StatusCodes` numbers them: None 0, then BASE_NAMES in order (FIELD() gives 0 for NULL).
_STATUS_CODE = "FIELD(status, " + ", ".join(f"'{name}'" for name in BASE_NAMES[1:]) + ")"
_PACKED = (f"GROUP_CONCAT(ride_id, ',', TIMESTAMPDIFF(MICROSECOND, '1970-01-01', recorded_at), ',', {_STATUS_CODE}, "
           f"',', IFNULL(wait_time, {NO_WAIT}), ',', data_source = '{LIVE}' SEPARATOR ',')")
# The lean form, for the compact store (migration 0009: whole-second DATETIME, ENUM status and source):
# per ride its id once, then seconds since year 0 (TO_SECONDS), the status's and the source's ENUM
# positions: numbers the server takes from the row as they are, where FIELD() compares names and
# TIMESTAMPDIFF computes (a third less server CPU over the benchmark's 2.74 M observations).
LEAN_FIELDS = 4
_LEAN = (f"GROUP_CONCAT(TO_SECONDS(recorded_at), ',', IFNULL(status + 0, 0), ',', IFNULL(wait_time, {NO_WAIT}), "
         f"',', data_source + 0 SEPARATOR ',')")
_YEAR_ZERO_TO_EPOCH = 62167219200  # TO_SECONDS('1970-01-01')
_LEAN_SHAPE: dict[tuple[str, str], int | None] = {}  # per (alias, table): the LIVE source's ENUM position, or None


# The longest text a ride's observations may take (None: as long as the server sends, max_allowed_packet).
MAX_TEXT: int | None = None


def lean_source_position(cursor, table: str) -> int | None:
    """Does `table` have the compact store's columns (whole-second `recorded_at`, `status` an ENUM of
    BASE_NAMES in their order, `data_source` an ENUM holding LIVE)? Then the ENUM position of LIVE
    (the lean read applies), else None. Asked once per database and table: a migration reversed to
    the wide columns is seen by a new process."""
    key = (cursor.db.alias, table)
    if key not in _LEAN_SHAPE:
        cursor.execute("SELECT COLUMN_NAME, COLUMN_TYPE, DATETIME_PRECISION FROM information_schema.COLUMNS "
                       "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s", [table])
        shape = {name: (kind.lower(), precision) for name, kind, precision in cursor.fetchall()}
        status = "enum(" + ",".join(f"'{name.lower()}'" for name in BASE_NAMES[1:]) + ")"
        source = _enum_values(shape.get("data_source", ("", None))[0])
        lean = (shape.get("recorded_at") == ("datetime", 0) and shape.get("status", ("",))[0] == status
                and LIVE.lower() in source)
        _LEAN_SHAPE[key] = source.index(LIVE.lower()) + 1 if lean else None
    return _LEAN_SHAPE[key]


def _enum_values(column_type: str) -> list[str]:
    if not column_type.startswith("enum(") or "\\" in column_type:
        return []
    return [value.strip("'") for value in column_type[5:-1].split(",")]


def packed_rows(cursor, table: str, where: str, params: list) -> np.ndarray | None:
    """The observations of `table` matching `where` as an (n, FIELDS) int64 array, in no particular
    order; None when a ride's text came back cut (read the rows instead)."""
    cursor.execute("SET SESSION group_concat_max_len = " + ("@@max_allowed_packet" if MAX_TEXT is None
                                                            else str(int(MAX_TEXT))))
    live = lean_source_position(cursor, table)
    fields = FIELDS if live is None else LEAN_FIELDS
    cursor.execute(f"SELECT ride_id, COUNT(*), {_PACKED if live is None else _LEAN} FROM {table} WHERE {where} "
                   "GROUP BY ride_id", params)
    ride_ids, counts, parts = [], [], []
    for ride_id, count, text in cursor.fetchall():
        values = np.fromstring(text, np.int64, sep=",")
        if values.size != count * fields:
            return None
        ride_ids.append(ride_id)
        counts.append(count)
        parts.append(values)
    numbers = np.concatenate(parts).reshape(-1, fields) if parts else np.zeros((0, fields), np.int64)
    if live is None:  # the wide columns (before migration 0009, or after it was reversed): as the server sent them
        return numbers
    out = np.empty((len(numbers), FIELDS), np.int64)
    out[:, 0] = np.repeat(np.array(ride_ids, np.int64), counts)
    out[:, 1] = (numbers[:, 0] - _YEAR_ZERO_TO_EPOCH) * 1_000_000
    out[:, 2:4] = numbers[:, 1:3]
    out[:, 4] = numbers[:, 3] == live
    return out


def packed_columns(packed: np.ndarray, place: dict[int, int]):
    """(ride places, POSIX seconds, status codes, waits, live flags) of packed rows, every ride id in `place`."""
    ids = np.fromiter(place.keys(), np.int64, len(place))
    spots = np.fromiter(place.values(), np.int64, len(place))
    sorter = np.argsort(ids)
    ride = spots[sorter[np.searchsorted(ids, packed[:, 0], sorter=sorter)]]
    return (ride, packed[:, 1] / 1_000_000, packed[:, 2].astype(np.int16), packed[:, 3].copy(),
            packed[:, 4].astype(bool))

