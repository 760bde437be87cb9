"""Each ride's sums over the ranges of park days the rankings ask for most: the last 7, 30 and 365
complete days of its park, last week and last month, the range before each of them (what trend
percentages compare), and the month to date: from the first of the month of its park's last
complete day through each day of that month so far (at least two days; up to 30 ranges), and the
year to date through that day.

A ranking over one of the first ten then reads one row per ride (`warehouse.scopes.ride_sources`)
instead of 7 or 30 daily rows, or a few rollups and up to 12 ragged days, and a park ranking its
rides' counts from the park's stamp (`RIDE_COUNTS`) instead of its rides' rows; a longer range ending
in the current month reads its month to date as one row instead of its weeks and ragged days, and
one through yesterday (a year's ranking) its year to date as one row instead of its months too. The sums are those the
rankings take over the daily rows (`warehouse.ride_sums`), so the figures are the same. Each
park's stamp of a range carries the park's own sums over its daily rows of the range
(`PARK_SUMS`), from which the rankings take the park totals and coverage. A park's rows of a
range count only while its stamp is newer than every daily row of the park in the range
(`fresh_ranges`): a day recomputed since sends the rankings back to the daily rows until the
next run sums the range again.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Iterable

from django.db import connection, connections, router, transaction
from django.utils import timezone

from themepark.constants import TIER_WEIGHTS
from themepark.models import Ride

from .. import periods
from ..models import ParkDailyStats, ParkRangeStamp, RideDailyStats, RideRangeStats

# The named periods of the site's rankings longer than a day. Not today (the day in progress, which
# every 10-minute run recomputes) nor yesterday: a day is one daily row per ride and per park, read
# with the day before (its trend) in one query, where a kept range costs two reads of its freshness.
RANGED_PERIODS = ("7days", "30days", "365days", "last_week", "last_month")

_COLUMNS = ("ride_id", "park_id", "first_day", "last_day", "operating_minutes", "downtime_minutes", "wait_minutes",
            "wait_sum", "status_changes", "longest_downtime_minutes", "peak_wait_minutes", "breakdowns",
            "park_wide_minutes", "late_opening_minutes", "stale_feed_minutes", "days_operated", "days_on_time")
_SUMS = ("SUM(operating_minutes)", "SUM(downtime_minutes)",
         "COALESCE(SUM(CASE WHEN avg_wait_minutes IS NOT NULL THEN wait_known_minutes END), 0.0)",
         "SUM(avg_wait_minutes * wait_known_minutes)", "SUM(status_changes)", "MAX(longest_downtime_minutes)",
         "MAX(peak_wait_minutes)", "SUM(breakdowns)", "SUM(park_wide_minutes)", "SUM(late_opening_minutes)",
         "SUM(stale_feed_minutes)", "SUM(CASE WHEN operated THEN 1 ELSE 0 END)",
         "SUM(CASE WHEN opened_on_time THEN 1 ELSE 0 END)")
_KNOWN = "(coverage_percentage IS NOT NULL AND open_hours > 0.0e0)"
# A park's sums over its daily rows (`ParkRangeStamp`'s columns), as the rankings add them up
# (`warehouse.park_sums`): over a range from its stamp, over other days from the daily rows.
PARK_SUMS = {
    "days": "COUNT(*)",
    "shame_sum": "SUM(CASE WHEN open_hours > 0.0e0 THEN shame_score ELSE NULL END)",
    "days_open": "COUNT(CASE WHEN open_hours > 0.0e0 THEN id ELSE NULL END)",
    "total_downtime_hours": "SUM(total_downtime_hours)", "weighted_downtime_hours": "SUM(weighted_downtime_hours)",
    "breakdowns": "SUM(breakdowns)", "park_wide_minutes": "SUM(park_wide_minutes)",
    "late_opening_minutes": "SUM(late_opening_minutes)", "stale_feed_minutes": "SUM(stale_feed_minutes)",
    "coverage_sum": f"SUM(CASE WHEN {_KNOWN} THEN (coverage_percentage * open_hours) ELSE NULL END)",
    "coverage_hours": f"SUM(CASE WHEN {_KNOWN} THEN open_hours ELSE NULL END)",
    "wait_sum": "SUM((avg_wait_minutes * open_hours))",
    "wait_hours": "SUM(CASE WHEN avg_wait_minutes IS NOT NULL THEN open_hours ELSE NULL END)",
    "peak_wait_minutes": "MAX(peak_wait_minutes)"}
# What a park ranking counts of a park's rides (`warehouse.park_totals`): rides down, rides
# operated, the tier weights of those, their mean uptime and the rides with a known wait. Each
# stamp keeps them over its range, with the rides' tiers when it was summed (`ride_counts_sql`):
# a ranking served whole by a kept range reads them instead of its rides' rows.
RIDE_COUNTS = ("rides_down", "rides_operated", "effective_weight", "ride_uptime_mean", "rides_reporting")


def ride_counts_sql(inner: str, db) -> str:
    """SELECT of park id and the RIDE_COUNTS, a row per park, from `inner`: a query of one row per
    ride (ride_id, of_park, operating, downtime, wait_minutes, days_operated) joined to the rides
    for their tiers, on the database connection `db`. The rides are joined to the rows in the rows'
    order, so a park's mean uptime adds up its rides in the same order wherever it is computed."""
    # STRAIGHT_JOIN (MySQL's): the server would rather walk every ride and look up its row of the
    # totals, which costs it twice the CPU of reading the totals and looking up their rides.
    join = "STRAIGHT_JOIN" if db.vendor == "mysql" else "JOIN"
    # MariaDB joins the rides through a hash of them (join cache level 4) rather than a lookup per
    # total: a quarter less of the query's server time for a park ranking of 1,000 rides.
    hashed = "SET STATEMENT join_cache_level = 4 FOR " if getattr(db, "mysql_is_mariadb", False) else ""
    weights = " ".join(f"WHEN {tier} THEN {weight}" for tier, weight in TIER_WEIGHTS.items() if tier is not None)
    return (f"{hashed}SELECT t.of_park, SUM(CASE WHEN t.downtime > 0 THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN t.days_operated > 0 THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN t.days_operated > 0 THEN CASE r.tier {weights} ELSE {TIER_WEIGHTS[None]} END ELSE 0 END),"
            " AVG(CASE WHEN t.days_operated > 0 AND t.operating + t.downtime > 0"
            " THEN 100.0 * t.operating / (t.operating + t.downtime) END),"
            " SUM(CASE WHEN t.wait_minutes > 0 THEN 1 ELSE 0 END)"
            f" FROM ({inner}) t {join} {Ride._meta.db_table} r ON r.id = t.ride_id GROUP BY t.of_park")


