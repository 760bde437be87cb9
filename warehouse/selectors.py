"""Reads of the statistics tables for the public API: periods resolved per park, daily rows
aggregated into rankings (docs/metrics.md §5-§6). Never scans raw observations.

Each park's period is resolved in its own timezone, so one ranking may cover different
calendar dates for Tokyo and New York; parks are grouped by zone and each group gets its
own date range in one query (`Scope.q`).
"""
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Avg, Case, Count, F, FloatField, IntegerField, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Least, Round

from themepark.constants import TIER_WEIGHTS
from themepark.models import Park, Ride

from . import periods
from .metrics import mtbf_hours, mttr_minutes, opening_reliability
from .aggregation.rollups import period_bounds
from .models import (LiveParkState, LiveRideState, ParkDailyStats, ParkPeriodStats, PeriodType, RideDailyStats,
                     RidePeriodStats)

logger = logging.getLogger(__name__)


@dataclass
class Scope:
    """Parks in view with the park days each one's period covers."""

    period: str
    parks: dict[int, Park]
    ranges: dict[int, periods.DayRange]
    groups: dict[periods.DayRange, list[int]] = field(default_factory=dict)
    exclude: frozenset = frozenset()  # kinds of downtime left out (docs/metrics.md §9): park_wide, stale_feed
    # Per date range: the last park day complete in every one of its parks (None: unknown). Whole
    # weeks, months and years up to it may be read from the period rollups (`_ride_sources`).
    complete: dict = field(default_factory=dict)

    def q(self, prefix=""):
        """Rows of these parks on their own days: one (park_id IN ..., date BETWEEN ...) per date range."""
        query = Q(pk__in=[])
        for days, park_ids in self.groups.items():
            query |= Q(**{f"{prefix}park_id__in": park_ids, f"{prefix}date__gte": days.start,
                          f"{prefix}date__lte": days.end})
        span = self.span
        if span is None:
            return query
        # The overall date range, ANDed on, lets MySQL range-scan the (date, park) index instead of
        # walking a whole index to evaluate the OR of per-zone ranges.
        return Q(**{f"{prefix}date__gte": span.start, f"{prefix}date__lte": span.end}) & query

    def previous(self) -> "Scope":
        """The same parks over the period just before each one's range (for trend percentages)."""
        before = Scope(period=self.period, parks=self.parks, ranges={}, exclude=self.exclude)
        for days, park_ids in self.groups.items():
            earlier = periods.previous(self.period, days)
            before.groups.setdefault(earlier, []).extend(park_ids)
            if self.complete.get(days) is not None:
                last = before.complete.get(earlier, self.complete[days])
                before.complete[earlier] = min(last, self.complete[days])
            before.ranges.update(dict.fromkeys(park_ids, earlier))
        return before

    @property
    def span(self):
        """The union of every park's range (what the response reports as the period's dates)."""
        if not self.ranges:
            return None
        return periods.DayRange(min(r.start for r in self.ranges.values()), max(r.end for r in self.ranges.values()))


def scope_resolve(*, parks, period: str, now: datetime, start: date | None = None, end: date | None = None,
                  previous: bool = False, exclude=()) -> Scope:
    """Resolve `period` (or the custom start/end range) for every park; `previous` gives the period before.
    `exclude` names kinds of downtime to leave out of downtime, uptime and shame.

    A park whose stored timezone is not a valid IANA zone is left out of the scope (and logged),
    so one park's bad data never fails a whole ranking.
    """
    scope = Scope(period=period, parks={}, ranges={}, exclude=frozenset(exclude))
    by_zone, complete = {}, {}
    for park in parks:
        if park.timezone not in by_zone:
            try:
                today = periods.park_today(now, park.timezone)
                complete[park.timezone] = today - timedelta(days=1)
                if start is not None:
                    days = periods.DayRange(start, end)
                else:
                    days = periods.resolve(period, today=today)
            except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
                logger.warning("park %s (%s) left out: invalid timezone %r (%s)", park.pk, park.name,
                               park.timezone, exc)
                continue
            if previous:
                days = periods.previous(period, days)
            by_zone[park.timezone] = days
        scope.parks[park.pk] = park
        scope.ranges[park.pk] = by_zone[park.timezone]
        scope.groups.setdefault(by_zone[park.timezone], []).append(park.pk)
        days = by_zone[park.timezone]
        scope.complete[days] = min(scope.complete.get(days, complete[park.timezone]), complete[park.timezone])
    return scope


