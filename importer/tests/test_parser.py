"""The day-file parser on every corruption kind the generator makes, and on hand-made bytes."""
import gzip
import json
import zlib
from datetime import datetime, timezone

import pytest

from importer import parser
from importer.tests.conftest import manifest

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
GOOD = {"entityId": "e1", "internalId": "7", "name": "Coaster", "eventTime": "2024-03-09T12:00:00.000Z",
        "localTime": "2024-03-09T07:00:00-05:00", "timezone": "America/New_York", "parkId": "p1", "parkSlug": "park",
        "data": {"status": "OPERATING", "queue": {"STANDBY": {"waitTime": 35}}, "destinationId": "d1"}}


def parse(payload, *, compress=zlib.compress):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return parser.parse_day_file("d1/2024/03/09.json.gz", compress(raw), now=NOW)


def event(**changes):
    data = {**GOOD["data"], **changes.pop("data", {})}
    return {**GOOD, "data": data, **changes}


def test_every_generated_file_yields_the_manifests_valid_events_and_names_its_corruption(corrupt_archive):
    expected = manifest(corrupt_archive)
    kinds = set()
    for key, info in expected["files"].items():
        parsed = parser.parse_day_file(key, (corrupt_archive / key).read_bytes(), now=NOW)
        corruption = info["corruption"]
        if corruption and corruption["kind"] == "gzip_container":
            assert len(parsed.events) == info["intended_valid_events"], key  # read anyway
        else:
            assert len(parsed.events) == info["valid_events"], key
        if corruption:
            kinds.add(corruption["kind"])
            assert corruption["kind"] in parsed.problems, key
    assert kinds == {"truncated_zlib", "invalid_json", "wrong_top_level_type", "event_missing_fields",
                     "wait_time_out_of_range", "event_time_in_future", "duplicate_events", "gzip_container"}


