"""Writes to the data-quality log: findings, triage transitions and gap detection."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from themepark.choices import DataSource
from themepark.models import Destination, Park, Ride
from warehouse.models import RideStatusSnapshot

from . import gaps
from .choices import GapKind, IssueType, QualitySource, ResolutionStatus
from .models import DataQualityLog
from .timelines import park_timeline

CLOSED = (ResolutionStatus.RESOLVED, ResolutionStatus.WONTFIX)
# OPEN -> INVESTIGATING -> RESOLVED or WONTFIX; an open issue may also be closed at once.
TRANSITIONS = {
    ResolutionStatus.OPEN: {ResolutionStatus.INVESTIGATING, ResolutionStatus.RESOLVED, ResolutionStatus.WONTFIX},
    ResolutionStatus.INVESTIGATING: {ResolutionStatus.RESOLVED, ResolutionStatus.WONTFIX},
    ResolutionStatus.RESOLVED: set(),
    ResolutionStatus.WONTFIX: set(),
}


class TransitionError(ValueError):
    """A status change the triage workflow does not allow."""


def quality_issue_record(*, issue_type, description, record_count=0, entity_type="", entity_id="",
                         park=None, ride=None, source=QualitySource.SYSTEM, source_key="", period_start=None,
                         period_end=None, details=None) -> DataQualityLog:
    """Add one finding to the quality log and return it."""
    return DataQualityLog.objects.create(
        issue_type=issue_type, description=description, record_count=record_count,
        entity_type=entity_type, entity_id=str(entity_id or ""), park=park, ride=ride, source=source,
        source_key=source_key, period_start=period_start, period_end=period_end, details=details or {},
    )


def _note_line(status, note, user, now):
    who = getattr(user, "get_username", lambda: "")() or "system"
    return f"[{now:%Y-%m-%d %H:%M} UTC, {who}] {status}: {note.strip()}"


def issue_transition(*, issue: DataQualityLog, status: str, note: str = "", user=None) -> DataQualityLog:
    """Move one issue along the triage workflow, appending the note; closing requires a note."""
    if status not in TRANSITIONS[issue.resolution_status]:
        raise TransitionError(f"cannot go from {issue.resolution_status} to {status}")
    if status in CLOSED and not note.strip():
        raise TransitionError(f"a note is required to mark an issue {status}")
    now = timezone.now()
    if note.strip():
        issue.notes = "\n".join(filter(None, [issue.notes, _note_line(status, note, user, now)]))
    issue.resolution_status = status
    issue.save(update_fields=["resolution_status", "notes", "updated_at"])
    return issue


def issues_transition(*, issues, status: str, note: str, user=None) -> tuple[int, int]:
    """Apply one transition to many issues; returns (changed, skipped because not allowed)."""
    changed = skipped = 0
    with transaction.atomic():
        for issue in issues.select_for_update():
            try:
                issue_transition(issue=issue, status=status, note=note, user=user)
                changed += 1
            except TransitionError:
                skipped += 1
    return changed, skipped


# Gap detection -------------------------------------------------------------------------------

def _apply(plan: gaps.Plan, *, entity_type, entity_id, kind, description, now, **fields) -> Counter:
    for start, end in plan.create:
        quality_issue_record(issue_type=IssueType.GAP, entity_type=entity_type, entity_id=entity_id,
                             period_start=start, period_end=end, details={"kind": kind},
                             description=description(start, end), **fields)
    for pk, (start, end) in plan.update.items():
        DataQualityLog.objects.filter(pk=pk).update(period_start=start, period_end=end, updated_at=now,
                                                    description=description(start, end))
    if plan.close:
        for issue in DataQualityLog.objects.filter(pk__in=plan.close):
            issue_transition(issue=issue, status=ResolutionStatus.RESOLVED,
                             note="no longer detected by detect_gaps (data arrived or was merged)")
    return Counter(created=len(plan.create), updated=len(plan.update), closed=len(plan.close))


def _gap_entries(scanned, **filters):
    return DataQualityLog.objects.filter(issue_type=IssueType.GAP, period_start__lte=scanned[1],
                                         period_end__gte=scanned[0], **filters)


def _entry(row) -> gaps.Entry:
    return gaps.Entry(row.pk, row.period_start, row.period_end, row.resolution_status in CLOSED)


def _reconcile(*, entity_type, entity_id, kind, found, scanned, description, now, existing=None,
               **fields) -> Counter:
    if existing is None:
        existing = [_entry(r) for r in _gap_entries(scanned, entity_type=entity_type, entity_id=str(entity_id))]
    if not existing and not found:
        return Counter()
    plan = gaps.reconcile(existing, found, scanned=scanned)
    return _apply(plan, entity_type=entity_type, entity_id=str(entity_id), kind=kind, description=description,
                  now=now, **fields)


def _span(start, end):
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC ({(end - start).total_seconds() / 60:.0f} min)"


def park_gaps_detect(*, park: Park, start: datetime, end: datetime, now: datetime) -> Counter:
    """Park outages and silent rides of one park over [start, end)."""
    timeline = park_timeline(park=park, start=start, end=end)
    known = timeline.known
    window = gaps.union(iv for day in timeline.days for iv in day.window)
    counts = _reconcile(entity_type="PARK", entity_id=park.pk, kind=GapKind.PARK_OUTAGE, park=park,
                        found=gaps.park_gaps(window=window, known=known), scanned=(start, end), now=now,
                        description=lambda s, e: f"No ride of {park.name} reported inside its open window "
                                                 f"{_span(s, e)}")
    rides = {r.pk: r for r in Ride.objects.filter(pk__in=timeline.attractions, is_active=True)}
    earlier = {}  # one query for every ride's earlier entries rather than one per ride
    for row in _gap_entries((start, end), entity_type="RIDE", park=park):
        earlier.setdefault(row.entity_id, []).append(_entry(row))
    reporting = gaps.intersect(window, known)
    for ride_id, ride in rides.items():
        found = gaps.silent_stretches(ride_known=timeline.ride_known.get(ride_id, []), park_known=reporting,
                                      window=reporting)
        counts += _reconcile(entity_type="RIDE", entity_id=ride_id, kind=GapKind.RIDE_SILENT, park=park, ride=ride,
                             found=found, scanned=(start, end), now=now, existing=earlier.get(str(ride_id), []),
                             description=lambda s, e, r=ride: f"{r.name} stopped reporting while {park.name} was "
                                                              f"open {_span(s, e)}")
    return counts


def archive_gaps_detect(*, destination: Destination, start: datetime, end: datetime, now: datetime) -> Counter:
    """Days between the first and last archive day found in [start, end) without any archive event."""
    park = destination.parks.order_by("pk").first()
    ride_ids = list(Ride.objects.filter(park__destination=destination).values_list("pk", flat=True))
    if park is None or not ride_ids:
        return Counter()
    archive = RideStatusSnapshot.objects.for_rides(ride_ids).filter(data_source=DataSource.ARCHIVE)
    days = gaps.park_days(start, end, park.timezone)
    present = {day for day in days if archive.between(*gaps.park_day_bounds(day, park.timezone)).exists()}
    if not present:
        return Counter()
    runs = gaps.missing_day_runs(present, min(present), max(present))
    found = [(gaps.park_day_bounds(first, park.timezone)[0], gaps.park_day_bounds(last, park.timezone)[1])
             for first, last in runs]
    return _reconcile(entity_type="DESTINATION", entity_id=destination.pk, kind=GapKind.ARCHIVE_DAY_MISSING,
                      found=found, scanned=(start, end), now=now, source=QualitySource.ARCHIVE, park=park,
                      description=lambda s, e: f"No archive events for {destination.name} from "
                                               f"{s:%Y-%m-%d} to {(e - timedelta(seconds=1)):%Y-%m-%d}")


def gaps_detect(*, parks=None, start: datetime | None = None, end: datetime | None = None,
                now: datetime | None = None):
    """Detect every kind of gap for `parks` (default: all active) over [start, end)
    (default: the last 48 hours). Yields (label, Counter(created, updated, closed)) per unit."""
    now = now or timezone.now()
    end = min(end or now, now)
    start = start or end - timedelta(hours=48)
    parks = list(parks if parks is not None else Park.objects.filter(is_active=True).order_by("name"))
    for park in parks:
        with transaction.atomic():
            yield f"park {park.name}", park_gaps_detect(park=park, start=start, end=end, now=now)
    for destination in Destination.objects.filter(parks__in=parks).distinct().order_by("name"):
        with transaction.atomic():
            yield f"destination {destination.name}", archive_gaps_detect(destination=destination, start=start,
                                                                         end=end, now=now)
