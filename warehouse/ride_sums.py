"""Per-ride and per-park figures over a scope, summed in SQL from the statistics tables for the
public API (docs/metrics.md §4-§9). Never scans raw observations."""
from django.db import connections, router

from .metrics import mtbf_hours, mttr_minutes, opening_reliability
from .metrics.summed import BRIEF_COLUMNS, FULL_COLUMNS, brief_figures, full_figures
from .models import ParkDailyStats, RideDailyStats, RidePeriodStats, RideRangeStats
from .aggregation.ranges import PARK_SUMS, ride_counts_sql
from .scopes import Scope, kept_whole, park_sources, ride_sources


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


_RIDE_COLUMNS = ("ride_id", "park_id", "operating_minutes", "downtime_minutes", "status_changes",
                 "longest_downtime_minutes", "peak_wait_minutes", "n_breakdowns", "park_wide_minutes",
                 "late_opening_minutes", "stale_feed_minutes", "wk", "ww", "n_operated", "n_on_time")
# Per source, what each column of the rows is (the UNION lines them up by position): wk, the minutes
# with a known wait on rows with a mean wait; ww, mean wait x those minutes; days operated and on
# time. A row's breakdowns are n_breakdowns, so that the summed `breakdowns` is the only one a
# HAVING or ORDER BY can name.
_DAILY_SQL = {"n_breakdowns": "breakdowns AS n_breakdowns",
              "wk": "CASE WHEN avg_wait_minutes IS NOT NULL THEN wait_known_minutes END AS wk",
              "ww": "avg_wait_minutes * wait_known_minutes AS ww",
              "n_operated": "CASE WHEN operated THEN 1 ELSE 0 END AS n_operated",
              "n_on_time": "CASE WHEN opened_on_time THEN 1 ELSE 0 END AS n_on_time"}
_ROLLED_SQL = {**_DAILY_SQL, "n_operated": "days_operated AS n_operated", "n_on_time": "days_on_time AS n_on_time"}
_RANGED_SQL = {**_ROLLED_SQL, "wk": "wait_minutes AS wk", "ww": "wait_sum AS ww"}
# What park-level counts and brief figures sum (kinds of downtime left out add their columns): the
# server copies every column of every row into the UNION's temporary table, so the rows carry
# only these (a year's park ranking: 3.3 against 4.0 ms of server time for its 1,400 rows).
_BRIEF_COLUMNS = ("ride_id", "park_id", "operating_minutes", "downtime_minutes", "wk", "n_operated")


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _ids(values) -> str:
    """Ids written into the SQL (integers: nothing to escape; the driver's quoting of a hundred ride
    ids per query cost more CPU than the rest of building it)."""
    return ", ".join([str(int(value)) for value in values])


def _part(model, sql_of, columns, terms, ride_ids, prefix=("", ()), *, ride_key=True):
    """SELECT of one source's `columns` (`sql_of` maps those that are not the table's own): `terms`
    are (park ids, conditions, their values) ORed, after `prefix` (a condition on the leading
    columns of an index, so the server range-scans it instead of walking the table to evaluate
    the OR). `ride_key=False`: the ride ids filter the rows read rather than join the key's
    ranges (see _MANY_RIDES)."""
    if not terms:
        return None
    where, params = [], list(prefix[1])
    for park_ids, conditions, values in terms:
        where.append(f"(park_id IN ({_ids(park_ids)}) AND " + " AND ".join(conditions) + ")")
        params += values
    sql = (f"SELECT {', '.join([sql_of.get(column, column) for column in columns])} FROM {model._meta.db_table}"
           f" WHERE {prefix[0]}({' OR '.join(where)})")
    if ride_ids is not None:
        column = "ride_id" if ride_key or len(ride_ids) <= _MANY_RIDES else "ride_id + 0"
        sql += f" AND {column} IN ({_ids(ride_ids)})"
    return sql, params


# Range rows are keyed (first_day, last_day, park_id, ride_id): given its ride ids as part of the
# key, MariaDB builds one interval per park, range and ride (2,000 for a 100-ride trend over 20
# parks) and spends more on that than on reading the ranges' rows whole; past this many ids the
# ids only filter what the ranges read (1.3 against 2.8 ms of server time for 100 rides).
_MANY_RIDES = 8


