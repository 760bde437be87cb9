"""Ride tiers by rule (docs/metrics.md §7) against the database: each ride's demand from its daily
rows, the pure `warehouse.metrics.tiers` rules, and the rides' tier, source, reason and time."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, F, FloatField, Sum
from django.utils import timezone

from themepark.choices import EntityType, TierSource
from themepark.models import Park, Ride

from ..metrics.tiers import DEMAND_DAYS, TierInput, classify_park, thin_data_reason
from ..models import ParkDailyStats, RideDailyStats
from .ranges import forget_ride_counts


@dataclass
class TierChange:
    ride_id: int
    ride_name: str
    park_name: str
    old_tier: int | None
    new_tier: int
    reason: str


@dataclass
class ClassifySummary:
    parks: int = 0
    rides: int = 0  # attractions looked at
    classified: int = 0  # rides the rules gave a tier (changed or not)
    staff: int = 0  # rides kept as staff set them
    too_little_data: int = 0
    changes: list[TierChange] = field(default_factory=list)


def ride_demand(park: Park) -> dict[int, tuple[float, int]]:
    """Per attraction of the park: (time-weighted mean standby wait while OPERATING, days with a
    known wait) over the park's last DEMAND_DAYS park days with data."""
    dates = list(ParkDailyStats.objects.filter(park=park, open_hours__gt=0).order_by("-date")
                 .values_list("date", flat=True)[:DEMAND_DAYS])
    if not dates:
        return {}
    rows = (RideDailyStats.objects.filter(park=park, date__gte=dates[-1], date__lte=dates[0],
                                          wait_known_minutes__gt=0, avg_wait_minutes__isnull=False)
            .values("ride_id")
            .annotate(ws=Sum(F("avg_wait_minutes") * F("wait_known_minutes"), output_field=FloatField()),
                      wk=Sum("wait_known_minutes"), days=Count("pk")))
    return {r["ride_id"]: (r["ws"] / r["wk"], r["days"]) for r in rows if r["wk"]}


def _tags(metadata) -> tuple[str, ...]:
    if metadata is None:
        return ()
    texts = [metadata.attraction_type or ""]
    for tag in metadata.tags or []:
        if isinstance(tag, dict):
            texts.append(f"{tag.get('tag', '')} {tag.get('value', '')}")
    return tuple(texts)


def classify_rides(*, park_ids=None, dry_run: bool = False, now: datetime | None = None) -> ClassifySummary:
    """Give every attraction not set by staff its tier by rule, with a reason. A ride with too
    little data keeps its tier. A ride whose tier was set before sources were recorded counts
    as set by staff. With `dry_run` nothing is written."""
    now = now or timezone.now()
    parks = Park.objects.all() if park_ids else Park.objects.filter(is_active=True)
    if park_ids:
        parks = parks.filter(pk__in=list(park_ids))
    out, pending, moved = ClassifySummary(), [], set()  # moved: parks whose rides changed tier
    for park in parks.order_by("pk"):
        rides = list(Ride.objects.filter(park=park, entity_type=EntityType.ATTRACTION)
                     .select_related("metadata"))
        demand = ride_demand(park)
        inputs = []
        for ride in rides:
            staff = ride.tier_source == TierSource.STAFF or (ride.tier is not None and ride.tier_source is None)
            metadata = getattr(ride, "metadata", None)
            mean, days = demand.get(ride.pk, (None, 0))
            inputs.append(TierInput(ride.pk, ride.name, mean, days, metadata.min_height_cm if metadata else None,
                                    _tags(metadata), TierSource.STAFF if staff else ride.tier_source))
            out.staff += staff
        decisions = {d.ride_id: d for d in classify_park(inputs)}
        by_id = {r.pk: r for r in rides}
        changed = []
        for ride_id, decision in decisions.items():
            ride = by_id[ride_id]
            if ride.tier != decision.tier:
                out.changes.append(TierChange(ride_id, ride.name, park.name, ride.tier, decision.tier,
                                              decision.reason))
                moved.add(park.pk)
            if (ride.tier, ride.tier_source, ride.tier_reason) != (decision.tier, TierSource.RULES, decision.reason):
                ride.tier, ride.tier_source, ride.tier_reason = decision.tier, TierSource.RULES, decision.reason
                ride.tier_set_at = now
                changed.append(ride)
        for item in inputs:
            if item.source == TierSource.STAFF or item.ride_id in decisions:
                continue
            out.too_little_data += 1
            ride = by_id[item.ride_id]
            reason = thin_data_reason(item.days_with_wait)
            if ride.tier is None and (ride.tier_source, ride.tier_reason) != (TierSource.RULES, reason):
                ride.tier_source, ride.tier_reason, ride.tier_set_at = TierSource.RULES, reason, now
                changed.append(ride)
        out.parks += 1
        out.rides += len(rides)
        out.classified += len(decisions)
        if not dry_run:
            pending.extend(changed)
    _write_tiers(pending)
    if not dry_run:
        forget_ride_counts(moved)
    return out