def forget_ride_counts(park_ids) -> int:
    """The parks' rides changed tiers: their stamps' ride counts are no longer known (rankings count
    the rides' rows again) until the next statistics run sums the ranges again."""
    return ParkRangeStamp.objects.filter(park_id__in=list(park_ids)).update(
        **dict.fromkeys(RIDE_COUNTS, None))


@lru_cache(maxsize=64)
def ranged_days(today: date) -> tuple[periods.DayRange, ...]:
    """The ranges kept for a park whose current park day is `today`: the RANGED_PERIODS and the
    ranges before them, the month to date through each complete day of the month so far, and the
    year to date through the last complete day. Made once per day (every ranking asks)."""
    out = []
    for period in RANGED_PERIODS:
        days = periods.resolve(period, today=today)
        out += [days, periods.previous(period, days)]
    last = today - timedelta(days=1)
    first = last.replace(day=1)
    out += [periods.DayRange(first, first + timedelta(days=n)) for n in range(1, (last - first).days + 1)]
    if last > last.replace(month=1, day=1):
        out.append(periods.DayRange(last.replace(month=1, day=1), last))
    return tuple(dict.fromkeys(out))  # on the 7th, the last 7 days are the month to date; in January, the year's


def fresh_ranges(park_ids: Iterable[int], ranges: Iterable[periods.DayRange]) -> dict[tuple[int, date, date], tuple]:
    """(park_id, first_day, last_day) of the given parks and ranges whose sums are stored and
    newer than every daily row of the park in the range, each with the park's sums (a tuple in
    the order of PARK_SUMS, then of RIDE_COUNTS: rides_operated empty when they are not known).
    Two reads: the stamps, then the parks' daily rows of those ranges' days computed after the
    oldest of them, on (park, computed_at) from that instant on: the index entries of the days
    recomputed since, however long the parks' history (a NOT EXISTS per stamp reads the park's
    days of the range: a year to date, every day since January 1). With the instant given as a
    subquery instead, MariaDB could not bound the scan by it and read every daily row of the
    parks (1,300 index entries for 20 parks x 64 days, 0.5 ms of a 1 ms query; every day ever kept
    on an archive's years)."""
    park_ids, ranges = sorted(set(park_ids)), set(ranges)
    if not park_ids or not ranges:
        return {}
    stamp, daily = ParkRangeStamp._meta.db_table, ParkDailyStats._meta.db_table
    firsts, lasts = sorted({r.start for r in ranges}), sorted({r.end for r in ranges})
    # ids and dates written into the SQL (integers and ISO dates: nothing to escape; quoting them
    # as parameters cost the driver more CPU than the rest of the query)
    parks = f"park_id IN ({', '.join(str(int(pk)) for pk in park_ids)})"
    with connections[router.db_for_read(ParkRangeStamp)].cursor() as cursor:
        cursor.execute(f"SELECT park_id, first_day, last_day, computed_at, {', '.join((*PARK_SUMS, *RIDE_COUNTS))}"
                       f" FROM {stamp}"
                       f" WHERE {parks} AND first_day IN ({_days(firsts)}) AND last_day IN ({_days(lasts)})")
        found = {}
        for row in cursor.fetchall():
            key = (row[0], _value(row[1], date), _value(row[2], date))
            if periods.DayRange(key[1], key[2]) in ranges:
                found[key] = (_value(row[3], datetime), row[4:])
        if not found:
            return {}
        oldest = min(at for at, _ in found.values())
        # named: with statistics from before a bulk write (an import, the first run) MariaDB walked
        # the whole index instead of its ranges from that instant on
        hint = " FORCE INDEX (park_day_computed_idx)" if cursor.db.vendor == "mysql" else ""
        cursor.execute(f"SELECT park_id, date, computed_at FROM {daily}{hint} WHERE {parks} AND computed_at > %s"
                       f" AND date >= %s AND date <= %s",
                       [oldest, min(key[1] for key in found), max(key[2] for key in found)])
        later = {}
        for park_id, day, computed in cursor.fetchall():
            later.setdefault(park_id, []).append((_value(day, date), _value(computed, datetime)))
    return {key: sums for key, (at, sums) in found.items() if _unchanged_since(at, key[1], key[2], later.get(key[0]))}


