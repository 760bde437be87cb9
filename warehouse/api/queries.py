"""Reads behind the per-park and per-ride endpoints, the live summary and search (health: health.py).

Figures come from the statistics tables (warehouse.selectors); raw observations are read only
for a ride's latest queue values (a short index range on its primary key).
"""
from bisect import bisect_right
import logging
from datetime import timedelta, timezone as dt_timezone

from django.db.models import Count
from rest_framework import status as http_status
from rest_framework.exceptions import APIException

from themepark.choices import EntityType, QueueType, RideStatus
from themepark.models import Park, Ride

from .. import periods
from ..models import (LiveParkState, LiveRideState, ParkDailyStats, ParkHourlyStats,
                      ParkOperatingSession, QueueData, RideDailyStats, RideHourlyStats, RideStatusChange,
                      RideStatusSnapshot)
from ..selectors import park_figures, ride_figures, scope_resolve
from .reliability import event_kinds, park_reliability

RELIABILITY_KEYS = ("breakdowns", "mtbf_hours", "mttr_minutes", "opening_reliability", "downtime_minutes_by_kind")

logger = logging.getLogger(__name__)

RECENT_DAYS = 7  # a ride that has not operated for this long is excluded from the park's weight


class ParkDataError(APIException):
    """A park whose stored data cannot answer (an invalid timezone): JSON 500 naming the problem."""

    status_code = http_status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = "The park's stored data is invalid."


def attractions(**filters):
    return Ride.objects.filter(entity_type=EntityType.ATTRACTION, **filters)


def _operated_recently(ride, state, now):
    if state is not None:
        return state.operated_last_7_days
    return ride.last_operated_at is not None and ride.last_operated_at >= now - timedelta(days=RECENT_DAYS)


def park_rides(*, park, now):
    """Active rides (counted in the park's weight) and excluded ones, with the reason."""
    rides = list(attractions(park=park).order_by("name"))
    live = LiveRideState.objects.in_bulk([r.pk for r in rides])
    active, excluded = [], []
    for ride in rides:
        if not ride.is_active:
            reason = "inactive"
        elif not _operated_recently(ride, live.get(ride.pk), now):
            reason = f"not operated in the last {RECENT_DAYS} days"
        else:
            active.append({"ride_id": ride.pk, "name": ride.name, "tier": ride.tier, "tier_weight": ride.tier_weight})
            continue
        excluded.append({"ride_id": ride.pk, "ride_name": ride.name, "tier": ride.tier,
                         "tier_weight": ride.tier_weight, "last_operated_at": ride.last_operated_at,
                         "reason": reason})
    return {"rides": {"active": active, "excluded": excluded},
            "effective_park_weight": float(sum(r["tier_weight"] for r in active))}


def label(value):
    """Chart labels: UTC hours as ISO 8601 with Z, park days as YYYY-MM-DD."""
    if hasattr(value, "hour"):
        return value.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _series(rows, label_key, value_key, labels):
    by_label = {row[label_key]: row[value_key] for row in rows}
    return [by_label.get(label) for label in labels] if by_label else []


def _chart(park, days):
    """Shame score per hour (one day) or park day, with the mean wait and rides down of each bucket."""
    if days.days == 1:
        rows = list(ParkHourlyStats.objects.filter(park=park, date=days.start).order_by("hour_start_utc")
                    .values("hour_start_utc", "shame_score", "avg_wait_minutes", "rides_down"))
        key, labels = "hour_start_utc", [row["hour_start_utc"] for row in rows]
    else:
        rows = list(ParkDailyStats.objects.filter(park=park, date__gte=days.start, date__lte=days.end)
                    .values("date", "shame_score", "avg_wait_minutes", "rides_down"))
        key, labels = "date", days.dates()
    data = _series(rows, key, "shame_score", labels)
    known = [value for value in data if value is not None]
    return {"labels": [label(x) for x in labels], "data": data,
            "avg_wait": _series(rows, key, "avg_wait_minutes", labels),
            "rides_down": _series(rows, key, "rides_down", labels),
            "average": sum(known) / len(known) if known else None,
            "granularity": periods.granularity(days)}


def _is_down(park, status):
    return status == RideStatus.DOWN or (status == RideStatus.CLOSED and not park.reports_down)


