"""One park day from observations to every figure (docs/metrics.md §2-§5). Pure: no database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from .days import HOUR, Segments, Window, cut, hours_of, inferred_window, length, park_day_bounds, schedule_window
from .figures import RideFigures, ride_figures
from .park import ParkFigures, park_figures, park_reliability
from .spells import Reliability, Spell, classify_spells, reliability as ride_reliability
from .timeline import Change, Obs, build_runs, known_changes, seconds, state_changes


class RideInfo(NamedTuple):
    id: int
    tier: int | None
    attraction: bool


@dataclass
class ParkDay:
    """Everything computed for one park day. `session` is the whole open window (a schedule's
    may lie partly ahead); `window` is the part that has passed, over which figures run."""

    day: date
    start: float
    end: float
    session: Window | None = None
    window: Segments = field(default_factory=list)
    rides: dict[int, RideFigures] = field(default_factory=dict)
    ride_hours: dict[int, dict[float, RideFigures]] = field(default_factory=dict)
    park: ParkFigures | None = None
    coverage_percentage: float | None = None
    park_hours: dict[float, ParkFigures] = field(default_factory=dict)
    changes: dict[int, list[Change]] = field(default_factory=dict)
    spells: dict[int, list[Spell]] = field(default_factory=dict)
    reliability: dict[int, Reliability] = field(default_factory=dict)
    # The array engine (`vectorday`) hands the rides' hour figures on as rows instead of `ride_hours`:
    # (ride, hour start, operating, downtime, known, wait known minutes, uptime %, mean wait, peak wait,
    # status changes, longest downtime, operated)
    hour_rows: list[tuple] = field(default_factory=list)

    @property
    def open_hours(self) -> float:
        return length(self.window) / HOUR


def compute_park_day(*, day: date, tz: str, rides: list[RideInfo], observations: dict[int, list[Obs]],
                     schedule: list[tuple[float, float]], reports_down: bool, now: float, live_hold: float,
                     hourly: bool = True, reliability: bool = True) -> ParkDay:
    """Figures of park day `day`. `observations` per ride are in time order and include the last
    one before the day starts (its state carries in); `schedule` holds the day's OPERATING
    schedule windows (empty: infer the window). Only attractions get figures. Without
    `reliability`, the figures of docs/metrics.md version 1 only (no spells, kinds or breakdowns:
    what the benchmark prices version 2 against)."""
    start_dt, end_dt = park_day_bounds(day, tz)
    out = ParkDay(day, seconds(start_dt), seconds(end_dt))
    horizon = min(out.end, now)
    if horizon <= out.start:
        return out
    attractions = [r for r in rides if r.attraction]
    runs = {r.id: build_runs(observations.get(r.id, ()), live_hold=live_hold, horizon=horizon) for r in attractions}
    for ride_id, ride_runs in runs.items():
        changes = [c for c in state_changes(ride_runs, horizon=horizon) if out.start <= c.at < horizon]
        if changes:
            out.changes[ride_id] = changes
    if schedule:
        segments = schedule_window(schedule, day=(out.start, out.end))
        out.session = Window(segments, True) if segments else None
    else:
        segments = inferred_window(runs.values(), day=(out.start, horizon))
        out.session = Window(segments, False) if segments else None
    out.window = cut(segments, horizon)
    if not out.window:
        return out

    known = 0.0
    raw_spells: dict[int, list] = {}
    for ride in attractions:
        spells: list | None = [] if reliability else None
        day_fig, hour_figs = ride_figures(runs[ride.id], out.window, known_changes(runs[ride.id]),
                                          reports_down=reports_down, hourly=hourly, spells=spells)
        known += day_fig.known_s
        if day_fig.known_s > 0:
            out.rides[ride.id] = day_fig
            out.ride_hours[ride.id] = hour_figs
            if spells:
                raw_spells[ride.id] = spells
    operated = {rid for rid, fig in out.rides.items() if fig.operated}
    if reliability:
        out.spells = classify_spells(raw_spells, operated=operated, window=out.window, day_start=out.start,
                                     runs=runs, changes=out.changes)
        out.reliability = {rid: ride_reliability(out.spells.get(rid, ()), operated=rid in operated, runs=runs[rid],
                                                 window=out.window) for rid in out.rides}
    else:
        out.reliability = {rid: Reliability() for rid in out.rides}
    tiers = {r.id: r.tier for r in attractions}
    out.park = park_figures(((fig, tiers[rid]) for rid, fig in out.rides.items()), open_hours=out.open_hours)
    park_reliability(out.park, ((out.reliability[rid], tiers[rid]) for rid in out.rides))
    if attractions:
        out.coverage_percentage = 100.0 * known / (len(attractions) * length(out.window))
    if hourly:
        for hour, parts in hours_of(out.window).items():
            members = ((figs[hour], tiers[rid]) for rid, figs in out.ride_hours.items() if hour in figs)
            out.park_hours[hour] = park_figures(members, open_hours=length(parts) / HOUR,
                                                effective_weight=out.park.effective_park_weight)
    return out
