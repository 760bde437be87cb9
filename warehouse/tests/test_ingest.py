from datetime import datetime, timedelta, timezone

import pytest
from django.db import transaction

from quality.models import DataQualityLog
from themepark.tests.factories import make_observations
from warehouse.ingest import Observation, QueueRow, ingest
from warehouse.models import QueueData, RideStatusSnapshot

UTC = timezone.utc
T0 = datetime(2024, 3, 9, 14, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_it_writes_observations_and_their_queues(ride):
    obs = Observation(
        ride_id=ride.pk, recorded_at=T0 + timedelta(milliseconds=644), status="OPERATING", wait_time=45,
        data_source="ARCHIVE",
        queues=[
            QueueRow("STANDBY", wait_time_minutes=45),
            QueueRow("PAID_RETURN_TIME", state="AVAILABLE", price_amount=1999, price_currency="USD",
                     return_time_start=T0 + timedelta(hours=1), return_time_end=T0 + timedelta(hours=1, minutes=15)),
            QueueRow("BOARDING_GROUP", boarding_group_status="PAUSED", boarding_group_current_start=41,
                     boarding_group_current_end=55, next_allocation_time=T0 + timedelta(hours=3)),
        ],
    )
    result = ingest([obs], now=T0 + timedelta(days=1))
    # The STANDBY queue holds only the snapshot's wait: the snapshot keeps it, queue_data does not.
    assert (result.written, result.duplicates, result.invalid, result.queue_rows) == (1, 0, 0, 2)
    assert not QueueData.objects.filter(queue_type="STANDBY").exists()
    snap = RideStatusSnapshot.objects.get()
    assert snap.recorded_at == T0  # times are stored to the second (DATETIME)
    assert snap.computed_is_open is True and snap.wait_time == 45 and snap.data_source == "ARCHIVE"
    paid = QueueData.objects.get(queue_type="PAID_RETURN_TIME")
    assert (paid.price_amount, paid.price_currency, paid.state) == (1999, "USD", "AVAILABLE")
    assert paid.return_time_start == T0 + timedelta(hours=1)
    group = QueueData.objects.get(queue_type="BOARDING_GROUP")
    assert (group.boarding_group_current_start, group.boarding_group_current_end) == (41, 55)


@pytest.mark.django_db
def test_writing_the_same_observations_twice_adds_nothing(ride):
    rows = make_observations(ride, 50, T0)
    first = ingest(rows, now=T0 + timedelta(days=1), batch_size=7)
    second = ingest(rows, now=T0 + timedelta(days=1), batch_size=7)
    assert (first.written, first.duplicates) == (50, 0)
    assert (second.written, second.duplicates) == (0, 50)
    assert RideStatusSnapshot.objects.count() == 50


@pytest.mark.django_db
def test_a_duplicate_inside_one_batch_counts_once(ride):
    rows = make_observations(ride, 3, T0)
    result = ingest(rows + rows[:1], now=T0 + timedelta(days=1))
    assert (result.written, result.duplicates) == (3, 1)


@pytest.mark.django_db
def test_invalid_observations_are_refused_counted_and_logged(ride):
    now = T0 + timedelta(days=1)
    good = make_observations(ride, 2, T0)
    bad = [
        Observation(ride.pk, T0 + timedelta(hours=1), "OPERATING", 999, "LIVE"),
        Observation(ride.pk, T0 + timedelta(hours=2), "OPERATING", -5, "LIVE"),
        Observation(ride.pk, datetime(2090, 1, 1, tzinfo=UTC), "OPERATING", 10, "ARCHIVE"),
        Observation(ride.pk, T0 + timedelta(hours=3), "BROKEN", 10, "LIVE"),
        Observation(ride.pk, T0 + timedelta(hours=4), "OPERATING", 10, "LIVE",
                    queues=[QueueRow("SINGLE_RIDER", wait_time_minutes=601)]),
    ]
    result = ingest(good + bad, now=now, source="ARCHIVE", source_key="dest/2024/03/09.json.gz")
    assert (result.written, result.invalid) == (2, 5)
    assert result.invalid_reasons == {"wait time out of range": 3, "time in the future": 1, "unknown status": 1}
    assert RideStatusSnapshot.objects.count() == 2
    logged = {row.details["reason"]: row.record_count for row in DataQualityLog.objects.all()}
    assert logged == {"wait time out of range": 3, "time in the future": 1, "unknown status": 1}
    assert set(DataQualityLog.objects.values_list("issue_type", "source_key").distinct()) == {
        ("INVALID", "dest/2024/03/09.json.gz")}


@pytest.mark.django_db
def test_wait_times_at_the_edges_of_the_range_are_valid(ride):
    rows = [Observation(ride.pk, T0, "OPERATING", 0, "LIVE"),
            Observation(ride.pk, T0 + timedelta(minutes=5), "OPERATING", 600, "LIVE"),
            Observation(ride.pk, T0 + timedelta(minutes=10), None, None, "LIVE")]
    assert ingest(rows, now=T0 + timedelta(days=1)).written == 3


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_caller_transaction_leaves_no_rows(ride):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            ingest(make_observations(ride, 10, T0), now=T0 + timedelta(days=1))
            raise RuntimeError("the caller fails before committing")
    assert RideStatusSnapshot.objects.count() == 0


@pytest.mark.django_db
def test_strings_with_tabs_and_backslashes_survive_the_bulk_path(ride):
    obs = Observation(ride.pk, T0, "OPERATING", 5, "LIVE",
                      queues=[QueueRow("RETURN_TIME", state="A\tB\\C\nD")])
    ingest([obs], now=T0 + timedelta(days=1))
    assert QueueData.objects.get().state == "A\tB\\C\nD"


@pytest.mark.django_db
def test_memory_holds_one_batch_at_a_time(ride):
    # A generator of 5,000 rows goes through in batches of 500 without being materialised.
    consumed = []

    def stream():
        for obs in make_observations(ride, 5000, T0, step=timedelta(minutes=1)):
            consumed.append(1)
            yield obs

    result = ingest(stream(), now=T0 + timedelta(days=30), batch_size=500)
    assert result.written == 5000 and len(consumed) == 5000
