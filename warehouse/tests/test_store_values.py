"""The VALUES text of the statistics store's multi-row INSERTs (`warehouse.aggregation.store._values`)."""
from warehouse.aggregation.store import _values


def test_rows_are_written_as_sql_literals():
    rows = [(1, 2.5, None, True, False, "2024-01-01", 1e-07),
            (2, 0.1 + 0.2, 3, None, True, "2024-01-02 04:00:00", -0.0)]
    assert _values(rows) == ("(1, 2.5, NULL, True, False, '2024-01-01', 1e-07),"
                             "(2, 0.30000000000000004, 3, NULL, True, '2024-01-02 04:00:00', -0.0)")


def test_strings_needing_escapes_fall_back_to_one_literal_per_value():
    assert _values([(1, "it's"), (2, "a\\b"), (3, None)]) == "(1,'it''s'),(2,'a\\\\b'),(3,NULL)"


def test_values_of_other_types_are_formatted_one_by_one():
    from warehouse.models import WindowSource

    assert _values([(1, WindowSource.SCHEDULE)]) == "(1,'SCHEDULE')"


def test_times_are_adapted_as_django_adapts_them():
    from django.db import connection

    from warehouse.aggregation.store import DayRows, to_datetime

    rows = DayRows()
    for secs in (1718143200.0, 1718143200.25, 1704067200.123456, 1704067199.999999, 1711846800.5):
        assert rows._adapt_time(secs) == connection.ops.adapt_datetimefield_value(to_datetime(secs))
