"""The native fast path (`importer/parser/_scan.c`) against the pure Python fast path (`fast.py`).

Wherever the native path answers (it may leave a file to the Python path), it must give the same
answer, and when it takes a file, the same entities, names and lines, byte for byte."""
import json
import random
import zlib
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importer.parser import fast, native
from importer.parser.limits import ParsedFile
from importer.tests.conftest import manifest

HORIZON = datetime(2030, 1, 1, tzinfo=timezone.utc)
KEY = "d1/2024/03/09.json.gz"


def native_answer(text: bytes):
    """(True, False or None, the ParsedFile) from the native path alone."""
    parsed, line_ends = ParsedFile(key=KEY), {}
    done = native.formatted_native(text, parsed, lambda raw: fast._data_lines(raw, line_ends, HORIZON),
                                   lambda queue_type, raw: fast._queue_piece(queue_type, raw, HORIZON), HORIZON, "d1")
    return done, parsed


def python_answer(text: bytes):
    built, native._scan = native._scan, None
    try:
        parsed = ParsedFile(key=KEY)
        return fast._formatted_fast(text, parsed, HORIZON, "d1"), parsed
    finally:
        native._scan = built


def assert_same(text: bytes) -> bool | None:
    done, parsed = native_answer(text)
    if done is not None:
        expected, python = python_answer(text)
        assert done == expected, text[:300]
        if done:
            assert (parsed.events_read, parsed.entities, parsed.blocks) == (
                python.events_read, python.entities, python.blocks), text[:300]
    return done


def test_the_native_module_is_built():
    assert native._scan is not None, "build it: .venv/bin/python importer/parser/build_native.py"


@pytest.mark.parametrize("archive", ["clean_archive", "corrupt_archive"])
def test_generated_files_give_what_the_python_path_gives(archive, request):
    folder = request.getfixturevalue(archive)
    answers = []
    for key in manifest(folder)["files"]:
        try:
            text = zlib.decompress((folder / key).read_bytes())
        except zlib.error:
            continue
        answers.append(assert_same(text))
    assert True in answers  # the native path takes the clean files itself
    if archive == "clean_archive":
        assert set(answers) == {True}


STATUS = st.sampled_from(["OPERATING", "DOWN", "CLOSED", "REFURBISHMENT", "BROKEN", 5])
WAIT = st.one_of(st.none(), st.integers(-2, 700), st.sampled_from([35.0, "35", True]))
TIME_MS = st.builds(lambda h, m, s, ms: f"2024-03-09T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z", st.integers(0, 23),
                    st.integers(0, 59), st.integers(0, 59), st.sampled_from([0, 1, 500, 999]))
TIME = st.one_of(
    TIME_MS,
    st.sampled_from(["2024-02-30T10:00:00.000Z", "2024-03-09T10:00:00Z", "2024-03-09T10:00:00.000+00:00",
                     "2031-01-01T00:00:00.000Z", "1999-12-31T23:59:59.999Z", "2024-03-09T24:00:00.000Z",
                     "2024-03-09T10:00:00.0000Z", "", 7]))
QUEUE = st.fixed_dictionaries({"waitTime": WAIT}, optional={
    "state": st.sampled_from(["AVAILABLE", "FINISHED", "X" * 20]),
    "returnStart": st.sampled_from(["2024-03-09T13:00:00-05:00", None, "soon"]),
    "price": st.fixed_dictionaries({"amount": st.integers(-10, 2 ** 32), "currency": st.sampled_from(["USD", "EURO"])}),
    "extra": st.sampled_from([[1, {"a": None}], "é"])})
QUEUES = st.one_of(st.none(), st.dictionaries(
    st.sampled_from(["STANDBY", "SINGLE_RIDER", "RETURN_TIME", "PAID_STANDBY", "NEW_KIND", "STAND\"BY"]), QUEUE,
    max_size=3))
DATA = st.one_of(st.fixed_dictionaries({"status": STATUS}, optional={
    "queue": QUEUES, "destinationId": st.sampled_from(["d1", None, "d" * 70, "dé"]),
    "showtimes": st.sampled_from([[], None, [{"startTime": "x"}]]), "forecast": st.just([{"a": [1, 2]}])}),
    st.sampled_from([None, [], "OPERATING"]))
