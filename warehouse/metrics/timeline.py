"""Observations to state over time (docs/metrics.md §2). Pure: no database.

Times are POSIX seconds (floats) inside the engine: arithmetic on them is several times
faster than on aware datetimes, and a park day touches thousands of observations.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, NamedTuple

OPERATING, DOWN, CLOSED, REFURBISHMENT = "OPERATING", "DOWN", "CLOSED", "REFURBISHMENT"
LIVE, ARCHIVE = "LIVE", "ARCHIVE"


class Obs(NamedTuple):
    """One observation: `at` in POSIX seconds, status (None: unknown), standby wait, source."""

    at: float
    status: str | None
    wait: int | None
    source: str


class Run(NamedTuple):
    """A stretch of known state [start, end) with the standby wait posted during it."""

    start: float
    end: float
    status: str
    wait: int | None


class Change(NamedTuple):
    """A change of state at `at`; None is the unknown state. `previous_seconds` is how long the
    previous state had lasted, as far as the observations given show."""

    at: float
    from_status: str | None
    to_status: str | None
    previous_seconds: float | None


def seconds(moment: datetime) -> float:
    return moment.timestamp()


def build_runs(observations: Iterable[Obs], *, live_hold: float, horizon: float) -> list[Run]:
    """Each observation holds until the ride's next one, LIVE ones for at most `live_hold`
    seconds, ARCHIVE ones without limit; nothing lasts past `horizon` (the end of the span
    looked at, or now). Observations must be in time order; unknown stretches are left out."""
    runs = []
    items = list(observations)
    for i, obs in enumerate(items):
        end = items[i + 1].at if i + 1 < len(items) else horizon
        if obs.source == LIVE and obs.at + live_hold < end:
            end = obs.at + live_hold
        if end > horizon:
            end = horizon
        if obs.status is None or end <= obs.at:
            continue
        runs.append(Run(obs.at, end, obs.status, obs.wait))
    return runs


def state_changes(runs: list[Run], *, horizon: float) -> list[Change]:
    """Every change of state, unknown included (a hold running out is a change to unknown;
    reaching `horizon` is not). Wait moves within one status are not changes."""
    changes = []
    status, since, last_end = None, None, None
    for run in runs:
        if last_end is not None and run.start > last_end:  # a gap: the state was unknown
            changes.append(Change(last_end, status, None, last_end - since))
            status, since = None, last_end
        if run.status != status:
            changes.append(Change(run.start, status, run.status,
                                  None if since is None else run.start - since))
            status, since = run.status, run.start
        last_end = run.end
    if last_end is not None and last_end < horizon and status is not None:
        changes.append(Change(last_end, status, None, last_end - since))
    # the very first observation is where knowledge starts, not a change
    return [c for c in changes if c.previous_seconds is not None]


def known_changes(runs: list[Run]) -> list[Change]:
    """Changes from one known status to another, looking through unknown gaps (§4 `status_changes`)."""
    changes = []
    status, since = None, None
    for run in runs:
        if status is not None and run.status != status:
            changes.append(Change(run.start, status, run.status, run.start - since))
        if run.status != status:
            status, since = run.status, run.start
    return changes


def clip(runs: list[Run], segments: list[tuple[float, float]]) -> list[Run]:
    """The parts of `runs` inside the sorted, disjoint `segments`, in time order."""
    pieces = []
    j = 0
    for run in runs:
        while j < len(segments) and segments[j][1] <= run.start:
            j += 1
        k = j
        while k < len(segments) and segments[k][0] < run.end:
            seg_start, seg_end = segments[k]
            if seg_start <= run.start and run.end <= seg_end:
                pieces.append(run)  # wholly inside: keep the run itself
            else:
                start = run.start if run.start > seg_start else seg_start
                end = run.end if run.end < seg_end else seg_end
                if end > start:
                    pieces.append(Run(start, end, run.status, run.wait))
            k += 1
    return pieces
