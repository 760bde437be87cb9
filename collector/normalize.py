"""Pure translation of live JSON into what `warehouse.ingest` takes (no database, no I/O).

ThemeParks.wiki `/live` items give their status directly; every queue they report becomes a
`QueueRow`: STANDBY, SINGLE_RIDER and PAID_STANDBY keep their wait (null stays null),
RETURN_TIME and PAID_RETURN_TIME their state and window (park-local times converted to UTC)
and PAID_RETURN_TIME its price as an integer in the currency's smallest unit plus the
currency, BOARDING_GROUP all five fields (allocationStatus, currentGroupStart,
currentGroupEnd, nextAllocationTime in UTC, estimatedWait). The park's own entry is skipped.

Queue-Times rides become OPERATING or CLOSED (docs/metrics.md §1): `computed_is_open = wait_time > 0
or is_open`; the standby wait is kept only while open (a closed ride's 0 is not a wait).
A line named "<ride> Single Rider" is not a ride: it becomes the SINGLE_RIDER queue of <ride>.

recorded_at: every observation of a run is stamped with the poll time floored to the
collection interval (`poll_slot`), not with the source's `lastUpdated`. Live rows are polls
(docs/metrics.md §2: each holds for 3 intervals), so a ride that keeps its state must get a fresh
row every poll, which `lastUpdated` (the time of the last change) would not give; and two runs
inside the same slot write the same (ride, recorded_at) keys, so collecting the same moment
twice writes nothing the second time. `lastUpdated` decides only freshness (`is_stale`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone

from warehouse.ingest import Observation, QueueRow

UTC = dt_timezone.utc
ENTITY_TYPES = {"ATTRACTION", "SHOW", "RESTAURANT", "HOTEL", "PARK"}
WAIT_QUEUES = {"STANDBY", "SINGLE_RIDER", "PAID_STANDBY"}
RETURN_QUEUES = {"RETURN_TIME", "PAID_RETURN_TIME"}
SINGLE_RIDER_RE = re.compile(r"^(?P<base>.+?)[\s\-–(]*single[\s\-]*rider\)?\s*$", re.IGNORECASE)


@dataclass
class LiveItem:
    """One entity as a live feed reports it, before it is tied to a catalog row."""

    source_id: str
    name: str
    entity_type: str
    status: str | None
    wait_time: int | None
    last_updated: datetime | None
    computed_is_open: bool | None = None
    queues: list[QueueRow] = field(default_factory=list)
    external_id: str = ""
    land_id: int | None = None
    land_name: str = ""


# ---------------------------------------------------------------------------------------------
# Small parsers
# ---------------------------------------------------------------------------------------------
def parse_time(value) -> datetime | None:
    """ISO 8601 text (`Z`, an offset, or milliseconds) -> aware UTC datetime; None if absent."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None  # a time without zone cannot be placed; treat it as missing
    return parsed.astimezone(UTC)


def minutes(value):
    """A wait as whole minutes. Non-numbers pass through so that ingest refuses and logs them."""
    if isinstance(value, float):
        return round(value)
    return value


def integer(value) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def poll_slot(now: datetime, interval_minutes: int) -> datetime:
    """`now` floored to the collection interval: the recorded_at of one run's observations."""
    now = now.astimezone(UTC).replace(second=0, microsecond=0)
    return now - timedelta(minutes=now.minute % max(1, interval_minutes))


def is_stale(item: LiveItem, now: datetime, max_age: timedelta) -> bool:
    """True when the source's own timestamp is older than `max_age` (a missing one is not)."""
    return item.last_updated is not None and now - item.last_updated > max_age


def entity_type(value) -> str:
    value = (value or "").upper()
    return value if value in ENTITY_TYPES else "OTHER"


def to_observation(item: LiveItem, *, ride_id: int, recorded_at: datetime) -> Observation:
    return Observation(ride_id=ride_id, recorded_at=recorded_at, status=item.status, wait_time=item.wait_time,
                       data_source="LIVE", computed_is_open=item.computed_is_open, queues=list(item.queues))


# ---------------------------------------------------------------------------------------------
# ThemeParks.wiki
# ---------------------------------------------------------------------------------------------
def tpw_queue_rows(queue) -> list[QueueRow]:
    """Every queue of a `/live` item's `queue` object; unknown queue types are ignored."""
    rows = []
    for queue_type, data in (queue or {}).items():
        data = data if isinstance(data, dict) else {}
        if queue_type in WAIT_QUEUES:
            rows.append(QueueRow(queue_type=queue_type, wait_time_minutes=minutes(data.get("waitTime"))))
        elif queue_type in RETURN_QUEUES:
            price = data.get("price") if isinstance(data.get("price"), dict) else {}
            currency = price.get("currency")
            rows.append(QueueRow(
                queue_type=queue_type, state=data.get("state"),
                return_time_start=parse_time(data.get("returnStart")),
                return_time_end=parse_time(data.get("returnEnd")),
                price_amount=integer(price.get("amount")),
                price_currency=str(currency).upper()[:3] if currency else None,
            ))
        elif queue_type == "BOARDING_GROUP":
            rows.append(QueueRow(
                queue_type=queue_type, boarding_group_status=data.get("allocationStatus"),
                boarding_group_current_start=integer(data.get("currentGroupStart")),
                boarding_group_current_end=integer(data.get("currentGroupEnd")),
                next_allocation_time=parse_time(data.get("nextAllocationTime")),
                estimated_wait_minutes=minutes(data.get("estimatedWait")),
            ))
    return rows


