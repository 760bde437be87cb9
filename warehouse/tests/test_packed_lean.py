"""On the compact store's columns the packed read asks the server for its lean text
(`packed.lean_source_position`: ride id once, whole seconds, ENUM positions); on the wide
columns (migration 0009 reversed) for the wide one. Both must give the same numbers."""
import numpy as np
import pytest
from django.db import connection

from warehouse.aggregation import packed
from warehouse.tests.test_packed_read import _read, _rides_with_observations

pytestmark = pytest.mark.skipif(connection.vendor != "mysql", reason="the packed read is MySQL's")


@pytest.mark.django_db(transaction=True)
def test_the_lean_and_the_wide_text_give_the_same_arrays(monkeypatch):
    rides, _ = _rides_with_observations()
    with connection.cursor() as cursor:
        assert packed.lean_source_position(cursor, "ride_status_snapshots") == 1  # the compact store: LIVE first
    lean, lean_calls = _read(rides, monkeypatch, packed_read=True)
    monkeypatch.setitem(packed._LEAN_SHAPE, (connection.alias, "ride_status_snapshots"), None)
    wide, wide_calls = _read(rides, monkeypatch, packed_read=True)
    assert lean_calls[0] is not None and wide_calls[0] is not None
    in_order = [rows[np.lexsort(rows.T[::-1])] for rows in (lean_calls[0], wide_calls[0])]
    assert np.array_equal(*in_order)  # the same numbers, row for row
    for name in ("ride", "at", "status", "wait", "live"):
        assert np.array_equal(getattr(lean, name), getattr(wide, name)), name
