"""Weeks (ISO, Monday to Sunday), months and years rolled up from the stored daily rows.

A period row is a pure function of its daily rows, so it is recomputed whole whenever one of its
days changes (and written only when it did change): sums of minutes and hours, time-weighted mean waits (weighted
by minutes with a known wait), maxima, and for parks the mean of the open days' shame scores.
"""
from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from statistics import fmean
from typing import Iterable

from django.db import connection, transaction
from django.utils import timezone

from ..engine_constants import METRICS_VERSION
from ..metrics import period_shame
from .store import PARK_FIGURES, PARK_RELIABILITY, RIDE_FIGURES, RIDE_RELIABILITY
from .sqlvalues import insert_values
from .writes import Table, rows_write, stored_rows
from ..models import ParkDailyStats, ParkPeriodStats, PeriodType, RideDailyStats, RidePeriodStats


def period_bounds(period_type: str, day: date) -> tuple[date, date]:
    """The week (ISO), month or year holding `day`, first and last day inclusive."""
    if period_type == PeriodType.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period_type == PeriodType.MONTH:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return date(day.year, 1, 1), date(day.year, 12, 31)


def periods_touched(days: Iterable[date]) -> set[tuple[str, date, date]]:
    return {(ptype, *period_bounds(ptype, day)) for day in days for ptype in PeriodType.values}


RIDE_COLUMNS = ("ride_id", "park_id", "period_type", "period_start", "period_end", *RIDE_FIGURES,
                *RIDE_RELIABILITY[:4], "days_operated", "days_on_time")  # no opened_on_time: days_on_time
PARK_COLUMNS = ("park_id", "period_type", "period_start", "period_end", *PARK_FIGURES, *PARK_RELIABILITY, "days_open")
_DAILY = ("ride_id", "date", "operating_minutes", "downtime_minutes", "known_minutes", "wait_known_minutes",
          "avg_wait_minutes", "peak_wait_minutes", "status_changes", "longest_downtime_minutes", "operated",
          "breakdowns", "park_wide_minutes", "late_opening_minutes", "stale_feed_minutes", "opened_on_time")
_PARK_DAILY = ("date", "shame_score", "total_downtime_hours", "weighted_downtime_hours", "effective_park_weight",
               "open_hours", "weighted_park_wide_hours", "weighted_stale_feed_hours")


def _ride_sums(days: list[tuple]) -> dict:
    """A ride's period figures from its daily rows (`_DAILY`, in date order): sums added one after
    the other in date order, as SQL's SUM adds them in a date-ordered scan."""
    op = down = known = wk = ww = park_wide = late = stale = 0.0
    peak = longest = None
    changes = breakdowns = operated = on_time = 0
    for _, _, o, d, k, w, avg, pk, ch, lg, opd, b, pw, lt, st, ot in days:
        op += o
        down += d
        known += k
        wk += w
        ww += avg * w if avg is not None else 0.0
        if pk is not None and (peak is None or pk > peak):
            peak = pk
        if longest is None or lg > longest:
            longest = lg
        changes += ch
        operated += 1 if opd else 0
        breakdowns += b
        park_wide += pw
        late += lt
        stale += st
        on_time += 1 if ot else 0
    total = op + down
    return dict(operating_minutes=op, downtime_minutes=down, known_minutes=known, wait_known_minutes=wk,
                uptime_percentage=100.0 * op / total if total > 0 else None, avg_wait_minutes=ww / wk if wk else None,
                peak_wait_minutes=peak, status_changes=changes, longest_downtime_minutes=longest,
                operated=operated > 0, metrics_version=METRICS_VERSION, breakdowns=breakdowns,
                park_wide_minutes=park_wide, late_opening_minutes=late, stale_feed_minutes=stale,
                days_operated=operated, days_on_time=on_time)


