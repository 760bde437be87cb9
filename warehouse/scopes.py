"""Which park days a ranking covers and where their rows come from (docs/metrics.md §3, §6).

Each park's period is resolved in its own timezone, so one ranking may cover different
calendar dates for Tokyo and New York; parks are grouped by zone and each group gets its
own date range (`Scope.q`). A group's ride rows come from precomputed range sums, the period
rollups (whole weeks, months, years) or the daily rows (`ride_sources`).
"""
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from django.db import connections, router
from django.db.models import Q

from themepark.models import Park

from . import periods
from .aggregation.ranges import fresh_ranges, ranged_days
from .aggregation.rollups import period_bounds
from .models import ParkPeriodStats, PeriodType

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
    # weeks, months and years up to it may be read from the period rollups (`ride_sources`).
    complete: dict = field(default_factory=dict)
    # the kept ranges that serve it, once read (`_ranged`)
    found: tuple | None = field(default=None, init=False, compare=False, repr=False)
    # the scope of the period before (`previous`), once made; `later`: this is one
    before: "Scope | None" = field(default=None, init=False, compare=False, repr=False)
    # its ride rows' sources, when read with the scope it is the period before of (`ride_sources`)
    sources: "Sources | None" = field(default=None, init=False, compare=False, repr=False)
    # its parks' daily totals, when read with the scope it is the period before of
    # (`park_totals.park_daily_totals`)
    totals: dict | None = field(default=None, init=False, compare=False, repr=False)
    later: bool = field(default=False, init=False, compare=False, repr=False)

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
        """The same parks over the period just before each one's range (for trend percentages);
        made once per scope, so the kept ranges of both are read together (`_ranged`)."""
        if self.before is None:
            self.before = self._previous()
        return self.before

    def _previous(self) -> "Scope":
        before = Scope(period=self.period, parks=self.parks, ranges={}, exclude=self.exclude)
        before.later = True
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
    scope.later = previous
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


def _cover(days: periods.DayRange, complete: date | None):
    """`days` as whole ISO weeks, months and years (each fully inside it and complete by
    `complete`, largest first) and the ragged days left, as (ptype, start, end) and DayRanges."""
    wholes, ragged, day = [], [], days.start
    limit = None if complete is None else min(days.end, complete)
    while day <= days.end:
        # the periods that start on `day` (a year's ragged ends are most of its days)
        for ptype, starts in ((PeriodType.YEAR, day.day == 1 and day.month == 1), (PeriodType.MONTH, day.day == 1),
                              (PeriodType.WEEK, day.weekday() == 0)):
            if not starts or limit is None:
                continue
            first, last = period_bounds(ptype, day)
            if last <= limit:
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


def _to_date(days: periods.DayRange, complete: date | None) -> list[periods.DayRange]:
    """The kept year-to-date and month-to-date ranges (`warehouse.aggregation.ranges`) that may
    serve the end of `days`, best first: from the first of its last day's year, then of its month,
    through that day or the day before (a park whose own day is behind has summed only through the
    day before). Each only when `days` holds that whole stretch of at least two days and could be
    kept: the year to date (through a park's last complete day alone) when `days` ends on the last
    complete day of the parks furthest behind (`complete`) or the day after, and not on December
    31 (the year's rollup is one row then); the month to date (through each day of the month so
    far) when `days` ends in their month or that of the day after, and not on its last day."""
    if complete is None:
        return []
    after, out = days.end + ONE_DAY, []
    months = (complete.replace(day=1), (complete + ONE_DAY).replace(day=1))
    for first, kept in ((days.end.replace(month=1, day=1), complete <= days.end <= complete + ONE_DAY
                         and after.year == days.end.year),
                        (days.end.replace(day=1), after.day != 1 and days.end.replace(day=1) in months)):
        if kept and days.start <= first:
            out += [periods.DayRange(first, last) for last in (days.end, days.end - ONE_DAY) if last > first]
    return list(dict.fromkeys(out))  # in January the year to date is the month to date


ONE_DAY = timedelta(days=1)


def _ranged(scope: Scope):
    """Per date range of the scope, the parks whose rides' sums over exactly that range are stored
    and fresh (`warehouse.aggregation.ranges`: only ranges the run keeps for the group's today),
    per (date range, park) of the other date ranges the best fresh year- or month-to-date range
    that ends it (`_to_date`), and the fresh ranges' park sums. One query, or none when no range
    can be kept; read once per scope. A ranking's trend reads the period before as well, so a
    scope that is not itself a period before reads that one's ranges in the same query."""
    if scope.found is None:
        together = [scope] if scope.later or scope.period == periods.LIVE else [scope, scope.previous()]
        plans = {id(each): _wanted(each) for each in together if each.found is None}
        park_ids, spans = set(), set()
        for each in together:
            exact, leading = plans.get(id(each), ({}, {}))
            for days in {*exact, *leading}:
                park_ids.update(each.groups[days])
            spans.update(exact, *leading.values())
        fresh = fresh_ranges(park_ids, spans) if spans else {}
        for each in together:
            if id(each) in plans:
                each.found = _found(each, *plans[id(each)], fresh)
    return scope.found


