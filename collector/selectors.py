"""Reads of the collector's own tables that other apps need, offered through the run registry."""
from __future__ import annotations

from datetime import datetime

from .choices import RunStatus
from .models import CollectionRun


def collection_last_finished() -> datetime | None:
    """When the collector last finished a run that collected something (SUCCESS or PARTIAL)."""
    return (CollectionRun.objects.filter(status__in=[RunStatus.SUCCESS, RunStatus.PARTIAL], finished_at__isnull=False)
            .order_by("-finished_at").values_list("finished_at", flat=True).first())
