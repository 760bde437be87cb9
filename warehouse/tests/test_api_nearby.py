"""/api/rides/nearby: ST_Distance_Sphere on MariaDB, haversine elsewhere, nearest first."""
from datetime import datetime, timezone

import pytest

from themepark.models import EntityMetadata
from themepark.tests.factories import make_ride
from warehouse.api.nearby import haversine_m, rides_nearby


pytestmark = [pytest.mark.django_db]
CENTER = (28.4177, -81.5812)


def place(park, lat, lon, *, indoor="OUTDOOR", min_height=None, **ride_fields):
    ride = make_ride(park, **ride_fields)
    moment = datetime(2024, 6, 1, tzinfo=timezone.utc)
    EntityMetadata.objects.create(ride=ride, latitude=lat, longitude=lon, indoor_outdoor=indoor,
                                  min_height_cm=min_height, content_hash="x", checked_at=moment, changed_at=moment)
    return ride


@pytest.fixture
def rides(park):
    lat, lon = CENTER
    return {
        "near": place(park, lat + 0.001, lon, indoor="INDOOR", min_height=102),  # ~111 m north
        "mid": place(park, lat, lon + 0.005, min_height=None),  # ~489 m east
        "far": place(park, lat + 0.02, lon),  # ~2.2 km
        "tall": place(park, lat - 0.002, lon, indoor="INDOOR", min_height=122),  # ~222 m south
    }


def test_haversine_matches_a_known_distance():
    assert haversine_m(0, 0, 0, 1) == pytest.approx(111_194, rel=1e-3)


@pytest.mark.mysql_only
def test_st_distance_sphere_on_mariadb_agrees_with_haversine(rides):
    sql = rides_nearby(lat=CENTER[0], lon=CENTER[1], radius_m=5000, spatial=True)
    python = rides_nearby(lat=CENTER[0], lon=CENTER[1], radius_m=5000, spatial=False)
    assert [r["ride_id"] for r in sql] == [r["ride_id"] for r in python] == \
        [rides[k].pk for k in ("near", "tall", "mid", "far")]
    for a, b in zip(sql, python):
        assert a["distance_m"] == pytest.approx(b["distance_m"], abs=0.5)


def test_nearby_returns_rides_within_the_radius_nearest_first(api, rides):
    body = api.get("/api/rides/nearby", {"lat": CENTER[0], "lon": CENTER[1], "radius_m": 600}).json()
    assert [r["ride_id"] for r in body["data"]] == [rides["near"].pk, rides["tall"].pk, rides["mid"].pk]
    assert body["data"][0]["distance_m"] == pytest.approx(111.2, abs=0.5)
    assert body["data"][0]["indoor_outdoor"] == "INDOOR" and body["data"][0]["min_height_cm"] == 102


def test_nearby_filters_indoor_and_height(api, rides):
    query = {"lat": CENTER[0], "lon": CENTER[1], "radius_m": 5000}
    indoor = api.get("/api/rides/nearby", {**query, "indoor": "true"}).json()["data"]
    assert [r["ride_id"] for r in indoor] == [rides["near"].pk, rides["tall"].pk]
    small = api.get("/api/rides/nearby", {**query, "max_height_cm": 110}).json()["data"]
    assert rides["tall"].pk not in [r["ride_id"] for r in small] and len(small) == 3


@pytest.mark.parametrize("query, parameter", [({"lon": 1}, "lat"), ({"lat": 91, "lon": 0}, "lat"),
                                              ({"lat": 0, "lon": "nan"}, "lon"),
                                              ({"lat": 0, "lon": 0, "radius_m": 0}, "radius_m"),
                                              ({"lat": 0, "lon": 0, "indoor": "maybe"}, "indoor"),
                                              ({"lat": 0, "lon": 0, "max_height_cm": -5}, "max_height_cm")])
def test_nearby_refuses_bad_coordinates_and_filters(api, query, parameter):
    response = api.get("/api/rides/nearby", query)
    assert response.status_code == 400 and response.json()["error"].startswith(parameter)