TEXT = st.one_of(st.sampled_from(["Coaster", "Coaster®", "Ride \"Q\"", "Über\\Fall", "x" * 300, ""]),
                 st.text(max_size=6))
EVENT = st.fixed_dictionaries(
    {"entityId": st.sampled_from(["e1", "e2", "e3", "", "é4"]), "name": TEXT, "eventTime": TIME,
     "timezone": st.sampled_from(["America/New_York", "Mars/Olympus", "UTC"]), "parkId": st.sampled_from(["p1", "p2"]),
     "data": DATA},
    optional={"internalId": st.one_of(st.none(), st.integers(-5, 10 ** 20), st.sampled_from(["7", 1.5, True])),
              "parkSlug": st.one_of(st.none(), st.sampled_from(["park", 3])),
              "localTime": st.just("2024-03-09T07:00:00-05:00")})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EVENT, max_size=12), st.booleans(), st.sampled_from([(",", ":"), (", ", ": ")]))
def test_random_files_give_what_the_python_path_gives(events, ascii_only, separators):
    assert_same(json.dumps({"events": events}, ensure_ascii=ascii_only, separators=separators).encode())


def test_byte_level_damage_gives_what_the_python_path_gives(clean_archive):
    key = next(iter(manifest(clean_archive)["files"]))
    text = zlib.decompress((clean_archive / key).read_bytes())
    cut = text[:text.index(b',{"entityId"', 2000)] + b"]}"  # a few events of a real file
    rng = random.Random(20261128)
    taken = 0
    for _ in range(3000):
        damaged = bytearray(cut)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(damaged))
            what = rng.randrange(4)
            if what == 0:
                del damaged[at]
            elif what == 1:
                damaged.insert(at, rng.choice(b'{}[]",:\\ 0\x00\x1f\xc3\xffe-.'))
            elif what == 2:
                damaged[at] = rng.randrange(256)
            else:
                damaged[at:at] = damaged[at:at + rng.randint(1, 40)]
        taken += assert_same(bytes(damaged)) is True
    assert taken  # some damage (a digit of a wait, a letter of a name) leaves a file the native path takes


# Files the fast paths take: valid events only, in every shape the archive allows.
GOOD_QUEUE = st.fixed_dictionaries({"waitTime": st.one_of(st.none(), st.integers(0, 600))}, optional={
    "state": st.sampled_from(["AVAILABLE", "FINISHED"]),
    "returnStart": st.sampled_from(["2024-03-09T13:00:00-05:00", None]),
    "price": st.fixed_dictionaries({"amount": st.integers(0, 9999), "currency": st.sampled_from(["USD", "EUR"])})})
GOOD_EVENT = st.fixed_dictionaries(
    {"entityId": st.sampled_from(["e1", "e2", "e3", "é4"]),
     "name": st.sampled_from(["Coaster", "Coaster®", "Wheel"]),
     "eventTime": TIME_MS,
     "timezone": st.sampled_from(["America/New_York", "Europe/Paris"]), "parkId": st.sampled_from(["p1", "p2"]),
     "data": st.fixed_dictionaries({"status": st.sampled_from(["OPERATING", "DOWN", "CLOSED", "REFURBISHMENT"])},
                                   optional={"queue": st.one_of(st.none(), st.dictionaries(st.sampled_from(
                                       ["STANDBY", "SINGLE_RIDER", "RETURN_TIME", "PAID_STANDBY"]), GOOD_QUEUE,
                                       max_size=3)),
                                       "destinationId": st.sampled_from(["d1", None, "d2"]),
                                       "showtimes": st.just([])})},
    optional={"internalId": st.one_of(st.none(), st.integers(0, 10 ** 9), st.just("80010110;entityType=Attraction")),
              "parkSlug": st.one_of(st.none(), st.just("park")), "localTime": st.just("2024-03-09T07:00:00-05:00")})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(GOOD_EVENT, min_size=1, max_size=15), st.sampled_from([(",", ":"), (", ", ": ")]))
def test_random_valid_files_give_what_the_python_path_gives(events, separators):
    assert_same(json.dumps({"events": events}, ensure_ascii=False, separators=separators).encode())
