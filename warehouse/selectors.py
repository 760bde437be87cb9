"""Rankings of parks and rides for the public API (docs/metrics.md §5-§6), from the figures
summed over a scope (warehouse.ride_sums, warehouse.park_totals); live rankings from the live state tables."""
from operator import itemgetter
from typing import NamedTuple

from django.db.models import Count

from themepark.models import Ride

from . import periods
from .models import LiveParkState, LiveRideState
from .park_totals import park_daily_totals, park_figures  # noqa: F401
from .recipes import Recipe
from .ride_sums import (EXCLUDABLE, RIDE_ORDERS, _ratio, _read_cursor, park_coverage,  # noqa: F401
                        reliability_figures, ride_figures)
from .scopes import Scope, scope_resolve  # noqa: F401


# ---------------------------------------------------------------------------------------------
# Rankings
# ---------------------------------------------------------------------------------------------
def change_percentage(current, previous):
    """% change from `previous` to `current`; None when either is unknown or `previous` is 0."""
    if current is None or not previous:
        return None
    return 100 * (current - previous) / previous


def _sorted(rows, key, *, descending=True):
    """Sort dict rows by their value of `key`, nulls last whichever the direction."""
    return _sorted_by(rows, itemgetter(key), descending=descending)


def _sorted_by(rows, key, *, descending=True):
    """Sort by the function `key`, nulls last whichever the direction."""
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    return sorted(present, key=key, reverse=descending) + missing


PARK_SORTS = {"shame_score": True, "total_downtime_hours": True, "uptime_percentage": False, "rides_down": True}
RIDE_SORTS = ("downtime_hours", "uptime_percentage", "trend_percentage", "current_is_open", "mtbf_hours",
              "mttr_minutes", "breakdowns")
_OPEN_ORDER = {False: 0, None: 1, True: 2}  # sort_by=current_is_open: down first, then unknown, then running


def _park_row(park, **figures):
    return {"park_id": park.pk, "park_name": park.name, "location": park.location, "timezone": park.timezone,
            "queue_times_url": park.queue_times_url, **figures}


_NO_FIGURES = {"total_downtime": 0.0, "weighted_downtime": 0.0, "uptime_percentage": None, "effective_weight": 0.0,
               "rides_operated": 0, "rides_down": 0, "days_open": 0, "shame": None}


class _LivePark(NamedTuple):
    shame_score: float
    rides_down: int
    is_open: bool
    rides_open: int


def _live_parks(park_ids) -> dict[int, _LivePark]:
    """The parks' live states (one query; none without parks)."""
    if not park_ids:
        return {}
    sql = (f"SELECT park_id, shame_score, rides_down, is_open, rides_open FROM {LiveParkState._meta.db_table}"
           f" WHERE park_id IN ({', '.join(str(int(pk)) for pk in park_ids)})")
    with _read_cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return {park_id: _LivePark(shame, down, bool(is_open), rides_open)
            for park_id, shame, down, is_open, rides_open in rows}


def park_downtime_ranking(scope: Scope, *, sort_by: str, limit: int):
    """Parks ranked by `sort_by` with the aggregate figures over all of them."""
    live = _live_parks(scope.parks)
    figures = park_figures(scope, with_previous=True)
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
        for park_id, fig in park_figures(scope, with_previous=True).items():
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


def _ride_facts(ride_ids) -> dict[int, tuple]:
    """Per ride (one query): name, park id, tier, tier source and reason, its live status and
    wait (None without a live state) and whether its park is open (None without a live state)."""
    if not ride_ids:
        return {}
    ids = ", ".join(str(int(pk)) for pk in ride_ids)  # integers: nothing to escape
    sql = ("SELECT r.id, r.name, r.park_id, r.tier, r.tier_source, r.tier_reason, l.status, l.wait_time, p.is_open"
           f" FROM {Ride._meta.db_table} r LEFT JOIN {LiveRideState._meta.db_table} l ON l.ride_id = r.id"
           f" LEFT JOIN {LiveParkState._meta.db_table} p ON p.park_id = r.park_id WHERE r.id IN ({ids})")
    with _read_cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return {row[0]: (*row[1:8], None if row[8] is None else bool(row[8])) for row in rows}