def _sources_sql(scope: Scope, ride_ids, columns=_RIDE_COLUMNS, *, with_previous=False):
    """(SQL, params, single) of the scope's ride rows (`columns` of _RIDE_COLUMNS), daily, rolled up
    and summed over ranges alike, or None when there can be none; `single` when every ride has at
    most one row. `with_previous`: see `scopes.ride_sources`."""
    if ride_ids is not None:
        ride_ids = list(ride_ids)
        if not ride_ids:
            return None
    found = ride_sources(scope, with_previous=with_previous)
    span = (min(a for _, a, _ in found.daily), max(b for _, _, b in found.daily)) if found.daily else ()
    types, starts = sorted({t for _, t, _ in found.rolled}), sorted({a for _, _, a in found.rolled})
    parts = [
        _part(RideDailyStats, _DAILY_SQL, columns,
              [(ids, ("date >= %s", "date <= %s"), (a, b)) for ids, a, b in found.daily], ride_ids,
              ("date >= %s AND date <= %s AND ", span)),
        _part(RidePeriodStats, _ROLLED_SQL, columns,
              [(ids, ("period_type = %s", "period_start = %s"), (t, a)) for ids, t, a in found.rolled], ride_ids,
              (f"period_type IN ({_marks(types)}) AND period_start IN ({_marks(starts)}) AND ", [*types, *starts])),
        _part(RideRangeStats, _RANGED_SQL, columns,
              [(ids, ("first_day = %s", "last_day = %s"), (a, b)) for ids, a, b in found.ranged], ride_ids,
              ride_key=False)]
    compiled = [part for part in parts if part is not None]
    if not compiled:
        return None
    # One row per ride: range rows, or one period's rollups, or one day's daily rows per park.
    terms = found.ranged or found.rolled or [term for term in found.daily if term[1] == term[2]]
    park_ids = [pk for ids, _, _ in terms for pk in ids]
    single = (len(compiled) == 1 and len(park_ids) == len(set(park_ids))
              and len(terms) == len(found.ranged or found.rolled or found.daily))
    return " UNION ALL ".join(sql for sql, _ in compiled), [p for _, params in compiled for p in params], single


def _ride_rows_sql(scope: Scope, ride_ids):
    """(SQL, params) of the scope's ride rows, or None when there can be none."""
    found = _sources_sql(scope, ride_ids)
    return None if found is None else found[:2]


def _ride_totals(scope: Scope, ride_ids=None, *, counts_only=False, with_previous=False):
    """Per-ride sums over the scope as (SQL, params, grouped) of a query, one row per ride; each
    aggregate appears once, so callers filter and order the rows by their names (in a HAVING
    and ORDER BY when `grouped`, from outside otherwise) and the server never evaluates the
    aggregates again. When the rows hold one row per ride already (a kept range, one period's
    rollups, one day), nothing is grouped. `counts_only` keeps just what park-level counts need.
    None when the scope can hold no row."""
    columns = _RIDE_COLUMNS
    if counts_only:
        excluded = {EXCLUDABLE[kind] for kind in scope.exclude}
        columns = tuple(column for column in _RIDE_COLUMNS if column in _BRIEF_COLUMNS or column in excluded)
    source = _sources_sql(scope, ride_ids, columns, with_previous=with_previous)
    if source is None:
        return None
    rows, params, single = source

    def agg(function, column):
        return f"u.{column}" if single else f"{function}(u.{column})"

    downtime = agg("SUM", "downtime_minutes")
    for kind in sorted(scope.exclude):
        downtime += f" - COALESCE({agg('SUM', EXCLUDABLE[kind])}, 0.0)"
    columns = [
        "u.ride_id AS ride_id", f"{agg('MAX', 'park_id')} AS of_park",
        f"COALESCE({agg('SUM', 'operating_minutes')}, 0.0) AS operating", f"COALESCE({downtime}, 0.0) AS downtime",
        # Mean waits are time-weighted by the minutes with a known wait (docs/metrics.md §4).
        f"COALESCE({agg('SUM', 'wk')}, 0.0) AS wait_minutes",
        f"COALESCE({agg('SUM', 'n_operated')}, 0) AS days_operated"]
    if not counts_only:
        columns += [
            f"{agg('SUM', 'status_changes')} AS changes", f"{agg('MAX', 'longest_downtime_minutes')} AS longest",
            f"{agg('MAX', 'peak_wait_minutes')} AS peak_wait", f"{agg('SUM', 'ww')} AS wait_sum",
            # reliability (docs/metrics.md §8-§9); a breakdown's minutes are the rest of the downtime
            f"COALESCE({agg('SUM', 'n_breakdowns')}, 0) AS breakdowns",
            f"COALESCE({agg('SUM', 'downtime_minutes')}, 0.0) AS all_downtime",
            f"COALESCE({agg('SUM', 'park_wide_minutes')}, 0.0) AS park_wide",
            f"COALESCE({agg('SUM', 'late_opening_minutes')}, 0.0) AS late_opening",
            f"COALESCE({agg('SUM', 'stale_feed_minutes')}, 0.0) AS stale_feed",
            f"COALESCE({agg('SUM', 'n_on_time')}, 0) AS days_on_time"]
    sql = f"SELECT {', '.join(columns)} FROM ({rows}) u" + ("" if single else " GROUP BY u.ride_id")
    return sql, params, not single


