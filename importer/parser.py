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

Formatted files first take a fast path: msgspec decodes the JSON straight into typed structs (the
types, the statuses and the presence of every required field checked in C), each distinct `data`
text is decoded, checked and formatted once, and one loop puts each event's time in front of
its lines. It accepts only a file without a single problem; at the first one (a type msgspec
refuses, a wait out of range, a future time, a repeated event, ...) it gives up and the file goes
through the full per-event checks below, which record every problem. Both give the same rows.
"""
from __future__ import annotations

import gc
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec
import orjson

from warehouse.rows import (
    FUTURE_TOLERANCE, MAX_VALID_WAIT_MINUTES as MAX_WAIT, NULL, QUEUE_TYPES, STANDBY, STATUSES, WAIT_TEXT, queue_tail,
    queue_wait_piece, queue_wait_tail, snapshot_pieces, snapshot_tail, standby_in_snapshot, utc_text_from_iso,
    wait_only,
)

UTC = timezone.utc
EXAMPLES = 3

# Problem kinds, as the generator's --corrupt names them.
TRUNCATED_ZLIB = "truncated_zlib"
INVALID_JSON = "invalid_json"
WRONG_TOP_LEVEL = "wrong_top_level_type"
MISSING_FIELDS = "event_missing_fields"
WAIT_OUT_OF_RANGE = "wait_time_out_of_range"
FUTURE_TIME = "event_time_in_future"
DUPLICATES = "duplicate_events"
GZIP_CONTAINER = "gzip_container"
FILE_TOO_LARGE = "file_too_large"
TOO_DEEP = "event_too_deep"
TOO_LONG = "value_too_long"
BAD_TIMEZONE = "invalid_timezone"
TIME_OUT_OF_RANGE = "event_time_out_of_range"
VALUE_OUT_OF_RANGE = "value_out_of_range"
UNREADABLE = frozenset({TRUNCATED_ZLIB, INVALID_JSON, WRONG_TOP_LEVEL, FILE_TOO_LARGE})
# Kinds of refused (not stored) events.
REFUSED = (MISSING_FIELDS, WAIT_OUT_OF_RANGE, FUTURE_TIME, TOO_DEEP, TOO_LONG, BAD_TIMEZONE, TIME_OUT_OF_RANGE,
           VALUE_OUT_OF_RANGE)

# Limits. The lengths are those of the columns each value is stored in (a test compares them
# with the models): a longer value is refused, never cut.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024  # decompressed size of one day file (IMPORT_MAX_FILE_MB)
MAX_DEPTH = 8  # an event's nesting (event > data > queue > type > price > amount is 5)
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=timezone.utc)  # older event or queue times are refused
LATEST_QUEUE_TIME = timedelta(days=7)  # return and allocation times may lie ahead of the horizon, not further
INT_RANGE = (-2 ** 31, 2 ** 31 - 1)  # price, boarding groups, estimated wait: INT columns
COLUMN_LIMITS = {
    "entityId": 64, "parkId": 64, "destinationId": 64,  # RideMapping/Ride/Park/Destination wiki ids
    "name": 255,  # Ride.name, RideMapping.archive_name, RideNameHistory.name
    "internalId": 128,  # Ride.external_id, RideMapping.archive_internal_id
    "parkSlug": 200,  # Park.slug
    "timezone": 64,  # Park.timezone
    "queueType": 16, "state": 16, "currency": 3, "allocationStatus": 16,  # QueueData columns
}


@dataclass
class EntityInfo:
    entity_id: str
    internal_id: str
    park_id: str
    park_slug: str
    timezone: str
    destination_id: str
    is_show: bool
    names: list  # [(name, first eventTime with that name)] in file order


@dataclass
class ParsedFile:
    key: str
    events: list = field(default_factory=list)
    entities: list = field(default_factory=list)  # EntityInfo by entity_index
    events_read: int = 0
    problems: dict = field(default_factory=dict)  # kind -> {"count": n, "examples": [...]}
    read_error: str = ""  # set when the bytes could not be fetched (retry on resume)
    # formatted=True: per entity (snapshot line tails, queue line tails, snapshot count, wait-only
    # queue line tails in their short form)
    blocks: list = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Valid, distinct events (either form)."""
        return len(self.events) + sum(block[2] for block in self.blocks)

    @property
    def unreadable(self) -> bool:
        return any(kind in UNREADABLE for kind in self.problems)

    @property
    def refused(self) -> int:
        return sum(self.problems.get(kind, {}).get("count", 0) for kind in REFUSED)

    def problem(self, kind, example=None, count=1):
        entry = self.problems.setdefault(kind, {"count": 0, "examples": []})
        entry["count"] += count
        if example is not None and len(entry["examples"]) < EXAMPLES:
            entry["examples"].append(example)


