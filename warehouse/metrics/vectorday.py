"""Consecutive park days of a park from arrays (`vector`) to `ParkDay`s: what `parkday.compute_park_day`
gives for each day on its own, with the ride and hour figures computed over arrays. Pure: no database.

The heavy part (runs, changes, clipping to the window, hour splits, sums) runs once over the whole
span; then each day is put together in Python: its window, its spells' kinds (`spells`, few), its
park figures (`park`, in the pure engine's order, so shame scores round the same way). Hour figures
of the rides are handed on as ready rows (`ParkDay.hour_rows`), not as objects.
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np

from .days import HOUR, Window, cut, hours_of, length, park_day_bounds, schedule_window
from .figures import RideFigures, operated_threshold_minutes
from .park import park_figures, park_reliability
from .parkday import ParkDay, RideInfo
from .spells import BREAKDOWN, ON_TIME_SECONDS, Reliability, classify_spells
from .timeline import Change, Run
from .vector import DN, ObsArrays, build_runs, figures, inferred_bounds, known_changes, minutes, state_changes


class HourFigures(NamedTuple):
    """What `park.park_figures` reads of a ride's hour."""

    downtime_minutes: float
    operated: bool
    uptime_percentage: float | None
    wait_known_s: float
    wait_weighted: float
    peak_wait: int | None


class _Runs:
    """A ride's runs of one day as `Run`s, built only when asked for (a late opening's check)."""

    def __init__(self, runs, index: dict[int, int], days: int, d: int, names: list):
        self.runs, self.index, self.days, self.d, self.names = runs, index, days, d, names

    def get(self, ride_id, default=()):
        if ride_id not in self.index:
            return default
        starts, ends, codes, waits = self.runs.take(self.index[ride_id] * self.days + self.d)
        from .vector import NO_WAIT
        return [Run(s, e, self.names[c], None if w == NO_WAIT else w) for s, e, c, w in zip(starts, ends, codes, waits)]


def fingerprints(obs: ObsArrays, starts: np.ndarray, horizons: np.ndarray) -> list[tuple[int, int, int]]:
    """Per day: (observations, DOWN ones, sum of standby waits) with start <= time < horizon."""
    from .vector import NO_WAIT
    out = []
    waits = np.where(obs.wait == NO_WAIT, 0, obs.wait)
    for start, horizon in zip(starts.tolist(), horizons.tolist()):
        m = (obs.at >= start) & (obs.at < horizon)
        out.append((int(m.sum()), int((m & (obs.status == DN)).sum()), int(waits[m].sum())))
    return out


