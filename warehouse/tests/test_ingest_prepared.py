"""`ingest_prepared`, which loads observation lines formatted elsewhere (warehouse.rows): written once,
rolled back with the caller, and the short form of queue rows stored as the full one."""
from datetime import datetime, timedelta, timezone

import pytest
from django.db import transaction
from django.test import override_settings

from warehouse.ingest import ingest_prepared
from warehouse.models import QueueData, RideStatusSnapshot
from warehouse.rows import (
    prefix_lines, queue_tail, queue_wait_tail, snapshot_tail, utc_text, wait_only,
)

UTC = timezone.utc
T0 = datetime(2024, 3, 9, 14, 0, tzinfo=UTC)


def _prepared(ride_ids, count, queue_type="STANDBY"):
    snapshots, queues = [], []
    for ride_id in ride_ids:
        times = [utc_text(T0 + timedelta(minutes=5 * i)) for i in range(count)]
        snapshots.append(prefix_lines(ride_id, "".join(snapshot_tail(t, "OPERATING", 10, True, "ARCHIVE")
                                                       for t in times)))
        queues.append(prefix_lines(ride_id, "".join(queue_tail(t, (queue_type, 10) + (None,) * 10) for t in times)))
    return "".join(snapshots), "".join(queues)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["auto", "insert"])
def test_prepared_lines_are_written_once_and_repeats_count_as_duplicates(ride, method):
    snapshots, queues = _prepared([ride.pk], 4)
    with override_settings(INGEST_METHOD=method):
        first = ingest_prepared(snapshots, queues, rows=4)
        again = ingest_prepared(snapshots, queues, rows=4)
    assert (first.written, first.duplicates, first.queue_rows) == (4, 0, 4)
    assert (again.written, again.duplicates) == (0, 4)
    stored = RideStatusSnapshot.objects.order_by("recorded_at").first()
    assert (stored.recorded_at, stored.wait_time, stored.computed_is_open) == (T0, 10, True)
    assert QueueData.objects.filter(queue_type="STANDBY").count() == 4


@pytest.mark.django_db(transaction=True)
def test_prepared_lines_roll_back_with_the_callers_transaction(ride):
    snapshots, queues = _prepared([ride.pk], 3)
    with pytest.raises(RuntimeError), transaction.atomic():
        ingest_prepared(snapshots, queues, rows=3)
        raise RuntimeError("the caller fails after loading")
    assert not RideStatusSnapshot.objects.exists() and not QueueData.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["auto", "insert"])
def test_wait_only_queue_rows_in_the_short_form_store_what_full_lines_store(ride, method):
    assert wait_only(("STANDBY", 5)) and wait_only(("STANDBY", 5) + (None,) * 10)
    assert not wait_only(("PAID_RETURN_TIME", None, T0) + (None,) * 9)
    times = [utc_text(T0 + timedelta(minutes=5 * i)) for i in range(3)]
    snapshots = prefix_lines(ride.pk, "".join(snapshot_tail(t, "OPERATING", 10, True, "ARCHIVE") for t in times))
    full = prefix_lines(ride.pk, queue_tail(times[0], ("PAID_RETURN_TIME", None, T0, T0 + timedelta(hours=1),
                                                       "AVAILABLE", 1500, "EUR", None, None, None, None, None)))
    short = prefix_lines(ride.pk, "".join(queue_wait_tail(t, queue_type, wait) for t in times
                                          for queue_type, wait in (("STANDBY", 10), ("SINGLE_RIDER", None))))
    with override_settings(INGEST_METHOD=method):
        result = ingest_prepared(snapshots, full, rows=3, queue_wait_text=short)
    assert (result.written, result.queue_rows) == (3, 7)
    rows = {(q.recorded_at, q.queue_type): q for q in QueueData.objects.all()}
    assert len(rows) == 7 and rows[(T0, "SINGLE_RIDER")].wait_time_minutes is None
    standby = rows[(T0 + timedelta(minutes=10), "STANDBY")]
    assert (standby.wait_time_minutes, standby.return_time_start, standby.state, standby.price_amount) == (
        10, None, None, None)
    paid = rows[(T0, "PAID_RETURN_TIME")]
    assert (paid.return_time_start, paid.state, paid.price_amount, paid.price_currency) == (T0, "AVAILABLE", 1500,
                                                                                            "EUR")
