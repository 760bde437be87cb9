"""Writes the hostile archive corpus of the importer tests (`data/hostile/`) and its MANIFEST.json.

    python importer/tests/make_hostile.py importer/tests/data/hostile

One destination, one park (America/New_York), four rides polled every 15 minutes. Each day file
of March 2024 is one case: good files, files that cannot be read at all, and "mixed" files that
hold a good day plus events that must be refused. The manifest gives, per key, the events that
must be stored and the quality-log kinds the file must leave. Deterministic: the same bytes every
time. Cases that git cannot hold (a link out of the folder, a folder where a file should be) are
made by the test itself.
"""
import gzip
import json
import random
import sys
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

DEST = "7b2d3c4e-5f60-4a1b-9c8d-0e1f2a3b4c5d"
PARK = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e"
RIDES = [(f"5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a{i:02d}", name) for i, name in
         enumerate(["Comet Coaster", "River Rapids", "Sky Wheel", "Ghost Manor"])]
UTC = timezone.utc


def event(entity_id, name, at, data, **extra):
    out = {"entityId": entity_id, "internalId": f"{entity_id[-4:]};entityType=Attraction", "name": name,
           "data": {"destinationId": DEST, **data},
           "eventTime": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
           "timezone": "America/New_York", "parkId": PARK, "parkSlug": "hostile-harbor"}
    out.update(extra)
    return out


def good_day(day, rng):
    """A day of valid events: STANDBY waits, one ride with a paid queue, one with a breakdown."""
    events = []
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    for step in range(96):
        at = start + timedelta(minutes=15 * step, milliseconds=17)
        for i, (entity_id, name) in enumerate(RIDES):
            status = "DOWN" if i == 1 and 40 <= step < 46 else "OPERATING"
            queue = {"STANDBY": {"waitTime": None if status == "DOWN" else rng.randrange(0, 90, 5)}}
            if i == 0:
                queue["PAID_RETURN_TIME"] = {
                    "waitTime": None, "state": "AVAILABLE", "price": {"amount": 1500, "currency": "USD"},
                    "returnStart": (at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), "returnEnd": None}
            events.append(event(entity_id, name, at, {"status": status, "queue": queue}))
    return events


DEEP = "__nested_1000_levels__"  # stands for a value nested 1,000 levels deep (json.dumps would recurse)


def pack(payload) -> bytes:
    text = json.dumps(payload, separators=(",", ":")).replace(f'"{DEEP}"', '{"x":' * 1000 + "1" + "}" * 1000)
    return zlib.compress(text.encode(), 6)


