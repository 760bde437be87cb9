"""Pure parsing of one archive day file: bytes -> validated, compact events plus a record of problems.

No Django here: this runs in worker processes. A file is a raw zlib stream of `{"events": [...]}`
(a gzip container is accepted and reported). Each event is checked by the manifest's rules
(docs/metrics.md §1): required fields, known status, every queue wait null or 0..600, time not in the
future; identical (entity, eventTime) repeats count once. What fails is counted per kind so the
caller writes one quality-log entry per file and kind; everything valid goes on.

Hostile shapes are refused before they cost, never truncated: the decompressed size is capped
(the stream is inflated up to the cap and no further), an event nested deeper than MAX_DEPTH is
refused, every text is checked against the length of the column it goes to (`COLUMN_LIMITS`),
every integer against its column's range, timezones against the IANA database, and times must
lie between EARLIEST_TIME and the horizon. Any other exception while reading or parsing a file is
caught at the file boundary (`read_and_parse`): the file is reported as failed, the run goes on.

Output is compact so it pickles cheaply between processes: entities are numbered per file and each
event is a tuple `(entity_index, recorded_at, status, wait_time, queues)`, `queues` being a tuple
of argument tuples for `warehouse.ingest.QueueRow` (or None; a queue with only a wait is just
`(type, wait)`). With `formatted=True` (what the import workers ask for) no event tuples are
kept: each entity's rows go straight into TSV line tails (`warehouse.rows`, the one owner of the
format and the limits; it needs no Django) that the main process only has to prefix with the
ride id, so the workers, not the main process, pay for the formatting.

Formatted files first take the fast path (`fast.py`: msgspec structs, each distinct `data` text
checked and formatted once); it accepts only a file without a single problem, and at the first one
the file goes through the full per-event checks (`checked.py`), which record every problem. Both
give the same rows. `limits.py` holds the problem kinds, the limits and the checks both paths
share, `inflate.py` the capped decompression.
"""
from __future__ import annotations

import gc
from datetime import datetime

import orjson

from .checked import _events
from .fast import _formatted_fast
from .inflate import decode
from .limits import (  # noqa: F401  (the parser's public names)
    BAD_TIMEZONE, COLUMN_LIMITS, DEFAULT_MAX_BYTES, DUPLICATES, EARLIEST_TIME, EXAMPLES, FILE_TOO_LARGE,
    FUTURE_TIME, GZIP_CONTAINER, INT_RANGE, INVALID_JSON, LATEST_QUEUE_TIME, MAX_DEPTH, MISSING_FIELDS, REFUSED,
    TIME_OUT_OF_RANGE, TOO_DEEP, TOO_LONG, TRUNCATED_ZLIB, UNREADABLE, UTC, VALUE_OUT_OF_RANGE, WAIT_OUT_OF_RANGE,
    WRONG_TOP_LEVEL, EntityInfo, ParsedFile, timezone_valid,
)
from warehouse.rows import FUTURE_TOLERANCE


def parse_day_file(key: str, raw: bytes, *, now: datetime | None = None, formatted: bool = False,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedFile:
    parsed = ParsedFile(key=key)
    text = decode(raw, parsed, max_bytes)
    if text is None:
        return parsed
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small containers: the cyclic collector would only slow parsing down
    horizon = (now or datetime.now(UTC)) + FUTURE_TOLERANCE
    try:
        if formatted and _formatted_fast(text, parsed, horizon, key.split("/", 1)[0]):
            return parsed
        try:
            payload = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            parsed.problem(INVALID_JSON, f"{exc}"[:200])
            return parsed
        finally:
            del text
        events = payload.get("events") if isinstance(payload, dict) else None
        if not isinstance(events, list):
            what = type(events if isinstance(payload, dict) else payload).__name__
            parsed.problem(WRONG_TOP_LEVEL, f"expected an object with an 'events' array, got {what}")
            return parsed
        parsed.events_read = len(events)
        _events(events, parsed, horizon, key.split("/", 1)[0], formatted)
    finally:
        if gc_was_enabled:
            gc.enable()
    return parsed



def read_and_parse(source, key: str, now: datetime, formatted: bool = False,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedFile:
    """Worker entry point: fetch, decode, parse and validate (and with `formatted`, format) one file.
    The file boundary: whatever goes wrong comes back as a failed file (`read_error`), never raised."""
    from ..archive import ArchiveReadError, ArchiveTooLarge

    try:
        # Stored blocks add 5 bytes per 16 KB: a stored file larger than this cannot inflate to less.
        raw = source.read(key, max_bytes + max_bytes // 1000 + 1024)
    except ArchiveTooLarge as exc:
        parsed = ParsedFile(key=key)
        parsed.problem(FILE_TOO_LARGE, f"{exc}: over the {max_bytes}-byte cap; not read")
        return parsed
    except ArchiveReadError as exc:
        return ParsedFile(key=key, read_error=str(exc))
    except Exception as exc:  # noqa: BLE001 - the file fails, the run goes on
        return ParsedFile(key=key, read_error=f"read: {type(exc).__name__}: {exc}"[:500])
    try:
        return parse_day_file(key, raw, now=now, formatted=formatted, max_bytes=max_bytes)
    except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001
        return ParsedFile(key=key, read_error=f"parse: {type(exc).__name__}: {exc}"[:500])
