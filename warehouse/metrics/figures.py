"""Ride figures for a park day and its hours (docs/metrics.md §4). Pure: no database."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine_constants import OPERATED_MINUTES_NO_DOWN, OPERATED_MINUTES_REPORTS_DOWN
from .days import HOUR, Segments
from .spells import spell_add
from .timeline import CLOSED, DOWN, OPERATING, Change, Run, clip

MINUTE = 60.0


def down_states(reports_down: bool) -> frozenset[str]:
    """DOWN is down; where the feed has no DOWN, CLOSED is too. REFURBISHMENT never is."""
    return frozenset({DOWN}) if reports_down else frozenset({DOWN, CLOSED})


def operated_threshold_minutes(reports_down: bool) -> int:
    return OPERATED_MINUTES_REPORTS_DOWN if reports_down else OPERATED_MINUTES_NO_DOWN


@dataclass(slots=True)
class RideFigures:
    """Accumulated seconds of one ride over a span; read the figures in minutes."""

    operating_s: float = 0.0
    down_s: float = 0.0
    known_s: float = 0.0
    wait_known_s: float = 0.0
    wait_weighted: float = 0.0  # Σ wait × seconds, while OPERATING with a known wait
    peak_wait: int | None = None
    status_changes: int = 0
    longest_s: float = 0.0
    operated: bool = False
    _spell: float = field(default=0.0, repr=False)
    _spell_end: float = field(default=-1.0, repr=False)

    def add(self, piece: Run, down: frozenset[str]) -> None:
        span = piece.end - piece.start
        self.known_s += span
        if piece.status == OPERATING:
            self.operating_s += span
            if piece.wait is not None:
                self.wait_known_s += span
                self.wait_weighted += piece.wait * span
                if self.peak_wait is None or piece.wait > self.peak_wait:
                    self.peak_wait = piece.wait
        elif piece.status in down:
            self.down_s += span
            self._spell = self._spell + span if piece.start == self._spell_end else span
            self._spell_end = piece.end
            if self._spell > self.longest_s:
                self.longest_s = self._spell

    @property
    def operating_minutes(self) -> float:
        return self.operating_s / MINUTE

    @property
    def downtime_minutes(self) -> float:
        """Down time counts only on a day the ride operated."""
        return self.down_s / MINUTE if self.operated else 0.0

    @property
    def known_minutes(self) -> float:
        return self.known_s / MINUTE

    @property
    def wait_known_minutes(self) -> float:
        return self.wait_known_s / MINUTE

    @property
    def longest_downtime_minutes(self) -> float:
        return self.longest_s / MINUTE if self.operated else 0.0

    @property
    def uptime_percentage(self) -> float | None:
        total = self.operating_minutes + self.downtime_minutes
        return 100.0 * self.operating_minutes / total if total > 0 else None

    @property
    def avg_wait_minutes(self) -> float | None:
        return self.wait_weighted / self.wait_known_s if self.wait_known_s > 0 else None


def ride_figures(runs: list[Run], window: Segments, changes: list[Change], *, reports_down: bool,
                 hourly: bool = True, spells: list | None = None) -> tuple[RideFigures, dict[float, RideFigures]]:
    """A ride's figures inside the open window for the day and for each UTC hour of it.
    `changes` are its known-to-known changes; only those strictly inside the window count
    (a change on the window's edge is the park opening or closing). With `spells`, the down
    spells ([start, end, observations]) are appended to it in the same pass."""
    down = down_states(reports_down)
    day = RideFigures()
    hours: dict[float, RideFigures] = {}
    for piece in clip(runs, window):
        day.add(piece, down)
        if spells is not None and piece.status in down:
            spell_add(spells, piece)
        if not hourly:
            continue
        hour = piece.start - piece.start % HOUR
        if piece.end <= hour + HOUR:  # the common case: the piece lies within one hour
            acc = hours.get(hour)
            if acc is None:
                acc = hours[hour] = RideFigures()
            acc.add(piece, down)
            continue
        while hour < piece.end:
            part = Run(max(piece.start, hour), min(piece.end, hour + HOUR), piece.status, piece.wait)
            if part.end > part.start:
                acc = hours.get(hour)
                if acc is None:
                    acc = hours[hour] = RideFigures()
                acc.add(part, down)
            hour += HOUR
    for change in changes:
        if any(start < change.at < end for start, end in window):
            day.status_changes += 1
            hour = change.at - change.at % HOUR
            if hour in hours:
                hours[hour].status_changes += 1
    day.operated = day.operating_minutes >= operated_threshold_minutes(reports_down)
    for acc in hours.values():
        acc.operated = day.operated  # the operated test always uses the whole day
    return day, hours