def cases(rng):
    """(day, bytes, valid events, kinds) for each file."""
    d = lambda n: datetime(2024, 3, n, tzinfo=UTC)  # noqa: E731
    noon = lambda n: d(n) + timedelta(hours=12, seconds=30)  # noqa: E731 - between the polls
    ride, name = RIDES[2]
    out = []

    def mixed(n, bad, kinds):
        events = good_day(d(n), rng)
        out.append((n, pack({"events": events + bad}), len(events), kinds))

    for n in (1, 2):
        events = good_day(d(n), rng)
        out.append((n, pack({"events": events}), len(events), []))
    out.append((3, b"", 0, ["truncated_zlib"]))  # zero bytes
    out.append((4, bytes(rng.randrange(256) for _ in range(4096)), 0, ["truncated_zlib"]))  # random bytes
    out.append((5, zlib.compress(b""), 0, ["invalid_json"]))  # an empty document
    out.append((6, pack([1, 2, 3]), 0, ["wrong_top_level_type"]))  # not an object
    out.append((7, zlib.compress(b'{"events":' + b"[" * 200_000 + b"]" * 200_000 + b"}", 9), 0,
                ["invalid_json"]))  # 200,000 levels deep: no parser may recurse into it
    mixed(8, [event(ride, name, noon(8), {"status": "OPERATING", "queue": {"STANDBY": {"waitTime": 5}},
                                          "extra": DEEP})], ["event_too_deep"])
    mixed(9, [event(ride, "N" * 300, noon(9), {"status": "OPERATING"})], ["value_too_long"])
    mixed(10, [event("e" * 65, name, noon(10), {"status": "OPERATING"}),  # an entity's ids come from its first event
               event("0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d", name, noon(10), {"status": "OPERATING"}, parkId="p" * 70),
               event("1a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d", name, noon(10), {"status": "OPERATING"},
                     internalId="i" * 129)], ["value_too_long"])
    mixed(11, [event("0f0e0d0c-0b0a-4909-8807-060504030201", "Olympus Drop", noon(11), {"status": "OPERATING"},
                     parkId="0e0d0c0b-0a09-4807-8605-040302010000", timezone="Mars/Olympus_Mons")],
          ["invalid_timezone"])
    mixed(12, [event(ride, name, datetime(1, 1, 1, tzinfo=UTC), {"status": "OPERATING"}),
               event(ride, name, datetime(9999, 12, 31, tzinfo=UTC), {"status": "OPERATING"})],
          ["event_time_out_of_range", "event_time_in_future"])
    mixed(13, [event(ride, name, noon(13), {"status": "OPERATING", "queue": {"Q" * 40: {"waitTime": 5}}}),
               event(ride, name, noon(13) + timedelta(seconds=1), {"status": "OPERATING", "queue": {
                   "PAID_RETURN_TIME": {"waitTime": None, "price": {"amount": 900, "currency": "EURO"}}}}),
               event(ride, name, noon(13) + timedelta(seconds=2), {"status": "OPERATING", "queue": {
                   "PAID_RETURN_TIME": {"waitTime": None, "state": "TEMPORARILY_FULL_X"}}})], ["value_too_long"])
    mixed(14, [event(ride, name, noon(14), {"status": "OPERATING", "queue": {
                   "PAID_RETURN_TIME": {"waitTime": None, "price": {"amount": 2 ** 40, "currency": "USD"}}}}),
               event(ride, name, noon(14) + timedelta(seconds=1), {"status": "OPERATING", "queue": {
                   "BOARDING_GROUP": {"currentGroupStart": "abc"}}}),
               event(ride, name, noon(14) + timedelta(seconds=2), {"status": "OPERATING", "queue": {
                   "PAID_RETURN_TIME": {"waitTime": None, "returnStart": "0001-01-01T00:00:00Z"}}})],
          ["value_out_of_range", "event_time_out_of_range"])
    bomb = zlib.compressobj(9)  # 4 MiB of blanks before a valid document: over the test's 1 MB cap
    out.append((15, bomb.compress(b" " * (4 << 20)) + bomb.compress(json.dumps({"events": []}).encode())
                + bomb.flush(), 0, ["file_too_large"]))
    events = good_day(d(16), rng)
    out.append((16, gzip.compress(json.dumps({"events": events}).encode(), mtime=0), len(events),
                ["gzip_container"]))
    mixed(17, [dict(good_day(d(17), random.Random(1))[5]), 7, None, "event",
               {"entityId": ride, "name": name, "eventTime": "2024-03-17T12:00:00", "timezone": "UTC",
                "parkId": PARK, "data": {"status": "OPERATING"}},
               event(ride, name, noon(17), {"status": "EXPLODED"})],
          ["duplicate_events", "event_missing_fields"])
    mixed(18, [event(ride, name, noon(18), {"status": "OPERATING", "queue": {"STANDBY": {"waitTime": 100000}}})],
          ["wait_time_out_of_range"])
    for n in (19,):
        events = good_day(d(n), rng)
        out.append((n, pack({"events": events}), len(events), []))
    return out


def main(target):
    target = Path(target)
    rng = random.Random(20)
    files = {}
    for n, raw, valid, kinds in cases(rng):
        key = f"{DEST}/2024/03/{n:02d}.json.gz"
        path = target / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        files[key] = {"valid_events": valid, "kinds": kinds}
    # Folders that are not destination ids: listed, reported, never read.
    good = (target / DEST / "2024/03/01.json.gz").read_bytes()
    for folder in ("not-a-destination", "d" * 70):
        path = target / folder / "2024/03/01.json.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(good)
    manifest = {"generator": "importer/tests/make_hostile.py", "destination": DEST, "park": PARK,
                "rides": [r[0] for r in RIDES], "files": files,
                "totals": {"valid_events": sum(f["valid_events"] for f in files.values())}}
    (target / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