# ---------------------------------------------------------------------------------------------
# Aggregation of daily rows
# ---------------------------------------------------------------------------------------------
def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def _cover(days: periods.DayRange, complete: date | None):
    """`days` as whole ISO weeks, months and years (each fully inside it and complete by
    `complete`, largest first) and the ragged days left, as (ptype, start, end) and DayRanges."""
    wholes, ragged, day = [], [], days.start
    limit = None if complete is None else min(days.end, complete)
    while day <= days.end:
        for ptype in (PeriodType.YEAR, PeriodType.MONTH, PeriodType.WEEK):
            first, last = period_bounds(ptype, day)
            if limit is not None and first == day and last <= limit:
                wholes.append((ptype, first, last))
                day = last + timedelta(days=1)
                break
        else:
            if ragged and ragged[-1].end + timedelta(days=1) == day:
                ragged[-1] = periods.DayRange(ragged[-1].start, day)
            else:
                ragged.append(periods.DayRange(day, day))
            day += timedelta(days=1)
    return wholes, ragged


def _ride_sources(scope: Scope) -> tuple[Q, Q]:
    """Where a scope's ride rows come from: (daily rows, period rows). Whole weeks, months and
    years come from the period rollups of the parks that have them (rolled up from the same daily
    rows, so the sums are the same), the ragged ends and any period not rolled up from daily rows:
    a 30-day or a year's ranking reads about as many rows as a 7-day one."""
    plans = [(park_ids, *_cover(days, scope.complete.get(days))) for days, park_ids in scope.groups.items()]
    keys = {(ptype, start) for _, wholes, _ in plans for ptype, start, _ in wholes}
    have = set()
    if keys:  # a rollup counts once computed after its last day ended (then it holds every day)
        rows = ParkPeriodStats.objects.filter(park_id__in=list(scope.ranges), period_type__in={k[0] for k in keys},
                                              period_start__in={k[1] for k in keys})
        for park_id, ptype, start, end, computed in rows.values_list("park_id", "period_type", "period_start",
                                                                     "period_end", "computed_at"):
            if computed >= periods.day_bounds_utc(end, scope.parks[park_id].timezone)[1]:
                have.add((park_id, ptype, start))
    daily, rolled, by_ranges = Q(pk__in=[]), Q(pk__in=[]), {}
    for park_ids, wholes, ragged in plans:
        per_park = {pk: list(ragged) for pk in park_ids}
        for ptype, start, end in wholes:
            rolled_up = [pk for pk in park_ids if (pk, ptype, start) in have]
            if rolled_up:
                rolled |= Q(park_id__in=rolled_up, period_type=ptype, period_start=start)
            for pk in set(park_ids).difference(rolled_up):
                per_park[pk].append(periods.DayRange(start, end))
        for pk, ranges in per_park.items():  # parks with the same ranges share their terms
            by_ranges.setdefault(tuple(_merged(ranges)), []).append(pk)
    for ranges, park_ids in by_ranges.items():
        for days in ranges:
            daily |= Q(park_id__in=sorted(park_ids), date__gte=days.start, date__lte=days.end)
    if keys:  # the periods' keys ANDed on let MySQL range-scan the (period_type, period_start) index
        rolled = Q(period_type__in=sorted({k[0] for k in keys}), period_start__in=sorted({k[1] for k in keys})) & rolled
    return daily, rolled


def _merged(ranges):
    """Day ranges sorted, adjacent ones joined (periods without a rollup are often next to each other)."""
    out = []
    for days in sorted(ranges, key=lambda r: r.start):
        if out and out[-1].end + timedelta(days=1) >= days.start:
            out[-1] = periods.DayRange(out[-1].start, max(out[-1].end, days.end))
        else:
            out.append(days)
    return out


_RIDE_COLUMNS = ("ride_id", "park_id", "operating_minutes", "downtime_minutes", "wait_known_minutes",
                 "avg_wait_minutes", "status_changes", "longest_downtime_minutes", "peak_wait_minutes", "breakdowns",
                 "park_wide_minutes", "late_opening_minutes", "stale_feed_minutes")


def _one(flag):
    return Case(When(**{flag: True}, then=1), default=0, output_field=IntegerField())


