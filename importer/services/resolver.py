"""Archive entities -> catalog rides, creating destinations, parks, rides and RideMapping rows.

Runs inside the caller's per-file transaction, so a killed run leaves no half-made mapping.
Decisions are cached per run (entity id -> ride id); `reset()` drops the cache after a rollback.
"""
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from themepark.choices import EntityType
from themepark.location import fill_location
from themepark.models import Destination, Park, Ride, RideNameHistory

from ..choices import MappingStatus
from ..matching import Candidate, match_entity
from ..models import RideMapping


@dataclass
class _Known:
    ride_id: int | None  # None: rejected by staff, its events are skipped
    name: str
    name_seen_at: object


def _title(slug):
    return slug.replace("-", " ").replace("_", " ").title() if slug else ""


class EntityResolver:
    def __init__(self):
        self.reset()

    def reset(self):
        self.known: dict[str, _Known] = {}
        self.parks: dict[str, Park] = {}
        self.rides_created = 0
        self.review = 0
        self.park_ids = set()
        self.ride_parks: dict[int, int] = {}  # ride id -> park id, of the rides resolved

    def ride_ids(self, entities) -> list:
        """Ride id (or None) for each EntityInfo of a parsed file, in order."""
        new = [info.entity_id for info in entities if info.entity_id not in self.known]
        # First sight of many entities (a destination's first day): a few queries for all of
        # them instead of a few each; both keys are unique, and resolving one entity never adds
        # a mapping or a wiki id for another.
        mappings = {m.archive_entity_id: m for m in
                    RideMapping.objects.filter(archive_entity_id__in=new).select_related("ride")} if new else {}
        exact = {r.themeparks_wiki_id: r for r in Ride.objects.filter(themeparks_wiki_id__in=new)} if new else {}
        unmapped = [info for info in entities if info.entity_id not in self.known and info.entity_id not in mappings]
        if unmapped:
            mappings.update(self._map(unmapped, exact))
        out = []
        for info in entities:
            known = self.known.get(info.entity_id) or self._resolve(info, mappings[info.entity_id])
            self._apply_names(known, info)
            out.append(known.ride_id)
        return out

    # -- first sight of an entity in this run ----------------------------------------------
    def _resolve(self, info, mapping):
        ride = mapping.ride
        rejected = mapping.status == MappingStatus.REJECTED or ride is None
        # Renames are detected on the archive's own name, not the catalog's (which may differ).
        known = _Known(None if rejected else ride.pk, mapping.archive_name, mapping.name_seen_at)
        if not rejected:
            self.park_ids.add(ride.park_id)
            self.ride_parks[ride.pk] = ride.park_id
        self.known[info.entity_id] = known
        return known

    def _map(self, infos, exact) -> dict:
        """Decide and record a mapping for each entity never mapped before; {entity id: RideMapping}.

        In file order, as one at a time would: the candidates of a park and entity type (its
        rides without a wiki id) are read once, then kept as decisions change them: a fuzzy match
        takes its ride out (it gets the wiki id), a provisional ride goes in. New rides that carry
        their wiki id are never candidates, so they and all the mappings are written in bulk."""
        pools: dict[tuple, list] = {}
        rides, mappings = [], []
        for info in infos:
            park = self.park_for(info)
            first_name, first_at = info.names[0]
            entity_type = (EntityType.PARK if info.entity_id == info.park_id
                           else EntityType.SHOW if info.is_show else EntityType.ATTRACTION)
            hit = exact.get(info.entity_id)
            pool = None
            if hit is None:
                pool = pools.get((park.pk, entity_type))
                if pool is None:
                    pool = pools[(park.pk, entity_type)] = [Candidate(pk, name) for pk, name in Ride.objects.filter(
                        park=park, themeparks_wiki_id__isnull=True, entity_type=entity_type).values_list("pk", "name")]
            decision = match_entity(name=first_name, exact_ride_id=hit.pk if hit else None, candidates=pool or (),
                                    auto_score=settings.FUZZY_AUTO_SCORE, review_score=settings.FUZZY_REVIEW_SCORE)
            provisional = False
            if hit:
                ride, seen = hit, hit.updated_at  # the catalog's name is newer than any archive name
            elif decision.ride_id:
                ride, seen = Ride.objects.get(pk=decision.ride_id), first_at
                ride.themeparks_wiki_id = info.entity_id
                ride.external_id = ride.external_id or info.internal_id
                ride.save(update_fields=["themeparks_wiki_id", "external_id", "updated_at"])
                pool[:] = [c for c in pool if c.ride_id != ride.pk]
            else:
                provisional = decision.status == MappingStatus.NEEDS_REVIEW
                # A provisional ride carries no wiki id, so staff can later put the id on the chosen
                # ride; it is a candidate for the entities after it, so it is made at once.
                ride = Ride(park=park, name=first_name, entity_type=entity_type, external_id=info.internal_id,
                            themeparks_wiki_id=None if provisional else info.entity_id)
                if provisional:
                    ride.save()
                    pool.append(Candidate(ride.pk, first_name))
                else:
                    rides.append(ride)
                seen = first_at
                self.rides_created += 1
            self.review += provisional
            mappings.append(RideMapping(
                archive_entity_id=info.entity_id, archive_name=first_name, archive_internal_id=info.internal_id,
                park=park, ride=ride, provisional=provisional, score=decision.score, candidates=decision.candidates,
                method=decision.method, status=decision.status, name_seen_at=seen))
        Ride.objects.bulk_create(rides)
        if any(ride.pk is None for ride in rides):  # a server that returns no ids from a bulk insert
            ids = dict(Ride.objects.filter(themeparks_wiki_id__in=[r.themeparks_wiki_id for r in rides])
                       .values_list("themeparks_wiki_id", "pk"))
            for ride in rides:
                ride.pk = ids[ride.themeparks_wiki_id]
        RideMapping.objects.bulk_create(mappings)  # takes each ride's id, now known
        return {mapping.archive_entity_id: mapping for mapping in mappings}

    def park_for(self, info) -> Park:
        park = self.parks.get(info.park_id)
        if park is None:
            park = Park.objects.filter(themeparks_wiki_id=info.park_id).first()
            if park is None:
                destination = Destination.objects.filter(themeparks_wiki_id=info.destination_id).first()
                if destination is None:
                    destination = Destination.objects.create(
                        themeparks_wiki_id=info.destination_id, name=f"Destination {info.destination_id[:8]}",
                        slug=f"destination-{info.destination_id[:8]}")
                park = Park(
                    themeparks_wiki_id=info.park_id, destination=destination, slug=info.park_slug[:200],
                    name=_title(info.park_slug) or f"Park {info.park_id[:8]}", timezone=info.timezone)
                fill_location(park)  # the archive carries no place: the country of the park's timezone
                park.save()
            self.parks[info.park_id] = park
        return park

    # -- renames ---------------------------------------------------------------------------
    def _apply_names(self, known, info):
        """A newer name for a mapped entity renames the ride and keeps the old name on record."""
        if known.ride_id is None:
            return
        for name, at in info.names:
            if name == known.name or (known.name_seen_at and at <= known.name_seen_at):
                continue
            old = known.name
            Ride.objects.filter(pk=known.ride_id).update(name=name)
            try:
                with transaction.atomic():
                    RideNameHistory.objects.create(ride_id=known.ride_id, name=old, replaced_at=at, source="ARCHIVE")
            except IntegrityError:  # the ride carried that name before: keep the first record
                pass
            RideMapping.objects.filter(archive_entity_id=info.entity_id).update(archive_name=name, name_seen_at=at)
            known.name, known.name_seen_at = name, at
