"""The fast path's event loop in C (`_scan.c`), when it is built (`build_native.py`).

`_scan.format_events` makes one pass over the file's JSON: it finds each event's fields, keeps
each distinct entity and each distinct `data` text, hands every new `data` text to fast.py's
`_data_lines` (the same checks and line ends as the Python fast path), and joins each entity's
lines. It is never more lenient than the Python fast path: what it is not sure of (an escape in a
kept text, a time not in the archive's millisecond shape, a nest deeper than MAX_DEPTH, ...) it
leaves to that path, and what that path would refuse it refuses. The entities' own checks
(lengths, timezones) are made here in Python, once per entity, as the Python fast path makes them.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from warehouse.rows import STATUSES, snapshot_pieces

from .limits import COLUMN_LIMITS, EARLIEST_TIME, MAX_DEPTH, UTC, ParsedFile, _entity, _entity_problem

try:
    from . import _scan
except ImportError:  # not built: the pure Python fast path does it all
    _scan = None

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# (status, the snapshot line's piece before the wait, the piece after it), as fast.py's data lines.
_STATUSES = tuple((status, *snapshot_pieces(status, "ARCHIVE")) for status in sorted(STATUSES))


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


def formatted_native(text: bytes, parsed: ParsedFile, data_lines, queue_piece, horizon: datetime,
                     file_destination: str) -> bool | None:
    """True with `parsed` filled, False when the file needs the full checks, None when the
    Python fast path has to decide (or the native module is not built)."""
    if _scan is None:
        return None
    out = _scan.format_events(text, data_lines, queue_piece, _STATUSES, _micros(horizon), _micros(EARLIEST_TIME),
                              MAX_DEPTH)
    if not out:
        return out
    events_read, first_seen, renames, blocks = out
    parse_time, entities = datetime.fromisoformat, []
    for entity_id, internal_id, park_id, park_slug, tz_name, name, at_text, destination_id, is_show in first_seen:
        if not entity_id or _entity_problem(entity_id, name, tz_name, park_id, internal_id, park_slug,
                                            destination_id):
            return False
        entities.append(_entity(entity_id, internal_id, park_id, park_slug, tz_name,
                                destination_id or file_destination, is_show, name, parse_time(at_text)))
    for index, name, at_text in renames:
        if len(name) > COLUMN_LIMITS["name"]:
            return False
        entities[index].names.append((name, parse_time(at_text)))
    parsed.events_read = events_read
    parsed.entities.extend(entities)
    parsed.blocks = blocks
    return True
