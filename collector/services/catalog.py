"""parks_sync: the catalog (destinations, parks, lands, rides) from both live sources.

ThemeParks.wiki: `/destinations`, then per park `/entity/{park}` (timezone, coordinates) and
`/entity/{park}/children` (a flat list; the tree is rebuilt from parentId). Attractions, shows
and restaurants become rides. Parks from here report DOWN (`reports_down=True`).
Queue-Times: `parks.json` (operator groups; coordinates are strings) and each park's
`queue_times.json` (lands and top-level rides; single-rider lines are queues, not rides).
Parks and rides known to both sources carry both ids (collector.crossref); unsure matches go
to the quality log and are left alone. Parks known only to Queue-Times get `reports_down=False`.
Each park commits on its own, so one failing park never undoes the others.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quality.choices import IssueType
from themepark.choices import EntityType
from themepark.location import fill_location
from themepark.models import Destination, Land, Park, Ride, RideNameHistory

from .. import crossref
from ..normalize import entity_type, qt_parks, qt_rides, single_rider_base
from ..sources import SourceError, queue_times, themeparks_wiki
from .common import quality_once

RIDE_TYPES = {"ATTRACTION", "SHOW", "RESTAURANT"}


@dataclass
class CatalogResult:
    destinations: int = 0
    parks_created: int = 0
    parks_updated: int = 0
    rides_created: int = 0
    rides_linked: int = 0
    lands: int = 0
    unsure: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def _brand_flags(*names) -> dict:
    text = " ".join(n for n in names if n).casefold()
    return {"is_disney": "disney" in text, "is_universal": "universal" in text}


def _rename(ride: Ride, name: str, source: str):
    if name and ride.name != name:
        RideNameHistory.objects.get_or_create(ride=ride, name=ride.name,
                                              defaults={"replaced_at": timezone.now(), "source": source})
        ride.name = name


def _log_unsure(result, *, kind, name, match, park=None):
    description = f"Unsure {kind} match: Queue-Times '{name}' ~ '{match.name}' ({match.score})"
    result.unsure.append(description)
    quality_once(issue_type=IssueType.MISSING_FIELD, description=description, source_key="sync_parks",
                 entity_type=kind.upper(), park=park,
                 details={"queue_times_name": name, "candidate": match.name, "score": match.score,
                          "runner_up": match.runner_up})


# ---------------------------------------------------------------------------------------------
# ThemeParks.wiki
# ---------------------------------------------------------------------------------------------
def _sync_tpw(result: CatalogResult, destination_ids, progress):
    client = themeparks_wiki.get_client()
    for dest in client.destinations():
        keys = {dest.get("id"), dest.get("slug"), dest.get("externalId")}
        if destination_ids and not keys & set(destination_ids):
            continue
        destination, _ = Destination.objects.update_or_create(
            themeparks_wiki_id=dest["id"], defaults={"name": dest.get("name", ""), "slug": dest.get("slug") or ""})
        result.destinations += 1
        for entry in dest.get("parks") or []:
            try:
                doc, children = client.entity(entry["id"]), client.children(entry["id"])
                with transaction.atomic():
                    park, rides = _tpw_park(result, destination, doc, children)
            except (SourceError, KeyError, TypeError) as exc:
                result.errors.append(f"{entry.get('name', entry.get('id'))}: {exc}")
                progress(f"  {entry.get('name')}: FAILED {exc}")
                continue
            progress(f"  {park.name}: {rides} ride(s) from ThemeParks.wiki")


def _tpw_park(result, destination, doc, children):
    location = doc.get("location") or {}
    park = Park.objects.filter(themeparks_wiki_id=doc["id"]).first()
    if park is None:
        park = Park(themeparks_wiki_id=doc["id"], reports_down=True)
        result.parks_created += 1
    else:
        result.parks_updated += 1
    park.destination, park.name, park.slug = destination, doc.get("name") or park.name, doc.get("slug") or ""
    park.timezone = doc.get("timezone") or children.get("timezone") or park.timezone
    park.latitude = location.get("latitude", park.latitude)
    park.longitude = location.get("longitude", park.longitude)
    park.operator = park.operator or destination.name
    for flag, value in _brand_flags(park.operator, destination.name).items():
        setattr(park, flag, value)
    fill_location(park)
    park.save()
    known = {r.themeparks_wiki_id: r for r in Ride.objects.filter(park=park, themeparks_wiki_id__isnull=False)}
    count = 0
    for child in crossref.descendants(children.get("children") or [], doc["id"]):
        kind = entity_type(child.get("entityType"))
        if kind not in RIDE_TYPES:
            continue
        count += 1
        name = child.get("name") or child["id"]
        ride = known.get(child["id"]) or Ride.objects.filter(themeparks_wiki_id=child["id"]).first()
        if ride is None:
            ride = _match_qt_only_ride(park, name) or Ride(park=park, name=name)
            result.rides_created += ride.pk is None
            result.rides_linked += ride.pk is not None
        _rename(ride, name, "LIVE")
        ride.themeparks_wiki_id, ride.entity_type = child["id"], kind
        ride.external_id = str(child.get("externalId") or "")[:128]
        ride.save()
    return park, count


def _match_qt_only_ride(park, name):
    candidates = list(Ride.objects.filter(park=park, themeparks_wiki_id__isnull=True).values_list("pk", "name"))
    match = crossref.best_match(name, candidates, auto=settings.FUZZY_AUTO_SCORE, review=settings.FUZZY_REVIEW_SCORE)
    return Ride.objects.get(pk=match.key) if match and match.sure else None


# ---------------------------------------------------------------------------------------------
# Queue-Times
# ---------------------------------------------------------------------------------------------
def _sync_qt(result: CatalogResult, destination_ids, progress):
    client = queue_times.get_client()
    for info in qt_parks(client.parks()):
        park = Park.objects.filter(queue_times_id=info["id"]).first() or _match_qt_park(result, info)
        if not park and destination_ids:
            continue  # --destination: Queue-Times only refreshes parks of those destinations
        if park and destination_ids and not (
                park.destination and {park.destination.themeparks_wiki_id, park.destination.slug}
                & set(destination_ids)):
            continue
        if park is False:
            progress(f"  {info.get('name')}: unsure match, left for review")
            continue
        park = _qt_park(result, info, park)  # parks.json alone is enough for the park itself
        try:
            payload = client.queue_times(info["id"])
            with transaction.atomic():
                rides = _qt_rides(result, park, payload)
        except (SourceError, KeyError, TypeError) as exc:
            result.errors.append(f"{info.get('name')}: {exc}")
            progress(f"  {info.get('name')}: FAILED {exc}")
            continue
        progress(f"  {park.name}: {rides} ride(s) from Queue-Times")


def _match_qt_park(result, info):
    """The ThemeParks.wiki park this Queue-Times park is, when sure; False when unsure."""
    candidates = [{"key": p.pk, "name": p.name, "latitude": p.latitude, "longitude": p.longitude}
                  for p in Park.objects.filter(queue_times_id__isnull=True, timezone=info.get("timezone") or "UTC")]
    match = crossref.park_match(info, candidates, auto=settings.FUZZY_AUTO_SCORE, review=settings.FUZZY_REVIEW_SCORE)
    if match is None:
        return None
    if not match.sure:
        _log_unsure(result, kind="park", name=info["name"], match=match)
        return False
    return Park.objects.get(pk=match.key)


def _qt_park(result, info, park):
    if park is None:
        park = Park(name=info["name"], reports_down=False, timezone=info.get("timezone") or "UTC")
        result.parks_created += 1
    else:
        result.parks_updated += 1
    park.queue_times_id = info["id"]
    park.country, park.continent = info.get("country") or park.country, info.get("continent") or park.continent
    if park.latitude is None or park.longitude is None:
        park.latitude, park.longitude = info.get("latitude"), info.get("longitude")
    park.operator = info.get("operator") or park.operator
    for flag, value in _brand_flags(park.operator, park.destination.name if park.destination else "").items():
        setattr(park, flag, value)
    fill_location(park)
    park.save()
    return park


def _qt_rides(result, park, payload):
    known = {r.queue_times_id: r for r in Ride.objects.filter(park=park, queue_times_id__isnull=False)}
    count = 0
    for raw, land_raw in qt_rides(payload):
        if single_rider_base(raw.get("name", "")):
            continue
        count += 1
        land = None
        if land_raw:
            land, _ = Land.objects.update_or_create(queue_times_id=land_raw["id"],
                                                    defaults={"park": park, "name": land_raw.get("name", "")})
            result.lands += 1
        ride = known.get(raw["id"]) or Ride.objects.filter(queue_times_id=raw["id"]).first()
        if ride is None:
            candidates = list(Ride.objects.filter(park=park, queue_times_id__isnull=True).values_list("pk", "name"))
            match = crossref.best_match(raw["name"], candidates, auto=settings.FUZZY_AUTO_SCORE,
                                        review=settings.FUZZY_REVIEW_SCORE)
            if match and not match.sure:
                _log_unsure(result, kind="ride", name=raw["name"], match=match, park=park)
                continue
            if match:
                ride = Ride.objects.get(pk=match.key)
                result.rides_linked += 1
            elif park.themeparks_wiki_id:
                continue  # collected from ThemeParks.wiki: a ride only Queue-Times knows would stay empty
            else:
                ride = Ride(park=park, name=raw["name"], entity_type=EntityType.ATTRACTION)
                result.rides_created += 1
        elif not park.themeparks_wiki_id:
            _rename(ride, raw["name"], "LIVE")
        ride.queue_times_id, ride.land = raw["id"], land or ride.land
        ride.save()
    return count


def parks_sync(*, source: str = "all", destination_ids=None, progress=None) -> CatalogResult:
    """Build and update the catalog from ThemeParks.wiki ("themeparks-wiki"), Queue-Times
    ("queue-times") or both ("all", ThemeParks.wiki first so Queue-Times can match onto it)."""
    progress = progress or (lambda line: None)
    result = CatalogResult()
    for name, label, sync in (("themeparks-wiki", "ThemeParks.wiki destinations", _sync_tpw),
                              ("queue-times", "Queue-Times parks", _sync_qt)):
        if source in ("all", name):
            progress(label.rsplit(" ", 1)[0])
            try:
                sync(result, destination_ids, progress)
            except SourceError as exc:
                result.errors.append(f"{label}: {exc}")
    return result