def _entity(entity_id, internal_id, park_id, park_slug, tz_name, destination_id, is_show, name, at) -> EntityInfo:
    """An entity as first seen in a file (both parsing paths): optional ids become text."""
    return EntityInfo(entity_id=entity_id, internal_id=str(internal_id or ""), park_id=park_id,
                      park_slug=str(park_slug or ""), timezone=tz_name, destination_id=str(destination_id),
                      is_show=is_show, names=[(name, at)])


class _TooLarge(Exception):
    pass


def _inflate(raw: bytes, wbits: int, max_bytes: int) -> bytes:
    """Inflate a whole stream, producing at most `max_bytes` (a bomb costs no more than that)."""
    inflater = zlib.decompressobj(wbits)
    text = inflater.decompress(raw, max_bytes + 1)
    if len(text) > max_bytes:
        raise _TooLarge()
    if not inflater.eof:
        raise zlib.error("incomplete or truncated stream")
    return text


def decode(raw: bytes, parsed: ParsedFile, max_bytes: int = DEFAULT_MAX_BYTES):
    """The JSON text of a day file, or None (the problem recorded)."""
    try:
        try:
            return _inflate(raw, zlib.MAX_WBITS, max_bytes)
        except zlib.error as exc:
            if raw[:2] != b"\x1f\x8b":
                parsed.problem(TRUNCATED_ZLIB, f"zlib: {exc} ({len(raw)} bytes)")
                return None
        try:
            text = _inflate(raw, 16 + zlib.MAX_WBITS, max_bytes)
        except zlib.error as gz_exc:
            parsed.problem(TRUNCATED_ZLIB, f"gzip container, unreadable: {gz_exc}")
            return None
        parsed.problem(GZIP_CONTAINER, "gzip (RFC 1952) container, not a raw zlib stream; read anyway")
        return text
    except _TooLarge:
        parsed.problem(FILE_TOO_LARGE, f"decompresses to more than {max_bytes} bytes ({len(raw)} compressed); "
                                       "not read further")
        return None


@lru_cache(maxsize=4096)
def timezone_valid(name) -> bool:
    """Is `name` a zone of the IANA database (what the statistics and the API will load)?"""
    if type(name) is not str or not name or len(name) > COLUMN_LIMITS["timezone"]:
        return False
    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # not found (ZoneInfoNotFoundError is a KeyError), bad path
        return False
    return True


def _too_long(field_name, value) -> bool:
    if value is None:
        return False
    return len(value if type(value) is str else str(value)) > COLUMN_LIMITS[field_name]


def _entity_problem(entity_id, name, tz_name, park_id, internal_id, park_slug, destination_id):
    """(kind, example) when an event's entity fields cannot be stored as they are, else None."""
    for field_name, value in (("entityId", entity_id), ("parkId", park_id), ("name", name),
                              ("internalId", internal_id), ("parkSlug", park_slug),
                              ("destinationId", destination_id)):
        if _too_long(field_name, value):
            return TOO_LONG, {"field": field_name, "length": len(str(value)), "limit": COLUMN_LIMITS[field_name],
                              "entityId": str(entity_id)[:64]}
    if not timezone_valid(tz_name):
        return BAD_TIMEZONE, {"entityId": entity_id, "timezone": str(tz_name)[:100]}
    return None


