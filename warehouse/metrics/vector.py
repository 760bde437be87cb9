"""The statistics engine over arrays (numpy): the same rules as `timeline` and `figures`, for every
ride and every day of a span of a park at once. Pure: no database.

`warehouse.metrics` (the pure engine) stays the definition; this module must give the same
figures (warehouse/tests/test_engine_oracle.py and test_vector_engine.py compare them). Sums run in
time order (`np.bincount` adds its weights one after the other), so with times on whole seconds
they are the pure engine's to the bit.

A *sequence* is one ride on one park day: the day's own observations after the ride's last one
before the day, exactly what a per-day read returns. Sequences are numbered ride-major
(`ride * days + day`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .days import HOUR
from .timeline import CLOSED, DOWN, OPERATING, REFURBISHMENT

UNKNOWN, OP, DN, CL = 0, 1, 2, 3
NO_WAIT = -(2 ** 40)  # a missing standby wait (waits are small integers)
BASE_NAMES = (None, OPERATING, DOWN, CLOSED, REFURBISHMENT)


class StatusCodes:
    """Status names as small integers (None, the unknown state: 0), growing for names not foreseen."""

    def __init__(self):
        self.names = list(BASE_NAMES)
        self.codes = {name: i for i, name in enumerate(self.names)}

    def encode(self, names) -> np.ndarray:
        codes = self.codes
        for name in set(names) - codes.keys():
            codes[name] = len(self.names)
            self.names.append(name)
        return np.fromiter(map(codes.__getitem__, names), np.int16, len(names))


@dataclass
class ObsArrays:
    """A park's observations, sorted by ride (its position among the park's attractions) and time."""

    ride: np.ndarray  # int64 positions
    at: np.ndarray  # float64 POSIX seconds
    status: np.ndarray  # int16 codes (StatusCodes)
    wait: np.ndarray  # int64, NO_WAIT where unknown
    live: np.ndarray  # bool: a LIVE observation (held for a limited time)
    names: list  # code -> status name


def _ranges(lo: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges [lo, lo + length): the range number and the index of every element, concatenated."""
    total = int(length.sum())
    which = np.repeat(np.arange(len(lo)), length)
    offset = np.arange(total) - np.repeat(np.cumsum(length) - length, length)
    return which, np.repeat(lo, length) + offset


@dataclass
class Runs:
    """State runs [start, end) of every sequence, in sequence then time order (timeline.build_runs)."""

    seq: np.ndarray
    start: np.ndarray
    end: np.ndarray
    status: np.ndarray
    wait: np.ndarray
    first: np.ndarray  # bool: the sequence's first run

    def take(self, k: int):
        """The runs of sequence `k` as (start, end, status code, wait) lists."""
        lo, hi = np.searchsorted(self.seq, [k, k + 1])
        return (self.start[lo:hi].tolist(), self.end[lo:hi].tolist(), self.status[lo:hi].tolist(),
                self.wait[lo:hi].tolist())


def build_runs(obs: ObsArrays, *, rides: int, starts: np.ndarray, horizons: np.ndarray, live_hold: float) -> Runs:
    """Runs of every (ride, day): each observation holds until the ride's next one of the same day
    (the last one until the day's horizon), LIVE ones for at most `live_hold` seconds; unknown
    stretches are left out. Days whose horizon is not after their start have none."""
    days = len(starts)
    edges = np.searchsorted(obs.ride, np.arange(rides + 1))
    lo = np.zeros((rides, days), np.int64)
    hi = np.zeros((rides, days), np.int64)
    for r in range(rides):
        a, b = edges[r], edges[r + 1]
        times = obs.at[a:b]
        lo[r] = np.maximum(np.searchsorted(times, starts, "left") - 1, 0) + a
        hi[r] = np.searchsorted(times, horizons, "left") + a
    length = np.maximum(hi - lo, 0)
    length[:, horizons <= starts] = 0
    seq, idx = _ranges(lo.ravel(), length.ravel())
    at, status = obs.at[idx], obs.status[idx]
    horizon = np.tile(horizons, rides)[seq]
    end = horizon.copy()
    if len(idx) > 1:
        same = seq[1:] == seq[:-1]
        end[:-1][same] = at[1:][same]
    held = at + live_hold
    end = np.where(obs.live[idx] & (held < end), held, end)
    end = np.minimum(end, horizon)
    keep = (status != UNKNOWN) & (end > at)
    rseq = seq[keep]
    first = np.ones(len(rseq), bool)
    first[1:] = rseq[1:] != rseq[:-1]
    return Runs(rseq, at[keep], end[keep], status[keep], obs.wait[idx][keep], first)


