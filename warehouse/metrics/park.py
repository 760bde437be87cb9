"""Park figures and shame scores (docs/metrics.md §5). Pure: no database."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import fmean
from typing import Iterable

from themepark.constants import tier_weight

from .figures import RideFigures
from .spells import KINDS, PARK_WIDE, STALE_FEED, Reliability


def round1(value: float) -> float:
    """Round to one decimal, halves up as people (and SQL ROUND) do: 6.25 -> 6.3. Python's
    round() would give 6.2 (halves to even, on the binary float)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def shame_score(weighted_downtime_hours: float, effective_weight: float, open_hours: float) -> float:
    """min(10, round(10 × weighted downtime hours / (effective weight × open hours), 1)); 0 when
    no ride operated (or the window is empty)."""
    if effective_weight <= 0 or open_hours <= 0:
        return 0.0
    return min(10.0, round1(10 * weighted_downtime_hours / (effective_weight * open_hours)))


def live_shame(down_now_weights: Iterable[float], operated_weights: Iterable[float]) -> float:
    """round(10 × Σ weights of rides down now / Σ weights of rides operated in the last 7 days, 1)."""
    total = sum(operated_weights)
    if total <= 0:
        return 0.0
    return min(10.0, round1(10 * sum(down_now_weights) / total))


def period_shame(daily_scores: Iterable[float]) -> float | None:
    """The mean of the daily scores over the days the park was open (unrounded: the API rounds)."""
    scores = list(daily_scores)
    return fmean(scores) if scores else None


@dataclass(slots=True)
class ParkFigures:
    shame_score: float = 0.0
    total_downtime_hours: float = 0.0
    weighted_downtime_hours: float = 0.0
    effective_park_weight: float = 0.0
    rides_operated: int = 0
    rides_down: int = 0
    uptime_percentage: float | None = None
    avg_wait_minutes: float | None = None
    peak_wait_minutes: int | None = None
    open_hours: float = 0.0
    breakdowns: int = 0
    minutes_by_kind: dict[str, float] | None = None
    weighted_park_wide_hours: float = 0.0
    weighted_stale_feed_hours: float = 0.0


def park_figures(rides: Iterable[tuple[RideFigures, int | None]], *, open_hours: float,
                 effective_weight: float | None = None) -> ParkFigures:
    """Park figures from its rides' figures and tiers over a span of `open_hours` open hours.
    `effective_weight` defaults to the weights of the rides given that operated; hours pass
    the day's, since the operated test is the day's."""
    out = ParkFigures(open_hours=open_hours)
    uptimes, weight, wait_s, wait_sum = [], 0.0, 0.0, 0.0
    for fig, tier in rides:
        w = tier_weight(tier)
        hours = fig.downtime_minutes / 60.0
        out.total_downtime_hours += hours
        out.weighted_downtime_hours += hours * w
        if fig.operated:
            out.rides_operated += 1
            weight += w
            if fig.uptime_percentage is not None:
                uptimes.append(fig.uptime_percentage)
        if hours > 0:
            out.rides_down += 1
        wait_s += fig.wait_known_s
        wait_sum += fig.wait_weighted
        if fig.peak_wait is not None and (out.peak_wait_minutes is None or fig.peak_wait > out.peak_wait_minutes):
            out.peak_wait_minutes = fig.peak_wait
    out.effective_park_weight = weight if effective_weight is None else effective_weight
    out.uptime_percentage = fmean(uptimes) if uptimes else None
    out.avg_wait_minutes = wait_sum / wait_s if wait_s > 0 else None
    out.shame_score = shame_score(out.weighted_downtime_hours, out.effective_park_weight, open_hours)
    return out


def park_reliability(out: ParkFigures, rides: Iterable[tuple[Reliability, int | None]]) -> ParkFigures:
    """Add the rides' breakdowns and downtime by kind (docs/metrics.md §9) to a park's figures, with
    the tier-weighted hours of the kinds a ranking may leave out of the shame score."""
    out.minutes_by_kind = dict.fromkeys(KINDS, 0.0)
    for rel, tier in rides:
        out.breakdowns += rel.breakdowns
        for kind, minutes in rel.minutes_by_kind.items():
            out.minutes_by_kind[kind] += minutes
        w = tier_weight(tier)
        out.weighted_park_wide_hours += rel.minutes_by_kind[PARK_WIDE] / 60.0 * w
        out.weighted_stale_feed_hours += rel.minutes_by_kind[STALE_FEED] / 60.0 * w
    return out