def _live_breakdown(park, state, roster, live):
    """The live shame breakdown: the rides down now among those counted, and those left out."""
    active = {r["ride_id"]: r for r in roster["rides"]["active"]}
    down = [{"ride_id": pk, "ride_name": ride["name"], "tier": ride["tier"], "tier_weight": ride["tier_weight"],
             "status": live[pk].status} for pk, ride in active.items()
            if pk in live and _is_down(park, live[pk].status)]
    down.sort(key=lambda r: (-r["tier_weight"], r["ride_name"]))
    excluded = [{**r, "exclusion_reason": r["reason"]} for r in roster["rides"]["excluded"]]
    return {"park_is_open": bool(state and state.is_open), "shame_score": state.shame_score if state else 0.0,
            "total_weighted_down": float(sum(r["tier_weight"] for r in down)),
            "total_park_weight": roster["effective_park_weight"], "rides_down": down, "rides_excluded": excluded,
            "total_excluded_weight": float(sum(r["tier_weight"] for r in excluded))}


def park_details(*, park, period, now, start=None, end=None):
    scope = scope_resolve(parks=[park], period=period, now=now, start=start, end=end)
    days = park_range(scope, park)
    state = LiveParkState.objects.filter(park=park).first()
    fig = park_figures(scope).get(park.pk, {})
    rides = {r.pk: r for r in attractions(park=park)}
    live = LiveRideState.objects.in_bulk(list(rides))
    days_down = dict(RideDailyStats.objects.filter(park=park, date__gte=days.start, date__lte=days.end,
                                                   downtime_minutes__gt=0)
                     .values("ride_id").annotate(n=Count("pk")).values_list("ride_id", "n"))
    is_live = period == periods.LIVE
    contributions = []
    all_rides = ride_figures(scope)
    for ride_id, ride_fig in all_rides.items():
        ride = rides.get(ride_id)
        if ride is None or not ride_fig["downtime"]:
            continue
        status = live[ride_id].status if is_live and ride_id in live else None
        contributions.append({"ride_id": ride.pk, "ride_name": ride.name, "tier": ride.tier,
                              "tier_weight": ride.tier_weight, "downtime_hours": ride_fig["downtime_hours"],
                              "weighted_contribution": ride_fig["downtime_hours"] * ride.tier_weight,
                              "days_with_downtime": days_down.get(ride_id, 0),
                              "status": status or RideStatus.DOWN.value})
    contributions.sort(key=lambda r: -r["weighted_contribution"])
    shame = state.shame_score if is_live and state else fig.get("shame")
    tiers = [r.tier for r in rides.values() if r.is_active]
    roster = park_rides(park=park, now=now)
    breakdown = {"breakdown_type": period, "shame_score": min(10.0, shame or 0.0),
                 "total_downtime_hours": fig.get("total_downtime", 0.0),
                 "weighted_downtime_hours": fig.get("weighted_downtime", 0.0),
                 "effective_park_weight": fig.get("effective_weight", 0.0), "rides": contributions,
                 "rides_affected_count": len(contributions),
                 "period_label": f"{days.start:%b %d, %Y} – {days.end:%b %d, %Y}" if days.days > 1
                 else f"{days.start:%b %d, %Y}", "days_in_period": days.days}
    if is_live:
        breakdown.update(_live_breakdown(park, state, roster, live))
        breakdown["shame_score"] = min(10.0, breakdown["shame_score"])
    current = {}
    if state is not None:
        current = {"is_open": state.is_open, "rides_open": state.rides_open, "operating": state.rides_open,
                   "rides_closed": state.rides_closed, "rides_down": state.rides_down,
                   "total_rides": state.total_rides, "avg_wait_time": state.avg_wait_time,
                   "max_wait_time": state.max_wait_time, "last_updated": state.last_updated}
        running = state.rides_open + state.rides_down
        if running:
            current["uptime_percentage"] = 100.0 * state.rides_open / running
    return {
        "period": period, "dates": days.as_dict(), "park": park,
        "current_status": current,
        "shame_breakdown": breakdown,
        "tier_distribution": {"tier_1_count": tiers.count(1), "tier_2_count": tiers.count(2),
                              "tier_3_count": tiers.count(3), "unclassified_count": tiers.count(None),
                              "total_rides": len(tiers)},
        "operating_sessions": ParkOperatingSession.objects.filter(park=park, date__gte=days.start,
                                                                  date__lte=days.end).order_by("date"),
        "chart_data": _chart(park, days),
        "excluded_rides_count": len(roster["rides"]["excluded"]),
        "reliability": park_reliability(all_rides, fig),
    }