# ---------------------------------------------------------------------------------------------
# Fast path (formatted, problem-free files)
# ---------------------------------------------------------------------------------------------
# Structs without cyclic-GC tracking (they hold no cycles). An event's `data` is kept raw: most
# events of a day repeat the data of an earlier one (the same status and waits), so each distinct
# text is decoded, checked and turned into line ends once (`_data_lines`); queues and prices are
# frozen, so a queue with more than a wait is formatted once per (type, queue). Optional ids must be
# text (an internalId may be a number) and `showtimes` is kept raw: only its presence matters (an
# event with showtimes is a show). Anything else msgspec refuses sends the file to the full checks.
class _Price(msgspec.Struct, frozen=True, gc=False):
    amount: int | None = None
    currency: str | None = None


class _Queue(msgspec.Struct, frozen=True, gc=False):
    waitTime: int | None = None
    returnStart: str | None = None
    returnEnd: str | None = None
    state: str | None = None
    price: _Price | None = None
    allocationStatus: str | None = None
    currentGroupStart: int | None = None
    currentGroupEnd: int | None = None
    nextAllocationTime: str | None = None
    estimatedWait: int | None = None


_Status = Literal[tuple(sorted(STATUSES))]


class _Data(msgspec.Struct, gc=False):
    status: _Status
    queue: dict[str, _Queue] | None = None
    destinationId: str | None = None
    showtimes: msgspec.Raw = msgspec.UNSET


class _Event(msgspec.Struct, gc=False):
    entityId: str
    name: str
    eventTime: str
    timezone: str
    parkId: str
    data: msgspec.Raw
    internalId: str | int | None = None
    parkSlug: str | None = None


class _DayFile(msgspec.Struct, gc=False):
    events: list[_Event]


_DECODER = msgspec.json.Decoder(_DayFile)
_DATA_DECODER = msgspec.json.Decoder(_Data)
_WAIT_ONLY = {wait: _Queue(waitTime=wait) for wait in WAIT_TEXT}  # a queue with nothing but a (valid) wait
_SNAPSHOT_PIECES = {status: snapshot_pieces(status, "ARCHIVE") for status in STATUSES}
_NO_PRICE = _Price()


def _data_lines(raw: bytes, line_ends: dict, horizon: datetime) -> tuple | None:
    """Decode and check one `data` text: (snapshot_end, wait_parts, full_parts, destination id,
    is_show), or None when it needs the full checks (a type or status msgspec refuses, a wait
    out of range, a value its column cannot hold). With `time` = "\t" + an event's time text
    (`warehouse.rows`), the event's snapshot line is `time + snapshot_end` and its queue lines are
    `time.join(wait_parts)` (short form) and `time.join(full_parts)`: each part after the leading ""
    is a line without its time.
    `line_ends` caches the formatted end of each (queue type, queue) with more than a wait."""
    try:
        data = _DATA_DECODER.decode(raw)
    except (msgspec.DecodeError, RecursionError):  # msgspec recurses into nested values it skips
        return None
    if _too_long("destinationId", data.destinationId):
        return None
    wait, waits, fulls = NULL, [""], [""]
    for queue_type, q in (data.queue or {}).items():
        value = q.waitTime
        value_text = WAIT_TEXT.get(value)  # None: out of range
        if value_text is None or queue_type not in QUEUE_TYPES:
            return None
        if queue_type == STANDBY:
            wait = value_text
        if q == _WAIT_ONLY[value]:
            if queue_type == STANDBY:  # the snapshot holds it (warehouse.rows.STANDBY)
                continue
            waits.append(f"{queue_wait_piece(queue_type)}{value_text}\n")
            continue
        line_end = line_ends.get((queue_type, q))
        if line_end is None:
            price = q.price or _NO_PRICE
            times = (_time(q.returnStart), _time(q.returnEnd), _time(q.nextAllocationTime))
            if _queue_problem(queue_type, q.state, price.currency, q.allocationStatus, (
                    price.amount, q.currentGroupStart, q.currentGroupEnd, q.estimatedWait), times, horizon):
                return None
            line_end = line_ends[(queue_type, q)] = queue_tail("", (
                queue_type, value, times[0], times[1], q.state, price.amount, price.currency,
                q.allocationStatus, q.currentGroupStart, q.currentGroupEnd, times[2], q.estimatedWait))[1:]
        fulls.append(line_end)
    middle, end = _SNAPSHOT_PIECES[data.status]
    return (f"{middle}{wait}{end}", tuple(waits) if len(waits) > 1 else None,
            tuple(fulls) if len(fulls) > 1 else None, data.destinationId, data.showtimes is not msgspec.UNSET)


