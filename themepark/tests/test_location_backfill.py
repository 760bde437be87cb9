"""Park locations filled for every park by `locate_parks`, and places typed in the admin kept
(themepark/location.py)."""
import pytest
from django.core.management import call_command

from themepark.location import LocationSource
from themepark.tests.factories import make_park

from .test_admin import staff_client  # noqa: F401
from .test_location import CHESSY

pytestmark = pytest.mark.django_db


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