def _ride_status(operating, downtime):
    if downtime:
        return RideStatus.DOWN.value
    return RideStatus.OPERATING.value if operating else RideStatus.CLOSED.value


def downtime_events(*, ride, start_utc, end_utc, now):
    """Spells in a down state overlapping [start_utc, end_utc), from the status-change log."""
    down = {RideStatus.DOWN} if ride.park.reports_down else {RideStatus.DOWN, RideStatus.CLOSED}
    changes = list(RideStatusChange.objects.filter(ride=ride, changed_at__gte=start_utc, changed_at__lt=end_utc)
                   .order_by("changed_at").values_list("changed_at", "to_status"))
    before = (RideStatusChange.objects.filter(ride=ride, changed_at__lt=start_utc).order_by("-changed_at")
              .values_list("to_status", flat=True).first())
    events, spell_start = [], start_utc if before in down else None
    for changed_at, to_status in changes:
        if spell_start is not None and to_status not in down:
            events.append((spell_start, changed_at))
            spell_start = None
        elif spell_start is None and to_status in down:
            spell_start = changed_at
    if spell_start is not None:
        events.append((spell_start, None))
    cap = min(now, end_utc)
    return [{"start": a, "end": b, "duration_minutes": ((b or cap) - a).total_seconds() / 60} for a, b in events]


QUEUE_FIELDS = ("wait_time_minutes", "return_time_start", "return_time_end", "state", "price_amount",
                "price_currency", "boarding_group_status", "boarding_group_current_start",
                "boarding_group_current_end", "next_allocation_time", "estimated_wait_minutes")


def latest_queues(*, ride, now, start_utc, end_utc):
    """Latest values of each queue type in the last week, plus the paid return price history of the period."""
    rows = (QueueData.objects.filter(ride_id=ride.pk, recorded_at__gte=now - timedelta(days=RECENT_DAYS),
                                     recorded_at__lte=now).order_by("-recorded_at")
            .values("queue_type", "recorded_at", *QUEUE_FIELDS)[:200])
    queues = {}
    for row in rows:
        if row["queue_type"] not in queues:
            queues[row["queue_type"]] = {k: v for k, v in row.items() if k != "queue_type" and v is not None}
    # The standby wait lives in the snapshot (queue_data keeps a STANDBY row only when it carries more).
    standby = (RideStatusSnapshot.objects.for_ride(ride)
               .filter(recorded_at__gte=now - timedelta(days=RECENT_DAYS), recorded_at__lte=now,
                       wait_time__isnull=False).order_by("-recorded_at").values("recorded_at", "wait_time").first())
    kept = queues.get(QueueType.STANDBY.value)
    if standby and (kept is None or kept["recorded_at"] < standby["recorded_at"]):
        queues[QueueType.STANDBY.value] = {"recorded_at": standby["recorded_at"],
                                           "wait_time_minutes": standby["wait_time"]}
    prices = list(QueueData.objects.filter(ride_id=ride.pk, queue_type=QueueType.PAID_RETURN_TIME,
                                           recorded_at__gte=start_utc, recorded_at__lt=end_utc,
                                           price_amount__isnull=False)
                  .order_by("recorded_at").values("recorded_at", "price_amount", "price_currency")[:1000])
    if prices:
        queues.setdefault(QueueType.PAID_RETURN_TIME.value, {})["price_history"] = prices
    return queues


def _snapshot_counts(*, ride, starts, end_utc):
    """Raw observations of the ride in each bucket [starts[i], starts[i+1]) (the last one ends at end_utc)."""
    counts = [0] * len(starts)
    if not starts:
        return counts
    moments = (RideStatusSnapshot.objects.for_ride(ride).between(starts[0], end_utc)
               .values_list("recorded_at", flat=True).iterator(chunk_size=5000))
    for moment in moments:
        index = bisect_right(starts, moment) - 1
        if index >= 0:
            counts[index] += 1
    return counts


