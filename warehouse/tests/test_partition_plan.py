"""The partition planner alone: which monthly partitions a table lacks and the ALTER statements
that add them (warehouse/partitions.py), without a database."""
from datetime import date

from warehouse.partitions import Partition, plan_partitions


def test_plan_adds_months_ahead_by_splitting_the_catch_all():
    parts = [Partition("t", "p202611", date(2026, 12, 1)), Partition("t", "p_future", None)]
    statements, created = plan_partitions("t", parts, through=date(2027, 1, 1))
    assert created == ["p202612", "p202701"]
    assert statements == [
        "ALTER TABLE t REORGANIZE PARTITION p_future INTO ("
        "PARTITION p202612 VALUES LESS THAN ('2027-01-01'), PARTITION p202701 VALUES LESS THAN ('2027-02-01'), "
        "PARTITION p_future VALUES LESS THAN (MAXVALUE))"]


def test_plan_adds_months_back_by_splitting_the_first_partition():
    parts = [Partition("t", "p202611", date(2026, 12, 1)), Partition("t", "p_future", None)]
    statements, created = plan_partitions("t", parts, through=date(2026, 11, 1), since=date(2026, 9, 20))
    assert created == ["p202609", "p202610"]
    assert statements[0].startswith("ALTER TABLE t REORGANIZE PARTITION p202611 INTO (PARTITION p202609")
    assert statements[0].endswith("PARTITION p202611 VALUES LESS THAN ('2026-12-01'))")


def test_plan_is_empty_when_everything_exists():
    parts = [Partition("t", "p202611", date(2026, 12, 1)), Partition("t", "p_future", None)]
    assert plan_partitions("t", parts, through=date(2026, 11, 1), since=date(2026, 11, 5)) == ([], [])
