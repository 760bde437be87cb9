"""snapshots_collect: one live collection run over every active park.

Each park is read from ThemeParks.wiki when it has that id, else from Queue-Times. The pages
are fetched by a bounded thread pool; this thread normalizes each page as it arrives and
writes it through `warehouse.ingest` (data_source LIVE) in the park's own transaction, so one
failing park never stops or undoes the others. recorded_at is the poll time floored to the
collection interval (collector.normalize explains why), so a repeated run in the same slot
writes nothing. Stale values (ThemeParks.wiki `lastUpdated` over 60 minutes old while the
park is open, REFURBISHMENT excepted since a long closure's timestamp stops moving;
Queue-Times `last_updated` over 30 minutes old) are not stored: they go to the quality log
as STALE, one entry per park that later runs extend while the staleness lasts.
A job lock (`themepark.locks`) keeps two runs from overlapping; each run leaves a CollectionRun row.
Alert events (collector.alerts) are written to their outbox in the park's transaction.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from quality.choices import IssueType, QualitySource, ResolutionStatus
from quality.models import DataQualityLog
from quality.services import quality_issue_record
from themepark.locks import LockLost
from themepark.choices import RideStatus
from themepark.models import Land, Park, ParkSchedule, Ride
from warehouse.ingest import ingest
from warehouse.services import live_state_refresh

from .. import normalize
from ..alerts.detect import alert_events_record
from ..choices import RunStatus
from ..models import CollectionRun
from ..sources import queue_times, themeparks_wiki
from .common import collection_lock, fetch_all

logger = logging.getLogger("collector")
TPW_STALE_AFTER = timedelta(minutes=60)
QT_STALE_AFTER = timedelta(minutes=30)
OPEN_SCHEDULE_TYPES = ("OPERATING", "EXTRA_HOURS")


@dataclass
class ParkOutcome:
    park_id: int
    park_name: str
    source: str
    written: int = 0
    duplicates: int = 0
    invalid: int = 0
    stale: int = 0
    new_rides: int = 0
    error: str = ""


@dataclass
class CollectResult:
    run: CollectionRun
    outcomes: list = field(default_factory=list)
    seconds: float = 0.0
    live_state_refreshed: bool = False

    @property
    def skipped(self):
        return self.run.status == RunStatus.SKIPPED


def _fetch(job):
    park, source = job
    if source == "tpw":
        return themeparks_wiki.get_client().live(park.themeparks_wiki_id)
    return queue_times.get_client().queue_times(park.queue_times_id)


def schedule_windows(parks, now) -> dict:
    """park pk -> [(open, close)] of its OPERATING/EXTRA_HOURS windows dated yesterday or today
    (park-local), so a window that opened yesterday and runs past midnight still counts."""
    windows = {park.pk: [] for park in parks}
    dates = {now.astimezone(ZoneInfo(park.timezone or "UTC")).date() for park in parks}
    if not dates:
        return windows
    rows = ParkSchedule.objects.filter(park__in=list(windows), schedule_type__in=OPEN_SCHEDULE_TYPES,
                                       date__range=(min(dates) - timedelta(days=1), max(dates)))
    for park_id, opening, closing in rows.values_list("park_id", "opening_time", "closing_time"):
        windows[park_id].append((opening, closing))
    return windows


def _ride_ids(park, items, source, outcome) -> dict:
    """source id -> ride pk; entities seen live for the first time join the catalog."""
    key = "themeparks_wiki_id" if source == "tpw" else "queue_times_id"
    ids = [item.source_id if source == "tpw" else int(item.source_id) for item in items]
    found = {str(k): pk for k, pk in Ride.objects.filter(park=park, **{f"{key}__in": ids}).values_list(key, "pk")}
    missing = [i for i in ids if str(i) not in found]
    if missing:  # a ride may have moved parks: look it up anywhere before creating it
        found.update({str(k): pk for k, pk in Ride.objects.filter(**{f"{key}__in": missing}).values_list(key, "pk")})
    for item in items:
        if item.source_id in found:
            continue
        land = None
        if item.land_id is not None:
            land, _ = Land.objects.get_or_create(queue_times_id=item.land_id,
                                                 defaults={"park": park, "name": item.land_name})
        ride = Ride.objects.create(park=park, land=land, name=item.name[:255], entity_type=item.entity_type,
                                   external_id=item.external_id[:128],
                                   **{key: item.source_id if source == "tpw" else int(item.source_id)})
        found[item.source_id] = ride.pk
        outcome.new_rides += 1
    return found


def _record_stale(park, stale, *, source, now, source_key):
    """One STALE entry per park; while it stays stale, later runs extend the same entry."""
    details = {"entities": [{"id": i.source_id, "name": i.name, "last_updated": i.last_updated.isoformat()}
                            for i in stale[:50]]}
    recent = DataQualityLog.objects.filter(
        issue_type=IssueType.STALE, park=park, source=QualitySource.LIVE, source_key=source_key,
        resolution_status=ResolutionStatus.OPEN,
        period_end__gte=now - 3 * timedelta(minutes=settings.COLLECTION_INTERVAL_MINUTES)).order_by("-pk").first()
    if recent:
        DataQualityLog.objects.filter(pk=recent.pk).update(
            period_end=now, record_count=recent.record_count + len(stale), details=details)
        return
    quality_issue_record(
        issue_type=IssueType.STALE, source=QualitySource.LIVE, source_key=source_key, park=park, entity_type="PARK",
        entity_id=park.pk, record_count=len(stale), period_start=min(i.last_updated for i in stale),
        period_end=now, details=details,
        description=f"{len(stale)} stale live value(s) at {park.name} ({source}); not stored")


def park_collect(park, source, payload, *, now, slot, windows=None) -> ParkOutcome:
    """Normalize one park's live page and write it; the whole park commits or nothing does.
    `windows`: the park's schedule windows (schedule_windows), looked up when not given."""
    outcome = ParkOutcome(park.pk, park.name, source)
    if source == "tpw":
        items = normalize.tpw_live_items(payload)
        if windows is None:
            windows = schedule_windows([park], now)[park.pk]
        is_open = normalize.park_is_open(windows=windows, park_status=normalize.tpw_park_status(payload), now=now)
        stale = [i for i in items if is_open and i.status != "REFURBISHMENT"
                 and normalize.is_stale(i, now, TPW_STALE_AFTER)]
    else:
        items, orphans = normalize.qt_live_items(payload)
        if orphans:
            logger.info("%s: single-rider line(s) without their ride: %s", park.name, orphans)
        stale = [i for i in items if normalize.is_stale(i, now, QT_STALE_AFTER)]
    stale_ids = {i.source_id for i in stale}
    fresh = [i for i in items if i.source_id not in stale_ids]
    source_key = f"collect_snapshots:{source}"
    with transaction.atomic():
        ride_ids = _ride_ids(park, fresh, source, outcome)
        observations = [normalize.to_observation(i, ride_id=ride_ids[i.source_id], recorded_at=slot) for i in fresh]
        result = ingest(observations, now=now, source=QualitySource.LIVE, source_key=source_key)
        alert_events_record(park, observations, at=slot, park_open=is_open if source == "tpw" else None)
        operated = [ride_ids[i.source_id] for i in fresh if i.status == RideStatus.OPERATING]
        Ride.objects.filter(pk__in=operated).filter(
            Q(last_operated_at__isnull=True) | Q(last_operated_at__lt=slot)).update(last_operated_at=slot)
        if stale:
            _record_stale(park, stale, source=source, now=now, source_key=source_key)
    outcome.written, outcome.duplicates, outcome.invalid = result.written, result.duplicates, result.invalid
    outcome.stale = len(stale)
    return outcome


