"""What a parsed day file is, and the problem kinds and limits both parsing paths apply.

Hostile shapes are refused before they cost, never truncated: every text is checked against the
length of the column it goes to (`COLUMN_LIMITS`), every integer against its column's range,
timezones against the IANA database, and times must lie between EARLIEST_TIME and the horizon.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

UTC = timezone.utc
EXAMPLES = 3

# Problem kinds, as the generator's --corrupt names them.
TRUNCATED_ZLIB = "truncated_zlib"
INVALID_JSON = "invalid_json"
WRONG_TOP_LEVEL = "wrong_top_level_type"
MISSING_FIELDS = "event_missing_fields"
WAIT_OUT_OF_RANGE = "wait_time_out_of_range"
FUTURE_TIME = "event_time_in_future"
DUPLICATES = "duplicate_events"
GZIP_CONTAINER = "gzip_container"
FILE_TOO_LARGE = "file_too_large"
TOO_DEEP = "event_too_deep"
TOO_LONG = "value_too_long"
BAD_TIMEZONE = "invalid_timezone"
TIME_OUT_OF_RANGE = "event_time_out_of_range"
VALUE_OUT_OF_RANGE = "value_out_of_range"
UNREADABLE = frozenset({TRUNCATED_ZLIB, INVALID_JSON, WRONG_TOP_LEVEL, FILE_TOO_LARGE})
# Kinds of refused (not stored) events.
REFUSED = (MISSING_FIELDS, WAIT_OUT_OF_RANGE, FUTURE_TIME, TOO_DEEP, TOO_LONG, BAD_TIMEZONE, TIME_OUT_OF_RANGE,
           VALUE_OUT_OF_RANGE)

# Limits. The lengths are those of the columns each value is stored in (a test compares them
# with the models): a longer value is refused, never cut.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024  # decompressed size of one day file (IMPORT_MAX_FILE_MB)
MAX_DEPTH = 8  # an event's nesting (event > data > queue > type > price > amount is 5)
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=timezone.utc)  # older event or queue times are refused
LATEST_QUEUE_TIME = timedelta(days=7)  # return and allocation times may lie ahead of the horizon, not further
INT_RANGE = (-2 ** 31, 2 ** 31 - 1)  # price, boarding groups, estimated wait: INT columns
COLUMN_LIMITS = {
    "entityId": 64, "parkId": 64, "destinationId": 64,  # RideMapping/Ride/Park/Destination wiki ids
    "name": 255,  # Ride.name, RideMapping.archive_name, RideNameHistory.name
    "internalId": 128,  # Ride.external_id, RideMapping.archive_internal_id
    "parkSlug": 200,  # Park.slug
    "timezone": 64,  # Park.timezone
    "queueType": 16, "state": 16, "currency": 3, "allocationStatus": 16,  # QueueData columns
}


@dataclass
class EntityInfo:
    entity_id: str
    internal_id: str
    park_id: str
    park_slug: str
    timezone: str
    destination_id: str
    is_show: bool
    names: list  # [(name, first eventTime with that name)] in file order


@dataclass
class ParsedFile:
    key: str
    events: list = field(default_factory=list)
    entities: list = field(default_factory=list)  # EntityInfo by entity_index
    events_read: int = 0
    problems: dict = field(default_factory=dict)  # kind -> {"count": n, "examples": [...]}
    read_error: str = ""  # set when the bytes could not be fetched (retry on resume)
    # formatted=True: per entity (snapshot line tails, queue line tails, snapshot count, wait-only
    # queue line tails in their short form)
    blocks: list = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Valid, distinct events (either form)."""
        return len(self.events) + sum(block[2] for block in self.blocks)

    @property
    def unreadable(self) -> bool:
        return any(kind in UNREADABLE for kind in self.problems)

    @property
    def refused(self) -> int:
        return sum(self.problems.get(kind, {}).get("count", 0) for kind in REFUSED)

    def problem(self, kind, example=None, count=1):
        entry = self.problems.setdefault(kind, {"count": 0, "examples": []})
        entry["count"] += count
        if example is not None and len(entry["examples"]) < EXAMPLES:
            entry["examples"].append(example)


def _entity(entity_id, internal_id, park_id, park_slug, tz_name, destination_id, is_show, name, at) -> EntityInfo:
    """An entity as first seen in a file (both parsing paths): optional ids become text."""
    return EntityInfo(entity_id=entity_id, internal_id=str(internal_id or ""), park_id=park_id,
                      park_slug=str(park_slug or ""), timezone=tz_name, destination_id=str(destination_id),
                      is_show=is_show, names=[(name, at)])



@lru_cache(maxsize=4096)
def timezone_valid(name) -> bool:
    """Is `name` a zone of the IANA database (what the statistics and the API will load)?"""
    if type(name) is not str or not name or len(name) > COLUMN_LIMITS["timezone"]:
        return False
    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # not found (ZoneInfoNotFoundError is a KeyError), bad path
        return False
    return True


def _too_long(field_name, value) -> bool:
    if value is None:
        return False
    return len(value if type(value) is str else str(value)) > COLUMN_LIMITS[field_name]


def _entity_problem(entity_id, name, tz_name, park_id, internal_id, park_slug, destination_id):
    """(kind, example) when an event's entity fields cannot be stored as they are, else None."""
    for field_name, value in (("entityId", entity_id), ("parkId", park_id), ("name", name),
                              ("internalId", internal_id), ("parkSlug", park_slug),
                              ("destinationId", destination_id)):
        if _too_long(field_name, value):
            return TOO_LONG, {"field": field_name, "length": len(str(value)), "limit": COLUMN_LIMITS[field_name],
                              "entityId": str(entity_id)[:64]}
    if not timezone_valid(tz_name):
        return BAD_TIMEZONE, {"entityId": entity_id, "timezone": str(tz_name)[:100]}
    return None


def _queue_problem(queue_type, state, currency, allocation, numbers, times, horizon):
    """(kind, example) when a queue's values do not fit their columns or sane ranges, else None."""
    for field_name, value in (("queueType", queue_type), ("state", state), ("currency", currency),
                              ("allocationStatus", allocation)):
        if _too_long(field_name, value):
            return TOO_LONG, {"field": field_name, "value": str(value)[:100], "limit": COLUMN_LIMITS[field_name]}
    for value in numbers:
        if value is not None and not INT_RANGE[0] <= value <= INT_RANGE[1]:
            return VALUE_OUT_OF_RANGE, {"value": value, "reason": "outside the column's range"}
    for value in times:
        if value is None:
            continue
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        if not EARLIEST_TIME <= aware <= horizon + LATEST_QUEUE_TIME:
            return TIME_OUT_OF_RANGE, {"value": value.isoformat(), "reason": "queue time outside the sane range"}
    return None



def _time(value):
    return datetime.fromisoformat(value) if value else None
