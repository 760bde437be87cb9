"""Per park over a scope (docs/metrics.md §5, §8-§9): its totals from its daily rows or the kept
ranges' park sums (`ride_sums.park_sums`), with its rides' counts and weights."""
from .aggregation.ranges import PARK_SUMS
from .periods import LIVE
from .ride_sums import EXCLUDABLE, _by_kind, _health, _park_ride_counts, _park_sums_of, _ratio
from .scopes import Scope


def park_daily_totals(scope: Scope, *, with_previous=False) -> dict[int, dict]:
    """Per park over the scope, from its daily rows (or their sums over kept ranges, `park_sums`):
    mean daily shame over open days, summed hours, reliability sums and the mean wait weighted by
    open hours (what trend percentages compare). `with_previous` (a ranking whose trend compares
    the period before's totals next): those are read in the same query and kept on its scope."""
    if scope.totals is not None:
        return scope.totals
    together = [scope]
    if with_previous and not scope.later and scope.period != LIVE and scope.previous().totals is None:
        together.append(scope.previous())
    columns = dict(PARK_SUMS)
    if scope.exclude:  # each day's score again without the excluded hours (docs/metrics.md §5, §9)
        total, weighted = "total_downtime_hours", "weighted_downtime_hours"
        for kind in sorted(scope.exclude):
            total = f"({total} - ({EXCLUDABLE[kind]} / 60.0e0))"
            weighted = f"({weighted} - weighted_{kind}_hours)"
        share = f"((10.0e0 * {weighted}) / (effective_park_weight * open_hours))"
        rounded = f"ROUND({share}, 1)"  # capped at 10 (no LEAST: SQLite has none)
        shame = ("CASE WHEN (effective_park_weight > 0.0e0 AND open_hours > 0.0e0)"
                 f" THEN (CASE WHEN {rounded} > 10.0e0 THEN 10.0e0 ELSE {rounded} END) ELSE 0.0e0 END")
        columns.update(shame_sum=f"SUM(CASE WHEN open_hours > 0.0e0 THEN {shame} ELSE NULL END)",
                       total_downtime_hours=f"SUM({total})", weighted_downtime_hours=f"SUM({weighted})",
                       all_downtime_hours="SUM(total_downtime_hours)")  # the daily rows alone then
    found = [_park_totals(each, sums) for each, sums in zip(together, _park_sums_of(together, columns=columns,
                                                                                    by_day=bool(scope.exclude)))]
    for each, totals in zip(together[1:], found[1:]):
        each.totals = totals
    return found[0]


def _park_totals(scope: Scope, park_sums_of) -> dict[int, dict]:
    """`park_daily_totals` of the scope from its parks' sums."""
    out = {}
    for park_id, sums in park_sums_of.items():
        zero = {column: 0.0 if sums.get(column) is None else sums[column]  # COALESCE(SUM(...), 0)
                for column in ("total_downtime_hours", "weighted_downtime_hours", "park_wide_minutes",
                               "late_opening_minutes", "stale_feed_minutes", "all_downtime_hours")}
        out[park_id] = {
            "park_id": park_id, "shame": _ratio(sums["shame_sum"], sums["days_open"]),
            "total_downtime": zero["total_downtime_hours"], "weighted_downtime": zero["weighted_downtime_hours"],
            "breakdowns": int(sums["breakdowns"] or 0),
            "all_downtime_hours": zero["all_downtime_hours" if scope.exclude else "total_downtime_hours"],
            "park_wide": zero["park_wide_minutes"], "late_opening": zero["late_opening_minutes"],
            "stale_feed": zero["stale_feed_minutes"], "cov_sum": sums["coverage_sum"],
            "cov_hours": sums["coverage_hours"], "days_open": sums["days_open"], "wait_sum": sums["wait_sum"],
            "wait_hours": sums["wait_hours"], "peak_wait": sums["peak_wait_minutes"]}
        out[park_id]["avg_wait"] = _ratio(sums["wait_sum"] or 0.0, sums["wait_hours"])
    return out


def park_figures(scope: Scope, *, with_previous=False) -> dict[int, dict]:
    """Per park over the scope: the daily totals plus ride counts and weights (`with_previous`:
    see `park_daily_totals`)."""
    counts = _park_ride_counts(scope)
    parks = park_daily_totals(scope, with_previous=with_previous)
    for park_id, row in parks.items():
        down, operated, weight, uptime, reporting = counts.get(park_id, (0, 0, 0, None, 0))
        row.update({"rides_down": int(down or 0), "rides_operated": int(operated or 0),
                    "effective_weight": float(weight or 0), "rides_reporting": int(reporting or 0),
                    "uptime_percentage": None if uptime is None else float(uptime)})
        row.update(_park_reliability(scope.parks[park_id], row))
    return parks


def _park_reliability(park, row) -> dict:
    """A park's breakdowns, downtime by kind and data health over the scope (from its daily rows)."""
    coverage = row["cov_sum"] / row["cov_hours"] if row["cov_hours"] else None
    return {"breakdowns": int(row["breakdowns"] or 0),
            "downtime_minutes_by_kind": _by_kind(row, float(row["all_downtime_hours"] or 0.0) * 60),
            **_health(park, coverage)}