def _ride_rows_sql(scope: Scope, ride_ids):
    """(SQL, params) of the scope's ride rows, daily and rolled up alike (days operated and on time
    counted), or None when there can be none."""
    daily, rolled = _ride_sources(scope)
    parts = [RideDailyStats.objects.filter(daily).values(*_RIDE_COLUMNS, n_operated=_one("operated"),
                                                         n_on_time=_one("opened_on_time")),
             RidePeriodStats.objects.filter(rolled).values(*_RIDE_COLUMNS, n_operated=F("days_operated"),
                                                           n_on_time=F("days_on_time"))]
    compiled = []
    for rows in parts:
        if ride_ids is not None:
            rows = rows.filter(ride_id__in=list(ride_ids))
        try:
            rows = rows.order_by()
            compiled.append(rows.query.get_compiler(using=rows.db).as_sql())  # for the database it runs on
        except EmptyResultSet:
            continue
    if not compiled:
        return None
    return " UNION ALL ".join(sql for sql, _ in compiled), [p for _, params in compiled for p in params]


def _ride_totals(scope: Scope, ride_ids=None, *, counts_only=False):
    """Per-ride sums over the scope as (SQL, params) of a grouped query, one row per ride; each
    aggregate appears once, so callers filter and order the grouped rows from outside and the
    server never evaluates the aggregates again for a HAVING or ORDER BY. `counts_only` keeps
    just what park-level counts need. None when the scope can hold no row (no parks, no rides)."""
    source = _ride_rows_sql(scope, ride_ids)
    if source is None:
        return None
    rows, params = source
    downtime = "SUM(u.downtime_minutes)"
    for kind in sorted(scope.exclude):
        downtime += f" - COALESCE(SUM(u.{EXCLUDABLE[kind]}), 0.0)"
    columns = [
        "u.ride_id AS ride_id", "MAX(u.park_id) AS of_park",
        "COALESCE(SUM(u.operating_minutes), 0.0) AS operating", f"COALESCE({downtime}, 0.0) AS downtime",
        # Mean waits are time-weighted by the minutes with a known wait (docs/metrics.md §4).
        "COALESCE(SUM(CASE WHEN u.avg_wait_minutes IS NOT NULL THEN u.wait_known_minutes END), 0.0) AS wait_minutes",
        "COALESCE(SUM(u.n_operated), 0) AS days_operated"]
    if not counts_only:
        columns += [
            "SUM(u.status_changes) AS changes", "MAX(u.longest_downtime_minutes) AS longest",
            "MAX(u.peak_wait_minutes) AS peak_wait", "SUM(u.avg_wait_minutes * u.wait_known_minutes) AS wait_sum",
            # reliability (docs/metrics.md §8-§9); a breakdown's minutes are the rest of the downtime
            "COALESCE(SUM(u.breakdowns), 0) AS breakdowns", "COALESCE(SUM(u.downtime_minutes), 0.0) AS all_downtime",
            "COALESCE(SUM(u.park_wide_minutes), 0.0) AS park_wide",
            "COALESCE(SUM(u.late_opening_minutes), 0.0) AS late_opening",
            "COALESCE(SUM(u.stale_feed_minutes), 0.0) AS stale_feed", "COALESCE(SUM(u.n_on_time), 0) AS days_on_time"]
    return f"SELECT {', '.join(columns)} FROM ({rows}) u GROUP BY u.ride_id", params


_UPTIME_SQL = "CASE WHEN t.operating + t.downtime > 0 THEN 100.0 * t.operating / (t.operating + t.downtime) END"
_AVG_WAIT_SQL = "CASE WHEN t.wait_minutes > 0 THEN t.wait_sum / t.wait_minutes END"
# Ranking orders computed in SQL, so only the top rows travel to Python (nulls last either way).
_MTBF_SQL = "CASE WHEN t.breakdowns > 0 THEN t.operating / t.breakdowns END"
_MTTR_SQL = ("CASE WHEN t.breakdowns > 0 THEN (t.all_downtime - t.park_wide - t.late_opening - t.stale_feed)"
             " / t.breakdowns END")