def _wanted(scope: Scope):
    """(exact, leading): the scope's date ranges that a kept range may serve whole, and per other
    date range the year- or month-to-date ranges that may end it."""
    exact = {days: park_ids for days, park_ids in scope.groups.items() if scope.complete.get(days) is not None
             and days in ranged_days(scope.complete[days] + ONE_DAY)}
    # a kept whole range serves its parks (those whose sums are stale fall back to the rollups)
    leading = {days: spans for days in scope.groups
               if days not in exact and (spans := _to_date(days, scope.complete.get(days)))}
    return exact, leading


def _found(scope: Scope, exact, leading, fresh):
    """(whole, to_date, fresh) of `_ranged` from the fresh kept ranges found."""
    found = {days: [pk for pk in park_ids if (pk, days.start, days.end) in fresh] for days, park_ids in exact.items()}
    whole = {days: park_ids for days, park_ids in found.items() if park_ids}
    to_date = {}
    for days, spans in leading.items():
        for pk in set(scope.groups[days]).difference(whole.get(days, ())):
            best = next((span for span in spans if (pk, span.start, span.end) in fresh), None)
            if best is not None:
                to_date[days, pk] = best
    return whole, to_date, fresh


def kept_whole(scope: Scope) -> dict[int, tuple] | None:
    """Per park, the stamp's sums of the fresh kept range that is its whole range (`fresh_ranges`),
    or None unless every park's range is one (a kept period: the last 7, 30 or 365 days, last week or
    month; fresh)."""
    whole, _, fresh = _ranged(scope)
    out = {}
    for days, park_ids in scope.groups.items():
        if len(whole.get(days, ())) != len(park_ids):
            return None
        out.update((pk, fresh[pk, days.start, days.end]) for pk in park_ids)
    return out


def park_sources(scope: Scope):
    """Where a scope's park totals come from: the park sums of the fresh kept ranges that serve
    its parks' rides (`ride_sources`), as {park_id: sums}, and the days left to read from the
    park daily rows, as {date range: park ids} (before a year or month to date, the day after
    it, or a park's whole range). Weeks, months and years in between are read from the daily
    rows: one row per park and day, not per ride."""
    whole, to_date, fresh = _ranged(scope)
    summed, daily = {}, {}
    for days, park_ids in scope.groups.items():
        for pk in park_ids:
            span = days if pk in whole.get(days, ()) else to_date.get((days, pk))
            if span is None:
                daily.setdefault(days, []).append(pk)
                continue
            summed[pk] = fresh[pk, span.start, span.end]
            for rest in (periods.DayRange(days.start, span.start - ONE_DAY), periods.DayRange(span.end + ONE_DAY,
                                                                                            days.end)):
                if rest.start <= rest.end:
                    daily.setdefault(rest, []).append(pk)
    return summed, daily


@dataclass
class Sources:
    """Where a scope's ride rows come from, as (park ids, first day, last day) terms of daily rows,
    (park ids, period type, period start) terms of the period rollups and (park ids, first day,
    last day) terms of the range rows."""

    daily: list = field(default_factory=list)
    rolled: list = field(default_factory=list)
    ranged: list = field(default_factory=list)


def ride_sources(scope: Scope, *, with_previous=False) -> Sources:
    """Where a scope's ride rows come from. A range summed whole by the statistics run (the last 7
    or 30 complete days and the ranges before them) gives one row per ride; so does the year or
    month to date that ends a longer range (`_to_date`); before it, or otherwise, whole weeks,
    months and years come from the period rollups of the parks that have them (rolled up from the
    same daily rows, so the sums are the same), the ragged ends and any period not rolled up from
    daily rows: a 30-day or a year's ranking reads about as many rows as a 7-day one.
    `with_previous` (a ranking whose trend reads the period before's rows next): when this scope
    looks for rollups, the period before's are looked for in the same query and its sources kept
    for it (`Scope.sources`)."""
    if scope.sources is not None:
        return scope.sources
    together = [(scope, _plan(scope))]
    if with_previous and together[0][1][2] and not scope.later and scope.period != periods.LIVE:
        before = scope.previous()
        if before.sources is None and (plan := _plan(before))[2]:
            together.append((before, plan))
    have = set()
    if any(keys for _, (_, _, keys) in together):
        # a rollup counts once computed after its last day ended (then it holds every day)
        park_ids = {pk for _, (_, plans, _) in together for park_ids, _, _ in plans for pk in park_ids}
        for park_id, ptype, start, end, computed in _rollups(sorted(park_ids), set().union(
                *(keys for _, (_, _, keys) in together))):
            if computed >= periods.day_bounds_utc(end, scope.parks[park_id].timezone)[1]:
                have.add((park_id, ptype, start))
    for each, (ranged, plans, _) in together[1:]:
        each.sources = _sources(ranged, plans, have)
    return _sources(*together[0][1][:2], have)


