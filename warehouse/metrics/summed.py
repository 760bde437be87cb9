"""Rides' figures over a scope from their summed statistics rows (warehouse.ride_sums, docs/metrics.md
§4, §8-§9), a tuple at a time: minutes, uptime, mean wait, reliability and downtime by kind. No database."""
from .spells import mtbf_hours, mttr_minutes, opening_reliability

# The columns of `_ride_totals`' rows, brief and full: the rows of these two are made into
# `ride_sums.figure_of`'s dicts (the same keys in the same order, the same values) a tuple at a time.
BRIEF_COLUMNS = ("ride_id", "of_park", "operating", "downtime", "wait_minutes", "days_operated")
FULL_COLUMNS = (*BRIEF_COLUMNS, "changes", "longest", "peak_wait", "wait_sum", "breakdowns", "all_downtime",
                 "park_wide", "late_opening", "stale_feed", "days_on_time")


def brief_figures(rows) -> dict[int, dict]:
    figures = {}
    for ride_id, of_park, operating, downtime, wait_minutes, days_operated in rows:
        operating, downtime = float(operating), float(downtime)
        total = operating + downtime
        uptime = 100.0 * operating / total if total else None
        figures[ride_id] = {
            "ride_id": ride_id, "of_park": of_park, "operating": operating, "downtime": downtime,
            "wait_minutes": float(wait_minutes), "days_operated": None if days_operated is None else int(days_operated),
            "uptime": uptime, "avg_wait": None, "downtime_hours": downtime / 60, "operating_hours": operating / 60,
            "uptime_percentage": uptime}
    return figures


def full_figures(rows) -> dict[int, dict]:
    figures = {}
    for values in rows:
        (ride_id, of_park, operating, downtime, wait_minutes, days_operated, changes, longest, peak_wait, wait_sum,
         breakdowns, all_downtime, park_wide, late_opening, stale_feed, days_on_time) = values
        operating, downtime, wait_minutes = float(operating), float(downtime), float(wait_minutes)
        days_operated = None if days_operated is None else int(days_operated)
        days_on_time = None if days_on_time is None else int(days_on_time)
        total = operating + downtime
        uptime = 100.0 * operating / total if total else None
        figure = figures[ride_id] = {
            "ride_id": ride_id, "of_park": of_park, "operating": operating, "downtime": downtime,
            "wait_minutes": wait_minutes, "days_operated": days_operated,
            "changes": None if changes is None else int(changes), "longest": longest, "peak_wait": peak_wait,
            "wait_sum": wait_sum, "breakdowns": None if breakdowns is None else int(breakdowns),
            "all_downtime": all_downtime, "park_wide": park_wide, "late_opening": late_opening,
            "stale_feed": stale_feed, "days_on_time": days_on_time, "uptime": uptime,
            "avg_wait": None if wait_sum is None or not wait_minutes else wait_sum / wait_minutes,
            "downtime_hours": downtime / 60, "operating_hours": operating / 60, "uptime_percentage": uptime}
        if breakdowns is None:  # no reliability figures (reliability_figures)
            continue
        breakdowns = int(breakdowns)
        # _by_kind: a breakdown's minutes are the rest of the downtime
        kinds = (float(park_wide or 0.0), float(late_opening or 0.0), float(stale_feed or 0.0))
        repair = max(0.0, float(all_downtime or 0.0) - sum(kinds))
        figure["mtbf_hours"] = mtbf_hours(operating, breakdowns)
        figure["mttr_minutes"] = mttr_minutes(repair, breakdowns)
        figure["opening_reliability"] = opening_reliability(days_on_time or 0, days_operated or 0)
        figure["downtime_minutes_by_kind"] = {"breakdown": repair, "park_wide": kinds[0], "late_opening": kinds[1],
                                              "stale_feed": kinds[2]}
    return figures