def _write_tiers(rides: list[Ride], batch_size: int = 100) -> None:
    """UPDATE ... SET field = CASE id WHEN ... END per batch of rides, with plain parameters:
    bulk_update builds the same statement from an expression per field and row, whose
    preparation cost most of a run."""
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    fields = {"tier": lambda r: r.tier, "tier_source": lambda r: r.tier_source,
              "tier_reason": lambda r: r.tier_reason[:255], "tier_set_at": lambda r: adapt(r.tier_set_at)}
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(0, len(rides), batch_size):
            batch = rides[i:i + batch_size]
            sets, params = [], []
            for name, value in fields.items():
                whens = " ".join(["WHEN %s THEN %s"] * len(batch))
                sets.append(f"{quote(name)} = CASE {quote('id')} {whens} END")
                params.extend(p for r in batch for p in (r.pk, value(r)))
            marks = ", ".join(["%s"] * len(batch))
            table = quote(Ride._meta.db_table)
            cursor.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE {quote('id')} IN ({marks})",
                           [*params, *(r.pk for r in batch)])


def tiers_return_to_rules(ride_ids, *, now: datetime | None = None) -> ClassifySummary:
    """Hand rides back to the rules and classify their parks at once (a ride with too little
    data keeps its tier, now the rules' to change)."""
    now = now or timezone.now()
    rides = Ride.objects.filter(pk__in=list(ride_ids))
    park_ids = sorted(set(rides.values_list("park_id", flat=True)))
    rides.exclude(tier_source=TierSource.RULES).update(tier_source=TierSource.RULES,
                                                       tier_reason="returned to the rules", tier_set_at=now)
    return classify_rides(park_ids=park_ids, now=now)


def tiers_set_by_staff(ride_ids, tier: int | None, *, now: datetime | None = None) -> int:
    """Staff set the tier of these rides: the rules will never overwrite it."""
    rides = Ride.objects.filter(pk__in=list(ride_ids))
    count = rides.update(tier=tier, tier_source=TierSource.STAFF, tier_reason="set by staff",
                         tier_set_at=now or timezone.now())
    forget_ride_counts(set(rides.values_list("park_id", flat=True)))
    return count


# ---------------------------------------------------------------------------------------------
# CSV lists of tiers, for people who keep their own
# ---------------------------------------------------------------------------------------------
CSV_HEADER = ("name", "park", "ride_id", "tier")


def tiers_csv(rides) -> str:
    """name, park, ride id, tier (empty: unclassified) of the given rides."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for ride in rides.select_related("park").order_by("park__name", "name"):
        writer.writerow((ride.name, ride.park.name, ride.pk, ride.tier or ""))
    return buffer.getvalue()


@dataclass
class CsvImport:
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def tiers_csv_import(text: str, *, now: datetime | None = None) -> CsvImport:
    """Set tiers from a CSV list (the columns of `tiers_csv`; the ride id decides, else the name
    within the park). Every tier set this way is staff's. A row with an empty tier is skipped;
    rows with errors are reported and the others applied."""
    now = now or timezone.now()
    out = CsvImport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = set(CSV_HEADER) - {(h or "").strip().lower() for h in reader.fieldnames or ()}
    if {"tier"} & missing or {"ride_id", "name"} <= missing:
        out.errors.append(f"the header must name the columns {', '.join(CSV_HEADER)}")
        return out
    to_set: dict[int, int] = {}
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if not row.get("tier"):
            continue
        if row["tier"] not in ("1", "2", "3"):
            out.errors.append(f"line {line}: tier must be 1, 2 or 3, not {row['tier']!r}")
            continue
        ride = _csv_ride(row)
        if ride is None:
            out.errors.append(f"line {line}: no ride {row.get('ride_id') or row.get('name')!r}")
            continue
        to_set[ride.pk] = int(row["tier"])
    rides = Ride.objects.in_bulk(list(to_set))
    for ride_id, tier in to_set.items():
        ride = rides[ride_id]
        if ride.tier == tier and ride.tier_source == TierSource.STAFF:
            out.unchanged += 1
            continue
        out.updated += tiers_set_by_staff([ride_id], tier, now=now)
    return out


def _csv_ride(row) -> Ride | None:
    if row.get("ride_id"):
        return Ride.objects.filter(pk=int(row["ride_id"])).first() if row["ride_id"].isdigit() else None
    rides = Ride.objects.filter(name__iexact=row.get("name", ""))
    if row.get("park"):
        rides = rides.filter(park__name__iexact=row["park"])
    found = list(rides[:2])
    return found[0] if len(found) == 1 else None
