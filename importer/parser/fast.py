"""The fast path of formatted, problem-free files.

msgspec decodes the JSON straight into typed structs (the types, the statuses and the presence of
every required field checked in C), each distinct `data` text is decoded, checked and formatted
once, and one loop puts each event's time in front of its lines. It accepts only a file without a
single problem; at the first one (a type msgspec refuses, a wait out of range, a future time, a
repeated event, ...) it gives up and the file goes through the full checks (`checked.py`), which
record every problem. Both give the same rows.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import msgspec

from warehouse.rows import QUEUE_TYPES, STANDBY, STATUSES, WAIT_TEXT, NULL, queue_tail, queue_wait_piece, \
    snapshot_pieces, utc_text_from_iso

from .native import formatted_native
from .limits import COLUMN_LIMITS, EARLIEST_TIME, ParsedFile, _entity, _entity_problem, _queue_problem, _time, \
    _too_long


# Structs without cyclic-GC tracking (they hold no cycles). An event's `data` is kept raw: most
# events of a day repeat the data of an earlier one (the same status and waits), so each distinct
# text is decoded, checked and turned into line ends once (`_data_lines`); its queues are kept raw
# too, and each distinct (queue type, queue text) is decoded and formatted once (`_queue_piece`):
# the data texts of a day differ mostly in one queue's wait or window. Optional ids must be
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
    queue: dict[str, msgspec.Raw] | None = None  # each queue's text, decoded once per distinct text
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
_QUEUE_DECODER = msgspec.json.Decoder(_Queue)
_WAIT_ONLY = {wait: _Queue(waitTime=wait) for wait in WAIT_TEXT}  # a queue with nothing but a (valid) wait
_SNAPSHOT_PIECES = {status: snapshot_pieces(status, "ARCHIVE") for status in STATUSES}
_NO_PRICE = _Price()
# The ".mmmZ" end of an archive time -> what follows the second in the stored time text.
_TAILS = {f".{ms:03d}Z": f".{ms:03d}000" if ms else "" for ms in range(1000)}


def _data_lines(raw: bytes, line_ends: dict, horizon: datetime) -> tuple | None:
    """Decode and check one `data` text: (snapshot_end, wait_parts, full_parts, destination id,
    is_show), or None when it needs the full checks (a type or status msgspec refuses, a wait
    out of range, a value its column cannot hold). With `time` = "\t" + an event's time text
    (`warehouse.rows`), the event's snapshot line is `time + snapshot_end` and its queue lines are
    `time.join(wait_parts)` (short form) and `time.join(full_parts)`: each part after the leading ""
    is a line without its time.
    `line_ends` caches what each distinct (queue type, queue text) gives (`_queue_piece`): the
    data texts of a day differ mostly by one queue's wait or return window, the queues repeat."""
    try:
        data = _DATA_DECODER.decode(raw)
    except (msgspec.DecodeError, RecursionError):  # msgspec recurses into nested values it skips
        return None
    if _too_long("destinationId", data.destinationId):
        return None
    wait, waits, fulls = NULL, [""], [""]
    for queue_type, queue_raw in (data.queue or {}).items():
        key = (queue_type, bytes(queue_raw))
        piece = line_ends.get(key)
        if piece is None:
            piece = line_ends[key] = _queue_piece(queue_type, queue_raw, horizon)
            if piece is None:
                return None
        value_text, wait_piece, full_piece = piece
        if queue_type == STANDBY:
            wait = value_text
        if wait_piece is not None:
            waits.append(wait_piece)
        elif full_piece is not None:
            fulls.append(full_piece)
    middle, end = _SNAPSHOT_PIECES[data.status]
    return (f"{middle}{wait}{end}", tuple(waits) if len(waits) > 1 else None,
            tuple(fulls) if len(fulls) > 1 else None, data.destinationId, data.showtimes is not msgspec.UNSET)


