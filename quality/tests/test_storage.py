"""Storage: measurement on MariaDB with real partitions, growth fits on known series, alerts."""
from datetime import date, datetime, timedelta, timezone
from io import StringIO

import pytest
from django.core.management import call_command

from quality import reports, storage
from quality.models import StorageMetrics
from themepark.tests.factories import make_observations
from warehouse.ingest import ingest

GB = storage.GB


def test_least_squares_recovers_a_straight_line():
    slope, intercept = storage.least_squares([(0, 5), (1, 7), (2, 9), (3, 11)])
    assert (round(slope, 9), round(intercept, 9)) == (2, 5)
    assert storage.least_squares([(1, 5)]) is None


def test_growth_projects_one_three_and_five_years_from_the_latest_value():
    series = [(date(2024, 1, 1) + timedelta(days=i), 1000 + 10 * i) for i in range(10)]
    result = storage.growth(series)
    assert round(result["per_day"], 6) == 10
    assert {k: round(v) for k, v in result["projections"].items()} == {
        "1y": 1090 + 3650, "3y": 1090 + 3 * 3650, "5y": 1090 + 5 * 3650}
    assert round(result["rate_change"], 6) == 0


def test_growth_reports_a_change_of_rate_between_the_two_halves():
    series = [(date(2024, 1, 1) + timedelta(days=i), 10 * i if i < 5 else 40 + 20 * (i - 4)) for i in range(10)]
    assert round(storage.growth(series)["rate_change"], 6) == 1.0


def alert_codes(**kwargs):
    base = {"total_bytes": 0, "capacity_bytes": 100 * GB, "per_day": None, "rate_change": None, "months_ahead": 3}
    return {(a["code"], a["level"]) for a in storage.alerts(**{**base, **kwargs})}


def test_capacity_alerts_start_at_sixty_and_eighty_percent():
    assert alert_codes(total_bytes=59.9 * GB) == set()
    assert alert_codes(total_bytes=60 * GB) == {("capacity", "WARNING")}
    assert alert_codes(total_bytes=79.9 * GB) == {("capacity", "WARNING")}
    assert alert_codes(total_bytes=80 * GB) == {("capacity", "CRITICAL")}


def test_a_growth_rate_change_over_ten_percent_is_an_alert():
    assert alert_codes(rate_change=0.10) == set()
    assert alert_codes(rate_change=0.11) == {("growth_rate_change", "WARNING")}
    assert alert_codes(rate_change=-0.2) == {("growth_rate_change", "WARNING")}


def test_days_until_full_alerts_within_a_year_and_critically_within_ninety_days():
    assert alert_codes(total_bytes=50 * GB, per_day=50 * GB / 400) == set()
    assert alert_codes(total_bytes=50 * GB, per_day=50 * GB / 300) == {("days_until_full", "WARNING")}
    assert alert_codes(total_bytes=50 * GB, per_day=50 * GB / 60) == {("days_until_full", "CRITICAL")}
    assert storage.days_until_full(current=50, capacity=100, per_day=5) == 10


def test_fewer_than_two_future_partitions_is_an_alert():
    assert alert_codes(months_ahead=2) == set()
    assert alert_codes(months_ahead=1) == {("future_partitions", "WARNING")}
    assert alert_codes(months_ahead=0) == {("future_partitions", "CRITICAL")}
    assert alert_codes(months_ahead=None) == set()


def test_retention_policies_are_sized_from_bytes_per_row():
    policies = {p["policy"]: p for p in storage.retention_comparison(
        raw_bytes_per_row=50, raw_rows_per_day=1000, hourly_bytes_per_row=100, hourly_rows_per_day=24,
        daily_bytes_per_row=100, daily_rows_per_day=1)}
    assert policies["raw_forever"]["1y_bytes"] == 50 * 1000 * 365
    assert policies["raw_90_days_then_hourly"]["1y_bytes"] == 50 * 1000 * 90 + (2400 + 100) * 365
    assert policies["hourly_only"]["5y_bytes"] == 2400 * 365 * 5
    assert policies["daily_only"]["3y_bytes"] == 100 * 365 * 3


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)  # ANALYZE TABLE commits implicitly
def test_measure_storage_reads_tables_and_partitions_once_per_day(ride):
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=2)
    ingest(make_observations(ride, 500, start, step=timedelta(minutes=5)))
    out = StringIO()
    call_command("measure_storage", "--analyze", "-v", "2", stdout=out)
    call_command("measure_storage", "--analyze", stdout=StringIO())
    row = StorageMetrics.objects.get(table_name="ride_status_snapshots")
    assert row.vendor == "mysql" and row.data_bytes > 0 and row.measured_on == datetime.now(timezone.utc).date()
    assert row.partitions and row.partitions[-1]["name"] == "p_future"
    # TABLE_ROWS is InnoDB's estimate: after ANALYZE the partitions hold the 500 rows, give or take
    assert abs(sum(p["rows"] for p in row.partitions) - 500) <= 50 and abs(row.row_count - 500) <= 50
    assert StorageMetrics.objects.filter(table_name="ride_status_snapshots").count() == 1
    assert "[ride_status_snapshots]" in out.getvalue() and "Measured" in out.getvalue()
    summary = reports.storage_summary()
    assert any(t["table"] == "ride_status_snapshots" and t["partitions"] for t in summary["tables"])
    assert reports.storage_partitions()["months_ahead"] >= 2


@pytest.mark.django_db
def test_growth_and_alerts_come_from_the_stored_daily_totals(settings):
    settings.STORAGE_CAPACITY_GB = 1
    today = datetime.now(timezone.utc).date()
    for i in range(6):
        StorageMetrics.objects.create(table_name="ride_status_snapshots", measured_on=today - timedelta(days=5 - i),
                                      measured_at=datetime.now(timezone.utc), row_count=1000 * i,
                                      data_bytes=int(0.13 * GB * i), index_bytes=0)
    growth = reports.storage_growth()
    assert round(growth["bytes_per_day"]) == round(0.13 * GB) and growth["measurements"] == 6
    assert round(growth["observation_rows_per_day"]) == 1000
    codes = {a["code"]: a["level"] for a in reports.storage_alerts(growth)}
    assert codes["capacity"] == "WARNING" and codes["days_until_full"] == "CRITICAL"
    retention = reports.storage_retention()
    assert retention["measured"]["raw_rows_per_day"] and retention["inputs"]["raw_rows_per_day"] == 1000.0
