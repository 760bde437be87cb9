"""Writes of the warehouse that are not observations."""
from datetime import date

from django.conf import settings
from django.utils import timezone

from .partitions import ensure_partitions


def partitions_ensure(*, since: date | None = None, months_ahead: int | None = None, dry_run: bool = False):
    """Keep monthly partitions `months_ahead` months ahead of today (and back to `since`)."""
    ahead = settings.PARTITION_MONTHS_AHEAD if months_ahead is None else months_ahead
    return ensure_partitions(months_ahead=ahead, today=timezone.now().date(), since=since, dry_run=dry_run)
