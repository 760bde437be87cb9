"""The API's JSON renderer (themepark.api.renderers) writes DRF's JSONRenderer bytes: for floats of
every size, every character, the objects DRF's encoder knows, and what orjson refuses."""
import random
import uuid
from collections import OrderedDict
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer

from themepark.api.renderers import FastJSONRenderer


def same(data, media_type=None):
    expected = JSONRenderer().render(data, media_type)
    assert FastJSONRenderer().render(data, media_type) == expected
    return expected


def test_floats_of_every_size_are_written_as_python_writes_them():
    rng = random.Random(7)
    values = [rng.choice((1, -1)) * 10 ** rng.uniform(-12, 20) for _ in range(20000)]
    values += [round(v, places) for v in values[:5000] for places in (1, 2, 3)]
    values += [0.0, -0.0, 1e-05, 2.5e-07, 1e-4, 1e16, 1e22, 5e-324, 1.7976931348623157e308, 123.0]
    for start in range(0, len(values), 500):
        same({"figures": values[start:start + 500]})
    assert same([1e-05, 0.5]) == b"[1e-05,0.5]"  # the text orjson would not write


def test_every_character_is_written_as_drf_writes_it():
    text = "".join(chr(cp) for cp in range(0x3000) if not 0xD800 <= cp <= 0xDFFF)
    out = same({"name": text, "emoji": "\U0001F3A2 ride", "separators": "a\u2028b\u2029c"})
    assert b"\\u2028" in out and b"\\u2029" in out


def test_objects_drf_encodes_and_what_orjson_refuses():
    moment = datetime(2024, 6, 12, 15, 4, 5, 123456, tzinfo=timezone.utc)
    same({"at": moment, "day": date(2024, 6, 12), "time": time(4, 30), "decimal": Decimal("1.25"),
          "id": uuid.UUID(int=5), "span": timedelta(minutes=3), "rows": OrderedDict(a=1, b=[True, None]),
          "tuple": (1, 2), "big": 2**70, "negative": -(2**63)})
    same({1: "an integer key", "nested": {2.5: "a float key"}})


def test_pretty_printing_and_nothing_take_drf_path():
    assert same({"a": [1, 2]}, "application/json; indent=4").startswith(b"{\n")
    assert FastJSONRenderer().render(None) == b""


def test_what_neither_can_write_fails_alike():
    with pytest.raises(TypeError):
        FastJSONRenderer().render({"x": object()})


def test_only_text_where_floats_may_differ_takes_drf_path():
    from themepark.api.renderers import _may_differ

    assert _may_differ(b"[0.00001]") and _may_differ(b"[2.5e-7]") and _may_differ(b'{"a":"Type-5"}')
    assert not _may_differ(b'[1e-10,0.0001,12.5,"Pre-show",1e+16]')
