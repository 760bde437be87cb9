"""The TSV format of observation rows (pure) and `ingest_prepared`, which loads lines formatted elsewhere."""
from datetime import datetime, timedelta, timezone

import pytest
from django.db import transaction
from django.test import override_settings

from warehouse.ingest import ingest_prepared
from warehouse.models import QueueData, RideStatusSnapshot
from warehouse.rows import (
    WAIT_TEXT, Observation, QueueRow, parse_lines, prefix_lines, queue_lines, queue_tail, queue_wait_piece,
    queue_wait_tail, snapshot_line, snapshot_pieces, snapshot_tail, utc_text, utc_text_from_iso, wait_only,
)
from themepark.constants import MAX_VALID_WAIT_MINUTES

UTC = timezone.utc
T0 = datetime(2024, 3, 9, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2024-03-09T14:00:00.000Z", "2024-03-09T14:00:00.644Z", "2024-03-09T14:00:00Z",
                                  "2024-03-09T14:00:00.123456Z", "2024-03-09T15:00:00.250+01:00"])
def test_the_fast_time_text_equals_the_datetime_formatting(text):
    value = datetime.fromisoformat(text)
    assert utc_text_from_iso(text, value) == utc_text(value)


@pytest.mark.parametrize("status", ["OPERATING", "DOWN", "CLOSED", "REFURBISHMENT"])
def test_line_pieces_put_together_equal_the_tails(status):
    at = "2024-03-09 14:00:00.644000"
    middle, end = snapshot_pieces(status, "ARCHIVE")
    for wait in (None, 0, 45, MAX_VALID_WAIT_MINUTES):
        whole = snapshot_tail(at, status, wait, status == "OPERATING", "ARCHIVE")
        assert f"\t{at}{middle}{WAIT_TEXT[wait]}{end}" == whole
        for queue_type in ("STANDBY", "ODD\tTYPE"):
            assert f"\t{at}{queue_wait_piece(queue_type)}{WAIT_TEXT[wait]}\n" == queue_wait_tail(at, queue_type, wait)
    # The table of wait texts holds exactly the valid waits: a lookup is the range check.
    assert -1 not in WAIT_TEXT and MAX_VALID_WAIT_MINUTES + 1 not in WAIT_TEXT and len(WAIT_TEXT) == 602


def test_tails_prefixed_with_the_ride_id_equal_whole_lines():
    obs = Observation(7, T0 + timedelta(milliseconds=5), "DOWN", None, "ARCHIVE", queues=[
        QueueRow("STANDBY", 5), QueueRow("PAID\tODD", None, T0, None, "AVAILABLE", 1999, "USD")])
    at = utc_text(obs.recorded_at)
    tails = [queue_tail(at, (q.queue_type, q.wait_time_minutes, q.return_time_start, q.return_time_end, q.state,
                             q.price_amount, q.price_currency, None, None, None, None, None)) for q in obs.queues]
    assert prefix_lines(7, snapshot_tail(at, "DOWN", None, False, "ARCHIVE")) == snapshot_line(obs)
    assert prefix_lines(7, "".join(tails)) == "".join(queue_lines([obs]))
    assert prefix_lines(7, "") == ""


def test_lines_parse_back_into_rows_with_nulls_and_escapes():
    obs = Observation(3, T0, "OPERATING", 15, "LIVE", queues=[QueueRow("A\\B\tC", 15, state="x\ny")])
    (snapshot,) = parse_lines(snapshot_line(obs))
    (queue,) = parse_lines("".join(queue_lines([obs])))
    assert snapshot == ("3", "2024-03-09 14:00:00", "OPERATING", "15", "1", "LIVE")
    assert queue[2:5] == ("A\\B\tC", "15", None) and queue[6] == "x\ny"


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