def _plan(scope: Scope):
    """(range terms, plans, rollup keys) of `ride_sources`: the kept ranges' terms, per group of parks
    the whole periods and ragged days left to read, and the (period type, first day) of those wholes."""
    ranged, (whole, to_date, _) = [], _ranged(scope)
    for days, park_ids in sorted(whole.items(), key=lambda item: (item[0].start, item[0].end)):
        ranged.append((sorted(park_ids), days.start, days.end))
    plans, leading = [], {}
    for days, park_ids in scope.groups.items():
        by_last = {}
        for pk in park_ids:
            if pk not in whole.get(days, ()):
                by_last.setdefault(to_date.get((days, pk)), []).append(pk)
        for span, group in by_last.items():
            if span is None:
                plans.append((group, *_cover(days, scope.complete.get(days))))
                continue
            # the year or month to date through span.end from its range sums, the days before it
            # as any range, the days after it (at most one) from daily rows
            leading.setdefault((span.start, span.end), []).extend(group)
            wholes, ragged = (_cover(periods.DayRange(days.start, span.start - ONE_DAY), scope.complete.get(days))
                              if days.start < span.start else ([], []))
            if span.end < days.end:
                ragged.append(periods.DayRange(span.end + ONE_DAY, days.end))
            plans.append((group, wholes, ragged))
    for (first, last), park_ids in sorted(leading.items()):
        ranged.append((sorted(park_ids), first, last))
    return ranged, plans, {(ptype, start) for _, wholes, _ in plans for ptype, start, _ in wholes}


def _sources(ranged, plans, have) -> Sources:
    """The Sources of `_plan`'s terms and plans, given the (park, period type, first day) rolled up."""
    out = Sources(ranged=list(ranged))
    by_ranges = {}
    for park_ids, wholes, ragged in plans:
        rolled = {}  # per whole, the parks that read its rollup
        for whole in wholes if have else ():
            ptype, start, _ = whole
            rolled_up = [pk for pk in park_ids if (pk, ptype, start) in have]
            if rolled_up:
                out.rolled.append((rolled_up, ptype, start))
                rolled[whole] = set(rolled_up)
        # parks with the same ranges share their terms (the days of each set of missing wholes are
        # merged once: a year before without rollups is ~15 wholes for each of the scope's parks)
        alike = {}
        for pk in park_ids:
            lacking = tuple(whole for whole in wholes if pk not in rolled.get(whole, ())) if rolled else wholes
            alike.setdefault(tuple(lacking), []).append(pk)
        for lacking, group in alike.items():
            ranges = [*ragged, *(periods.DayRange(start, end) for _, start, end in lacking)]
            by_ranges.setdefault(tuple(_merged(ranges)), []).extend(group)
    for ranges, park_ids in by_ranges.items():
        out.daily += [(sorted(park_ids), days.start, days.end) for days in ranges]
    return out


def _rollups(park_ids, keys):
    """(park_id, period type, first day, last day, computed_at in UTC) of the parks' period rollups
    of the given types and first days (any of each)."""
    types, starts = sorted({k[0] for k in keys}), sorted({k[1] for k in keys})
    marks = ", ".join(["%s"] * len(types)), ", ".join(["%s"] * len(starts))
    sql = (f"SELECT park_id, period_type, period_start, period_end, computed_at FROM {ParkPeriodStats._meta.db_table}"
           f" WHERE park_id IN ({', '.join(str(int(pk)) for pk in park_ids)})"
           f" AND period_type IN ({marks[0]}) AND period_start IN ({marks[1]})")
    with connections[router.db_for_read(ParkPeriodStats)].cursor() as cursor:
        cursor.execute(sql, [*types, *starts])
        rows = cursor.fetchall()
    return [(park_id, ptype, first, last, computed.replace(tzinfo=timezone.utc))  # stored in UTC (USE_TZ)
            for park_id, ptype, first, last, computed in rows]


def _merged(ranges):
    """Day ranges sorted, adjacent ones joined (periods without a rollup are often next to each other)."""
    out = []
    for days in sorted(ranges, key=lambda r: r.start):
        if out and out[-1].end + timedelta(days=1) >= days.start:
            out[-1] = periods.DayRange(out[-1].start, max(out[-1].end, days.end))
        else:
            out.append(days)
    return out