def _park_sums(rides: list[dict], days: list[tuple]) -> dict:
    """The park's period figures from its rides' period figures and its open days (`_PARK_DAILY`)."""
    operated = [r for r in rides if r["operated"]]
    uptimes = [r["uptime_percentage"] for r in operated if r["uptime_percentage"] is not None]
    wk = sum(r["wait_known_minutes"] for r in rides)
    ww = sum(r["avg_wait_minutes"] * r["wait_known_minutes"] for r in rides if r["avg_wait_minutes"] is not None)
    peaks = [r["peak_wait_minutes"] for r in rides if r["peak_wait_minutes"] is not None]
    return dict(days_open=len(days), shame_score=period_shame(d[1] for d in days),
                total_downtime_hours=sum(d[2] for d in days), weighted_downtime_hours=sum(d[3] for d in days),
                effective_park_weight=fmean(d[4] for d in days), open_hours=sum(d[5] for d in days),
                rides_operated=len(operated), rides_down=sum(1 for r in rides if r["downtime_minutes"] > 0),
                uptime_percentage=fmean(uptimes) if uptimes else None, avg_wait_minutes=ww / wk if wk else None,
                peak_wait_minutes=max(peaks) if peaks else None, metrics_version=METRICS_VERSION,
                breakdowns=sum(r["breakdowns"] for r in rides),
                park_wide_minutes=sum(r["park_wide_minutes"] for r in rides),
                late_opening_minutes=sum(r["late_opening_minutes"] for r in rides),
                stale_feed_minutes=sum(r["stale_feed_minutes"] for r in rides),
                weighted_park_wide_hours=sum(d[6] for d in days), weighted_stale_feed_hours=sum(d[7] for d in days))


def _between(dates: list[date], rows: list, first: date, last: date) -> list:
    return rows[bisect_left(dates, first):bisect_right(dates, last)]


def park_periods_roll(*, park_id: int, days: Iterable[date], until: date | None = None) -> int:
    """Roll up every week, month and year touched by the complete ones of `days` for one park:
    each period's ride and park rows from its daily rows, over the complete park days only (up
    to `until`: a period row never mixes in a day in progress). The daily rows of all the periods
    are read once (in date order), and only the ride rows that changed are written. Returns the
    period rows computed."""
    days = [day for day in days if until is None or day <= until]
    periods = sorted(periods_touched(days))
    if not periods:
        return 0
    first = min(start for _, start, _ in periods)
    final = max(end for _, _, end in periods)
    final = min(final, until) if until else final
    by_ride: dict[int, tuple[list, list]] = {}
    for row in (RideDailyStats.objects.filter(park_id=park_id, date__gte=first, date__lte=final)
                .order_by("ride_id", "date").values_list(*_DAILY)):
        dates, rows = by_ride.setdefault(row[0], ([], []))
        dates.append(row[1])
        rows.append(row)
    park_days = list(ParkDailyStats.objects.filter(park_id=park_id, date__gte=first, date__lte=final, open_hours__gt=0)
                     .order_by("date").values_list(*_PARK_DAILY))
    park_dates = [d[0] for d in park_days]
    ride_rows, park_rows = [], []
    for period_type, start, end in periods:
        last = min(end, until) if until else end
        head = dict(park_id=park_id, period_type=period_type, period_start=start, period_end=end)
        rides = []
        # in the order the rides first appear in a scan by date, then ride (the park's sums add in it)
        for own in sorted(filter(None, (_between(dates, rows, start, last) for dates, rows in by_ride.values())),
                          key=lambda own: (own[0][1], own[0][0])):
            rides.append(dict(ride_id=own[0][0], **head, **_ride_sums(own)))
        ride_rows += rides
        open_days = _between(park_dates, park_days, start, last)
        if open_days:
            park_rows.append(dict(**head, **_park_sums(rides, open_days)))
    _write(park_id, periods, ride_rows, park_rows)
    return len(ride_rows) + len(park_rows)


def _write(park_id: int, periods: list[tuple[str, date, date]], ride_rows: list[dict], park_rows: list[dict]) -> None:
    """Replace the periods' rows: the ride rows that changed (`writes.rows_write`: most stay as
    they were when a rebuild finds the same daily rows), the park rows always (their computed_at
    tells the rankings a period was rolled up after its last day, `scopes.ride_sources`)."""
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(timezone.now())

    def values(row, columns):
        return tuple(stamp if c == "computed_at" else ops.adapt_datefield_value(row[c]) if isinstance(row[c], date)
                     else row[c] for c in columns)

    where = "park_id = %s AND (" + " OR ".join(["(period_type = %s AND period_start = %s)"] * len(periods)) + ")"
    params = [park_id, *(p for ptype, start, _ in periods for p in (ptype, ops.adapt_datefield_value(start)))]
    table = Table(RidePeriodStats, RIDE_COLUMNS)
    with transaction.atomic():
        rows_write(table, [values(row, RIDE_COLUMNS) for row in ride_rows], stored_rows(table, where, params, stamp))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {ops.quote_name(ParkPeriodStats._meta.db_table)} WHERE {where}", params)
        insert_values(ParkPeriodStats, PARK_COLUMNS, [values(row, PARK_COLUMNS) for row in park_rows])
