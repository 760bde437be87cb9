from datetime import datetime, timezone

import pytest

from collector.services.metadata import metadata_store
from importer.models import RideMapping
from themepark.tests.factories import make_park, make_ride

NOW = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_ride_page_shows_mapping_history_and_metadata_versions(staff_client):
    ride = make_ride(make_park(), name="Thunder Mountain")
    RideMapping.objects.create(archive_entity_id="abc-123", archive_name="Thunder Mtn", park=ride.park, ride=ride,
                               score=93.0, method="FUZZY", status="AUTO")
    doc = {"id": "x", "name": "Thunder Mountain", "entityType": "ATTRACTION",
           "location": {"latitude": 28.4, "longitude": -81.5}}
    metadata_store(ride=ride, doc=doc, now=NOW)
    metadata_store(ride=ride, doc={**doc, "location": {"latitude": 28.5, "longitude": -81.5}}, now=NOW)
    page = staff_client.get(f"/admin/themepark/ride/{ride.pk}/change/").content.decode()
    assert "abc-123" in page and "Thunder Mtn" in page and "FUZZY" in page
    assert "v2 recorded" in page and "v1 recorded" in page


@pytest.mark.django_db
def test_tier_and_reports_down_are_edited_from_the_lists(staff_client):
    park = make_park(reports_down=True)
    ride = make_ride(park)
    response = staff_client.post("/admin/themepark/ride/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(ride.pk), "form-0-tier": "1",
        "_save": "Save"})
    assert response.status_code == 302
    ride.refresh_from_db()
    assert ride.tier == 1
    response = staff_client.post("/admin/themepark/park/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(park.pk), "form-0-is_active": "on",
        "_save": "Save"})
    assert response.status_code == 302
    park.refresh_from_db()
    assert park.reports_down is False and park.is_active is True
