"""Staff decisions on RideMapping rows; the entity's archive observations move with the decision
(through warehouse.observations, which says which rows move and which are dropped)."""
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from themepark.models import Ride
from warehouse.observations import observations_delete_archive, observations_exist, observations_move_archive

from ..choices import MappingMethod, MappingStatus
from ..models import RideMapping


def _drop_importer_ride(mapping, ride_id):
    """Remove a ride the importer made for this mapping once it holds nothing."""
    if mapping.method not in (MappingMethod.CREATED,) and not mapping.provisional:
        return
    if observations_exist(ride_id) or RideMapping.objects.filter(ride_id=ride_id).exclude(pk=mapping.pk).exists():
        return
    try:
        with transaction.atomic():
            Ride.objects.filter(pk=ride_id).delete()
    except ProtectedError:
        Ride.objects.filter(pk=ride_id).update(is_active=False)


def _release_wiki_id(mapping, keep_ride_id=None):
    Ride.objects.filter(themeparks_wiki_id=mapping.archive_entity_id).exclude(pk=keep_ride_id).update(
        themeparks_wiki_id=None)


def _decided(mapping, *, ride, method, status, notes=""):
    mapping.ride = ride
    mapping.method = method
    mapping.status = status
    mapping.provisional = False
    if notes:
        mapping.notes = notes
    mapping.save()
    return mapping


@transaction.atomic
def mapping_choose_ride(*, mapping: RideMapping, ride: Ride, notes="") -> RideMapping:
    """Staff picked `ride` for the entity: its archive rows move there and the ride takes the wiki id."""
    if ride.themeparks_wiki_id and ride.themeparks_wiki_id != mapping.archive_entity_id:
        raise ValueError(f"{ride} already belongs to ThemeParks.wiki entity {ride.themeparks_wiki_id}")
    old_id = mapping.ride_id
    _release_wiki_id(mapping, keep_ride_id=ride.pk)
    Ride.objects.filter(pk=ride.pk).update(themeparks_wiki_id=mapping.archive_entity_id, updated_at=timezone.now())
    if old_id and old_id != ride.pk:
        observations_move_archive(from_ride_id=old_id, to_ride_id=ride.pk)
        _drop_importer_ride(mapping, old_id)
    return _decided(mapping, ride=ride, method=MappingMethod.MANUAL, status=MappingStatus.CONFIRMED, notes=notes)


def mapping_confirm(*, mapping: RideMapping, notes="") -> RideMapping:
    """Accept the suggestion: the single best candidate under review, or the automatic choice."""
    if mapping.status != MappingStatus.NEEDS_REVIEW:
        mapping.status = MappingStatus.CONFIRMED
        mapping.save(update_fields=["status", "updated_at"])
        return mapping
    cands = mapping.candidates or []
    if not cands or (len(cands) > 1 and cands[0]["score"] == cands[1]["score"]):
        raise ValueError("no single best candidate: choose a ride or create a new one")
    target = Ride.objects.filter(pk=cands[0]["ride_id"]).first()
    if target is None:
        raise ValueError("the suggested ride no longer exists")
    return mapping_choose_ride(mapping=mapping, ride=target, notes=notes)


@transaction.atomic
def mapping_create_ride(*, mapping: RideMapping, notes="") -> RideMapping:
    """The entity is a ride of its own: keep the provisional ride, or make one and move the rows there."""
    current = mapping.ride
    if current is not None and (mapping.provisional or mapping.method == MappingMethod.CREATED):
        ride = current
    else:
        ride = Ride.objects.create(park=mapping.park, name=mapping.archive_name,
                                   external_id=mapping.archive_internal_id,
                                   entity_type=current.entity_type if current else Ride.entity_type.field.default)
        if current is not None:
            observations_move_archive(from_ride_id=current.pk, to_ride_id=ride.pk)
    _release_wiki_id(mapping, keep_ride_id=ride.pk)
    Ride.objects.filter(pk=ride.pk).update(themeparks_wiki_id=mapping.archive_entity_id, is_active=True)
    ride.refresh_from_db()
    return _decided(mapping, ride=ride, method=MappingMethod.MANUAL, status=MappingStatus.CONFIRMED, notes=notes)


@transaction.atomic
def mapping_reject(*, mapping: RideMapping, notes="") -> RideMapping:
    """Not wanted: the entity's archive rows are deleted and later imports skip its events."""
    if mapping.ride_id:
        observations_delete_archive(ride_id=mapping.ride_id)
        _release_wiki_id(mapping)
        _drop_importer_ride(mapping, mapping.ride_id)
    mapping.ride = None
    mapping.status = MappingStatus.REJECTED
    mapping.provisional = False
    if notes:
        mapping.notes = notes
    mapping.save()
    return mapping
