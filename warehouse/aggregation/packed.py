"""Observations read as numbers packed by the server (MySQL/MariaDB): one text per ride.

A chunk's read fetched each observation as a row of five values, which the client library turned
into a tuple of Python objects and the engine then turned into arrays value by value: about 3 us
of client CPU per observation, the largest part of a statistics run's own CPU after an import.
Here the server writes each ride's observations as one comma-separated text of integers
(`GROUP_CONCAT`: ride id, microseconds since the epoch, status code, wait, LIVE flag), which
numpy parses in C (`np.fromstring`), so no Python object is made per observation. The server
formats the same numbers it would send as text anyway.

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


# The longest text a ride's observations may take (None: as long as the server sends, max_allowed_packet).
MAX_TEXT: int | None = None


def packed_rows(cursor, table: str, where: str, params: list) -> np.ndarray | None:
    """The observations of `table` matching `where` as an (n, FIELDS) int64 array, in no particular
    order; None when a ride's text came back cut (read the rows instead)."""
    cursor.execute("SET SESSION group_concat_max_len = " + ("@@max_allowed_packet" if MAX_TEXT is None
                                                            else str(int(MAX_TEXT))))
    cursor.execute(f"SELECT COUNT(*), {_PACKED} FROM {table} WHERE {where} GROUP BY ride_id", params)
    parts = []
    for count, text in cursor.fetchall():
        values = np.fromstring(text, np.int64, sep=",")
        if values.size != count * FIELDS:
            return None
        parts.append(values)
    if not parts:
        return np.zeros((0, FIELDS), np.int64)
    return np.concatenate(parts).reshape(-1, FIELDS)


def packed_columns(packed: np.ndarray, place: dict[int, int]):
    """(ride places, POSIX seconds, status codes, waits, live flags) of packed rows, every ride id in `place`."""
    ids = np.fromiter(place.keys(), np.int64, len(place))
    spots = np.fromiter(place.values(), np.int64, len(place))
    sorter = np.argsort(ids)
    ride = spots[sorter[np.searchsorted(ids, packed[:, 0], sorter=sorter)]]
    return (ride, packed[:, 1] / 1_000_000, packed[:, 2].astype(np.int16), packed[:, 3].copy(),
            packed[:, 4].astype(bool))

