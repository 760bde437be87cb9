"""The figures `ride_sums.ride_figures` makes of the summed rows a tuple at a time (the brief and
the full columns, warehouse.metrics.summed) are the dicts made of each row's columns
(`figure_of`): the same keys in the same order, the same values, with nulls, zeros and rows
without reliability sums."""
from decimal import Decimal

import pytest

from warehouse.metrics.summed import BRIEF_COLUMNS, FULL_COLUMNS, brief_figures, full_figures
from warehouse.ride_sums import figure_of

FULL_ROWS = [
    (1, 10, 600.0, 60.0, 300.0, Decimal(5), Decimal(7), 25.0, 45.0, 9000.0, Decimal(3), 70.0, 5.0, 2.5, 1.25,
     Decimal(4)),
    (2, 10, 0.0, 0.0, 0.0, Decimal(0), None, None, None, None, Decimal(0), 0.0, 0.0, 0.0, 0.0, Decimal(0)),
    (3, 11, 120.0, 30.0, 0.0, 2, 1, 30.0, None, 12.0, 1, 30.0, None, None, 40.0, None),  # wait_sum, no minutes
    (4, 11, 100.0, 0.0, 50.0, None, 0, 0.0, 10.0, 500.0, None, None, None, None, None, None),  # no reliability
]
BRIEF_ROWS = [(1, 10, 600.0, 60.0, 300.0, Decimal(5)), (2, 10, 0.0, 0.0, 0.0, None), (3, 11, 0.0, 9.5, 0.0, 0)]


@pytest.mark.parametrize("columns,rows,make", [(FULL_COLUMNS, FULL_ROWS, full_figures),
                                               (BRIEF_COLUMNS, BRIEF_ROWS, brief_figures)])
def test_figures_of_tuples_are_those_of_dicts(columns, rows, make):
    expected = {row[0]: figure_of(dict(zip(columns, row))) for row in rows}
    got = make(rows)
    assert [list(f.items()) for f in got.values()] == [list(f.items()) for f in expected.values()]
    assert [[type(v) for v in f.values()] for f in got.values()] == [[type(v) for v in f.values()]
                                                                     for f in expected.values()]
