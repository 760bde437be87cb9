"""The statistics engine's pure part: docs/metrics.md from observations to figures, with no database.

`timeline` turns observations into state runs (§2), `days` gives park days and open windows
(§3), `figures` ride figures (§4), `park` park figures and shame scores (§5), `spells` down
spells, their kinds and the reliability figures (§8-§9), and `parkday` puts them together for one
park day. `warehouse.aggregation` feeds it from the database.
"""
from .days import Window, park_day_bounds, park_day_of
from .figures import RideFigures, down_states, ride_figures
from .park import ParkFigures, live_shame, park_figures, period_shame, shame_score
from .parkday import ParkDay, RideInfo, compute_park_day
from .spells import (KINDS, Reliability, ReopenEstimate, Spell, mtbf_hours, mttr_minutes, opening_reliability,
                     reopen_estimate)
from .timeline import Change, Obs, Run, build_runs, known_changes, state_changes

__all__ = [
    "Change", "Obs", "ParkDay", "ParkFigures", "RideFigures", "RideInfo", "Run", "Window", "build_runs",
    "compute_park_day", "down_states", "known_changes", "live_shame", "park_day_bounds", "park_day_of",
    "park_figures", "period_shame", "ride_figures", "shame_score", "state_changes",
    "KINDS", "Reliability", "ReopenEstimate", "Spell", "mtbf_hours", "mttr_minutes", "opening_reliability",
    "reopen_estimate",
]
