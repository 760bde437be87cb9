"""Exports: Parquet and CSV files of a park's observations and daily statistics, read back and
compared row by row with the database; bounded ranges, their own throttle, the command."""
import csv
import io
from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from themepark.tests.factories import make_destination, make_park, make_ride
from warehouse import export_streams
from warehouse.engine_constants import METRICS_VERSION
from warehouse.ingest import Observation, ingest
from warehouse.models import RideDailyStats, RideStatusSnapshot
from warehouse.periods import DayRange

pytestmark = pytest.mark.django_db
UTC = timezone.utc
# Park days 2024-03-09..03-11 in New York span the DST change (03-09, 04:00 EST to 04:00 EDT, is 23 hours long).
START = datetime(2024, 3, 9, 9, 0, tzinfo=UTC)


@pytest.fixture
def client():
    cache.clear()
    return APIClient()


@pytest.fixture
def stored(db):
    """Two rides of a park with varied rows (unknown status, no wait), one ride of another park,
    and rows just outside the range on both sides."""
    destination = make_destination()
    park = make_park(destination=destination, slug="fun-park")
    other = make_park(destination=destination)
    rides = [make_ride(park, name="Coaster, \"the\" big one"), make_ride(park), make_ride(other)]
    statuses = ["OPERATING", "DOWN", None, "CLOSED", "REFURBISHMENT"]
    observations = []
    for n, ride in enumerate(rides):
        for i in range(3 * 24 * 4):  # every 15 minutes for three days from 09:00 UTC on the 9th
            status = statuses[(i + n) % len(statuses)]
            observations.append(Observation(
                ride_id=ride.pk, recorded_at=START + timedelta(minutes=15 * i), status=status,
                wait_time=(i % 90) if status == "OPERATING" else None, data_source="ARCHIVE" if i % 2 else "LIVE"))
    for ride in rides:  # 03:59 local on the 9th (still the 8th's park day) and 04:00 local on the 12th
        observations.append(Observation(ride.pk, datetime(2024, 3, 9, 8, 59, tzinfo=UTC), "OPERATING", 5, "LIVE"))
        observations.append(Observation(ride.pk, datetime(2024, 3, 12, 8, 0, tzinfo=UTC), "OPERATING", 5, "LIVE"))
    assert ingest(observations, now=datetime(2024, 4, 1, tzinfo=UTC)).invalid == 0
    return park, rides


def database_rows(park, start, end):
    names = dict(park.rides.values_list("pk", "name"))
    rows = RideStatusSnapshot.objects.filter(ride_id__in=list(names), recorded_at__gte=start, recorded_at__lt=end)
    return [(park.pk, ride_id, names[ride_id], at, status, wait, bool(is_open), source)
            for ride_id, at, status, wait, is_open, source in rows.order_by("ride_id", "recorded_at").values_list(
                "ride_id", "recorded_at", "status", "wait_time", "computed_is_open", "data_source")]


def body(response):
    return b"".join(response.streaming_content)


