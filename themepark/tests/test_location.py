"""Park locations: from coordinates through the offline reverse geocoder, from the data source,
from the timezone when nothing else is known; places typed in the admin are kept."""
import pytest

from themepark.location import LocationSource, country_of_timezone, describe, fill_location
from themepark.models import Park

pytestmark = pytest.mark.django_db
CHESSY = (48.8722, 2.7758)  # Disneyland Paris
UNIVERSAL_CITY = (34.1381, -118.3534)  # Universal Studios Hollywood


def test_coordinates_give_city_region_and_country():
    park = Park(name="Paris park", latitude=CHESSY[0], longitude=CHESSY[1], timezone="Europe/Paris")
    assert fill_location(park) is True
    assert (park.city, park.region, park.country) == ("Chessy", "Île-de-France", "France")
    assert park.location_source == LocationSource.COORDINATES
    assert park.location == "Chessy, Île-de-France, France"
    assert fill_location(park) is False  # nothing new the second time


def test_a_country_from_the_source_is_kept_and_completed_from_coordinates():
    park = Park(name="Hollywood", country="USA", latitude=UNIVERSAL_CITY[0], longitude=UNIVERSAL_CITY[1])
    fill_location(park)
    assert (park.city, park.region, park.country) == ("Universal City", "California", "USA")


def test_without_coordinates_the_country_comes_from_the_source_or_else_the_timezone():
    sourced = Park(name="Known", country="Japan", timezone="Asia/Tokyo")
    fill_location(sourced)
    assert sourced.location_source == LocationSource.SOURCE and sourced.location == "Japan"
    archive_only = Park(name="Archive", timezone="America/New_York")
    fill_location(archive_only)
    assert (archive_only.country, archive_only.location_source) == ("United States", LocationSource.TIMEZONE)
    assert country_of_timezone("Asia/Tokyo") == "Japan" and country_of_timezone("Mars/Olympus_Mons") == ""
    martian = Park(name="Mars", timezone="Mars/Olympus_Mons")
    assert fill_location(martian) is False and martian.location == ""


def test_a_place_entered_in_the_admin_is_only_replaced_when_forced():
    park = Park(name="Typed", city="Bay Lake", region="Florida", country="United States",
                location_source=LocationSource.MANUAL, latitude=CHESSY[0], longitude=CHESSY[1])
    assert fill_location(park) is False and park.city == "Bay Lake"
    assert fill_location(park, force=True) is True and park.city == "Chessy"


def test_describe_skips_empty_and_repeated_parts():
    assert describe("Singapore", "", "Singapore") == "Singapore"
    assert describe("", "Florida", "United States") == "Florida, United States"