def _refresh_live_state(park_ids, now) -> bool:
    """Let the warehouse recompute the live state of the parks just collected. Its failure is
    logged, never allowed to undo or fail the collection that already committed."""
    try:
        live_state_refresh(park_ids=park_ids, now=now)
    except Exception:  # noqa: BLE001
        logger.exception("live_state_refresh failed after collection")
        return False
    return True


def _still_held(lock, run) -> None:
    """Before writing a park: a run that lost its lock (another run took over) ends FAILED here."""
    try:
        lock.ensure_held()
    except LockLost as exc:
        CollectionRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), status=RunStatus.FAILED,
                                                       errors=[{"error": str(exc)}])
        raise


def snapshots_collect(*, park_ids=None, now: datetime | None = None, concurrency: int | None = None,
                      progress=None) -> CollectResult:
    """Collect every active park (or `park_ids`) once. Returns the run with its figures; a run
    that finds another one in progress is recorded as SKIPPED and does nothing."""
    progress = progress or (lambda outcome: None)
    started, clock = now or timezone.now(), time.perf_counter()
    slot = normalize.poll_slot(started, settings.COLLECTION_INTERVAL_MINUTES)
    with collection_lock() as lock:
        if lock is None:
            run = CollectionRun.objects.create(started_at=started, finished_at=timezone.now(), status=RunStatus.SKIPPED)
            return CollectResult(run=run)
        run = CollectionRun.objects.create(started_at=started)
        parks = Park.objects.filter(is_active=True).filter(
            Q(themeparks_wiki_id__isnull=False) | Q(queue_times_id__isnull=False)).order_by("pk")
        if park_ids:
            parks = parks.filter(pk__in=park_ids)
        jobs = [(park, "tpw" if park.themeparks_wiki_id else "qt") for park in parks]
        windows = schedule_windows([park for park, _ in jobs], started)
        outcomes = []
        for (park, source), payload, error in fetch_all(jobs, _fetch, concurrency=concurrency):
            if error is None:
                _still_held(lock, run)
                try:
                    outcome = park_collect(park, source, payload, now=started, slot=slot,
                                           windows=windows[park.pk])
                except Exception as exc:  # noqa: BLE001 - a bad page fails its park only
                    logger.exception("collecting %s failed", park)
                    error = exc
            if error is not None:
                outcome = ParkOutcome(park.pk, park.name, source, error=f"{type(error).__name__}: {error}"[:500])
            outcomes.append(outcome)
            progress(outcome)
        result = CollectResult(run=run, outcomes=outcomes)
        ok = [o for o in outcomes if not o.error]
        failed = [o for o in outcomes if o.error]
        status = "FAILED" if outcomes and not ok else "PARTIAL" if failed else "SUCCESS"
        CollectionRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), status=status, parks_ok=len(ok), parks_failed=len(failed),
            observations_written=sum(o.written for o in ok), duplicates=sum(o.duplicates for o in ok),
            invalid=sum(o.invalid for o in ok), stale=sum(o.stale for o in ok),
            errors=[{"park_id": o.park_id, "park": o.park_name, "error": o.error} for o in failed])
        run.refresh_from_db()
        if ok:
            result.live_state_refreshed = _refresh_live_state([o.park_id for o in ok], started)
    result.seconds = time.perf_counter() - clock
    return result
