"""schedules_sync: `/entity/{park}/schedule` into ParkSchedule, the open windows of docs/metrics.md §3.

Entries are upserted on (park, date, type, opening time), times in UTC; a window that crosses
midnight stays whole on the date it opens. For every date the source returns, entries it no
longer lists (changed hours) are removed, so a day never keeps two versions of its hours; dates
it does not return (not yet published, or in the past) are left as they are.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from themepark.models import Park, ParkSchedule

from ..normalize import schedule_entries
from ..sources import themeparks_wiki
from .common import fetch_all


@dataclass
class ScheduleResult:
    parks_ok: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    errors: list = field(default_factory=list)


def _store(park, entries) -> tuple[int, int, int]:
    created = updated = removed = 0
    with transaction.atomic():
        for day in {e["date"] for e in entries}:
            keep = {(e["schedule_type"], e["opening_time"]) for e in entries if e["date"] == day}
            for row in ParkSchedule.objects.filter(park=park, date=day):
                if (row.schedule_type, row.opening_time) not in keep:
                    row.delete()
                    removed += 1
        for entry in entries:
            _, was_created = ParkSchedule.objects.update_or_create(
                park=park, date=entry["date"], schedule_type=entry["schedule_type"],
                opening_time=entry["opening_time"],
                defaults={"closing_time": entry["closing_time"], "description": entry["description"],
                          "purchases": entry["purchases"]})
            created += was_created
            updated += not was_created
    return created, updated, removed


def schedules_sync(*, days: int = 30, park_ids=None, now: datetime | None = None, concurrency=None,
                   progress=None) -> ScheduleResult:
    """Fetch and store the next `days` days of schedule of every active ThemeParks.wiki park."""
    progress = progress or (lambda line: None)
    now = now or timezone.now()
    parks = Park.objects.filter(is_active=True, themeparks_wiki_id__isnull=False).order_by("pk")
    if park_ids:
        parks = parks.filter(pk__in=park_ids)
    result = ScheduleResult()
    fetch = lambda park: themeparks_wiki.get_client().schedule(park.themeparks_wiki_id)  # noqa: E731
    for park, payload, error in fetch_all(list(parks), fetch, concurrency=concurrency):
        try:
            if error:
                raise error
            today = now.astimezone(ZoneInfo(park.timezone or "UTC")).date()
            entries = [e for e in schedule_entries(payload) if e["date"] <= today + timedelta(days=days)]
            counts = _store(park, entries)
        except Exception as exc:  # noqa: BLE001 - one failing park never stops the others
            result.errors.append(f"{park.name}: {type(exc).__name__}: {exc}")
            progress(f"{park.name}: FAILED {exc}")
            continue
        result.parks_ok += 1
        result.created, result.updated, result.removed = (a + b for a, b in zip(
            (result.created, result.updated, result.removed), counts))
        progress(f"{park.name}: {len(entries)} entr(ies), {counts[0]} new, {counts[2]} removed")
    return result