def _queue_piece(queue_type: str, queue_raw, horizon: datetime) -> tuple | None:
    """One queue of a `data` text: (wait text, short-form line end or None, full line end or
    None), both None for a STANDBY queue with only a wait (the snapshot holds it); None when it
    needs the full checks."""
    try:
        q = _QUEUE_DECODER.decode(queue_raw)
    except (msgspec.DecodeError, RecursionError):
        return None
    value = q.waitTime
    value_text = WAIT_TEXT.get(value)  # None: out of range
    if value_text is None or queue_type not in QUEUE_TYPES:
        return None
    if q == _WAIT_ONLY[value]:
        if queue_type == STANDBY:  # the snapshot holds it (warehouse.rows.STANDBY)
            return value_text, None, None
        return value_text, f"{queue_wait_piece(queue_type)}{value_text}\n", None
    price = q.price or _NO_PRICE
    times = (_time(q.returnStart), _time(q.returnEnd), _time(q.nextAllocationTime))
    if _queue_problem(queue_type, q.state, price.currency, q.allocationStatus, (
            price.amount, q.currentGroupStart, q.currentGroupEnd, q.estimatedWait), times, horizon):
        return None
    return value_text, None, queue_tail("", (
        queue_type, value, times[0], times[1], q.state, price.amount, price.currency, q.allocationStatus,
        q.currentGroupStart, q.currentGroupEnd, times[2], q.estimatedWait))[1:]


def _formatted_fast(text: bytes, parsed: ParsedFile, horizon: datetime, file_destination: str) -> bool:
    """Fill `parsed` (entities, blocks, events_read) if the file has no problem at all; False
    (and `parsed` untouched) at the first thing that needs the full checks.

    Per event it only looks things up: the time text is cut from eventTime, and the rest of each
    line comes from the event's `data` text, decoded and formatted once per distinct text."""
    line_ends: dict = {}
    done = formatted_native(text, parsed, lambda raw: _data_lines(raw, line_ends, horizon),
                            lambda queue_type, raw: _queue_piece(queue_type, raw, horizon), horizon, file_destination)
    if done is not None:
        return done
    try:
        events = _DECODER.decode(text).events
    except (msgspec.DecodeError, RecursionError):  # invalid JSON, a wrong type, a missing field, a deep
        return False  # nest: the full checks say which
    index: dict[str, int] = {}
    entities, snaps, queues, waits, times = [], [], [], [], []
    parse_time, known = datetime.fromisoformat, {}  # line_ends: what the native pass formatted already
    # Second texts ("YYYY-MM-DDTHH:MM:SS") already parsed and checked, whole seconds before the
    # horizon: an event of a checked second only needs its ".mmmZ" end checked (a poll stamps all
    # the rides of a park within the same second or two).
    seconds: dict[str, str] = {}
    last_second = (horizon - timedelta(seconds=1)).isoformat()[:19]
    try:
        for event in events:
            entity_id, at_text = event.entityId, event.eventTime
            at_sql = seconds.get(at_text[:19])
            tail = None if at_sql is None else _TAILS.get(at_text[19:])
            if tail is not None:
                at = None
                at_sql += tail
            else:
                if at_text[-1:] != "Z":
                    return False
                at = parse_time(at_text)
                if at > horizon or at < EARLIEST_TIME:
                    return False
                at_sql = "\t" + utc_text_from_iso(at_text, at)
                if len(at_text) == 24 and at_text[19] == "." and at_text[:19] < last_second:
                    seconds[at_text[:19]] = at_sql[:20]
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
                at = at or parse_time(at_text)
                entities.append(_entity(entity_id, event.internalId, event.parkId, event.parkSlug, event.timezone,
                                        destination_id or file_destination, is_show, event.name, at))
                for per_entity in (snaps, queues, waits, times):
                    per_entity.append([])
            else:
                info = entities[i]
                if event.name != info.names[-1][0]:
                    if len(event.name) > COLUMN_LIMITS["name"]:
                        return False
                    info.names.append((event.name, at or parse_time(at_text)))
                if is_show:
                    info.is_show = True
            times[i].append(at_text)  # repeats are looked for per entity at the end
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

