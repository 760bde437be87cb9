"""Damage on request: each kind breaks one day file in one way the importer must survive.

Event kinds add 3 to 6 bad events at random places and leave the good events as they are; file
kinds make the whole file unreadable (0 valid events). `gzip_container` is opt-in: the JSON is
fine but sits in a gzip container instead of a zlib stream (our importer reads it anyway and
reports it).
"""
from __future__ import annotations

import gzip
import json

from .encoding import compress, payload

EVENT_KINDS = ("event_missing_fields", "wait_time_out_of_range", "event_time_in_future", "duplicate_events")
FILE_KINDS = ("truncated_zlib", "invalid_json", "wrong_top_level_type", "gzip_container")
DEFAULT_KINDS = ("truncated_zlib", "invalid_json", "wrong_top_level_type") + EVENT_KINDS
KINDS = DEFAULT_KINDS + ("gzip_container",)
BAD_WAITS = (-1, -5, -30, 601, 999, 1441, 100000)
MISSING = ("entityId", "eventTime", "data", "data.status")


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _insert(rng, texts, extra):
    out = list(texts)
    for text in extra:
        out.insert(rng.randint(0, len(out)), text)
    return out


def _drop_field(event: dict, rng):
    gone = rng.choice(MISSING)
    if gone == "data.status":
        event["data"].pop("status", None)
    else:
        event.pop(gone)
    return gone


def _bad_wait(event: dict, rng):
    wait = rng.choice(BAD_WAITS)
    event["data"] = {"status": "OPERATING", "queue": {"STANDBY": {"waitTime": wait}},
                     "destinationId": event["data"].get("destinationId")}
    return wait


def _future_time(event: dict, rng):
    event["eventTime"] = (f"{rng.randint(2090, 2091)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
                          f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}."
                          f"{rng.randint(0, 999):03d}Z")
    return event["eventTime"]


# kind -> (how a copy of a good event is damaged, the manifest key listing what was done, what it says)
DAMAGE = {
    "event_missing_fields": (_drop_field, "missing", "extra events each missing a required field"),
    "wait_time_out_of_range": (_bad_wait, "waitTimes", "extra events with a STANDBY waitTime outside 0..600"),
    "event_time_in_future": (_future_time, "eventTimes", "extra events with eventTime after the manifest "
                                                         "reference_time"),
}


def bad_events(kind: str, texts: list, rng) -> tuple[list, dict]:
    """(the file's event texts with the bad ones added, what the manifest says about them)."""
    count = rng.randint(3, 6)
    picked = [texts[rng.randrange(len(texts))] for _ in range(count)] if texts else []
    info = {"kind": kind, "invalid_events": len(picked)}
    if kind == "duplicate_events":
        info["what"] = f"{len(picked)} exact duplicates of events already in the file"
        return _insert(rng, texts, picked), info
    damage, key, what = DAMAGE[kind]
    extra, info[key] = [], []
    for text in picked:
        event = json.loads(text)
        info[key].append(damage(event, rng))
        extra.append(_compact(event))
    info["what"] = f"{len(picked)} {what}"
    return _insert(rng, texts, extra), info


def broken_file(kind: str, texts: list, rng, level: int) -> tuple[bytes, dict]:
    """(the file's bytes, what the manifest says) for a kind that leaves 0 valid events."""
    raw = payload(texts)
    if kind == "truncated_zlib":
        data = compress(raw, level)
        what = f"zlib stream cut to {len(data) // 2} of {len(data)} bytes"
        return data[: len(data) // 2], {"kind": kind, "what": what}
    if kind == "invalid_json":
        text = raw.decode()
        cut = rng.randint(len(text) // 4, max(len(text) // 4, 3 * len(text) // 4))
        what = f"decompresses, but JSON text is cut off at character {cut} of {len(text)} and ends in ',,]'"
        return compress((text[:cut] + ",,]").encode(), level), {"kind": kind, "what": what}
    if kind == "wrong_top_level_type":
        value = rng.choice(('"events"', "42", "null", '{"events":{"count":' + str(len(texts)) + "}}"))
        return compress(value.encode(), level), {"kind": kind, "what": f"top level is {value[:40]}"}
    if kind == "gzip_container":
        return gzip.compress(raw, compresslevel=level, mtime=0), {
            "kind": kind, "what": "payload is a gzip (RFC 1952) container, not zlib; zlib.decompress fails"}
    raise ValueError(kind)
