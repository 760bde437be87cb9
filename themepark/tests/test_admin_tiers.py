"""Tiers in the ride admin: source and reason in the list, the source filter, bulk actions, CSV
export and import, and edits that make a tier staff's."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from themepark.tests.factories import make_park, make_ride

from .test_admin import staff_client  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_list_shows_source_and_reason_and_filters_by_source(staff_client):  # noqa: F811
    park = make_park()
    make_ride(park, name="Ruled Ride", tier=1, tier_source="RULES",
              tier_reason="mean wait 58 min, 2nd of 31 in the park")
    make_ride(park, name="Staff Ride", tier=3, tier_source="STAFF", tier_reason="set by staff")
    page = staff_client.get("/admin/themepark/ride/").content.decode()
    assert "mean wait 58 min, 2nd of 31 in the park" in page and "Import tiers (CSV)" in page
    page = staff_client.get("/admin/themepark/ride/?tier_source__exact=STAFF").content.decode()
    assert "Staff Ride" in page and "Ruled Ride" not in page


def test_a_list_edit_makes_the_tier_staffs(staff_client):  # noqa: F811
    ride = make_ride(make_park(), tier=2, tier_source="RULES", tier_reason="mean wait 20 min, 3rd of 5 in the park")
    response = staff_client.post("/admin/themepark/ride/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(ride.pk), "form-0-tier": "1",
        "_save": "Save"})
    assert response.status_code == 302
    ride.refresh_from_db()
    assert (ride.tier, ride.tier_source, ride.tier_reason) == (1, "STAFF", "set by staff") and ride.tier_set_at


def test_bulk_set_tier_return_to_rules_and_csv_round_trip(staff_client):  # noqa: F811
    park = make_park(name="Lagoon")
    a, b = make_ride(park, name="Alpha"), make_ride(park, name="Beta", tier=1, tier_source="RULES")
    response = staff_client.post("/admin/themepark/ride/", {"action": "set_tier_3", "_selected_action": [a.pk, b.pk]})
    assert response.status_code == 302
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.tier, a.tier_source, b.tier, b.tier_source) == (3, "STAFF", 3, "STAFF")
    response = staff_client.post("/admin/themepark/ride/", {"action": "export_tiers", "_selected_action": [a.pk, b.pk]})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode() == f"name,park,ride_id,tier\nAlpha,Lagoon,{a.pk},3\nBeta,Lagoon,{b.pk},3\n"
    staff_client.post("/admin/themepark/ride/", {"action": "return_to_rules", "_selected_action": [b.pk]})
    b.refresh_from_db()
    assert b.tier_source == "RULES" and b.tier == 3  # no demand data: the rules keep its tier
    upload = SimpleUploadedFile("tiers.csv", f"name,park,ride_id,tier\nAlpha,Lagoon,{a.pk},1\n"
                                             f"Beta,Lagoon,,2\nGhost,Lagoon,,1\nAlpha,Lagoon,{a.pk},7\n".encode())
    response = staff_client.post("/admin/themepark/ride/import-tiers/", {"file": upload}, follow=True)
    page = response.content.decode()
    assert "2 tier(s) set by staff, 0 unchanged, 2 row(s) with errors" in page
    assert "no ride &#x27;Ghost&#x27;" in page and "tier must be 1, 2 or 3" in page
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.tier, a.tier_source, b.tier, b.tier_source) == (1, "STAFF", 2, "STAFF")
    assert staff_client.get("/admin/themepark/ride/import-tiers/").status_code == 200