def _formatted_fast(text: bytes, parsed: ParsedFile, horizon: datetime, file_destination: str) -> bool:
    """Fill `parsed` (entities, blocks, events_read) if the file has no problem at all; False
    (and `parsed` untouched) at the first thing that needs the full checks.

    Per event it only looks things up: the time text is cut from eventTime, and the rest of each
    line comes from the event's `data` text, decoded and formatted once per distinct text."""
    try:
        events = _DECODER.decode(text).events
    except (msgspec.DecodeError, RecursionError):  # invalid JSON, a wrong type, a missing field, a deep
        return False  # nest: the full checks say which
    index: dict[str, int] = {}
    entities, snaps, queues, waits, times = [], [], [], [], []
    parse_time, known, line_ends = datetime.fromisoformat, {}, {}
    try:
        for event in events:
            entity_id, at_text = event.entityId, event.eventTime
            if at_text[-1:] != "Z":
                return False
            at = parse_time(at_text)
            if at > horizon or at < EARLIEST_TIME:
                return False
            raw = bytes(event.data)
            lines = known.get(raw)
            if lines is None:
                lines = known[raw] = _data_lines(raw, line_ends, horizon)
                if lines is None:
                    return False
            snapshot_end, wait_parts, full_parts, destination_id, is_show = lines
            i = index.get(entity_id)
            if i is None:
                if not entity_id or _entity_problem(entity_id, event.name, event.timezone, event.parkId,
                                                    event.internalId, event.parkSlug, destination_id):
                    return False
                i = index[entity_id] = len(entities)
                entities.append(_entity(entity_id, event.internalId, event.parkId, event.parkSlug, event.timezone,
                                        destination_id or file_destination, is_show, event.name, at))
                for per_entity in (snaps, queues, waits, times):
                    per_entity.append([])
            else:
                info = entities[i]
                if event.name != info.names[-1][0]:
                    if len(event.name) > COLUMN_LIMITS["name"]:
                        return False
                    info.names.append((event.name, at))
                if is_show:
                    info.is_show = True
            times[i].append(at_text)  # repeats are looked for per entity at the end
            at_sql = "\t" + utc_text_from_iso(at_text, at)
            snaps[i].append(at_sql + snapshot_end)
            if wait_parts:
                waits[i].append(at_sql.join(wait_parts))
            if full_parts:
                queues[i].append(at_sql.join(full_parts))
    except ValueError:  # a time fromisoformat refuses
        return False
    if any(len(set(seen)) != len(seen) for seen in times):  # a repeated (entity, eventTime)
        return False
    parsed.events_read = len(events)
    parsed.entities.extend(entities)
    parsed.blocks = [("".join(s), "".join(q), len(s), "".join(w)) for s, q, w in zip(snaps, queues, waits)]
    return True


# ---------------------------------------------------------------------------------------------
# Full checks
# ---------------------------------------------------------------------------------------------
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


def _where(entity_id, at_text):
    return {"entityId": entity_id[:64], "eventTime": at_text[:40]}