def park_range(scope, park):
    """The park days of `park` in `scope`; a park left out for a bad timezone is a clear 500."""
    days = scope.ranges.get(park.pk)
    if days is None:
        raise ParkDataError(f"Park {park.pk} has an invalid timezone ({park.timezone!r}); its periods "
                            "cannot be resolved.")
    return days


def ride_details(*, ride, period, now, start=None, end=None):
    scope = scope_resolve(parks=[ride.park], period=period, now=now, start=start, end=end)
    days = park_range(scope, ride.park)
    fig = ride_figures(scope, ride_ids=[ride.pk]).get(ride.pk, {})
    start_utc, end_utc = periods.range_bounds_utc(days, ride.park.timezone)
    if days.days == 1:
        rows = list(RideHourlyStats.objects.filter(ride=ride, date=days.start).order_by("hour_start_utc"))
        key = "hour_start_utc"
        starts = [row.hour_start_utc for row in rows]
    else:
        rows = list(RideDailyStats.objects.filter(ride=ride, date__gte=days.start, date__lte=days.end)
                    .order_by("date"))
        key = "date"
        starts = [periods.day_bounds_utc(row.date, ride.park.timezone)[0] for row in rows]
    counts = _snapshot_counts(ride=ride, starts=starts, end_utc=end_utc)
    timeseries = [{key: getattr(row, key), "avg_wait_time_minutes": row.avg_wait_minutes,
                   "uptime_percentage": row.uptime_percentage, "downtime_minutes": row.downtime_minutes,
                   "downtime_hours": row.downtime_minutes / 60, "operating_hours": row.operating_minutes / 60,
                   "snapshot_count": count, "status": _ride_status(row.operating_minutes, row.downtime_minutes)}
                  for row, count in zip(rows, counts)]
    return {
        "period": period, "dates": days.as_dict(), "ride": ride, "granularity": periods.granularity(days),
        "hourly_breakdown": timeseries,
        "summary": {"total_downtime_hours": fig.get("downtime_hours", 0.0),
                    "uptime_percentage": fig.get("uptime_percentage"), "avg_wait_time": fig.get("avg_wait"),
                    "peak_wait_time": fig.get("peak_wait"), "total_operating_hours": fig.get("operating_hours", 0.0),
                    **{k: fig.get(k) for k in RELIABILITY_KEYS}},
        "timeseries": timeseries,
        "downtime_events": event_kinds(downtime_events(ride=ride, start_utc=start_utc, end_utc=end_utc, now=now),
                                       ride=ride, start_utc=start_utc, end_utc=end_utc),
        "queues": latest_queues(ride=ride, now=now, start_utc=start_utc, end_utc=end_utc),
    }


def status_summary(*, parks):
    """Attractions by live status; rides of a closed park count as PARK_CLOSED."""
    park_ids = [p.pk for p in parks]
    open_parks = set(LiveParkState.objects.filter(park_id__in=park_ids, is_open=True).values_list("park_id", flat=True))
    summary = dict.fromkeys(("OPERATING", "DOWN", "CLOSED", "REFURBISHMENT", "PARK_CLOSED"), 0)
    rows = (LiveRideState.objects.filter(park_id__in=park_ids, ride__entity_type=EntityType.ATTRACTION,
                                         ride__is_active=True).values_list("park_id", "status"))
    for park_id, status in rows:
        if park_id not in open_parks:
            summary["PARK_CLOSED"] += 1
        elif status in summary:
            summary[status] += 1
    summary["total"] = sum(summary.values())
    return summary


def search_index():
    """Every active park and attraction with the frontend page it opens (page-relative URLs)."""
    parks = [{"id": p.pk, "type": "park", "name": p.name, "location": p.location,
              "url": f"park-detail.html?park_id={p.pk}"} for p in Park.objects.filter(is_active=True)]
    by_id = {p["id"]: p for p in parks}
    rides = [{"id": pk, "type": "ride", "name": name, "park_id": park_id, "park_name": by_id[park_id]["name"],
              "location": by_id[park_id]["location"], "url": f"ride-detail.html?id={pk}"}
             for pk, name, park_id in attractions(is_active=True, park_id__in=list(by_id))
             .order_by("name").values_list("pk", "name", "park_id")]
    return {"parks": parks, "rides": rides}