def compute_park_days(*, days: list[date], tz: str, rides: list[RideInfo], obs: ObsArrays,
                      schedules: dict[date, list[tuple[float, float]]], reports_down: bool, now: float,
                      live_hold: float, reliability: bool = True, day_hook=None) -> list[ParkDay | Exception]:
    """compute_park_day for each of `days` (consecutive), from `obs`: the park's attractions'
    (`rides`, in this order) observations from the last one of each before the first day to the last
    day's horizon. A day whose assembly fails gets its exception in its place. `day_hook(day)` is
    called before each day is put together (tests make a day fail there)."""
    attractions = [r for r in rides if r.attraction]
    bounds = [park_day_bounds(day, tz) for day in days]
    starts = np.array([s.timestamp() for s, _ in bounds])
    ends = np.array([e.timestamp() for _, e in bounds])
    horizons = np.minimum(ends, now)
    n_days, n_rides = len(days), len(attractions)
    runs = build_runs(obs, rides=n_rides, starts=starts, horizons=horizons, live_hold=live_hold)
    changes = state_changes(runs, starts=starts, horizons=horizons)
    first_op, last_op = inferred_bounds(runs, starts=starts, horizons=horizons)

    windows, sessions = [], []
    for d, day in enumerate(days):
        if horizons[d] <= starts[d]:
            windows.append([])
            sessions.append(None)
            continue
        if schedules.get(day):
            segments = schedule_window(schedules[day], day=(float(starts[d]), float(ends[d])))
            sessions.append(Window(segments, True) if segments else None)
        else:
            segments = [(float(first_op[d]), float(last_op[d]))] if np.isfinite(first_op[d]) else []
            sessions.append(Window(segments, False) if segments else None)
        windows.append(cut(segments, float(horizons[d])))
    width = max([1] + [len(w) for w in windows])
    seg_start, seg_end = np.full((n_days, width), np.inf), np.full((n_days, width), -np.inf)
    for d, window in enumerate(windows):
        for m, (s, e) in enumerate(window):
            seg_start[d, m], seg_end[d, m] = s, e
    k_at, k_seq = known_changes(runs)
    figs = figures(runs, k_at, k_seq, sequences=n_rides * n_days, days=n_days, seg_start=seg_start,
                   seg_end=seg_end, reports_down=reports_down,
                   threshold_minutes=operated_threshold_minutes(reports_down))

    # per sequence: its changes, its spells; per day: its hour groups (in ride, then hour order)
    seq_changes: dict[int, list[Change]] = {}
    names = obs.names
    for k, at, frm, to, prev in zip(changes.seq.tolist(), changes.at.tolist(), changes.from_status.tolist(),
                                    changes.to_status.tolist(), changes.previous.tolist()):
        seq_changes.setdefault(k, []).append(Change(at, names[frm], names[to], prev))
    seq_spells: dict[int, list[list]] = {}
    sp_seq, sp_start, sp_end, sp_n = figs.spells
    for k, s, e, n in zip(sp_seq.tolist(), sp_start.tolist(), sp_end.tolist(), sp_n.tolist()):
        seq_spells.setdefault(k, []).append([s, e, n])
    day_min, hour_min = minutes(figs.day), minutes(figs.hour)
    hour_days = (figs.hour_seq % n_days).tolist()
    hour_rides = (figs.hour_seq // n_days).tolist()
    hour_start = figs.hour_start.tolist()
    by_day: list[list[int]] = [[] for _ in days]
    for g, d in enumerate(hour_days):
        by_day[d].append(g)
    day_sums = {name: figs.day[name].tolist() for name in ("known", "operating", "down", "wait_known",
                                                             "wait_weighted", "longest")}
    first_operating = figs.first_operating.tolist()
    h_wk, h_ww = figs.hour["wait_known"].tolist(), figs.hour["wait_weighted"].tolist()
    index = {r.id: i for i, r in enumerate(attractions)}
    tiers = {r.id: r.tier for r in attractions}

    out: list[ParkDay | Exception] = []
    for d, day in enumerate(days):
        try:
            if day_hook is not None:
                day_hook(day)
            result = ParkDay(day, float(starts[d]), float(ends[d]))
            if horizons[d] > starts[d]:
                _assemble(result, d, n_days, attractions, seq_changes, sessions[d], windows[d], day_sums,
                          day_min, seq_spells, first_operating, reliability, tiers,
                          _Runs(runs, index, n_days, d, names))
                if result.window:
                    _hours(result, by_day[d], attractions, hour_rides, hour_start, hour_min, h_wk, h_ww, tiers)
            out.append(result)
        except Exception as exc:  # one bad day must not stop the others
            out.append(exc)
    return out


def _assemble(out: ParkDay, d, n_days, attractions, seq_changes, session, window, sums, mins, seq_spells,
              first_operating, reliability, tiers, lazy_runs) -> None:
    for i, ride in enumerate(attractions):
        ride_changes = seq_changes.get(i * n_days + d)
        if ride_changes:
            out.changes[ride.id] = ride_changes
    out.session, out.window = session, window
    if not window:
        return
    known = 0.0
    raw_spells = {}
    for i, ride in enumerate(attractions):
        k = i * n_days + d
        known += sums["known"][k]
        if sums["known"][k] > 0:
            peak = mins["peak"][k]
            out.rides[ride.id] = RideFigures(
                operating_s=sums["operating"][k], down_s=sums["down"][k], known_s=sums["known"][k],
                wait_known_s=sums["wait_known"][k], wait_weighted=sums["wait_weighted"][k], peak_wait=peak,
                status_changes=mins["changes"][k], longest_s=sums["longest"][k], operated=mins["operated"][k])
            if reliability and k in seq_spells:
                raw_spells[ride.id] = seq_spells[k]
    operated = {rid for rid, fig in out.rides.items() if fig.operated}
    if reliability:
        out.spells = classify_spells(raw_spells, operated=operated, window=window, day_start=out.start,
                                     runs=lazy_runs, changes=out.changes)
        opening = window[0][0]
        for i, ride in enumerate(attractions):
            if ride.id not in out.rides:
                continue
            rel = Reliability()
            if ride.id in operated:
                for spell in out.spells.get(ride.id, ()):
                    rel.minutes_by_kind[spell.kind] += spell.minutes
                    if spell.kind == BREAKDOWN:
                        rel.breakdowns += 1
                first = first_operating[i * n_days + d]
                rel.opened_on_time = first != float("inf") and first <= opening + ON_TIME_SECONDS
            out.reliability[ride.id] = rel
    else:
        out.reliability = {rid: Reliability() for rid in out.rides}
    out.park = park_figures(((fig, tiers[rid]) for rid, fig in out.rides.items()), open_hours=out.open_hours)
    park_reliability(out.park, ((out.reliability[rid], tiers[rid]) for rid in out.rides))
    if attractions:
        out.coverage_percentage = 100.0 * known / (len(attractions) * length(window))


def _hours(out: ParkDay, groups, attractions, hour_rides, hour_start, mins, wait_known_s, wait_weighted, tiers):
    """The rides' hour rows and the park's hour figures of one day."""
    members: dict[float, list] = {}
    rows = out.hour_rows
    op, down, known, wk = mins["operating"], mins["down"], mins["known"], mins["wait_known"]
    up, avg, peak, changes, longest, operated = (mins["uptime"], mins["avg_wait"], mins["peak"], mins["changes"],
                                                  mins["longest"], mins["operated"])
    for g in groups:
        ride_id, hour = attractions[hour_rides[g]].id, hour_start[g]
        rows.append((ride_id, hour, op[g], down[g], known[g], wk[g], up[g], avg[g], peak[g], changes[g],
                     longest[g], operated[g]))
        members.setdefault(hour, []).append(
            (HourFigures(down[g], operated[g], up[g], wait_known_s[g], wait_weighted[g], peak[g]), tiers[ride_id]))
    for hour, parts in hours_of(out.window).items():
        out.park_hours[hour] = park_figures(members.get(hour, ()), open_hours=length(parts) / HOUR,
                                            effective_weight=out.park.effective_park_weight)
