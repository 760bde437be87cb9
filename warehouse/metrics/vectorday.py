"""Consecutive park days of a park from arrays (`vector`) to `ParkDay`s: what `parkday.compute_park_day`
gives for each day on its own, with the ride and hour figures computed over arrays. Pure: no database.

The heavy part (runs, changes, clipping to the window, hour splits, sums) runs once over the whole
span; then each day is put together in Python: its window, its spells' kinds (`spells`, few), its
park figures (`park`, in the pure engine's order, so shame scores round the same way). Hour figures
of the rides are handed on as ready rows (`ParkDay.hour_rows`), not as objects.
"""
from __future__ import annotations

from datetime import date

import numpy as np

from themepark.constants import tier_weight

from .days import HOUR, Window, cut, hours_of, length, park_day_bounds, schedule_window
from .figures import RideFigures, operated_threshold_minutes
from .park import ParkFigures, park_figures, park_reliability, shame_score
from .parkday import ParkDay, RideInfo
from .spells import BREAKDOWN, ON_TIME_SECONDS, Reliability, classify_spells
from .timeline import Change, Run
from .vector import (DN, NO_WAIT, ObsArrays, build_runs, figures, inferred_bounds, known_changes, minutes,
                     state_changes, uptime_parts)


class _Runs:
    """A ride's runs of one day as `Run`s, built only when asked for (a late opening's check)."""

    def __init__(self, runs, index: dict[int, int], days: int, d: int, names: list):
        self.runs, self.index, self.days, self.d, self.names = runs, index, days, d, names

    def get(self, ride_id, default=()):
        if ride_id not in self.index:
            return default
        starts, ends, codes, waits = self.runs.take(self.index[ride_id] * self.days + self.d)
        return [Run(s, e, self.names[c], None if w == NO_WAIT else w) for s, e, c, w in zip(starts, ends, codes, waits)]


def fingerprints(obs: ObsArrays, starts: np.ndarray, horizons: np.ndarray) -> list[tuple[int, int, int]]:
    """Per day: (observations, DOWN ones, sum of standby waits) with start <= time < horizon."""
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
    # hour groups in day, then ride, then hour order: each day's are one slice
    order = np.argsort(figs.hour_seq % n_days, kind="stable")
    hours = {name: values[order] for name, values in figs.hour.items()}
    hour_seq, hour_start = figs.hour_seq[order], figs.hour_start[order]
    edges = np.searchsorted(hour_seq % n_days, np.arange(n_days + 1)).tolist()
    day_min, hour_min = minutes(figs.day), minutes(hours)
    hour_ids = np.array([r.id for r in attractions] or [0], np.int64)[hour_seq // n_days]
    weights = np.array([tier_weight(r.tier) for r in attractions] or [1.0])[hour_seq // n_days]
    hour_rows = list(zip(hour_ids.tolist(), hour_start.tolist(), hour_min["operating"], hour_min["down"],
                         hour_min["known"], hour_min["wait_known"], hour_min["uptime"], hour_min["avg_wait"],
                         hour_min["peak"], hour_min["changes"], hour_min["longest"], hour_min["operated"]))
    day_sums = {name: figs.day[name].tolist() for name in ("known", "operating", "down", "wait_known",
                                                             "wait_weighted", "longest")}
    first_operating = figs.first_operating.tolist()
    park_hour_inputs = _park_hour_inputs(hours, hour_start, weights)
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
                    a, b = edges[d], edges[d + 1]
                    result.hour_rows = hour_rows[a:b]
                    _park_hours(result, {name: values[a:b] for name, values in park_hour_inputs.items()})
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


def _park_hour_inputs(hours: dict, hour_start: np.ndarray, weights: np.ndarray) -> dict:
    """Per ride-hour, what park.park_figures reads of it (as arrays, in day, ride, hour order)."""
    operated = hours["operated"]
    _, down, total, uptime = uptime_parts(hours)
    down_hours = down / 60.0
    return {"hour": hour_start, "down_hours": down_hours, "weighted": down_hours * weights, "operated": operated,
            "uptime": uptime, "has_uptime": operated & (total > 0), "wait_known": hours["wait_known"],
            "wait_weighted": hours["wait_weighted"], "peak": hours["peak"]}


def _park_hours(out: ParkDay, rows: dict) -> None:
    """park.park_figures of each hour of the window over the rides' hours, as arrays. Sums run in
    ride order (np.bincount adds one after the other), as the pure engine's do, so the shame
    scores round the same way."""
    window_hours = list(hours_of(out.window).items())
    n = len(window_hours)
    at = np.searchsorted(np.array([hour for hour, _ in window_hours]), rows["hour"])
    total = np.bincount(at, rows["down_hours"], n).tolist()
    weighted = np.bincount(at, rows["weighted"], n).tolist()
    operated = np.bincount(at, rows["operated"], n).astype(np.int64).tolist()
    down = np.bincount(at, rows["down_hours"] > 0, n).astype(np.int64).tolist()
    has = rows["has_uptime"]
    counted = np.bincount(at[has], minlength=n).tolist()
    uptime = np.bincount(at[has], rows["uptime"][has], n).tolist()
    wait_known = np.bincount(at, rows["wait_known"], n).tolist()
    wait_weighted = np.bincount(at, rows["wait_weighted"], n).tolist()
    peak = np.full(n, NO_WAIT, np.int64)
    waited = rows["peak"] != NO_WAIT
    np.maximum.at(peak, at[waited], rows["peak"][waited])
    effective = out.park.effective_park_weight
    for i, (hour, parts) in enumerate(window_hours):
        open_hours = length(parts) / HOUR
        out.park_hours[hour] = ParkFigures(
            shame_score=shame_score(weighted[i], effective, open_hours), total_downtime_hours=total[i],
            weighted_downtime_hours=weighted[i], effective_park_weight=effective, rides_operated=operated[i],
            rides_down=down[i], uptime_percentage=uptime[i] / counted[i] if counted[i] else None,
            avg_wait_minutes=wait_weighted[i] / wait_known[i] if wait_known[i] > 0 else None,
            peak_wait_minutes=int(peak[i]) if peak[i] != NO_WAIT else None, open_hours=open_hours)