RIDE_ORDERS = {
    "downtime_hours": "t.downtime DESC, t.ride_id",
    # reliability: the least reliable first (shortest time between breakdowns, longest repairs, most breakdowns)
    "mtbf_hours": f"({_MTBF_SQL}) IS NULL, {_MTBF_SQL}, t.ride_id",
    "mttr_minutes": f"({_MTTR_SQL}) IS NULL, {_MTTR_SQL} DESC, t.ride_id",
    "breakdowns": "t.breakdowns DESC, t.ride_id",
    "uptime_percentage": f"({_UPTIME_SQL}) IS NULL, {_UPTIME_SQL}, t.ride_id",
    "avg_wait": f"({_AVG_WAIT_SQL}) IS NULL, {_AVG_WAIT_SQL} DESC, t.ride_id",
}
RIDE_FILTERS = {"ranked": "t.days_operated > 0 OR t.downtime > 0", "waits": "t.wait_minutes > 0"}


def ride_figures(scope: Scope, *, ride_ids=None, order=None, limit=None, having=None) -> dict[int, dict]:
    """Per ride over the scope: sums of minutes, time-weighted mean wait, peaks, days operated;
    optionally filtered (`having`, a RIDE_FILTERS key), ordered (RIDE_ORDERS) and cut to `limit`
    in SQL. Dicts keep the order."""
    totals = _ride_totals(scope, ride_ids)
    if totals is None:
        return {}
    inner, params = totals
    sql = f"SELECT t.* FROM ({inner}) t"
    if having is not None:
        sql += f" WHERE {RIDE_FILTERS[having]}"
    if order is not None:
        sql += f" ORDER BY {RIDE_ORDERS[order]}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with _read_cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    figures = {}
    for values in rows:
        row = dict(zip(columns, values))
        operating, downtime, wait_minutes = float(row["operating"]), float(row["downtime"]), float(row["wait_minutes"])
        row.update({k: int(row[k]) for k in ("days_operated", "days_on_time", "breakdowns", "changes")
                    if row.get(k) is not None})
        row.update(operating=operating, downtime=downtime, wait_minutes=wait_minutes,
                   uptime=_ratio(100.0 * operating, operating + downtime),
                   avg_wait=_ratio(row["wait_sum"], wait_minutes) if row["wait_sum"] is not None else None)
        row["downtime_hours"] = downtime / 60
        row["operating_hours"] = operating / 60
        row["uptime_percentage"] = row["uptime"]
        row.update(reliability_figures(row))
        figures[row["ride_id"]] = row
    return figures


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


def park_coverage(scope: Scope, park_ids=None) -> dict[int, dict]:
    """Per park: the share of its open time with known state over the scope (open-hours weighted
    mean of its days' coverage), and whether its rows can be compared with others: coverage of
    at least COMPARABLE_COVERAGE and a feed that reports DOWN."""
    rows = ParkDailyStats.objects.filter(scope.q(), open_hours__gt=0, coverage_percentage__isnull=False)
    if park_ids is not None:
        rows = rows.filter(park_id__in=list(park_ids))
    rows = rows.values("park_id").annotate(cov=Sum(F("coverage_percentage") * F("open_hours"),
                                                   output_field=FloatField()), hours=Sum("open_hours"))
    found = {r["park_id"]: r["cov"] / r["hours"] if r["hours"] else None for r in rows}
    return {park_id: _health(scope.parks[park_id], found.get(park_id))
            for park_id in (scope.parks if park_ids is None else park_ids)}


COMPARABLE_COVERAGE = 80.0


def _read_cursor():
    """A cursor on the database the ORM reads statistics from (a replica for the public API)."""
    return connections[router.db_for_read(RideDailyStats)].cursor()


def _tier_weight_sql(column):
    cases = " ".join(f"WHEN {tier} THEN {weight}" for tier, weight in TIER_WEIGHTS.items() if tier is not None)
    return f"CASE {column} {cases} ELSE {TIER_WEIGHTS[None]} END"


