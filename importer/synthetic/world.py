"""Building one destination of the invented world from its own random generator.

Fixed traits, by design, so tests and demos can rely on them: park 0 ride 2 of every
destination is closed for refurbishment from day `days // 3` to day `2 * days // 3` of the
range (when that is at least one day), ride 3 of park 0 has a boarding group, destination 0
park 0 ride 1 is renamed at the start of the middle day, and a third park is a water park.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from .invented_parks import (
    ADJECTIVES, MARKS, NOUNS, PARK_KINDS, PLACES, PRICES, SHOW_NAMES, UTC, Destination, Entity, Park, new_id,
)


def internal_id(style: str, park: int, index: int, show: bool) -> str:
    """Operator ids look different per operator, as in the real archive."""
    if style == "disney":
        kind = "Entertainment" if show else "Attraction"
        return f"80{park + 1:02d}{index:03d}{1 if show else 0};entityType={kind}"
    if style == "universal":
        return str((20000 if show else 10000) + park * 500 + index)
    return f"P{park + 1}{'S' if show else 'A'}{index + 1:02d}"


def park_internal_id(style: str, park: int) -> str:
    if style == "disney":
        return f"8000{7000 + park * 37};entityType=theme-park"
    return str(11000 + park * 10) if style == "universal" else f"P{park + 1}"


def build_destination(rng, index: int, zone: tuple, options, first: date, days: int) -> Destination:
    place = PLACES[index % len(PLACES)] + ("" if index < len(PLACES) else f" {index // len(PLACES) + 1}")
    dest = Destination(destination_id=new_id(rng), name=f"{place} Resort", zone=zone[0], currency=zone[1],
                       style=("disney", "universal", "europe")[index % 3], index=index)
    used = set()
    for p in range(options.parks):
        kind = "water" if p == 2 else "theme"
        park = Park(park_id=new_id(rng), name=f"{place} {PARK_KINDS[p % 3]}" + (f" {p // 3 + 1}" if p >= 3 else ""),
                    internal_id=park_internal_id(dest.style, p), kind=kind,
                    open_hour=10 if kind == "water" else rng.choice((8, 9, 9, 10)),
                    close_hour=18 if kind == "water" else rng.choice((20, 21, 22)))
        for r in range(options.ride_count):
            park.rides.append(_ride(rng, dest, p, r, used, first, days))
        if kind == "theme":
            for s in range(options.show_count):
                name = _unique(rng, used, lambda: rng.choice(SHOW_NAMES))
                park.shows.append(Entity(entity_id=new_id(rng), internal_id=internal_id(dest.style, p, s, True),
                                         name=name, entity_type="SHOW", index=s,
                                         show_minutes=rng.choice((15, 20, 25, 30))))
        dest.parks.append(park)
    if index == 0 and options.parks and len(dest.parks[0].rides) > 1:
        ride = dest.parks[0].rides[1]
        middle = first + timedelta(days=days // 2)
        switch = datetime.combine(middle, time(4), dest.tz).astimezone(UTC)
        ride.renamed = (f"{ride.name.rstrip('™®')} presented by Acme®", switch)
    return dest


def _unique(rng, used, draw):
    for _ in range(50):
        name = draw()
        if name not in used:
            used.add(name)
            return name
    name = f"{draw()} {len(used)}"
    used.add(name)
    return name


def _ride(rng, dest, p, r, used, first, days) -> Entity:
    name = _unique(rng, used, lambda: f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}{rng.choice(MARKS)}")
    ride = Entity(entity_id=new_id(rng), internal_id=internal_id(dest.style, p, r, False), name=name,
                  entity_type="ATTRACTION", index=r, peak_wait=rng.choice((10, 20, 30, 45, 60, 75, 90, 120)),
                  breakdowns_per_hour=rng.uniform(0.01, 0.12), wait_always_null=rng.random() < 0.08)
    queues = ["STANDBY"]
    if p != 2 and rng.random() < 0.2:
        queues.append("SINGLE_RIDER")
    if dest.style == "universal" and rng.random() < 0.35:
        queues.append("PAID_STANDBY")
    if dest.style == "disney" and rng.random() < 0.3:
        queues.append("RETURN_TIME")
    if dest.style != "europe" and rng.random() < 0.2:
        queues.append("PAID_RETURN_TIME")
        low, high = PRICES.get(dest.currency, PRICES["USD"])
        ride.price = rng.randrange(low, high, 100)
    if p == 0 and r == 3:
        queues.append("BOARDING_GROUP")
    ride.queues = tuple(queues)
    ride.timed = any(q in ("RETURN_TIME", "PAID_RETURN_TIME", "BOARDING_GROUP") for q in queues)
    if p == 0 and r == 2 and 2 * days // 3 > days // 3:
        ride.refurbishment = (first + timedelta(days=days // 3), first + timedelta(days=2 * days // 3))
    return ride