@dataclass
class Changes:
    """Changes of state (timeline.state_changes) of every sequence, in sequence then time order."""

    seq: np.ndarray
    at: np.ndarray
    from_status: np.ndarray
    to_status: np.ndarray
    previous: np.ndarray  # seconds


def state_changes(runs: Runs, *, starts: np.ndarray, horizons: np.ndarray) -> Changes:
    """Every change of state inside [day start, horizon), unknown included: a gap between runs is a
    change to unknown and back, a hold running out before the horizon is one to unknown. The
    sequence's first run is where knowledge starts, not a change."""
    days = len(starts)
    n = len(runs.seq)
    s, e, st, first = runs.start, runs.end, runs.status, runs.first
    prev_end = np.empty(n)
    prev_status = np.zeros(n, st.dtype)
    if n:
        prev_end[1:], prev_status[1:] = e[:-1], st[:-1]
        prev_end[0] = np.inf
    gap = ~first & (s > prev_end)
    moved = ~first & (st != prev_status)
    begins = first | gap | moved
    since = s[np.maximum.accumulate(np.where(begins, np.arange(n), 0))] if n else s
    prev_since = np.empty(n)
    if n:
        prev_since[1:] = since[:-1]
    last = np.ones(n, bool)
    last[:-1] = first[1:]
    horizon = horizons[runs.seq % days]
    # to unknown at a gap's start; from there (or from the last status) at a run's start; to unknown
    # where the last run's hold ends before the horizon
    g = np.flatnonzero(gap)
    c = np.flatnonzero(gap | moved)
    f = np.flatnonzero(last & (e < horizon))
    seq = np.concatenate([runs.seq[g], runs.seq[c], runs.seq[f]])
    at = np.concatenate([prev_end[g], s[c], e[f]])
    frm = np.concatenate([prev_status[g], np.where(gap[c], UNKNOWN, prev_status[c]), st[f]])
    to = np.concatenate([np.zeros(len(g), st.dtype), st[c], np.zeros(len(f), st.dtype)])
    previous = np.concatenate([prev_end[g] - prev_since[g], np.where(gap[c], s[c] - prev_end[c], s[c] - prev_since[c]),
                               e[f] - since[f]])
    day = seq % days
    keep = (at >= starts[day]) & (at < horizons[day])
    order = np.lexsort((at[keep], seq[keep]))
    return Changes(seq[keep][order], at[keep][order], frm[keep][order], to[keep][order], previous[keep][order])