def _park_ride_counts(scope: Scope) -> dict[int, tuple]:
    """Per park, from its rides' totals (grouped again in SQL, so 1 row per park comes back):
    rides down, rides operated, effective weight, mean uptime of operated rides, rides with a wait."""
    totals = _ride_totals(scope, counts_only=True)
    if totals is None:
        return {}
    inner, params = totals
    sql = (
        "SELECT t.of_park, SUM(CASE WHEN t.downtime > 0 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN t.days_operated > 0 THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN t.days_operated > 0 THEN {_tier_weight_sql('r.tier')} ELSE 0 END),"
        " AVG(CASE WHEN t.days_operated > 0 AND t.operating + t.downtime > 0"
        " THEN 100.0 * t.operating / (t.operating + t.downtime) END),"
        " SUM(CASE WHEN t.wait_minutes > 0 THEN 1 ELSE 0 END)"
        f" FROM ({inner}) t JOIN {Ride._meta.db_table} r ON r.id = t.ride_id GROUP BY t.of_park")
    with _read_cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def park_daily_totals(scope: Scope) -> dict[int, dict]:
    """Per park over the scope, from its daily rows alone: mean daily shame over open days, summed
    hours, reliability sums and the mean wait weighted by open hours (what trend percentages compare)."""
    total, weighted, shame = F("total_downtime_hours"), F("weighted_downtime_hours"), F("shame_score")
    for kind in sorted(scope.exclude):
        total = total - F(EXCLUDABLE[kind]) / 60.0
        weighted = weighted - F(f"weighted_{kind}_hours")
    if scope.exclude:  # each day's score again without the excluded hours (docs/metrics.md §5, §9)
        share = 10.0 * weighted / (F("effective_park_weight") * F("open_hours"))
        shame = Case(When(effective_park_weight__gt=0, open_hours__gt=0, then=Least(Value(10.0), Round(share, 1))),
                     default=Value(0.0), output_field=FloatField())
    rows = ParkDailyStats.objects.filter(scope.q()).values("park_id").annotate(
        shame=Avg(shame, filter=Q(open_hours__gt=0), output_field=FloatField()),
        total_downtime=Coalesce(Sum(total, output_field=FloatField()), 0.0),
        weighted_downtime=Coalesce(Sum(weighted, output_field=FloatField()), 0.0),
        breakdowns=Coalesce(Sum("breakdowns"), 0), all_downtime_hours=Coalesce(Sum("total_downtime_hours"), 0.0),
        park_wide=Coalesce(Sum("park_wide_minutes"), 0.0), late_opening=Coalesce(Sum("late_opening_minutes"), 0.0),
        stale_feed=Coalesce(Sum("stale_feed_minutes"), 0.0),
        cov_sum=Sum(F("coverage_percentage") * F("open_hours"), output_field=FloatField(),
                    filter=Q(open_hours__gt=0, coverage_percentage__isnull=False)),
        cov_hours=Sum("open_hours", filter=Q(open_hours__gt=0, coverage_percentage__isnull=False)),
        days_open=Count("pk", filter=Q(open_hours__gt=0)),
        wait_sum=Sum(F("avg_wait_minutes") * F("open_hours"), output_field=FloatField()),
        wait_hours=Sum("open_hours", filter=Q(avg_wait_minutes__isnull=False)),
        peak_wait=Max("peak_wait_minutes"),
    )
    return {row["park_id"]: {**row, "avg_wait": _ratio(row["wait_sum"] or 0.0, row["wait_hours"])} for row in rows}


def park_figures(scope: Scope) -> dict[int, dict]:
    """Per park over the scope: the daily totals plus ride counts and weights."""
    counts = _park_ride_counts(scope)
    parks = park_daily_totals(scope)
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


# ---------------------------------------------------------------------------------------------
# Rankings
# ---------------------------------------------------------------------------------------------
def change_percentage(current, previous):
    """% change from `previous` to `current`; None when either is unknown or `previous` is 0."""
    if current is None or not previous:
        return None
    return 100 * (current - previous) / previous


def _sorted(rows, key, *, descending=True):
    """Sort by `key`, nulls last whichever the direction."""
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    return sorted(present, key=lambda r: r[key], reverse=descending) + missing


PARK_SORTS = {"shame_score": True, "total_downtime_hours": True, "uptime_percentage": False, "rides_down": True}
RIDE_SORTS = ("downtime_hours", "uptime_percentage", "trend_percentage", "current_is_open", "mtbf_hours",
              "mttr_minutes", "breakdowns")
_OPEN_ORDER = {False: 0, None: 1, True: 2}  # sort_by=current_is_open: down first, then unknown, then running


def _park_row(park, **figures):
    return {"park_id": park.pk, "park_name": park.name, "location": park.location, "timezone": park.timezone,
            "queue_times_url": park.queue_times_url, **figures}


_NO_FIGURES = {"total_downtime": 0.0, "weighted_downtime": 0.0, "uptime_percentage": None, "effective_weight": 0.0,
               "rides_operated": 0, "rides_down": 0, "days_open": 0, "shame": None}


