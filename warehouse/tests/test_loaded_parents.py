"""Figure rows loaded with LOAD DATA go in with the server's foreign-key checks off
(`sqlvalues._parents_share`): each distinct ride and park they point to is checked and
share-locked once instead. A row pointing nowhere must still fail the write, and a parent must
not vanish before the rows that point to it commit."""
import MySQLdb
import pytest
from django.db import IntegrityError, connection, transaction

from themepark.models import Park, Ride
from themepark.tests.factories import make_park, make_ride
from warehouse.aggregation import sqlvalues
from warehouse.models import RideHourlyStats
from warehouse.tests.test_loaded_values import COLUMNS, _rows

pytestmark = pytest.mark.skipif(connection.vendor != "mysql", reason="LOAD DATA is MySQL's")


def _session_checks():
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@SESSION.foreign_key_checks")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("column", ["ride_id", "park_id"])
def test_a_row_pointing_nowhere_fails_the_load(monkeypatch, column):
    monkeypatch.setattr(sqlvalues, "LOAD_MIN_ROWS", 1000)
    rows = _rows(1200)
    model = Ride if column == "ride_id" else Park
    missing = model.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    position = COLUMNS.index(column)
    rows[700] = rows[700][:position] + (missing,) + rows[700][position + 1:]
    with pytest.raises(IntegrityError, match=f"{column}: 1 of"):
        with transaction.atomic():
            sqlvalues.insert_values(RideHourlyStats, COLUMNS, rows)
    assert RideHourlyStats.objects.count() == 0
    assert _session_checks() == 1


@pytest.mark.django_db(transaction=True)
def test_the_parents_are_share_locked_until_the_transaction_ends():
    rows = _rows(1200)
    bystander = make_ride(make_park())  # a ride no row points to: its delete is not held up
    settings = connection.settings_dict
    other = MySQLdb.connect(host=settings["HOST"] or "127.0.0.1", port=int(settings["PORT"] or 3306),
                            user=settings["USER"], passwd=settings["PASSWORD"], db=settings["NAME"])
    try:
        cursor = other.cursor()
        cursor.execute("SET SESSION innodb_lock_wait_timeout = 1")
        with transaction.atomic(), connection.cursor() as ours:
            sqlvalues._parents_share(ours, RideHourlyStats, COLUMNS, rows)
            with pytest.raises(MySQLdb.OperationalError) as waited:
                cursor.execute("DELETE FROM themepark_ride WHERE id = %s", [rows[0][0]])
            assert waited.value.args[0] == 1205  # lock wait timeout: the ride is share-locked
            cursor.execute("DELETE FROM themepark_ride WHERE id = %s", [bystander.pk])
            other.commit()
        cursor.execute("DELETE FROM themepark_ride WHERE id = %s", [rows[0][0]])  # released at the end
        other.commit()
    finally:
        other.close()
    assert not Ride.objects.filter(pk__in=[bystander.pk, rows[0][0]]).exists()


@pytest.mark.django_db(transaction=True)
def test_loaded_rows_keep_their_parents(monkeypatch):
    monkeypatch.setattr(sqlvalues, "LOAD_MIN_ROWS", 1000)
    rows = _rows(1200)
    with transaction.atomic():
        sqlvalues.insert_values(RideHourlyStats, COLUMNS, rows)
        assert _session_checks() == 1  # back on for the rest of the transaction
    assert RideHourlyStats.objects.count() == 1200
    with pytest.raises(IntegrityError):  # the server's constraint still holds for what was loaded
        Ride.objects.filter(pk=rows[0][0])._raw_delete(connection.alias)
