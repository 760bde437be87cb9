"""metadata_sync: `/entity/{id}` of every attraction into EntityMetadata, with versions.

A document whose versioned fields (collector.entity_document.VERSIONED_FIELDS) hash differently
from the stored ones becomes a new version: the current row is updated and numbered up, and
an EntityMetadataVersion row keeps each state, the old ones included. An unchanged document
only moves `checked_at`. The ride's category follows `attractionType`. An entity the API no
longer knows (404) is reported and its stored metadata left untouched.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from themepark.choices import EntityType, RideCategory
from themepark.models import EntityMetadata, EntityMetadataVersion, Ride

from ..entity_document import VERSIONED_FIELDS, content_hash, entity_metadata
from ..sources import NotFound, themeparks_wiki
from .common import fetch_all


@dataclass
class MetadataResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    unknown: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def metadata_store(*, ride: Ride, doc: dict, now: datetime) -> str:
    """Store one entity document for `ride`; returns "created", "changed" or "unchanged"."""
    fields = entity_metadata(doc)
    digest = content_hash(fields)
    current = EntityMetadata.objects.filter(ride=ride).first()
    if current is not None and current.content_hash == digest:
        EntityMetadata.objects.filter(pk=current.pk).update(checked_at=now)
        return "unchanged"
    values = {name: fields[name] for name in VERSIONED_FIELDS}
    with transaction.atomic():
        if current is None:
            current = EntityMetadata.objects.create(ride=ride, content_hash=digest, checked_at=now, changed_at=now,
                                                    version=1, **values)
            outcome = "created"
        else:
            for name, value in values.items():
                setattr(current, name, value)
            current.version += 1
            current.content_hash, current.checked_at, current.changed_at = digest, now, now
            current.save()
            outcome = "changed"
        EntityMetadataVersion.objects.create(metadata=current, version=current.version, data=values,
                                             content_hash=digest, recorded_at=now)
        category = fields["attraction_type"]
        if category in RideCategory.values and ride.category != category:
            Ride.objects.filter(pk=ride.pk).update(category=category)
    return outcome


def metadata_sync(*, park_ids=None, now: datetime | None = None, concurrency=None, progress=None) -> MetadataResult:
    """Fetch the entity document of every active attraction with a ThemeParks.wiki id."""
    progress = progress or (lambda line: None)
    now = now or timezone.now()
    rides = Ride.objects.filter(is_active=True, park__is_active=True, entity_type=EntityType.ATTRACTION,
                                themeparks_wiki_id__isnull=False).order_by("pk")
    if park_ids:
        rides = rides.filter(park_id__in=park_ids)
    result = MetadataResult()
    fetch = lambda ride: themeparks_wiki.get_client().entity(ride.themeparks_wiki_id)  # noqa: E731
    for ride, doc, error in fetch_all(list(rides), fetch, concurrency=concurrency):
        try:
            if error:
                raise error
            outcome = metadata_store(ride=ride, doc=doc, now=now)
        except NotFound:
            result.unknown.append(ride.themeparks_wiki_id)
            progress(f"{ride.name}: unknown to ThemeParks.wiki (404)")
            continue
        except Exception as exc:  # noqa: BLE001 - one failing entity never stops the others
            result.errors.append(f"{ride.name}: {type(exc).__name__}: {exc}")
            progress(f"{ride.name}: FAILED {exc}")
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
        if outcome != "unchanged":
            progress(f"{ride.name}: {outcome}")
    return result
