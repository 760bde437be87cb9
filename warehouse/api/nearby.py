"""Rides within a radius of a point, nearest first, from the collector's ride metadata.

On MySQL/MariaDB the distance is ST_Distance_Sphere in SQL; elsewhere the same great-circle
distance (haversine, same Earth radius) is computed in Python. Either way a bounding box on
(latitude, longitude) first narrows the candidates to the metadata_location_idx range.
"""
import math

from django.db import connection
from django.db.models.expressions import RawSQL

from themepark.choices import IndoorOutdoor
from themepark.models import EntityMetadata

# The radius MySQL and MariaDB use for ST_Distance_Sphere by default.
EARTH_RADIUS_M = 6370986.0
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _candidates(lat, lon, radius_m, indoor, max_height_cm):
    dlat = radius_m / METRES_PER_DEGREE
    rows = EntityMetadata.objects.filter(latitude__gte=lat - dlat, latitude__lte=lat + dlat,
                                         longitude__isnull=False, ride__is_active=True)
    cos = math.cos(math.radians(lat))
    if cos > 0.01:  # near the poles every longitude may be in range
        dlon = radius_m / (METRES_PER_DEGREE * cos)
        if -180 <= lon - dlon and lon + dlon <= 180:  # no box across the antimeridian
            rows = rows.filter(longitude__gte=lon - dlon, longitude__lte=lon + dlon)
    if indoor is not None:
        rows = rows.filter(indoor_outdoor=IndoorOutdoor.INDOOR if indoor else IndoorOutdoor.OUTDOOR)
    if max_height_cm is not None:  # rides a guest of this height may ride (no minimum counts as none)
        rows = rows.exclude(min_height_cm__gt=max_height_cm)
    return rows.select_related("ride__park")


def rides_nearby(*, lat, lon, radius_m, indoor=None, max_height_cm=None, limit=50, spatial=None):
    """Rides with coordinates within `radius_m` of (lat, lon), nearest first, each with `distance_m`."""
    rows = _candidates(lat, lon, radius_m, indoor, max_height_cm)
    if spatial if spatial is not None else connection.vendor == "mysql":
        table = EntityMetadata._meta.db_table
        distance = RawSQL(f"ST_Distance_Sphere(POINT({table}.longitude, {table}.latitude), POINT(%s, %s))",
                          (lon, lat))
        found = [(m.distance, m) for m in rows.annotate(distance=distance).filter(distance__lte=radius_m)
                 .order_by("distance", "ride_id")[:limit]]
    else:
        found = sorted(((haversine_m(lat, lon, m.latitude, m.longitude), m) for m in rows),
                       key=lambda pair: (pair[0], pair[1].ride_id))
        found = [(d, m) for d, m in found if d <= radius_m][:limit]
    return [{"ride_id": m.ride_id, "ride_name": m.ride.name, "park_id": m.ride.park_id,
             "park_name": m.ride.park.name, "tier": m.ride.tier, "latitude": m.latitude, "longitude": m.longitude,
             "indoor_outdoor": m.indoor_outdoor, "min_height_cm": m.min_height_cm, "distance_m": d}
            for d, m in found]
