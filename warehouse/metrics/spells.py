"""Down spells, their kinds and the reliability figures of a park day (docs/metrics.md §8-§9). Pure: no database.

A down spell is a maximal stretch in a down state inside the open window; unknown time and
known non-down time end it. Each spell gets one kind, decided in this order: `park_wide` (at
some moment at least half of the attractions that operated that day were down together),
`late_opening` (it starts at the window's start before the ride operated that day),
`stale_feed` (6 hours or more on a single observation while other attractions kept changing
state), else `breakdown`. Breakdowns give the counts behind MTBF and MTTR.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

from .timeline import OPERATING, Change, Run

BREAKDOWN, PARK_WIDE, LATE_OPENING, STALE_FEED = "breakdown", "park_wide", "late_opening", "stale_feed"
KINDS = (BREAKDOWN, PARK_WIDE, LATE_OPENING, STALE_FEED)
STALE_FEED_SECONDS = 6 * 3600.0
ON_TIME_SECONDS = 15 * 60.0
PARK_WIDE_MIN_RIDES = 2  # one ride down alone is never park-wide, however small the park


class Spell(NamedTuple):
    """A down spell [start, end) of a ride, the number of observations it rests on, and its kind."""

    start: float
    end: float
    observations: int
    kind: str = BREAKDOWN

    @property
    def minutes(self) -> float:
        return (self.end - self.start) / 60.0


@dataclass(slots=True)
class Reliability:
    """A ride's reliability figures for one park day (zero on a day it did not operate)."""

    breakdowns: int = 0
    minutes_by_kind: dict[str, float] = field(default_factory=lambda: dict.fromkeys(KINDS, 0.0))
    opened_on_time: bool | None = None  # None: the ride did not operate that day

    @property
    def breakdown_minutes(self) -> float:
        return self.minutes_by_kind[BREAKDOWN]


def spell_add(spells: list[list], piece: Run) -> None:
    """Extend the last spell with a down `piece` that starts where it ends, or open a new one."""
    if spells and spells[-1][1] == piece.start:
        last = spells[-1]
        last[1] = piece.end
        last[2] += 1
    else:
        spells.append([piece.start, piece.end, 1])


def _crowded(spells: Iterable[tuple[float, float]], threshold: int) -> list[tuple[float, float]]:
    """Stretches during which at least `threshold` of the given spells overlap."""
    edges = sorted([(s, 1) for s, _ in spells] + [(e, -1) for _, e in spells], key=lambda x: (x[0], x[1]))
    out, active, since = [], 0, None
    for at, step in edges:
        active += step
        if active >= threshold and since is None:
            since = at
        elif active < threshold and since is not None:
            if at > since:
                out.append((since, at))
            since = None
    return out


def _overlaps(start: float, end: float, stretches: list[tuple[float, float]], starts: list[float]) -> bool:
    i = bisect_right(starts, start) - 1
    for j in (i, i + 1):
        if 0 <= j < len(stretches) and stretches[j][0] < end and start < stretches[j][1]:
            return True
    return False


def _first_operating(runs: list[Run], since: float) -> float | None:
    for run in runs:
        if run.status == OPERATING and run.end > since:
            return max(run.start, since)
    return None


