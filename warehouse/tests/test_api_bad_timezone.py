"""A park with bad data (an invalid timezone) is left out of every ranking, and logged, instead of
failing it; its own details say so in JSON."""
import logging
from datetime import date, timedelta

import pytest

from themepark.models import Park
from themepark.tests.factories import make_ride

from .api_data import NOW, live_park, live_ride, park_day, park_with_rides, ride_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
YESTERDAY = date(2024, 6, 11)


@pytest.fixture
def with_a_martian_park():
    good, (g1,) = park_with_rides(tiers=(1,), name="Good")
    mars = Park.objects.create(name="Olympus Land", slug="olympus", timezone="Mars/Olympus_Mons")
    m1 = make_ride(mars, tier=1)
    for park, ride in ((good, g1), (mars, m1)):
        live_park(park, is_open=True, rides_open=1, total_rides=1, shame_score=2.0, avg_wait_time=30.0)
        live_ride(ride, "OPERATING", 30)
        for day in (YESTERDAY, YESTERDAY - timedelta(days=7), NOW.date()):
            park_day(park, day, shame=1.0, downtime_hours=1.0, weight=3, rides_operated=1, rides_down=1,
                     uptime=90.0, avg_wait=20.0, peak_wait=40)
            ride_day(ride, day, operating=540, downtime=60, avg_wait=20.0, peak_wait=40)
    return good, mars


@pytest.mark.parametrize("path", [
    "/api/parks/downtime?period=today", "/api/parks/downtime?period=live", "/api/parks/waittimes?period=yesterday",
    "/api/rides/downtime?period=yesterday", "/api/rides/downtime?period=yesterday&sort_by=trend_percentage",
    "/api/rides/waittimes?period=live", "/api/trends?category=parks-declining&period=7days",
    "/api/trends?category=rides-declining&period=7days", "/api/trends/chart-data?type=parks&period=yesterday",
    "/api/trends/chart-data?type=rides&period=last_week", "/api/trends/heatmap-data?type=parks-shame&period=today",
    "/api/trends/heatmap-data?type=rides-waittimes&period=last_week",
    "/api/trends/longest-wait-times?entity=parks&period=yesterday",
    "/api/trends/least-reliable?entity=rides&period=last_week",
])
def test_a_park_with_an_invalid_timezone_is_left_out_of_rankings_and_logged(api, with_a_martian_park, path, caplog):
    good, mars = with_a_martian_park
    with caplog.at_level(logging.WARNING, logger="warehouse.selectors"):
        response = api.get(path)
    assert response.status_code == 200, response.content
    text = response.content.decode()
    assert "Olympus Land" not in text
    assert "Mars/Olympus_Mons" in caplog.text and f"park {mars.pk}" in caplog.text
    if "trends?" not in path and "live" not in path:
        assert "Good" in text


def test_the_details_of_a_park_with_an_invalid_timezone_say_so_in_json(api, with_a_martian_park):
    _, mars = with_a_martian_park
    response = api.get(f"/api/parks/{mars.pk}/details?period=yesterday")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": f"Park {mars.pk} has an invalid timezone "
                                                          "('Mars/Olympus_Mons'); its periods cannot be resolved."}