_UPTIME_SQL = "CASE WHEN operating + downtime > 0 THEN 100.0 * operating / (operating + downtime) END"
_AVG_WAIT_SQL = "CASE WHEN wait_minutes > 0 THEN wait_sum / wait_minutes END"
# Ranking orders computed in SQL, so only the top rows travel to Python (nulls last either way); by
# the names of `_ride_totals`' columns.
_MTBF_SQL = "CASE WHEN breakdowns > 0 THEN operating / breakdowns END"
_MTTR_SQL = "CASE WHEN breakdowns > 0 THEN (all_downtime - park_wide - late_opening - stale_feed) / breakdowns END"
RIDE_ORDERS = {
    "downtime_hours": "downtime DESC, ride_id",
    # reliability: the least reliable first (shortest time between breakdowns, longest repairs, most breakdowns)
    "mtbf_hours": f"({_MTBF_SQL}) IS NULL, {_MTBF_SQL}, ride_id",
    "mttr_minutes": f"({_MTTR_SQL}) IS NULL, {_MTTR_SQL} DESC, ride_id",
    "breakdowns": "breakdowns DESC, ride_id",
    "uptime_percentage": f"({_UPTIME_SQL}) IS NULL, {_UPTIME_SQL}, ride_id",
    "avg_wait": f"({_AVG_WAIT_SQL}) IS NULL, {_AVG_WAIT_SQL} DESC, ride_id",
}
_NAMED_ORDERS = {"downtime_hours", "breakdowns"}  # columns, no expression
RIDE_FILTERS = {"ranked": "days_operated > 0 OR downtime > 0", "waits": "wait_minutes > 0"}


def ride_figures(scope: Scope, *, ride_ids=None, order=None, limit=None, having=None,
                 brief=False, trend=False) -> dict[int, dict]:
    """Per ride over the scope: sums of minutes, time-weighted mean wait, peaks, days operated;
    optionally filtered (`having`, a RIDE_FILTERS key), ordered (RIDE_ORDERS) and cut to `limit`
    in SQL. Dicts keep the order. `brief`: only minutes, uptime and days operated (no waits, peaks
    or reliability; orders on those need the full figures). `trend`: the period before's figures
    are asked for next (its rollups are looked for with this scope's)."""
    totals = _ride_totals(scope, ride_ids, counts_only=brief, with_previous=trend)
    if totals is None:
        return {}
    sql, params, grouped = totals
    # Grouped rows ordered by the names of their aggregates alone are filtered and ordered in the same
    # SELECT (a derived table of them cost the server its materialising and sorting: 3.3 against
    # 3.8 ms for a year's 1,000 rides; MariaDB refuses those names inside an expression). Otherwise
    # they, and rows summed already (one row each, that derived table merged), are filtered and
    # ordered from outside (a WHERE cannot name a column of its own SELECT).
    if grouped and (order is None or order in _NAMED_ORDERS):
        sql += "" if having is None else f" HAVING {RIDE_FILTERS[having]}"
    elif having is not None or order is not None:
        sql = f"SELECT t.* FROM ({sql}) t" + ("" if having is None else f" WHERE {RIDE_FILTERS[having]}")
    if order is not None:
        sql += f" ORDER BY {RIDE_ORDERS[order]}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with _read_cursor() as cursor:
        cursor.execute(sql, params)
        columns = tuple(c[0] for c in cursor.description)
        rows = cursor.fetchall()
    if columns == FULL_COLUMNS:
        return full_figures(rows)
    if columns == BRIEF_COLUMNS:
        return brief_figures(rows)
    return {figure["ride_id"]: figure for figure in (figure_of(dict(zip(columns, values))) for values in rows)}