def park_downtime_ranking(scope: Scope, *, sort_by: str, limit: int):
    """Parks ranked by `sort_by` with the aggregate figures over all of them."""
    live = {s.park_id: s for s in LiveParkState.objects.filter(park_id__in=list(scope.parks))}
    figures = park_figures(scope)
    is_live = scope.period == periods.LIVE
    rows = []
    for park_id in (live if is_live else figures):
        state, fig = live.get(park_id), figures.get(park_id, _NO_FIGURES)
        if is_live:
            shame, rides_down = state.shame_score, state.rides_down
        elif not fig["days_open"]:
            continue
        else:
            shame, rides_down = fig["shame"], fig["rides_down"]
        rows.append(_park_row(
            scope.parks[park_id], shame_score=min(10.0, shame or 0.0), total_downtime_hours=fig["total_downtime"],
            weighted_downtime_hours=fig["weighted_downtime"], uptime_percentage=fig["uptime_percentage"],
            rides_down=rides_down, effective_park_weight=fig["effective_weight"],
            park_is_open=state.is_open if state else False, rides_operated=fig["rides_operated"],
            breakdowns=fig.get("breakdowns", 0), downtime_minutes_by_kind=fig.get("downtime_minutes_by_kind"),
            coverage_percentage=fig.get("coverage_percentage"), comparable=fig.get("comparable", False)))
    rows = _sorted(rows, sort_by, descending=PARK_SORTS[sort_by])
    before = {} if is_live else park_daily_totals(scope.previous())
    for row in rows:
        old = before.get(row["park_id"])
        row["trend_percentage"] = change_percentage(row["total_downtime_hours"], old and old["total_downtime"])
    uptimes = [r["uptime_percentage"] for r in rows if r["uptime_percentage"] is not None]
    if is_live:
        operating = sum(live[r["park_id"]].rides_open for r in rows)
    else:
        operating = sum(r["rides_operated"] for r in rows)
    aggregate = {"total_parks_tracked": len(rows), "rides_operating": operating,
                 "rides_down": sum(r["rides_down"] for r in rows),
                 "total_downtime_hours": sum(r["total_downtime_hours"] for r in rows),
                 "avg_uptime_percentage": _ratio(sum(uptimes), len(uptimes))}
    return aggregate, _ranked(rows[:limit])


def park_wait_ranking(scope: Scope, *, limit: int):
    """Parks by mean standby wait (live: now; otherwise time-weighted over the period)."""
    rows = []
    if scope.period == periods.LIVE:
        reporting = dict(LiveRideState.objects.filter(park_id__in=list(scope.parks), status="OPERATING",
                                                      wait_time__isnull=False)
                         .values("park_id").annotate(n=Count("pk")).values_list("park_id", "n"))
        for state in LiveParkState.objects.filter(park_id__in=list(scope.parks), avg_wait_time__isnull=False):
            rows.append(_park_row(scope.parks[state.park_id], avg_wait_minutes=state.avg_wait_time,
                                  peak_wait_minutes=state.max_wait_time,
                                  rides_reporting=reporting.get(state.park_id, 0)))
    else:
        for park_id, fig in park_figures(scope).items():
            if fig["avg_wait"] is None:
                continue
            rows.append(_park_row(scope.parks[park_id], avg_wait_minutes=fig["avg_wait"],
                                  peak_wait_minutes=fig["peak_wait"], rides_reporting=fig["rides_reporting"],
                                  cumulative_wait_hours=(fig["wait_sum"] or 0.0) / 60))
    rows = _sorted(rows, "avg_wait_minutes")[:limit]
    open_now = dict(LiveParkState.objects.filter(park_id__in=[r["park_id"] for r in rows])
                    .values_list("park_id", "is_open"))
    before = {} if scope.period == periods.LIVE else park_daily_totals(scope.previous())
    for row in rows:
        old = before.get(row["park_id"])
        row["park_is_open"] = open_now.get(row["park_id"])
        row["trend_percentage"] = change_percentage(row["avg_wait_minutes"], old and old["avg_wait"])
    return _ranked(rows)


def _ranked(rows):
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def _is_open(status):
    """The frontend's three states: True running, False not running, None unknown."""
    return None if not status else status == "OPERATING"