def _unchanged_since(at, first: date, last: date, later) -> bool:
    """No daily row of `later` ((date, computed_at) of the park's rows computed after the oldest
    stamp) from `first` to `last` was computed after `at`: a stamp of that range is fresh."""
    return not any(first <= day <= last and computed > at for day, computed in later or ())


def _days(days) -> str:
    return ", ".join(f"'{day.isoformat()}'" for day in days)


def _value(value, kind):
    """A date or datetime as the driver gives it (SQLite gives the columns of a UNION as text)."""
    return kind.fromisoformat(value) if isinstance(value, str) else value


def _fresh_stamps(kept: dict) -> set[tuple[int, periods.DayRange]]:
    """(park_id, range) of the stamps `kept` (park -> range -> computed_at) newer than every daily
    row of the park in the range, as `fresh_ranges` decides, from one read of the daily rows
    computed after the oldest of them (the run's check of a park's thirty-odd ranges: reading the
    park's days once, not once per range that holds them)."""
    stamps = [(park_id, span, at) for park_id, spans in kept.items() for span, at in spans.items()]
    if not stamps:
        return set()
    later = {}
    for park_id, day, computed in ParkDailyStats.objects.filter(
            park_id__in=list(kept), date__gte=min(span.start for _, span, _ in stamps),
            date__lte=max(span.end for _, span, _ in stamps),
            computed_at__gt=min(at for _, _, at in stamps)).values_list("park_id", "date", "computed_at"):
        later.setdefault(park_id, []).append((day, computed))
    return {(park_id, span) for park_id, span, at in stamps
            if _unchanged_since(at, span.start, span.end, later.get(park_id))}