def test_a_parquet_export_reads_back_row_for_row_as_the_database_holds_it(client, stored):
    park, _ = stored
    response = client.get("/api/export/observations",
                          {"park_id": park.pk, "start": "2024-03-09", "end": "2024-03-11", "format": "parquet"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    assert 'filename="observations_fun-park_20240309-20240311.parquet"' in response["Content-Disposition"]
    table = pq.read_table(io.BytesIO(body(response)))
    assert table.schema.field("recorded_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("wait_time").type == pa.int16()
    assert table.schema.field("ride_id").type == pa.int64()
    assert table.schema.field("computed_is_open").type == pa.bool_()
    assert table.column_names == [c.name for c in export_streams.OBSERVATION_COLUMNS]
    # park days 03-09..03-11 in New York: 04:00 EST on the 9th to 04:00 EDT on the 12th
    expected = database_rows(park, datetime(2024, 3, 9, 9, tzinfo=UTC), datetime(2024, 3, 12, 8, tzinfo=UTC))
    got = [tuple(row.values()) for row in table.to_pylist()]
    assert len(got) == len(expected) == 2 * (3 * 24 * 4 - 4)  # from 08:00Z on the 12th: after the range
    assert got == expected
    assert {row[4] for row in got} == {"OPERATING", "DOWN", None, "CLOSED", "REFURBISHMENT"}


def test_a_small_chunk_size_gives_row_groups_and_the_same_rows(stored):
    park, _ = stored
    days = DayRange(date(2024, 3, 9), date(2024, 3, 11))
    data = b"".join(export_streams.export_stream("observations", "parquet", park, days, chunk_rows=100))
    parquet = pq.ParquetFile(io.BytesIO(data))
    assert parquet.metadata.num_row_groups >= 5  # 568 rows, chunks of 100 to 199 rows
    whole = b"".join(export_streams.export_stream("observations", "parquet", park, days))
    assert parquet.read().to_pylist() == pq.read_table(io.BytesIO(whole)).to_pylist()


def test_the_csv_export_has_the_documented_header_and_the_same_rows(client, stored):
    park, _ = stored
    response = client.get("/api/export/observations/", {"park_id": park.pk, "start": "2024-03-10", "end": "2024-03-10"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(body(response).decode())))
    assert lines[0] == [c.name for c in export_streams.OBSERVATION_COLUMNS]
    expected = database_rows(park, datetime(2024, 3, 10, 8, tzinfo=UTC), datetime(2024, 3, 11, 8, tzinfo=UTC))
    assert len(lines) - 1 == len(expected)
    first = expected[0]
    assert lines[1] == [str(park.pk), str(first[1]), first[2], first[3].isoformat().replace("+00:00", "Z"),
                        first[4] or "", "" if first[5] is None else str(first[5]),
                        "true" if first[6] else "false", first[7]]


def test_daily_stats_export_in_parquet(client, stored):
    park, rides = stored
    for i in range(3):
        for ride in rides[:2]:
            RideDailyStats.objects.create(
                ride=ride, park=park, date=date(2024, 3, 9) + timedelta(days=i), operating_minutes=600 - i,
                downtime_minutes=i * 10, known_minutes=600, uptime_percentage=None if i == 2 else 97.5,
                avg_wait_minutes=31.25, peak_wait_minutes=80 + i, status_changes=i, longest_downtime_minutes=i,
                operated=i != 1, metrics_version=METRICS_VERSION)
    response = client.get("/api/export/daily-stats",
                          {"park_id": park.pk, "start": "2024-03-10", "end": "2024-03-11", "format": "parquet"})
    assert response.status_code == 200
    table = pq.read_table(io.BytesIO(body(response)))
    assert table.schema.field("date").type == pa.date32()
    assert table.schema.field("peak_wait_minutes").type == pa.int32()
    rows = table.to_pylist()
    expected = RideDailyStats.objects.filter(park=park, date__gte=date(2024, 3, 10)).order_by("date", "ride_id")
    assert [(r["date"], r["ride_id"], r["operating_minutes"], r["uptime_percentage"], r["peak_wait_minutes"],
             r["operated"]) for r in rows] == [
        (s.date, s.ride_id, s.operating_minutes, s.uptime_percentage, s.peak_wait_minutes, s.operated)
        for s in expected]
    assert len(rows) == 4


@pytest.mark.parametrize("path,query,message", [
    ("observations", {"start": "2024-03-01", "end": "2024-04-01"}, "at most 31 days"),
    ("daily-stats", {"start": "2019-01-01", "end": "2024-12-31"}, "at most 1830 days"),
    ("observations", {"start": "2024-03-02", "end": "2024-03-01"}, "after end"),
    ("observations", {"start": "2024-03-02"}, "end"),
    ("observations", {"start": "2024-03-01", "end": "2024-03-02", "format": "xlsx"}, "csv, parquet"),
])
def test_bad_ranges_and_formats_are_a_clear_400(client, park, path, query, message):
    response = client.get(f"/api/export/{path}", {"park_id": park.pk, **query})
    assert response.status_code == 400
    assert response.json()["success"] is False and message in response.json()["error"]


def test_an_unknown_park_is_a_404_and_a_missing_one_a_400(client, db):
    assert client.get("/api/export/observations", {"park_id": 999999, "start": "2024-03-01",
                                                   "end": "2024-03-02"}).status_code == 404
    assert client.get("/api/export/observations", {"start": "2024-03-01", "end": "2024-03-02"}).status_code == 400


def test_exports_have_their_own_throttle(client, park, settings):
    settings.API_EXPORT_RATE = "2/hour"
    query = {"park_id": park.pk, "start": "2024-03-01", "end": "2024-03-02"}
    assert [client.get("/api/export/observations", query).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/api/export/daily-stats", query).status_code == 429
    third = client.get("/api/export/observations", query)
    assert third.json()["success"] is False and "Retry-After" in third
    assert client.get("/api/health").status_code in (200, 503)  # the rest of the API is not affected


def test_the_export_command_writes_one_file_per_park_of_the_destination(stored, tmp_path):
    park, rides = stored
    out = io.StringIO()
    call_command("export", "observations", destination=str(park.destination_id), start=date(2024, 3, 9),
                 end=date(2024, 3, 11), fmt="parquet", output=tmp_path, stdout=out, stderr=io.StringIO())
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2 and "observations_fun-park_20240309-20240311.parquet" in files
    table = pq.read_table(tmp_path / "observations_fun-park_20240309-20240311.parquet")
    expected = database_rows(park, datetime(2024, 3, 9, 9, tzinfo=UTC), datetime(2024, 3, 12, 8, tzinfo=UTC))
    assert [tuple(r.values()) for r in table.to_pylist()] == expected
    with pytest.raises(CommandError):
        call_command("export", "observations", destination="nowhere", start=date(2024, 3, 9),
                     end=date(2024, 3, 9), output=tmp_path)


def test_the_openapi_schema_documents_the_exports(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/export/observations/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["park_id"]["required"] and params["format"]["schema"]["enum"] == ["csv", "parquet"]
    assert "`recorded_at`" in operation["description"] and "`data_source`" in operation["description"]
    assert "/api/export/daily-stats/" in schema["paths"]
    assert {"/api/rides/{id}/paid-queue/", "/api/parks/{id}/paid-queue/"} <= set(schema["paths"])