def _events(events, parsed, horizon, file_destination, formatted):
    index: dict[str, int] = {}
    seen = set()
    out = parsed.events
    entities = parsed.entities
    snaps, queue_lines, wait_lines = [], [], []  # formatted: per entity index, lists of line tails
    parse_time = datetime.fromisoformat
    for event in events:
        try:
            entity_id = event["entityId"]
            name = event["name"]
            at_text = event["eventTime"]
            data = event["data"]
            status = data["status"]
            tz_name = event["timezone"]
            park_id = event["parkId"]
            if not (entity_id and type(entity_id) is str and type(name) is str and type(tz_name) is str
                    and type(park_id) is str and type(status) is str and status in STATUSES
                    and type(at_text) is str and at_text[-1] == "Z"):
                raise ValueError("bad field")
            at = parse_time(at_text)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            parsed.problem(MISSING_FIELDS, _example(event))
            continue
        if _too_deep(event):
            parsed.problem(TOO_DEEP, _where(entity_id, at_text))
            continue
        if at > horizon:
            parsed.problem(FUTURE_TIME, _where(entity_id, at_text))
            continue
        if at < EARLIEST_TIME:
            parsed.problem(TIME_OUT_OF_RANGE, _where(entity_id, at_text))
            continue
        # As the fast path: an entity's ids, park and zone are taken (and checked) from its first
        # event; a later event can only bring a new name.
        i = index.get(entity_id)
        bad = _entity_problem(entity_id, name, tz_name, park_id, event.get("internalId"), event.get("parkSlug"),
                              data.get("destinationId")) if i is None else None
        if bad is None and i is not None and len(name) > COLUMN_LIMITS["name"] and name != entities[i].names[-1][0]:
            bad = TOO_LONG, {"field": "name", "length": len(name), "limit": COLUMN_LIMITS["name"],
                             "entityId": entity_id[:64]}
        if bad:
            parsed.problem(*bad)
            continue
        queue = data.get("queue")
        try:
            wait, queues = _queues(queue, horizon) if queue else (None, None)
        except _BadValue as exc:
            parsed.problem(exc.args[0], {**_where(entity_id, at_text), **exc.args[1]})
            continue
        except (TypeError, AttributeError, ValueError):
            parsed.problem(MISSING_FIELDS, _example(event))
            continue
        if i is None:
            i = index[entity_id] = len(entities)
            entities.append(_entity(entity_id, event.get("internalId"), park_id, event.get("parkSlug"), tz_name,
                                    data.get("destinationId") or file_destination, "showtimes" in data, name, at))
            snaps.append([])
            queue_lines.append([])
            wait_lines.append([])
        else:
            info = entities[i]
            if info.names[-1][0] != name:
                info.names.append((name, at))
            if not info.is_show and "showtimes" in data:
                info.is_show = True
        dup_key = (i, at_text)
        if dup_key in seen:
            parsed.problem(DUPLICATES, {"entityId": entity_id, "eventTime": at_text})
            continue
        seen.add(dup_key)
        if not formatted:
            out.append((i, at, status, wait, queues))
            continue
        at_text = utc_text_from_iso(at_text, at)
        snaps[i].append(snapshot_tail(at_text, status, wait, status == "OPERATING", "ARCHIVE"))
        for q in queues or ():
            if standby_in_snapshot(wait, q):
                continue
            if wait_only(q):
                wait_lines[i].append(queue_wait_tail(at_text, q[0], q[1]))
            else:
                queue_lines[i].append(queue_tail(at_text, q))
    if formatted:
        parsed.blocks = [("".join(s), "".join(q), len(s), "".join(w))
                         for s, q, w in zip(snaps, queue_lines, wait_lines)]


class _BadValue(Exception):
    """args: (problem kind, example fields)."""


def _scalar(value):
    """A value fit for an example: numbers and short texts as they are, anything else by type."""
    if value is None or type(value) in (int, float, bool):
        return value
    if type(value) is str:
        return value[:100]
    return f"<{type(value).__name__}>"


def _wait(value):
    if value is None:
        return None
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int or value < 0 or value > MAX_WAIT:
        raise _BadValue(WAIT_OUT_OF_RANGE, {"waitTime": _scalar(value)})
    return value


def _integer(value):
    """An INT column's value: None, or an integer (an integral float is one) in range."""
    if type(value) is float and value.is_integer():
        value = int(value)
    if value is not None and type(value) is not int:
        raise _BadValue(VALUE_OUT_OF_RANGE, {"value": _scalar(value), "reason": "not an integer"})
    return value