def _ride_rows(scope: Scope, figures: dict[int, dict], ride_ids, *, trend_of=None):
    """Ranking rows for `ride_ids` (in order) with names, the live state, data health and, given
    `trend_of` (a ride figure key), its % change against the previous period."""
    rides = {r["id"]: r for r in Ride.objects.filter(pk__in=ride_ids).values(
        "id", "name", "park_id", "tier", "tier_source", "tier_reason")}
    health = park_coverage(scope, {r["park_id"] for r in rides.values()})
    live = {s["ride_id"]: s for s in LiveRideState.objects.filter(ride_id__in=ride_ids)
            .values("ride_id", "status", "wait_time")}
    parks_open = dict(LiveParkState.objects.filter(park_id__in={r["park_id"] for r in rides.values()})
                      .values_list("park_id", "is_open"))
    before = {}
    if trend_of is not None and scope.period != periods.LIVE and ride_ids:
        before = ride_figures(scope.previous(), ride_ids=ride_ids)
    rows = []
    for ride_id in ride_ids:
        ride, fig, state = rides[ride_id], figures.get(ride_id, {}), live.get(ride_id)
        park = scope.parks[ride["park_id"]]
        status = state["status"] if state else None
        rows.append({
            "location": park.location, "park_is_open": parks_open.get(park.pk),
            "current_is_open": _is_open(status),
            "is_down": status == "DOWN" or (status == "CLOSED" and not park.reports_down),
            "trend_percentage": change_percentage(fig.get(trend_of), before.get(ride_id, {}).get(trend_of))
            if trend_of else None,
            "cumulative_wait_hours": fig["wait_sum"] / 3600 if fig.get("wait_sum") is not None else None,
            "ride_id": ride_id, "ride_name": ride["name"], "park_id": park.pk, "park_name": park.name,
            "tier": ride["tier"], "downtime_hours": fig.get("downtime_hours", 0.0),
            "uptime_percentage": fig.get("uptime_percentage"), "status_changes": fig.get("changes") or 0,
            "longest_downtime_minutes": fig.get("longest") or 0.0,
            "avg_wait_time": fig.get("avg_wait"), "peak_wait_time": fig.get("peak_wait"),
            "avg_wait_minutes": fig.get("avg_wait"), "peak_wait_minutes": fig.get("peak_wait"),
            "current_status": state["status"] if state else None,
            "current_wait_time": state["wait_time"] if state else None,
            "tier_source": ride["tier_source"], "tier_reason": ride["tier_reason"],
            **{k: fig.get(k) for k in ("breakdowns", "mtbf_hours", "mttr_minutes", "opening_reliability",
                                       "downtime_minutes_by_kind")},
            "coverage_percentage": health[park.pk]["coverage_percentage"], "comparable": health[park.pk]["comparable"],
        })
    return _ranked(rows)


def ride_downtime_ranking(scope: Scope, *, sort_by: str, limit: int):
    """Rides that operated in the period, ranked by downtime (most first), uptime (least first),
    trend (most increased first) or live state (down first, then by downtime)."""
    if sort_by in RIDE_ORDERS:
        figures = ride_figures(scope, having="ranked", order=sort_by, limit=limit)
        return _ride_rows(scope, figures, list(figures), trend_of="downtime_hours")
    figures = ride_figures(scope, having="ranked", order="downtime_hours")
    rows = _ride_rows(scope, figures, list(figures), trend_of="downtime_hours")
    if sort_by == "trend_percentage":
        rows = _sorted(rows, "trend_percentage")
    else:
        rows = sorted(rows, key=lambda r: _OPEN_ORDER[r["current_is_open"]])
    return _ranked(rows[:limit])


def ride_wait_ranking(scope: Scope, *, limit: int):
    """Rides by standby wait: current wait when live, time-weighted mean over the period otherwise."""
    if scope.period == periods.LIVE:
        ids = list(LiveRideState.objects.filter(park_id__in=list(scope.parks), status="OPERATING",
                                                wait_time__isnull=False)
                   .order_by("-wait_time", "ride_id").values_list("ride_id", flat=True)[:limit])
        figures = ride_figures(scope, ride_ids=ids)
        return _ride_rows(scope, figures, ids)
    figures = ride_figures(scope, having="waits", order="avg_wait", limit=limit)
    return _ride_rows(scope, figures, list(figures), trend_of="avg_wait")
