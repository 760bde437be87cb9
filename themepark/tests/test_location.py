"""Park locations: from coordinates through the offline reverse geocoder, from the data source,
from the timezone when nothing else is known; places typed in the admin are kept."""
import pytest
from django.core.management import call_command

from themepark.location import LocationSource, country_of_timezone, describe, fill_location
from themepark.models import Park
from themepark.tests.factories import make_park

from .test_admin import staff_client  # noqa: F401

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


def test_locate_parks_backfills_every_park_but_the_admins(capsys):
    geo = make_park(latitude=CHESSY[0], longitude=CHESSY[1], timezone="Europe/Paris")
    bare = make_park(timezone="Asia/Tokyo")
    typed = make_park(city="Somewhere", location_source=LocationSource.MANUAL, latitude=1.0, longitude=1.0)
    call_command("locate_parks")
    assert "2 of 3 park locations updated" in capsys.readouterr().out
    for park in (geo, bare, typed):
        park.refresh_from_db()
    assert geo.location == "Chessy, Île-de-France, France" and bare.location == "Japan"
    assert typed.city == "Somewhere"
    call_command("locate_parks", "--force", "--park", str(typed.pk))
    typed.refresh_from_db()
    assert typed.location_source == LocationSource.COORDINATES and typed.city != "Somewhere"


def test_editing_the_place_in_the_admin_marks_it_manual(staff_client):  # noqa: F811
    park = make_park(latitude=CHESSY[0], longitude=CHESSY[1], timezone="Europe/Paris")
    page = staff_client.get(f"/admin/themepark/park/{park.pk}/change/")
    form = {name: value for name, value in page.context["adminform"].form.initial.items() if value is not None}
    form.update({"city": "Marne-la-Vallée", "region": "Île-de-France", "country": "France",
                 "destination": "", "_save": "Save"})
    response = staff_client.post(f"/admin/themepark/park/{park.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    park.refresh_from_db()
    assert park.location == "Marne-la-Vallée, Île-de-France, France" and park.location_source == LocationSource.MANUAL
    call_command("locate_parks")
    park.refresh_from_db()
    assert park.city == "Marne-la-Vallée"
