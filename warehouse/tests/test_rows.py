"""The TSV format of observation rows (pure; `ingest_prepared` loads such lines: test_ingest_prepared.py)."""
from datetime import datetime, timedelta, timezone

import pytest

from warehouse.rows import (
    WAIT_TEXT, Observation, QueueRow, parse_lines, prefix_lines, queue_lines, queue_tail, queue_wait_piece,
    queue_wait_tail, snapshot_line, snapshot_pieces, snapshot_tail, utc_text, utc_text_from_iso,
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
