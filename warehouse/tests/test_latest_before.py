"""Each ride's last observation before a time, however old (`daily.read_latest`, and
`batch._latest_of` for several spans at once): found by the grouped read of the last days, by an
index dive for a ride silent longer, and for a ride with no observation at all before the time,
by neither (`daily._with_history` keeps it from diving through every older partition)."""
from datetime import datetime, timedelta, timezone

import pytest

from themepark.tests.factories import make_park, make_ride
from warehouse.aggregation import batch, daily
from warehouse.ingest import Observation, ingest

UTC = timezone.utc
T = datetime(2024, 6, 10, 4, tzinfo=UTC)


def _rides():
    park = make_park(timezone="Europe/Paris")
    recent, silent, new, never = (make_ride(park).pk for _ in range(4))
    events = [Observation(recent, T - timedelta(days=1, minutes=m), "OPERATING", 5 + m, "LIVE") for m in (0, 30)]
    events += [Observation(silent, T - timedelta(days=40, hours=h), s, None, "ARCHIVE")
               for h, s in ((2, "OPERATING"), (1, "REFURBISHMENT"))]  # another month's partition
    events += [Observation(new, T + timedelta(minutes=m), "DOWN", None, "LIVE") for m in (0, 5)]  # none before T
    ingest(events, now=datetime(2100, 1, 1, tzinfo=UTC), log_invalid=False)
    return recent, silent, new, never


@pytest.mark.django_db(transaction=True)
def test_the_last_observation_before_however_old(monkeypatch):
    recent, silent, new, never = _rides()
    dived = []
    real = daily._with_history
    monkeypatch.setattr(daily, "_with_history", lambda cursor, rides: dived.extend(real(cursor, rides)) or dived)
    found = daily.read_latest([recent, silent, new, never], T)
    assert set(found) == {recent, silent}
    assert (found[recent].status, found[recent].wait) == ("OPERATING", 5)
    assert found[recent].at == (T - timedelta(days=1)).timestamp()
    assert (found[silent].status, found[silent].source) == ("REFURBISHMENT", "ARCHIVE")
    assert found[silent].at == (T - timedelta(days=40, hours=1)).timestamp()
    assert dived == [(silent, T - timedelta(days=3))]  # the rides with nothing before T do not dive


@pytest.mark.django_db(transaction=True)
def test_several_spans_at_once_give_what_each_alone_gives():
    recent, silent, new, never = _rides()
    later = T + timedelta(minutes=3)  # `new` has its first observation before this one
    rows = batch._latest_of([([recent, silent, never], T), ([new], later)])
    by_ride = {row[0]: row for row in rows}
    assert set(by_ride) == {recent, silent, new}
    assert by_ride[silent][1] == daily.read_latest([silent], T)[silent].at
    assert by_ride[new][1:3] == (T.timestamp(), "DOWN")
