"""Pure reading of a ThemeParks.wiki entity document (`/entity/{id}`) into EntityMetadata fields.

Both document shapes are read (docs/formats.md §3): the older `tags[]` list (MINIMUM_HEIGHT /
MAXIMUM_HEIGHT values `{"height": 48, "unit": "in"}`, inches converted to centimetres and
rounded to whole cm) and the newer top-level attribute keys (`minimumHeight`,
`maximumHeight` already in cm, `mayGetWet`, ...). Keys the parser does not know are kept
among the tags, so nothing is lost. `tags` is always a list of `{"tag", "value", ...}` objects:
attribute keys become `{"tag": "MAY_GET_WET", "value": true}`.

Indoor/outdoor rule (the API has no such field today, so it is conservative):
1. an explicit signal wins: a tag or key named INDOOR/OUTDOOR/HYBRID (any case, e.g.
   `indoor: true`, `{"tag": "OUTDOOR"}`); both indoor and outdoor signals mean HYBRID;
2. otherwise `attractionType` PARADE means OUTDOOR (parades run on the park's streets);
3. otherwise UNKNOWN. Nothing is guessed from names or from MAY_GET_WET.
"""
from __future__ import annotations

import hashlib
import json
import re

CM_PER_INCH = 2.54
BASE_KEYS = {"id", "name", "slug", "location", "parentId", "parkId", "destinationId", "timezone", "entityType",
             "attractionType", "externalId", "tags"}
HEIGHT_TAGS = {"MINIMUM_HEIGHT": "min_height_cm", "MAXIMUM_HEIGHT": "max_height_cm"}
HEIGHT_KEYS = {"minimumHeight": "min_height_cm", "maximumHeight": "max_height_cm"}
INDOOR, OUTDOOR, HYBRID, UNKNOWN = "INDOOR", "OUTDOOR", "HYBRID", "UNKNOWN"
# The fields a version is made of: a change in any of them stores a new version.
VERSIONED_FIELDS = ("name", "latitude", "longitude", "entity_type", "attraction_type", "min_height_cm",
                    "max_height_cm", "indoor_outdoor", "tags")


def snake_upper(key: str) -> str:
    """'mayGetWet' -> 'MAY_GET_WET'."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).upper()


def height_cm(value) -> int | None:
    """A height tag value (`{"height", "unit"}`) or a plain number of cm -> whole centimetres."""
    if isinstance(value, dict):
        height, unit = value.get("height"), (value.get("unit") or "cm").lower()
    else:
        height, unit = value, "cm"
    if isinstance(height, bool) or not isinstance(height, (int, float)):
        return None
    return round(height * CM_PER_INCH) if unit in ("in", "inch", "inches") else round(height)


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _indoor_outdoor(tags, attraction_type) -> str:
    signals = set()
    for tag in tags:
        name = str(tag.get("tag", "")).upper()
        value = tag.get("value", True)
        if value is False:
            continue
        for kind in (INDOOR, OUTDOOR, HYBRID):
            if name in (kind, f"IS_{kind}"):
                signals.add(kind)
    if HYBRID in signals or {INDOOR, OUTDOOR} <= signals:
        return HYBRID
    if signals:
        return signals.pop()
    if attraction_type == "PARADE":
        return OUTDOOR
    return UNKNOWN


def entity_metadata(doc: dict) -> dict:
    """The VERSIONED_FIELDS of an entity document."""
    location = doc.get("location") if isinstance(doc.get("location"), dict) else {}
    tags = [dict(t) for t in doc.get("tags") or [] if isinstance(t, dict)]
    heights = {"min_height_cm": None, "max_height_cm": None}
    for tag in tags:
        field = HEIGHT_TAGS.get(str(tag.get("tag", "")).upper())
        if field and heights[field] is None:
            heights[field] = height_cm(tag.get("value"))
    for key, value in doc.items():
        if key in BASE_KEYS:
            continue
        if key in HEIGHT_KEYS:
            heights[HEIGHT_KEYS[key]] = height_cm(value)
        tags.append({"tag": snake_upper(key), "value": value})
    attraction_type = (doc.get("attractionType") or "").upper()
    return {
        "name": str(doc.get("name") or ""),
        "latitude": _number(location.get("latitude")),
        "longitude": _number(location.get("longitude")),
        "entity_type": (doc.get("entityType") or "").upper(),
        "attraction_type": attraction_type,
        **heights,
        "indoor_outdoor": _indoor_outdoor(tags, attraction_type),
        "tags": tags,
    }


def content_hash(fields: dict) -> str:
    """A stable digest of the versioned fields, to tell whether anything changed."""
    data = {name: fields.get(name) for name in VERSIONED_FIELDS}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
