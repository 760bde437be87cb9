"""Weeks (ISO, Monday to Sunday), months and years rolled up from the stored daily rows.

A period row is a pure function of its daily rows, so it is recomputed whole (delete, insert)
whenever one of its days changes: sums of minutes and hours, time-weighted mean waits (weighted
by minutes with a known wait), maxima, and for parks the mean of the open days' shame scores.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from statistics import fmean
from typing import Iterable

from django.db import transaction
from django.db.models import Case, F, FloatField, IntegerField, Max, Sum, When

from ..engine_constants import METRICS_VERSION
from ..metrics import period_shame
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


def park_period_roll(*, park_id: int, period_type: str, start: date, end: date, until: date | None = None) -> int:
    """Recompute one park's ride and park rows for one period from its daily rows, over the
    complete park days only (up to `until`): a period row never mixes in a day in progress."""
    ride_rows = []
    last = min(end, until) if until else end
    stats = (RideDailyStats.objects.filter(park_id=park_id, date__gte=start, date__lte=last)
             .values("ride_id")
             .annotate(op=Sum("operating_minutes"), down=Sum("downtime_minutes"), known=Sum("known_minutes"),
                       wk=Sum("wait_known_minutes"),
                       ww=Sum(Case(When(avg_wait_minutes__isnull=False,
                                        then=F("avg_wait_minutes") * F("wait_known_minutes")), default=0.0,
                                   output_field=FloatField())),
                       peak=Max("peak_wait_minutes"), changes=Sum("status_changes"),
                       longest=Max("longest_downtime_minutes"),
                       days_operated=Sum(Case(When(operated=True, then=1), default=0,
                                              output_field=IntegerField())),
                       breakdowns=Sum("breakdowns"), park_wide=Sum("park_wide_minutes"),
                       late_opening=Sum("late_opening_minutes"), stale_feed=Sum("stale_feed_minutes"),
                       days_on_time=Sum(Case(When(opened_on_time=True, then=1), default=0,
                                             output_field=IntegerField()))))
    for row in stats:
        total = row["op"] + row["down"]
        ride_rows.append(RidePeriodStats(
            ride_id=row["ride_id"], park_id=park_id, period_type=period_type, period_start=start,
            period_end=end, operating_minutes=row["op"], downtime_minutes=row["down"], known_minutes=row["known"],
            wait_known_minutes=row["wk"], uptime_percentage=100.0 * row["op"] / total if total > 0 else None,
            avg_wait_minutes=row["ww"] / row["wk"] if row["wk"] else None, peak_wait_minutes=row["peak"],
            status_changes=row["changes"], longest_downtime_minutes=row["longest"],
            operated=row["days_operated"] > 0, days_operated=row["days_operated"],
            breakdowns=row["breakdowns"], park_wide_minutes=row["park_wide"], late_opening_minutes=row["late_opening"],
            stale_feed_minutes=row["stale_feed"], days_on_time=row["days_on_time"],
            metrics_version=METRICS_VERSION))
    days = list(ParkDailyStats.objects.filter(park_id=park_id, date__gte=start, date__lte=last, open_hours__gt=0)
                .values_list("shame_score", "total_downtime_hours", "weighted_downtime_hours",
                             "effective_park_weight", "open_hours", "weighted_park_wide_hours",
                             "weighted_stale_feed_hours"))
    park_row = None
    if days:
        operated = [r for r in ride_rows if r.operated]
        uptimes = [r.uptime_percentage for r in operated if r.uptime_percentage is not None]
        wk = sum(r.wait_known_minutes for r in ride_rows)
        ww = sum(r.avg_wait_minutes * r.wait_known_minutes for r in ride_rows if r.avg_wait_minutes is not None)
        peaks = [r.peak_wait_minutes for r in ride_rows if r.peak_wait_minutes is not None]
        park_row = ParkPeriodStats(
            park_id=park_id, period_type=period_type, period_start=start, period_end=end, days_open=len(days),
            shame_score=period_shame(d[0] for d in days), total_downtime_hours=sum(d[1] for d in days),
            weighted_downtime_hours=sum(d[2] for d in days), effective_park_weight=fmean(d[3] for d in days),
            open_hours=sum(d[4] for d in days), rides_operated=len(operated),
            rides_down=sum(1 for r in ride_rows if r.downtime_minutes > 0),
            uptime_percentage=fmean(uptimes) if uptimes else None, avg_wait_minutes=ww / wk if wk else None,
            peak_wait_minutes=max(peaks) if peaks else None, metrics_version=METRICS_VERSION,
            breakdowns=sum(r.breakdowns for r in ride_rows),
            park_wide_minutes=sum(r.park_wide_minutes for r in ride_rows),
            late_opening_minutes=sum(r.late_opening_minutes for r in ride_rows),
            stale_feed_minutes=sum(r.stale_feed_minutes for r in ride_rows),
            weighted_park_wide_hours=sum(d[5] for d in days), weighted_stale_feed_hours=sum(d[6] for d in days))
    with transaction.atomic():
        RidePeriodStats.objects.filter(park_id=park_id, period_type=period_type, period_start=start).delete()
        ParkPeriodStats.objects.filter(park_id=park_id, period_type=period_type, period_start=start).delete()
        RidePeriodStats.objects.bulk_create(ride_rows, batch_size=2000)
        if park_row:
            park_row.save(force_insert=True)
    return len(ride_rows) + (1 if park_row else 0)


def park_periods_roll(*, park_id: int, days: Iterable[date], until: date | None = None) -> int:
    """Roll up every week, month and year touched by the complete ones of `days` for one park."""
    days = [day for day in days if until is None or day <= until]
    return sum(park_period_roll(park_id=park_id, period_type=ptype, start=start, end=end, until=until)
               for ptype, start, end in sorted(periods_touched(days)))