def tpw_live_items(payload: dict) -> list[LiveItem]:
    """The entities of a `/entity/{park}/live` document, without the park's own entry."""
    items = []
    for raw in payload.get("liveData") or []:
        kind = entity_type(raw.get("entityType"))
        if kind == "PARK" or not raw.get("id"):
            continue
        queue = raw.get("queue") or {}
        standby = queue.get("STANDBY") if isinstance(queue.get("STANDBY"), dict) else {}
        items.append(LiveItem(
            source_id=str(raw["id"]), name=str(raw.get("name") or raw["id"]), entity_type=kind,
            status=raw.get("status"), wait_time=minutes(standby.get("waitTime")),
            last_updated=parse_time(raw.get("lastUpdated")), queues=tpw_queue_rows(queue),
            external_id=str(raw.get("externalId") or ""),
        ))
    return items


def tpw_park_status(payload: dict) -> str | None:
    """The status the live document gives the park itself (its `parkId: null` entry)."""
    for raw in payload.get("liveData") or []:
        if raw.get("entityType") == "PARK" and raw.get("id") == payload.get("id"):
            return raw.get("status")
    return None


def park_is_open(*, windows, park_status: str | None, now: datetime) -> bool:
    """Open when `now` lies in one of today's schedule windows [(open, close)]; without a known
    schedule, when the park's own live entry says OPERATING."""
    if windows:
        return any(start <= now < end for start, end in windows if start and end)
    return park_status == "OPERATING"


# ---------------------------------------------------------------------------------------------
# Queue-Times
# ---------------------------------------------------------------------------------------------
def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.casefold()).strip()


def single_rider_base(name: str) -> str | None:
    """'Revenge of the Mummy Single Rider' -> 'Revenge of the Mummy'; None for other names."""
    match = SINGLE_RIDER_RE.match(name or "")
    return match.group("base").strip() if match else None


def qt_rides(payload: dict):
    """(ride, land) pairs of a queue_times.json document: `lands[].rides[]` and top-level `rides[]`."""
    for land in payload.get("lands") or []:
        for ride in land.get("rides") or []:
            yield ride, land
    for ride in payload.get("rides") or []:
        yield ride, None


def qt_live_items(payload: dict) -> tuple[list[LiveItem], list[str]]:
    """Rides of a queue_times.json document as LiveItems, single-rider lines folded into their
    ride as SINGLE_RIDER queues. Also returns the single-rider lines whose ride is missing."""
    items, by_name, singles = [], {}, []
    for ride, land in qt_rides(payload):
        if single_rider_base(ride.get("name", "")):
            singles.append(ride)
            continue
        wait, is_open = minutes(ride.get("wait_time")), bool(ride.get("is_open"))
        open_now = bool(isinstance(wait, int) and wait > 0) or is_open
        standby = wait if open_now else None
        item = LiveItem(
            source_id=str(ride["id"]), name=str(ride.get("name") or ride["id"]), entity_type="ATTRACTION",
            status="OPERATING" if open_now else "CLOSED", wait_time=standby, computed_is_open=open_now,
            last_updated=parse_time(ride.get("last_updated")),
            queues=[QueueRow(queue_type="STANDBY", wait_time_minutes=standby)],
            land_id=land.get("id") if land else None, land_name=land.get("name", "") if land else "",
        )
        items.append(item)
        by_name[_name_key(item.name)] = item
    orphans = []
    for ride in singles:
        item = by_name.get(_name_key(single_rider_base(ride["name"])))
        if item is None:
            orphans.append(ride["name"])
            continue
        wait = minutes(ride.get("wait_time"))
        open_now = bool(ride.get("is_open")) or bool(isinstance(wait, int) and wait > 0)
        item.queues.append(QueueRow(queue_type="SINGLE_RIDER", wait_time_minutes=wait if open_now else None))
    return items, orphans


def qt_parks(groups) -> list[dict]:
    """Flatten parks.json: each park with its operator (group name) and float coordinates."""
    parks = []
    for group in groups or []:
        for park in group.get("parks") or []:
            parks.append({**park, "operator": group.get("name", ""),
                          "latitude": _float(park.get("latitude")), "longitude": _float(park.get("longitude"))})
    return parks


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Schedules
# ---------------------------------------------------------------------------------------------
SCHEDULE_TYPES = {"OPERATING", "TICKETED_EVENT", "PRIVATE_EVENT", "EXTRA_HOURS", "INFO"}


def schedule_entries(payload: dict) -> list[dict]:
    """`/schedule` entries as ParkSchedule field dicts (times in UTC; a window crossing midnight
    stays whole on the date it opens). Entries of unknown type or date are skipped."""
    from datetime import date

    entries = []
    for raw in payload.get("schedule") or []:
        kind = (raw.get("type") or "").upper()
        try:
            day = date.fromisoformat(raw.get("date") or "")
        except ValueError:
            continue
        if kind not in SCHEDULE_TYPES:
            continue
        entries.append({"date": day, "schedule_type": kind, "opening_time": parse_time(raw.get("openingTime")),
                        "closing_time": parse_time(raw.get("closingTime")),
                        "description": (raw.get("description") or "")[:255],
                        "purchases": raw.get("purchases") or []})
    return entries