def _text(value):
    if value is not None and type(value) is not str:
        raise _BadValue(VALUE_OUT_OF_RANGE, {"value": _scalar(value), "reason": "not a text"})
    return value


def _queue_problem(queue_type, state, currency, allocation, numbers, times, horizon):
    """(kind, example) when a queue's values do not fit their columns or sane ranges, else None."""
    for field_name, value in (("queueType", queue_type), ("state", state), ("currency", currency),
                              ("allocationStatus", allocation)):
        if _too_long(field_name, value):
            return TOO_LONG, {"field": field_name, "value": str(value)[:100], "limit": COLUMN_LIMITS[field_name]}
    for value in numbers:
        if value is not None and not INT_RANGE[0] <= value <= INT_RANGE[1]:
            return VALUE_OUT_OF_RANGE, {"value": value, "reason": "outside the column's range"}
    for value in times:
        if value is None:
            continue
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        if not EARLIEST_TIME <= aware <= horizon + LATEST_QUEUE_TIME:
            return TIME_OUT_OF_RANGE, {"value": value.isoformat(), "reason": "queue time outside the sane range"}
    return None


_CONTAINERS = (dict, list)


def _too_deep(event) -> bool:
    """Is any value of the event nested deeper than MAX_DEPTH? Walked level by level, without
    recursion (a file may nest far deeper than Python's stack)."""
    level, depth = [event], 1
    while level:
        if depth > MAX_DEPTH:
            return True
        below = []
        for value in level:
            below += [c for c in (value.values() if type(value) is dict else value) if type(c) in _CONTAINERS]
        level, depth = below, depth + 1
    return False


def _time(value):
    return datetime.fromisoformat(value) if value else None


def _queues(queue, horizon):
    """(standby wait, tuple of QueueRow argument tuples) from `data.queue`."""
    standby = None
    rows = []
    for queue_type, q in queue.items():
        if len(queue_type) > COLUMN_LIMITS["queueType"]:
            raise _BadValue(TOO_LONG, {"field": "queueType", "value": queue_type[:100],
                                       "limit": COLUMN_LIMITS["queueType"]})
        if queue_type not in QUEUE_TYPES:  # the column is an ENUM of the known types
            raise _BadValue(VALUE_OUT_OF_RANGE, {"value": queue_type, "reason": "unknown queue type"})
        if len(q) == 1 and "waitTime" in q:  # standby-like queues, most of them: skip the lookups
            wait = _wait(q["waitTime"])
            if queue_type == "STANDBY":
                standby = wait
            rows.append((queue_type, wait))  # QueueRow's other arguments default to None
            continue
        wait = _wait(q.get("waitTime"))
        if queue_type == "STANDBY":
            standby = wait
        price = q.get("price") or {}
        state, currency, allocation = _text(q.get("state")), _text(price.get("currency")), \
            _text(q.get("allocationStatus"))
        numbers = tuple(_integer(v) for v in (
            price.get("amount"), q.get("currentGroupStart"), q.get("currentGroupEnd"), q.get("estimatedWait")))
        times = (_time(q.get("returnStart")), _time(q.get("returnEnd")), _time(q.get("nextAllocationTime")))
        bad = _queue_problem(queue_type, state, currency, allocation, numbers, times, horizon)
        if bad:
            raise _BadValue(*bad)
        rows.append((queue_type, wait, times[0], times[1], state, numbers[0], currency, allocation, numbers[1],
                     numbers[2], times[2], numbers[3]))
    return standby, tuple(rows)


def _example(event):
    if not isinstance(event, dict):
        return {"event": _scalar(event)}
    keys = ("entityId", "eventTime", "data")
    return {"missing_or_bad": [k for k in keys if k not in event] or ["data.status/other"],
            "entityId": _scalar(event.get("entityId", ""))}


def read_and_parse(source, key: str, now: datetime, formatted: bool = False,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedFile:
    """Worker entry point: fetch, decode, parse and validate (and with `formatted`, format) one file.
    The file boundary: whatever goes wrong comes back as a failed file (`read_error`), never raised."""
    from .archive import ArchiveReadError, ArchiveTooLarge

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