def inferred_bounds(runs: Runs, *, starts: np.ndarray, horizons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per day, the first and last moment any attraction is OPERATING inside [start, horizon)
    (days.inferred_window; inf/-inf where none is)."""
    days = len(starts)
    day = runs.seq % days
    ok = (runs.status == OP) & (runs.end > starts[day]) & (runs.start < horizons[day])
    first, last = np.full(days, np.inf), np.full(days, -np.inf)
    np.minimum.at(first, day[ok], np.maximum(runs.start[ok], starts[day[ok]]))
    np.maximum.at(last, day[ok], np.minimum(runs.end[ok], horizons[day[ok]]))
    return first, last


def _sums(group, count, span, status, wait, down):
    """Seconds known, OPERATING, OPERATING with a wait, Σ wait × seconds, down, and the peak wait per group."""
    operating = status == OP
    with_wait = operating & (wait != NO_WAIT)
    zero = np.zeros_like(span)
    out = {
        "known": np.bincount(group, span, count),
        "operating": np.bincount(group, np.where(operating, span, zero), count),
        "wait_known": np.bincount(group, np.where(with_wait, span, zero), count),
        "wait_weighted": np.bincount(group, np.where(with_wait, wait * span, zero), count),
        "down": np.bincount(group, np.where(down, span, zero), count),
    }
    peak = np.full(count, NO_WAIT, np.int64)
    np.maximum.at(peak, group[with_wait], wait[with_wait])
    out["peak"] = peak
    return out


def _spells(group, start, end, down):
    """Down spells: consecutive down pieces of one group that touch. (group, start, end, pieces, seconds)."""
    d = np.flatnonzero(down)
    g, s, e = group[d], start[d], end[d]
    new = np.ones(len(d), bool)
    new[1:] = (g[1:] != g[:-1]) | (s[1:] != e[:-1])
    sid = np.cumsum(new) - 1
    closing = np.ones(len(d), bool)
    closing[:-1] = new[1:]
    return g[new], s[new], e[closing], np.bincount(sid), np.bincount(sid, e - s)


@dataclass
class Figures:
    """Ride figures of every sequence (`day`, arrays of length sequences), of every (sequence, UTC
    hour) with known time (`hour`, with `hour_seq` and `hour_start`), and the down spells."""

    day: dict
    hour: dict
    hour_seq: np.ndarray
    hour_start: np.ndarray
    spells: tuple  # (sequence, start, end, pieces) arrays
    first_operating: np.ndarray  # per sequence: first moment OPERATING from the window's start (inf: none)


def figures(runs: Runs, known: np.ndarray, known_seq: np.ndarray, *, sequences: int, days: int,
            seg_start: np.ndarray, seg_end: np.ndarray, reports_down: bool, threshold_minutes: float) -> Figures:
    """Clip the runs to each day's open window (segments `seg_start`/`seg_end`, shape days x m, padded
    with empty ones) and add them up per sequence and per sequence-hour (figures.ride_figures).
    `known`/`known_seq`: the known-to-known changes (timeline.known_changes), counted strictly inside the window."""
    day_of = runs.seq % days
    parts = []
    for m in range(seg_start.shape[1]):
        a = np.maximum(runs.start, seg_start[day_of, m])
        b = np.minimum(runs.end, seg_end[day_of, m])
        ok = np.flatnonzero(b > a)
        parts.append((ok, a[ok], b[ok]))
    run_i = np.concatenate([p[0] for p in parts])
    ps, pe = np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts])
    if len(parts) > 1:
        order = np.lexsort((ps, run_i))
        run_i, ps, pe = run_i[order], ps[order], pe[order]
    pseq, pst, pw = runs.seq[run_i], runs.status[run_i], runs.wait[run_i]
    down = (pst == DN) | ((pst == CL) if not reports_down else False)
    day = _sums(pseq, sequences, pe - ps, pst, pw, down)
    sp_seq, sp_start, sp_end, sp_n, sp_len = _spells(pseq, ps, pe, down)
    longest = np.zeros(sequences)
    np.maximum.at(longest, sp_seq, sp_len)
    day["longest"] = longest
    kday = known_seq % days
    inside = np.zeros(len(known), bool)
    for m in range(seg_start.shape[1]):
        inside |= (seg_start[kday, m] < known) & (known < seg_end[kday, m])
    day["changes"] = np.bincount(known_seq[inside], minlength=sequences)
    day["operated"] = day["operating"] / 60.0 >= threshold_minutes

    # hours: each piece cut at UTC hour boundaries
    h0 = ps - np.fmod(ps, HOUR)
    n = np.maximum(np.ceil((pe - h0) / HOUR).astype(np.int64), 1)
    n = np.where(h0 + n * HOUR < pe, n + 1, n)
    n = np.where((n > 1) & (h0 + (n - 1) * HOUR >= pe), n - 1, n)
    piece, _ = _ranges(np.zeros(len(n), np.int64), n)
    step = np.arange(len(piece)) - np.repeat(np.cumsum(n) - n, n)
    hour = h0[piece] + step * HOUR
    qs, qe = np.maximum(ps[piece], hour), np.minimum(pe[piece], hour + HOUR)
    qseq = pseq[piece]
    new = np.ones(len(piece), bool)
    new[1:] = (qseq[1:] != qseq[:-1]) | (hour[1:] != hour[:-1])
    gid = np.cumsum(new) - 1
    groups = int(new.sum())
    hours = _sums(gid, groups, qe - qs, pst[piece], pw[piece], down[piece] if len(piece) else down[:0])
    g_seq, g_hour = qseq[new], hour[new]
    hsp = _spells(gid, qs, qe, down[piece] if len(piece) else down[:0])
    h_longest = np.zeros(groups)
    np.maximum.at(h_longest, hsp[0], hsp[4])
    hours["longest"] = h_longest
    counted, counted_seq = known[inside], known_seq[inside]
    base = float(g_hour.min()) if groups else 0.0
    span = int((g_hour.max() - base) // HOUR) + 2 if groups else 1
    g_key = g_seq * span + ((g_hour - base) // HOUR).astype(np.int64)
    c_hour = counted - np.fmod(counted, HOUR)
    c_idx = (c_hour - base) // HOUR
    ok = (c_idx >= 0) & (c_idx < span)
    c_key = counted_seq[ok] * span + c_idx[ok].astype(np.int64)
    pos = np.searchsorted(g_key, c_key)
    hit = pos < groups
    hit[hit] = g_key[pos[hit]] == c_key[hit]
    hours["changes"] = np.bincount(pos[hit], minlength=groups)
    hours["operated"] = day["operated"][g_seq]

    w0 = seg_start[:, 0][day_of]
    opens = (runs.status == OP) & (runs.end > w0)
    first_op = np.full(sequences, np.inf)
    np.minimum.at(first_op, runs.seq[opens], runs.start[opens])
    first_op = np.maximum(first_op, seg_start[:, 0][np.arange(sequences) % days])
    return Figures(day, hours, g_seq, g_hour, (sp_seq, sp_start, sp_end, sp_n), first_op)


def known_changes(runs: Runs) -> tuple[np.ndarray, np.ndarray]:
    """Changes from one known status to another, looking through gaps (timeline.known_changes): (times, sequences)."""
    n = len(runs.seq)
    moved = np.zeros(n, bool)
    if n:
        moved[1:] = ~runs.first[1:] & (runs.status[1:] != runs.status[:-1])
    return runs.start[moved], runs.seq[moved]


def uptime_parts(fig: dict) -> tuple:
    """Operating and down minutes (down counts only where the ride operated), their total and the
    uptime percentage (nan where the total is 0), of day or hour sums."""
    operating = fig["operating"] / 60.0
    down = np.where(fig["operated"], fig["down"] / 60.0, 0.0)
    total = operating + down
    with np.errstate(divide="ignore", invalid="ignore"):
        return operating, down, total, 100.0 * operating / total


def minutes(fig: dict) -> dict:
    """The stored per-minute figures of day or hour sums (figures.RideFigures' properties), as lists
    with None where a figure has no value."""
    operated = fig["operated"]
    operating, down, total, uptime = uptime_parts(fig)
    with np.errstate(divide="ignore", invalid="ignore"):
        avg = fig["wait_weighted"] / fig["wait_known"]
    return {
        "operating": operating.tolist(), "down": down.tolist(), "known": (fig["known"] / 60.0).tolist(),
        "wait_known": (fig["wait_known"] / 60.0).tolist(), "uptime": _nullable(uptime, total > 0),
        "avg_wait": _nullable(avg, fig["wait_known"] > 0), "peak": _nullable(fig["peak"], fig["peak"] != NO_WAIT),
        "changes": fig["changes"].tolist(), "longest": np.where(operated, fig["longest"] / 60.0, 0.0).tolist(),
        "operated": operated.tolist(),
    }


def _nullable(values: np.ndarray, present: np.ndarray) -> list:
    out = values.tolist()
    for i in np.flatnonzero(~present).tolist():
        out[i] = None
    return out
