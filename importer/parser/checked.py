"""The full per-event checks: every event of a file that the fast path would not take is checked
on its own, and what fails is counted per kind (with a few examples) while everything valid goes
on. No step recurses into a value: a file may nest far deeper than Python's stack.
"""
from __future__ import annotations

from datetime import datetime

from warehouse.rows import MAX_VALID_WAIT_MINUTES as MAX_WAIT, STATUSES, QUEUE_TYPES, queue_tail, queue_wait_tail, \
    snapshot_tail, standby_in_snapshot, utc_text_from_iso, wait_only

from .limits import (
    COLUMN_LIMITS, DUPLICATES, EARLIEST_TIME, FUTURE_TIME, MAX_DEPTH, MISSING_FIELDS, TIME_OUT_OF_RANGE, TOO_DEEP,
    TOO_LONG, VALUE_OUT_OF_RANGE, WAIT_OUT_OF_RANGE, _entity, _entity_problem, _queue_problem, _time,
)


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