# A ride ranking row from one ride's parts (the items of `_ride_rows`): its id, its facts (`_ride_facts`),
# its figures (`ride_figures`; empty without), what its park's rows repeat and its trend against the
# period before; each key's value written once, as an expression of those (warehouse.recipes).
RIDE_ROW = Recipe(
    "ride_id, (name, park_id, tier, tier_source, tier_reason, status, wait_time, park_open), fig,"
    " (location, park_pk, park_name, never_down, coverage, comparable), trend",
    {
        "location": "location", "park_is_open": "park_open",
        "current_is_open": "None if not status else status == 'OPERATING'",  # _is_open
        "is_down": "status == 'DOWN' or (status == 'CLOSED' and never_down)",
        "trend_percentage": "trend",
        "cumulative_wait_hours": "None if (wait_sum := fig.get('wait_sum')) is None else wait_sum / 3600",
        "ride_id": "ride_id", "ride_name": "name", "park_id": "park_pk", "park_name": "park_name",
        "tier": "tier", "downtime_hours": "fig.get('downtime_hours', 0.0)",
        "uptime_percentage": "fig.get('uptime_percentage')", "status_changes": "fig.get('changes') or 0",
        "longest_downtime_minutes": "fig.get('longest') or 0.0",
        "avg_wait_time": "fig.get('avg_wait')", "peak_wait_time": "fig.get('peak_wait')",
        "avg_wait_minutes": "fig.get('avg_wait')", "peak_wait_minutes": "fig.get('peak_wait')",
        "current_status": "status", "current_wait_time": "wait_time",
        "tier_source": "tier_source", "tier_reason": "tier_reason",
        "breakdowns": "fig.get('breakdowns')", "mtbf_hours": "fig.get('mtbf_hours')",
        "mttr_minutes": "fig.get('mttr_minutes')", "opening_reliability": "fig.get('opening_reliability')",
        "downtime_minutes_by_kind": "fig.get('downtime_minutes_by_kind')",
        "coverage_percentage": "coverage", "comparable": "comparable",
    })


def _ride_rows(scope: Scope, figures: dict[int, dict], ride_ids, *, trend_of=None, sort_by=None, limit=None,
               shape=None):
    """Ranking rows for `ride_ids` (in order, or re-sorted by `sort_by`: trend_percentage or
    current_is_open; cut to `limit`) with names, the live state, data health and, given `trend_of` (a
    ride figure key), its % change against the previous period. `shape`: an output serializer's shape
    for the rows (RIDE_ROW); plain dicts of every value without."""
    facts = _ride_facts(ride_ids)
    health = park_coverage(scope, {fact[1] for fact in facts.values()})
    before = {}
    if trend_of is not None and scope.period != periods.LIVE and ride_ids:
        # downtime needs only the brief figures; mean waits need the full ones
        before = ride_figures(scope.previous(), ride_ids=ride_ids, brief=trend_of == "downtime_hours")
    items = []
    parks = {}  # per park: what each of its rows repeats
    no_figures = {}
    for ride_id in ride_ids:
        fact = facts[ride_id]
        park_id = fact[1]
        fig = figures.get(ride_id, no_figures)
        place = parks.get(park_id)
        if place is None:
            park, park_health = scope.parks[park_id], health[park_id]
            place = parks[park_id] = (park.location, park.pk, park.name, not park.reports_down,
                                      park_health["coverage_percentage"], park_health["comparable"])
        if trend_of:
            old = before.get(ride_id)
            trend = change_percentage(fig.get(trend_of), None if old is None else old.get(trend_of))
        else:
            trend = None
        items.append((ride_id, fact, fig, place, trend))
    if sort_by == "trend_percentage":
        items = _sorted_by(items, lambda item: item[4])
    elif sort_by == "current_is_open":
        items.sort(key=lambda item: _OPEN_ORDER[_is_open(item[1][5])])
    if limit is not None:
        items = items[:limit]
    return RIDE_ROW.rows(items, shape)


def ride_downtime_ranking(scope: Scope, *, sort_by: str, limit: int, shape=None):
    """Rides that operated in the period, ranked by downtime (most first), uptime (least first),
    trend (most increased first) or live state (down first, then by downtime). `shape`: as for `_ride_rows`."""
    if sort_by in RIDE_ORDERS:
        figures = ride_figures(scope, having="ranked", order=sort_by, limit=limit, trend=True)
        return _ride_rows(scope, figures, list(figures), trend_of="downtime_hours", shape=shape)
    figures = ride_figures(scope, having="ranked", order="downtime_hours", trend=True)
    return _ride_rows(scope, figures, list(figures), trend_of="downtime_hours", sort_by=sort_by, limit=limit,
                      shape=shape)


def ride_wait_ranking(scope: Scope, *, limit: int, shape=None):
    """Rides by standby wait: current wait when live, time-weighted mean over the period otherwise.
    `shape`: as for `_ride_rows`."""
    if scope.period == periods.LIVE:
        ids = list(LiveRideState.objects.filter(park_id__in=list(scope.parks), status="OPERATING",
                                                wait_time__isnull=False)
                   .order_by("-wait_time", "ride_id").values_list("ride_id", flat=True)[:limit])
        figures = ride_figures(scope, ride_ids=ids)
        return _ride_rows(scope, figures, ids, shape=shape)
    figures = ride_figures(scope, having="waits", order="avg_wait", limit=limit, trend=True)
    return _ride_rows(scope, figures, list(figures), trend_of="avg_wait", shape=shape)