def figure_of(row) -> dict:
    """A ride's figures from its summed row (a dict of the columns), in place (`brief_figures` and
    `full_figures` make the same of the brief and the full columns)."""
    operating, downtime, wait_minutes = float(row["operating"]), float(row["downtime"]), float(row["wait_minutes"])
    row.update({k: int(row[k]) for k in ("days_operated", "days_on_time", "breakdowns", "changes")
                if row.get(k) is not None})
    row.update(operating=operating, downtime=downtime, wait_minutes=wait_minutes,
               uptime=_ratio(100.0 * operating, operating + downtime),
               avg_wait=_ratio(row["wait_sum"], wait_minutes) if row.get("wait_sum") is not None else None)
    row["downtime_hours"] = downtime / 60
    row["operating_hours"] = operating / 60
    row["uptime_percentage"] = row["uptime"]
    row.update(reliability_figures(row))
    return row


EXCLUDABLE = {"park_wide": "park_wide_minutes", "stale_feed": "stale_feed_minutes"}


def reliability_figures(row) -> dict:
    """Breakdowns, MTBF, MTTR, opening reliability and downtime by kind from summed rows (docs/metrics.md §8-§9)."""
    if row.get("breakdowns") is None:
        return {}
    by_kind = _by_kind(row, float(row["all_downtime"] or 0.0))
    breakdowns = int(row["breakdowns"] or 0)
    return {"breakdowns": breakdowns, "mtbf_hours": mtbf_hours(float(row["operating"]), breakdowns),
            "mttr_minutes": mttr_minutes(by_kind["breakdown"], breakdowns),
            "opening_reliability": opening_reliability(int(row["days_on_time"] or 0), int(row["days_operated"] or 0)),
            "downtime_minutes_by_kind": by_kind}


def _by_kind(row, downtime_minutes: float) -> dict[str, float]:
    """Downtime minutes by kind from summed rows: a breakdown's minutes are the rest of the downtime."""
    by_kind = {kind: float(row[kind] or 0.0) for kind in ("park_wide", "late_opening", "stale_feed")}
    return {"breakdown": max(0.0, downtime_minutes - sum(by_kind.values())), **by_kind}


def _health(park, coverage: float | None) -> dict:
    return {"coverage_percentage": coverage,
            "comparable": bool(park.reports_down and coverage is not None and coverage >= COMPARABLE_COVERAGE)}


def _days_where(groups):
    """(SQL, params): the park days `groups` ({date range: park ids}) on a table with park_id and date."""
    terms, params = [], []
    for days, park_ids in groups.items():
        terms.append(f"(date >= %s AND date <= %s AND park_id IN ({_ids(park_ids)}))")
        params += [days.start, days.end]
    if not terms:
        return "0 = 1", []
    # the overall date range ANDed on: a range scan of the date index instead of walking it for the OR
    span = min(days.start for days in groups), max(days.end for days in groups)
    return f"date >= %s AND date <= %s AND ({' OR '.join(terms)})", [*span, *params]


def _add(a, b):
    """Two sums of which either may be empty (None), as SQL's SUM over their rows together."""
    return b if a is None else a if b is None else a + b


def park_sums(scope: Scope, park_ids=None, columns=PARK_SUMS, *, by_day=False) -> dict[int, dict]:
    """Per park (of `park_ids`, default all; in park id order) with a daily row in the scope: its sums (`columns`,
    PARK_SUMS' keys to SQL over its daily rows) from the park sums of the kept ranges that serve
    it and its other days' daily rows (`scopes.park_sources`); `by_day`: from the daily rows alone
    (`columns` that depend on each day, as with downtime left out). One query, or none when the
    ranges cover every park."""
    return _park_sums_of([scope], park_ids, columns, by_day=by_day)[0]


