"""Plain factories for catalog rows and observation helpers used across the test suite."""
from datetime import timedelta
from itertools import count

from themepark.models import Destination, Park, Ride

_seq = count(1)


def make_destination(**fields):
    n = next(_seq)
    fields.setdefault("name", f"Destination {n}")
    fields.setdefault("slug", f"destination-{n}")
    fields.setdefault("themeparks_wiki_id", f"dest-{n:08d}")
    return Destination.objects.create(**fields)


def make_park(**fields):
    n = next(_seq)
    fields.setdefault("name", f"Park {n}")
    fields.setdefault("slug", f"park-{n}")
    fields.setdefault("timezone", "America/New_York")
    return Park.objects.create(**fields)


def make_ride(park=None, **fields):
    n = next(_seq)
    fields.setdefault("name", f"Ride {n}")
    return Ride.objects.create(park=park or make_park(), **fields)


def make_observations(ride, n, start, *, step=timedelta(minutes=5), status="OPERATING", wait_time=10,
                      data_source="LIVE"):
    """n observations of `ride` every `step` from `start` (for warehouse.ingest)."""
    from warehouse.ingest import Observation

    return [Observation(ride_id=ride.pk, recorded_at=start + i * step, status=status, wait_time=wait_time,
                        data_source=data_source) for i in range(n)]
