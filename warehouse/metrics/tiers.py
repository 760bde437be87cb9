"""Ride tiers by rule (docs/metrics.md §7). Pure: no database.

Within a park, attractions with enough data are ranked by demand (their time-weighted mean
standby wait while OPERATING): the top quarter (rounded up, at least one) is tier 1, the bottom
quarter (rounded down) tier 3, the rest tier 2. A ride with a minimum height of 122 cm or more is
never tier 3; a play area, walk-through, carousel or kiddie ride is never tier 1. Staff tiers
are never changed here, though their rides take part in the ranking.
"""
from __future__ import annotations

import math
import re
from typing import Iterable, NamedTuple

MIN_DAYS_WITH_WAIT = 10
DEMAND_DAYS = 90
TALL_RIDE_CM = 122  # 48 in
SMALL_RIDE = re.compile(
    r"play\s*(area|ground|zone|land|house)|walk[-\s]?through|car+ou?sel|merry[-\s]go[-\s]round|"
    r"kidd(ie|y)|\bkids?\b|\bjunior\b|\btoddler", re.IGNORECASE)
STAFF = "STAFF"


class TierInput(NamedTuple):
    ride_id: int
    name: str
    demand: float | None  # mean standby wait while OPERATING, minutes
    days_with_wait: int
    min_height_cm: int | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None  # RULES, STAFF or None


class TierDecision(NamedTuple):
    ride_id: int
    tier: int
    reason: str


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def small_ride_mark(name: str, tags: Iterable[str] = ()) -> str | None:
    """The words of the name or tags that mark a play area, walk-through, carousel or kiddie ride."""
    for text in (name, *tags):
        found = SMALL_RIDE.search(text or "")
        if found:
            return found.group(0).lower()
    return None


def tier_by_rank(rank: int, count: int) -> int:
    """Tier of the rank-th (1-based) of `count` rides by demand."""
    top = max(1, math.ceil(count / 4))
    bottom = count // 4
    if rank <= top:
        return 1
    if rank > count - bottom:
        return 3
    return 2


def classify_park(rides: Iterable[TierInput]) -> list[TierDecision]:
    """Tier decisions for the rides of one park that the rules may set (not staff's, and only
    those with at least MIN_DAYS_WITH_WAIT days of known waits)."""
    ranked = sorted((r for r in rides if r.demand is not None and r.days_with_wait >= MIN_DAYS_WITH_WAIT),
                    key=lambda r: (-r.demand, r.ride_id))
    out = []
    for rank, ride in enumerate(ranked, start=1):
        if ride.source == STAFF:
            continue
        tier = tier_by_rank(rank, len(ranked))
        reason = f"mean wait {ride.demand:.0f} min, {ordinal(rank)} of {len(ranked)} in the park"
        if tier == 3 and ride.min_height_cm is not None and ride.min_height_cm >= TALL_RIDE_CM:
            tier, reason = 2, f"{reason}; minimum height {ride.min_height_cm} cm: never tier 3"
        if tier == 1:
            mark = small_ride_mark(ride.name, ride.tags)
            if mark:
                tier, reason = 2, f"{reason}; '{mark}': never tier 1"
        out.append(TierDecision(ride.ride_id, tier, reason))
    return out


def thin_data_reason(days_with_wait: int) -> str:
    """Why a ride the rules cannot rank stays unclassified."""
    return f"unclassified: {days_with_wait} day(s) with a known wait, {MIN_DAYS_WITH_WAIT} needed"