def test_a_truncated_zlib_stream_is_unreadable():
    raw = zlib.compress(json.dumps({"events": [GOOD]}).encode())
    parsed = parser.parse_day_file("d1/2024/03/09.json.gz", raw[: len(raw) // 2], now=NOW)
    assert parsed.unreadable and "truncated_zlib" in parsed.problems and parsed.events == []


def test_a_gzip_container_is_read_and_reported():
    parsed = parse({"events": [GOOD]}, compress=gzip.compress)
    assert len(parsed.events) == 1 and "gzip_container" in parsed.problems and not parsed.unreadable


@pytest.mark.parametrize("payload", ["text", 5, None, {"events": {"a": 1}}, [GOOD]])
def test_anything_but_an_object_with_an_events_array_is_the_wrong_top_level_type(payload):
    assert parse(payload).problems.keys() == {"wrong_top_level_type"}


def test_cut_json_is_invalid_json():
    assert parse(b'{"events": [{"entityId": "e1",,]').problems.keys() == {"invalid_json"}


@pytest.mark.parametrize("bad", [
    {k: v for k, v in GOOD.items() if k != "entityId"}, {k: v for k, v in GOOD.items() if k != "eventTime"},
    {k: v for k, v in GOOD.items() if k != "data"}, event(data={"status": "BROKEN"}), event(eventTime="yesterday"),
    event(entityId=""), "not an event"])
def test_events_missing_or_with_broken_fields_are_counted_and_skipped(bad):
    parsed = parse({"events": [GOOD, bad]})
    assert len(parsed.events) == 1 and parsed.problems["event_missing_fields"]["count"] == 1


@pytest.mark.parametrize("wait", [-1, 601, 999, 100000, "45"])
def test_a_wait_outside_0_to_600_in_any_queue_skips_the_event(wait):
    bad = event(eventTime="2024-03-09T12:05:00.000Z", data={"queue": {"STANDBY": {"waitTime": 5},
                                                                      "SINGLE_RIDER": {"waitTime": wait}}})
    parsed = parse({"events": [GOOD, bad]})
    assert len(parsed.events) == 1 and sum(e["count"] for e in parsed.problems.values()) == 1


def test_an_event_after_now_is_in_the_future():
    parsed = parse({"events": [GOOD, event(eventTime="2091-04-11T06:33:59.557Z")]})
    assert len(parsed.events) == 1 and parsed.problems["event_time_in_future"]["count"] == 1


def test_identical_events_count_once():
    parsed = parse({"events": [GOOD, GOOD, GOOD]})
    assert len(parsed.events) == 1 and parsed.problems["duplicate_events"]["count"] == 2


def test_queues_are_normalized_with_aware_utc_times():
    queue = {"STANDBY": {"waitTime": 20},
             "PAID_RETURN_TIME": {"state": "AVAILABLE", "returnStart": "2024-03-09T14:15:00+01:00", "returnEnd": None,
                                  "price": {"amount": 2500, "currency": "EUR"}},
             "BOARDING_GROUP": {"allocationStatus": "PAUSED", "currentGroupStart": 11, "currentGroupEnd": 26,
                                "nextAllocationTime": "2024-03-09T13:00:00+01:00", "estimatedWait": 35}}
    (index, at, status, wait, queues), = parse({"events": [event(data={"queue": queue})]}).events
    assert (at, status, wait) == (datetime(2024, 3, 9, 12, tzinfo=timezone.utc), "OPERATING", 20)
    rows = {q[0]: q for q in queues}
    assert rows["PAID_RETURN_TIME"][2] == datetime(2024, 3, 9, 13, 15, tzinfo=timezone.utc)
    assert rows["PAID_RETURN_TIME"][5:7] == (2500, "EUR")
    assert rows["BOARDING_GROUP"][7:12] == ("PAUSED", 11, 26, datetime(2024, 3, 9, 12, tzinfo=timezone.utc), 35)


def test_an_entity_with_showtimes_is_a_show_and_renames_are_listed_in_order():
    show = event(entityId="s1", name="Parade", data={"showtimes": [], "queue": None})
    renamed = event(name="Coaster presented by Acme", eventTime="2024-03-09T13:00:00.000Z")
    parsed = parse({"events": [GOOD, show, renamed]})
    assert [e.is_show for e in parsed.entities] == [False, True]
    assert [n for n, _ in parsed.entities[0].names] == ["Coaster", "Coaster presented by Acme"]


def _both_paths(events):
    """(fast path taken?, its ParsedFile, the full checks' ParsedFile) of one file of `events`."""
    from importer.parser import checked, fast

    text = json.dumps({"events": events}).encode()
    quick = parser.ParsedFile(key="d1/2024/03/09.json.gz")
    taken = fast._formatted_fast(text, quick, NOW, "d1")
    full = parser.ParsedFile(key="d1/2024/03/09.json.gz")
    full.events_read = len(events)
    checked._events(json.loads(text)["events"], full, NOW, "d1", True)
    return taken, quick, full


def test_a_queue_text_shared_by_several_data_texts_and_queue_types_gives_the_full_checks_rows():
    # The fast path formats each distinct (queue type, queue text) once: the same return window
    # beside different standby waits, under two queue types, and a wait-only queue of each kind.
    window = {"state": "AVAILABLE", "returnStart": "2024-03-09T13:00:00-05:00", "returnEnd": None}
    queues = [{"STANDBY": {"waitTime": wait}, "RETURN_TIME": window} for wait in (5, 10, 5)] + [
        {"STANDBY": {"waitTime": 10}, "PAID_RETURN_TIME": window, "SINGLE_RIDER": {"waitTime": 5}},
        {"SINGLE_RIDER": {"waitTime": 5}, "STANDBY": {"waitTime": 10, "state": "OPEN"}}]
    events = [event(eventTime=f"2024-03-09T12:0{i}:00.{i}00Z", data={"queue": queue}) for i, queue in enumerate(queues)]
    taken, quick, full = _both_paths(events)
    assert taken
    assert (quick.blocks, quick.entities, quick.problems) == (full.blocks, full.entities, full.problems)
    assert quick.blocks[0][1].count("RETURN_TIME") == 4 and quick.blocks[0][3].count("SINGLE_RIDER") == 2


def test_a_queue_text_refused_after_others_were_formatted_sends_the_file_to_the_full_checks():
    events = [event(eventTime="2024-03-09T12:00:00.000Z", data={"queue": {"STANDBY": {"waitTime": 35}}}),
              event(eventTime="2024-03-09T12:05:00.000Z", data={"queue": {"STANDBY": {"waitTime": 35},
                                                                          "SINGLE_RIDER": {"waitTime": 700}}})]
    taken, _, full = _both_paths(events)
    assert not taken
    assert full.problems and len(full.blocks[0][0].splitlines()) == 1
