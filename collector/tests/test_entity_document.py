"""collector.entity_document: the pure reader of ThemeParks.wiki entity documents (both shapes)."""
from collector.entity_document import content_hash, entity_metadata, height_cm
from collector.fakeapi import fixture

RIVER = "db5b2165-15c2-4e51-8bd1-611e9c351866"


def test_the_tags_shape_gives_heights_in_cm_from_inches():
    fields = entity_metadata(fixture(f"themeparks_wiki/entity_{RIVER}.json"))
    assert fields["min_height_cm"] == 107  # 42 in
    assert fields["max_height_cm"] is None
    assert (fields["entity_type"], fields["attraction_type"]) == ("ATTRACTION", "RIDE")
    assert (fields["latitude"], fields["longitude"]) == (28.470597, -81.473134)
    assert [t["tag"] for t in fields["tags"]] == ["MINIMUM_HEIGHT", "MAY_GET_WET", "PAID_RETURN_TIME"]


def test_the_attribute_keys_shape_gives_heights_already_in_cm_and_keeps_the_keys_as_tags():
    fields = entity_metadata(fixture(f"themeparks_wiki/variants/entity_{RIVER}_attribute_keys.json"))
    assert fields["min_height_cm"] == 107
    assert {"tag": "MAY_GET_WET", "value": True} in fields["tags"]
    assert {"tag": "MINIMUM_HEIGHT", "value": 107} in fields["tags"]


def test_maximum_height_tags_are_read():
    docs = [fixture(f"themeparks_wiki/entity_{p.name.split('_', 1)[1]}")
            for p in (fixture.__globals__["FIXTURES"] / "themeparks_wiki").glob("entity_*.json")]
    with_max = [entity_metadata(d) for d in docs if "MAXIMUM_HEIGHT" in str(d.get("tags"))]
    assert with_max and all(f["max_height_cm"] for f in with_max)


def test_heights_convert_inches_and_keep_centimetres():
    assert height_cm({"height": 48, "unit": "in"}) == 122
    assert height_cm({"height": 120, "unit": "cm"}) == 120
    assert height_cm(140) == 140
    assert height_cm({"height": None, "unit": "in"}) is None


def test_indoor_outdoor_is_unknown_without_a_signal_and_follows_explicit_tags():
    base = {"id": "x", "name": "X", "entityType": "ATTRACTION", "attractionType": "RIDE"}
    assert entity_metadata(base)["indoor_outdoor"] == "UNKNOWN"
    assert entity_metadata({**base, "tags": [{"tag": "INDOOR", "tagName": "Indoor"}]})["indoor_outdoor"] == "INDOOR"
    assert entity_metadata({**base, "indoor": True, "outdoor": True})["indoor_outdoor"] == "HYBRID"
    assert entity_metadata({**base, "attractionType": "PARADE"})["indoor_outdoor"] == "OUTDOOR"


def test_an_entity_without_location_or_tags_still_parses():
    fields = entity_metadata(fixture("themeparks_wiki/entity_25d47d04-a917-405a-9904-9be2b499b2dd.json"))
    assert (fields["latitude"], fields["tags"], fields["indoor_outdoor"]) == (None, [], "UNKNOWN")


def test_the_content_hash_changes_with_any_versioned_field_only():
    fields = entity_metadata(fixture(f"themeparks_wiki/entity_{RIVER}.json"))
    assert content_hash(fields) == content_hash(dict(fields))
    assert content_hash(fields) != content_hash({**fields, "min_height_cm": 100})
