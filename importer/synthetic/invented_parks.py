"""The invented world an archive describes: destinations, parks, rides and shows.

Everything comes from one `random.Random`, so a seed gives the same names, ids and traits.
Ids are version-4 UUIDs drawn from that generator; names carry the raw `™`, `®` and `’` the
real feeds contain.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
# (IANA zone, currency of paid queues). Half-hour zones and both hemispheres are in the list.
ZONES = (
    ("America/New_York", "USD"), ("Europe/Paris", "EUR"), ("Asia/Tokyo", "JPY"), ("America/Los_Angeles", "USD"),
    ("Australia/Sydney", "USD"), ("Europe/London", "GBP"), ("Asia/Shanghai", "USD"), ("America/Chicago", "USD"),
    ("Asia/Kolkata", "USD"), ("Australia/Adelaide", "USD"), ("America/Sao_Paulo", "USD"), ("Europe/Berlin", "EUR"),
    ("America/St_Johns", "USD"), ("Asia/Seoul", "USD"),
)
SOUTHERN = {"Australia/Sydney", "Australia/Adelaide", "America/Sao_Paulo"}
STYLES = ("disney", "universal", "europe")
PLACES = ("Harborview", "Crystal Lake", "Sunridge", "Maple Bay", "Silverpine", "Coral Cove", "Falcon Ridge",
          "Willow Creek", "Starfall", "Iron Harbor", "Lantern Hill", "Golden Shore", "Misty Vale", "Red Canyon")
PARK_KINDS = ("Studios", "Adventure Park", "Water Kingdom")
ADJECTIVES = ("Haunted", "Midnight", "Runaway", "Golden", "Atomic", "Royal", "Lost", "Crimson", "Timber", "Dragon’s",
              "Frozen", "Galactic", "Wild", "Thunder", "Pirate’s", "Jungle", "Cosmic", "Silver")
NOUNS = ("Mine Train", "Spinners", "Flyers", "Mansion", "Coaster", "Voyage", "Safari", "Plunge", "Express",
         "Rapids", "Carousel", "Tower", "Odyssey", "Drop", "Falls", "Quest", "Racers", "Wheel")
MARKS = ("", "", "", "", "™", "®")
SHOW_NAMES = ("Festival of Lights", "Character Cavalcade", "Pirate Stunt Spectacular", "Jungle Rhythms",
              "Night Parade", "Fountain Symphony", "Frontier Revue", "Starlight Fireworks")
RIDE_QUEUES = ("STANDBY", "SINGLE_RIDER", "PAID_STANDBY", "RETURN_TIME", "PAID_RETURN_TIME", "BOARDING_GROUP")
PRICES = {"USD": (1300, 2900), "EUR": (800, 1900), "GBP": (900, 2200), "JPY": (1500, 3000)}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def new_id(rng) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


@dataclass
class Entity:
    """A ride (ATTRACTION) or a show, with what its simulation needs."""

    entity_id: str
    internal_id: str
    name: str
    entity_type: str
    index: int
    peak_wait: int = 0  # the posted wait at the midday peak of a busy day
    breakdowns_per_hour: float = 0.0
    wait_always_null: bool = False
    queues: tuple = ("STANDBY",)
    price: int | None = None
    renamed: tuple | None = None  # (new name, UTC instant of the switch)
    refurbishment: tuple | None = None  # (first local date, first local date back)
    show_minutes: int = 20
    timed: bool = False  # its data changes with the time of day (return windows, boarding groups)


@dataclass
class Park:
    park_id: str
    name: str
    internal_id: str
    kind: str  # theme | water
    open_hour: int
    close_hour: int
    rides: list = field(default_factory=list)
    shows: list = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slug(self.name)


@dataclass
class Destination:
    destination_id: str
    name: str
    zone: str
    currency: str
    style: str
    index: int
    parks: list = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slug(self.name)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


def offset_changes(zone: str, first: date, last: date) -> list:
    """Every UTC offset change of `zone` between the two local dates (hour by hour)."""
    tz, changes = ZoneInfo(zone), []
    at = datetime.combine(first, time(), UTC) - timedelta(days=1)
    end = datetime.combine(last, time(), UTC) + timedelta(days=2)
    before = at.astimezone(tz).utcoffset()
    while at < end:
        at += timedelta(hours=1)
        now = at.astimezone(tz).utcoffset()
        if now != before:
            changes.append({"at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "from": offset_text(before),
                            "to": offset_text(now)})
            before = now
    return changes


def offset_text(delta: timedelta) -> str:
    """`+HH:MM` / `-HH:MM`, as ISO 8601 writes an offset."""
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_order(first: date, last: date) -> list:
    """ZONES with the first one whose offset changes inside the range moved to the front."""
    moving = [z for z in ZONES if offset_changes(z[0], first, last)]
    if not moving:
        return list(ZONES)
    return [moving[0]] + [z for z in ZONES if z != moving[0]]
