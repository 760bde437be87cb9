"""Many statistics rows inside a transaction go in with LOAD DATA on MySQL (`sqlvalues._load`):
what is stored must be exactly what the multi-row INSERT stores, and a row the server skips (a
duplicate key) must fail the write as the INSERT fails it."""
import random
from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from themepark.tests.factories import make_park, make_ride
from warehouse.aggregation import sqlvalues
from warehouse.aggregation.store import RIDE_FIGURES
from warehouse.models import RideHourlyStats

pytestmark = pytest.mark.skipif(connection.vendor != "mysql", reason="LOAD DATA is MySQL's")
COLUMNS = ("ride_id", "park_id", "date", "hour_start_utc", *RIDE_FIGURES)


def _rows(n):
    rng = random.Random(5)
    park = make_park()
    rides = [make_ride(park).pk for _ in range(3)]
    start = datetime(2024, 3, 30)
    out = []
    for i in range(n):
        hour = start + timedelta(hours=i // 3)
        floats = [rng.choice([0.0, 0.1 + 0.2, 1e-07, 60.0, rng.random() * 60, 100 / 3]) for _ in range(5)]
        out.append((rides[i % 3], park.pk, str(hour.date()), str(hour), *floats[:4],
                    rng.choice([None, floats[4]]), rng.choice([None, floats[1]]),
                    rng.choice([None, rng.randrange(600)]), rng.randrange(5), floats[0], rng.choice([True, False]), 2,
                    "2026-01-01 00:00:00.123456"))
    return out


def _stored():
    return sorted(RideHourlyStats.objects.values_list(*COLUMNS[:-1]))


def _write(rows, monkeypatch, *, load):
    monkeypatch.setattr(sqlvalues, "LOAD_MIN_ROWS", 1000 if load else 10**9)
    used = []
    real = sqlvalues._load
    monkeypatch.setattr(sqlvalues, "_load", lambda *args: used.append(real(*args)) or used[-1])
    with transaction.atomic():
        RideHourlyStats.objects.all().delete()
        sqlvalues.insert_values(RideHourlyStats, COLUMNS, rows)
    return used


@pytest.mark.django_db(transaction=True)
def test_loaded_rows_are_the_inserted_rows(monkeypatch):
    rows = _rows(1500)
    assert _write(rows, monkeypatch, load=False) == []
    inserted = _stored()
    assert _write(rows, monkeypatch, load=True) == [True]
    loaded = _stored()
    assert len(loaded) == 1500 and {r[-2] for r in loaded} == {True, False}
    assert [tuple(map(repr, row)) for row in loaded] == [tuple(map(repr, row)) for row in inserted]
    assert any(row[8] is None for row in loaded) and any(row[8] is not None for row in loaded)


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_key_fails_the_load_and_rolls_back(monkeypatch):
    rows = _rows(1200)
    rows.append(rows[0][:4] + rows[1][4:])  # the same ride and hour again
    with pytest.raises(IntegrityError):
        _write(rows, monkeypatch, load=True)
    assert RideHourlyStats.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_or_with_strings_to_escape_it_inserts(monkeypatch):
    rows = _rows(1100)
    monkeypatch.setattr(sqlvalues, "LOAD_MIN_ROWS", 1000)
    monkeypatch.setattr(sqlvalues, "_load", lambda *args: pytest.fail("loaded outside a transaction"))
    sqlvalues.insert_values(RideHourlyStats, COLUMNS, rows)
    assert RideHourlyStats.objects.count() == 1100
    monkeypatch.undo()
    quoted = [row[:-1] + ("2026-01-01 00:00:00'",) for row in rows]  # a quote: not plain text
    assert sqlvalues._load(RideHourlyStats, COLUMNS, quoted) is False