def _park_sums_of(scopes, park_ids=None, columns=PARK_SUMS, *, by_day=False) -> list[dict[int, dict]]:
    """`park_sums` of each of `scopes`, their daily rows read in one query (a branch of a UNION ALL
    per scope that has any)."""
    plans, parts, params = [], [], []
    for n, scope in enumerate(scopes):
        summed, daily = ({}, dict(scope.groups)) if by_day else park_sources(scope)
        if park_ids is not None:
            summed = {pk: sums for pk, sums in summed.items() if pk in park_ids}
            daily = {days: ids for days, ids in ((days, [pk for pk in ids if pk in park_ids])
                                                 for days, ids in daily.items()) if ids}
        plans.append({pk: dict(zip(PARK_SUMS, sums)) for pk, sums in summed.items() if sums[0]})  # sums[0]: days
        if daily:
            where, values = _days_where(daily)
            parts.append(f"SELECT {n}, park_id, {', '.join(columns.values())} FROM {ParkDailyStats._meta.db_table}"
                         f" WHERE {where} GROUP BY park_id")
            params += values
    if parts:
        sql = " UNION ALL ".join(parts) if len(parts) > 1 else f"{parts[0]} ORDER BY NULL"
        with _read_cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for n, park_id, *values in rows:
            sums = plans[n].setdefault(park_id, {})
            for column, value in zip(columns, values):
                if column == "peak_wait_minutes":
                    sums[column] = value if sums.get(column) is None else max(sums[column], value or sums[column])
                else:
                    sums[column] = _add(sums.get(column), value)
    return [dict(sorted(out.items())) for out in plans]  # in park order, as the server groups them (ties)


def park_coverage(scope: Scope, park_ids=None) -> dict[int, dict]:
    """Per park: the share of its open time with known state over the scope (open-hours weighted
    mean of its days' coverage), and whether its rows can be compared with others: coverage of
    at least COMPARABLE_COVERAGE and a feed that reports DOWN."""
    if park_ids is not None:
        park_ids = set(park_ids)
        if not park_ids:
            return {}
    columns = {column: PARK_SUMS[column] for column in ("days", "coverage_sum", "coverage_hours")}
    found = {pk: _ratio(sums["coverage_sum"], sums["coverage_hours"])
             for pk, sums in park_sums(scope, park_ids, columns).items()}
    return {park_id: _health(scope.parks[park_id], found.get(park_id))
            for park_id in (scope.parks if park_ids is None else park_ids)}


COMPARABLE_COVERAGE = 80.0


def _read_cursor():
    """A cursor on the database the ORM reads statistics from (a replica for the public API)."""
    return connections[router.db_for_read(RideDailyStats)].cursor()


def _park_ride_counts(scope: Scope) -> dict[int, tuple]:
    """Per park, from its rides' totals (grouped again in SQL, so 1 row per park comes back):
    rides down, rides operated, effective weight, mean uptime of operated rides, rides with a wait.
    A scope served whole by kept ranges reads them from the ranges' stamps instead."""
    kept = _kept_ride_counts(scope)
    if kept is not None:
        return kept
    totals = _ride_totals(scope, counts_only=True)
    if totals is None:
        return {}
    inner, params, _ = totals
    with _read_cursor() as cursor:
        cursor.execute(ride_counts_sql(inner, cursor.db), params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _kept_ride_counts(scope: Scope) -> dict[int, tuple] | None:
    """`_park_ride_counts` from the stamps of the kept ranges when each park's range is one (the
    last 7 or 30 days, last week or month), or None: some park's rows come from elsewhere, a kind of downtime is left
    out, or a stamp's counts are not known (a ride's tier changed since it was summed)."""
    kept = None if scope.exclude else kept_whole(scope)
    if kept is None:
        return None
    counts = {park_id: sums[len(PARK_SUMS):] for park_id, sums in kept.items()}
    return None if any(each[1] is None for each in counts.values()) else counts