def _sum_range(park_id: int, days: periods.DayRange, stamp: datetime) -> int:
    """Replace the park's rows of one range with its rides' sums over their daily rows."""
    ride_table, daily = RideRangeStats._meta.db_table, RideDailyStats._meta.db_table
    first, last = connection.ops.adapt_datefield_value(days.start), connection.ops.adapt_datefield_value(days.end)
    RideRangeStats.objects.filter(park_id=park_id, first_day=days.start, last_day=days.end).delete()
    ParkRangeStamp.objects.filter(park_id=park_id, first_day=days.start, last_day=days.end).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {ride_table} ({', '.join(_COLUMNS)}) SELECT ride_id, park_id, %s, %s, "
                       f"{', '.join(_SUMS)} FROM {daily} WHERE park_id = %s AND date >= %s AND date <= %s "
                       "GROUP BY ride_id, park_id", [first, last, park_id, first, last])
        written = cursor.rowcount
    with connection.cursor() as cursor:  # what a park ranking counts of its rides, from the rows just summed
        cursor.execute(ride_counts_sql(
            f"SELECT ride_id, park_id AS of_park, COALESCE(operating_minutes, 0.0) AS operating,"
            f" COALESCE(downtime_minutes, 0.0) AS downtime, COALESCE(wait_minutes, 0.0) AS wait_minutes,"
            f" COALESCE(days_operated, 0) AS days_operated FROM {ride_table}"
            " WHERE first_day = %s AND last_day = %s AND park_id = %s", cursor.db), [first, last, park_id])
        counts = (cursor.fetchone() or (park_id, 0, 0, 0, None, 0))[1:]
    with connection.cursor() as cursor:  # the park's own sums, from its daily rows in date order
        cursor.execute(f"INSERT INTO {ParkRangeStamp._meta.db_table} (park_id, first_day, last_day, computed_at, "
                       f"{', '.join((*PARK_SUMS, *RIDE_COUNTS))}) SELECT %s, %s, %s, %s, "
                       f"{', '.join(PARK_SUMS.values())}, {', '.join(['%s'] * len(RIDE_COUNTS))} FROM "
                       f"{ParkDailyStats._meta.db_table} WHERE park_id = %s AND date >= %s AND date <= %s",
                       [park_id, first, last, connection.ops.adapt_datetimefield_value(stamp), *counts,
                        park_id, first, last])
    return written


def ranges_refresh(plan: dict, now: datetime) -> int:
    """After a statistics run: for every park of `plan` (park -> the park days it recomputed), sum
    again each kept range that holds a recomputed day or is missing or stale, and drop the
    park's ranges no longer kept. Two reads when there is nothing to do (the 10-minute run, whose
    day in progress is in no kept range). Returns ride rows written."""
    wanted = {}
    for park, days in plan.items():
        try:
            wanted[park.pk] = (ranged_days(periods.park_today(now, park.timezone)), days)
        except (ValueError, KeyError):  # an invalid timezone: the park has no periods
            continue
    if not wanted:
        return 0
    kept, uncounted = {}, set()
    for park_id, first, last, computed, operated in ParkRangeStamp.objects.filter(
            park_id__in=list(wanted)).values_list("park_id", "first_day", "last_day", "computed_at", "rides_operated"):
        kept.setdefault(park_id, {})[periods.DayRange(first, last)] = computed
        if operated is None:  # its rides' counts forgotten (a tier changed), or summed before they were kept
            uncounted.add((park_id, periods.DayRange(first, last)))
    fresh = _fresh_stamps(kept) - uncounted
    written = 0
    for park_id, (spans, days) in wanted.items():
        keeping = set(spans)
        dropped = [span for span in kept.get(park_id, {}) if span not in keeping]
        summed = [span for span in spans if (park_id, span) not in fresh
                  or any(span.start <= day <= span.end for day in days)]
        if not dropped and not summed:
            continue
        with transaction.atomic():
            stamp = timezone.now()  # after every daily row this run wrote for the park
            for span in dropped:
                RideRangeStats.objects.filter(park_id=park_id, first_day=span.start, last_day=span.end).delete()
                ParkRangeStamp.objects.filter(park_id=park_id, first_day=span.start, last_day=span.end).delete()
            for span in summed:
                written += _sum_range(park_id, span, stamp)
    return written