def classify_spells(raw: dict[int, list[list]], *, operated: set[int], window: list[tuple[float, float]],
                    day_start: float, runs: dict[int, list[Run]], changes: dict[int, list[Change]]
                    ) -> dict[int, list[Spell]]:
    """Give every ride's spells ([start, end, observations]) their kind (§9)."""
    if not window:
        return {}
    together = [(s[0], s[1]) for rid in operated for s in raw.get(rid, ())]
    crowded = _crowded(together, max(PARK_WIDE_MIN_RIDES, -(-len(operated) // 2))) if together else []
    crowded_starts = [c[0] for c in crowded]
    moves = sorted((c.at, rid) for rid, ride_changes in changes.items() for c in ride_changes)
    move_times = [m[0] for m in moves]
    opening = window[0][0]
    out = {}
    for ride_id, spells in raw.items():
        kinds = []
        for start, end, n in spells:
            if ride_id in operated and _overlaps(start, end, crowded, crowded_starts):
                kind = PARK_WIDE
            elif start == opening and not _operated_before(runs.get(ride_id, ()), day_start, start):
                kind = LATE_OPENING
            elif n == 1 and end - start >= STALE_FEED_SECONDS and _others_moved(moves, move_times, ride_id, start, end):
                kind = STALE_FEED
            else:
                kind = BREAKDOWN
            kinds.append(Spell(start, end, n, kind))
        out[ride_id] = kinds
    return out


def _operated_before(runs: Iterable[Run], day_start: float, until: float) -> bool:
    return any(r.status == OPERATING and r.end > day_start and r.start < until for r in runs)


def _others_moved(moves, move_times, ride_id, start, end) -> bool:
    i = bisect_right(move_times, start)
    while i < len(moves) and moves[i][0] < end:
        if moves[i][1] != ride_id:
            return True
        i += 1
    return False


def reliability(spells: list[Spell], *, operated: bool, runs: list[Run], window: list[tuple[float, float]]
                ) -> Reliability:
    """Counts and minutes by kind of a ride's spells, and whether it opened on time (§8)."""
    out = Reliability()
    if not operated:
        return out
    for spell in spells:
        out.minutes_by_kind[spell.kind] += spell.minutes
        if spell.kind == BREAKDOWN:
            out.breakdowns += 1
    first = _first_operating(runs, window[0][0]) if window else None
    out.opened_on_time = first is not None and first <= window[0][0] + ON_TIME_SECONDS
    return out


# ---------------------------------------------------------------------------------------------
# Over a period, and stay or go
# ---------------------------------------------------------------------------------------------
def mtbf_hours(operating_minutes: float, breakdowns: int) -> float | None:
    """Operating hours per breakdown; None without breakdowns."""
    return operating_minutes / 60.0 / breakdowns if breakdowns else None


def mttr_minutes(breakdown_minutes: float, breakdowns: int) -> float | None:
    """Mean length of the breakdowns' spells; None without breakdowns."""
    return breakdown_minutes / breakdowns if breakdowns else None


def opening_reliability(days_on_time: int, days_operated: int) -> float | None:
    """Share of the days the ride operated on which it was OPERATING within 15 minutes of opening."""
    return days_on_time / days_operated if days_operated else None


def _percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (the spreadsheet PERCENTILE.INC)."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


MIN_SPELLS = 5


def time_left(lengths: Iterable[float], down_minutes: float) -> list[float]:
    """What remained of the spells (minutes) that lasted longer than `down_minutes`. Lengths count
    to the whole second: sub-second jitter of observation times must not make a 5-minute spell
    "longer than 5 minutes"."""
    rounded = (round(length * 60) / 60 for length in lengths)
    return [length - down_minutes for length in rounded if length > down_minutes]


class ReopenEstimate(NamedTuple):
    down_minutes: float
    expected_reopen_minutes: float | None
    p75_reopen_minutes: float | None
    spells_used: int
    basis: str | None  # "ride", "park" or None


def reopen_estimate(down_minutes: float, ride_spells: Iterable[float], park_spells: Iterable[float] = ()
                    ) -> ReopenEstimate:
    """Stay or go (§8): of the breakdowns that lasted longer than `down_minutes`, the median and
    75th percentile of what remained; the ride's own when it has at least five, else the park's
    attractions pooled (at least five), else none."""
    for basis, lengths in (("ride", ride_spells), ("park", park_spells)):
        left = time_left(lengths, down_minutes)
        if len(left) >= MIN_SPELLS:
            return ReopenEstimate(down_minutes, _percentile(left, 0.5), _percentile(left, 0.75), len(left), basis)
    return ReopenEstimate(down_minutes, None, None, 0, None)
