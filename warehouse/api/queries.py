"""Reads behind the per-park and per-ride endpoints, the live summary and search (health: health.py).

Figures come from the statistics tables (warehouse.selectors); raw observations are read only
for a ride's latest queue values (a short index range on its primary key).
"""
from datetime import timedelta, timezone as dt_timezone

from themepark.choices import EntityType, QueueType, RideStatus
from themepark.models import Park, Ride

from .. import periods
from ..models import (LiveParkState, LiveRideState, ParkDailyStats, ParkHourlyStats, ParkOperatingSession,
                      QueueData, RideDailyStats, RideHourlyStats, RideStatusChange)
from ..selectors import park_figures, ride_figures, scope_resolve

RECENT_DAYS = 7  # a ride that has not operated for this long is excluded from the park's weight


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


def park_details(*, park, period, now, start=None, end=None):
    scope = scope_resolve(parks=[park], period=period, now=now, start=start, end=end)
    days = scope.ranges[park.pk]
    state = LiveParkState.objects.filter(park=park).first()
    fig = park_figures(scope).get(park.pk, {})
    rides = {r.pk: r for r in attractions(park=park)}
    contributions = []
    for ride_id, ride_fig in ride_figures(scope).items():
        ride = rides.get(ride_id)
        if ride is None or not ride_fig["downtime"]:
            continue
        contributions.append({"ride_id": ride.pk, "ride_name": ride.name, "tier": ride.tier,
                              "tier_weight": ride.tier_weight, "downtime_hours": ride_fig["downtime_hours"],
                              "weighted_contribution": ride_fig["downtime_hours"] * ride.tier_weight})
    contributions.sort(key=lambda r: -r["weighted_contribution"])
    shame = state.shame_score if period == periods.LIVE and state else fig.get("shame")
    tiers = [r.tier for r in rides.values() if r.is_active]
    if days.days == 1:
        rows = ParkHourlyStats.objects.filter(park=park, date=days.start).order_by("hour_start_utc")
        rows = list(rows.values("hour_start_utc", "shame_score"))
        labels = [row["hour_start_utc"] for row in rows]
        chart = {"labels": [label(x) for x in labels],
                 "data": _series(rows, "hour_start_utc", "shame_score", labels), "granularity": "hourly"}
    else:
        rows = list(ParkDailyStats.objects.filter(park=park, date__gte=days.start, date__lte=days.end)
                    .values("date", "shame_score"))
        labels = days.dates()
        chart = {"labels": [label(x) for x in labels], "data": _series(rows, "date", "shame_score", labels),
                 "granularity": "daily"}
    return {
        "period": period, "dates": days.as_dict(), "park": park,
        "current_status": state or {},
        "shame_breakdown": {"shame_score": min(10.0, shame or 0.0),
                            "total_downtime_hours": fig.get("total_downtime", 0.0),
                            "weighted_downtime_hours": fig.get("weighted_downtime", 0.0),
                            "effective_park_weight": fig.get("effective_weight", 0.0), "rides": contributions},
        "tier_distribution": {"tier_1_count": tiers.count(1), "tier_2_count": tiers.count(2),
                              "tier_3_count": tiers.count(3), "unclassified_count": tiers.count(None)},
        "operating_sessions": ParkOperatingSession.objects.filter(park=park, date__gte=days.start,
                                                                  date__lte=days.end).order_by("date"),
        "chart_data": chart,
        "excluded_rides_count": len(park_rides(park=park, now=now)["rides"]["excluded"]),
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
    prices = list(QueueData.objects.filter(ride_id=ride.pk, queue_type=QueueType.PAID_RETURN_TIME,
                                           recorded_at__gte=start_utc, recorded_at__lt=end_utc,
                                           price_amount__isnull=False)
                  .order_by("recorded_at").values("recorded_at", "price_amount", "price_currency")[:1000])
    if prices:
        queues.setdefault(QueueType.PAID_RETURN_TIME.value, {})["price_history"] = prices
    return queues


def ride_details(*, ride, period, now, start=None, end=None):
    scope = scope_resolve(parks=[ride.park], period=period, now=now, start=start, end=end)
    days = scope.ranges[ride.park_id]
    fig = ride_figures(scope, ride_ids=[ride.pk]).get(ride.pk, {})
    start_utc, end_utc = periods.range_bounds_utc(days, ride.park.timezone)
    if days.days == 1:
        rows = RideHourlyStats.objects.filter(ride=ride, date=days.start).order_by("hour_start_utc")
        key = "hour_start_utc"
    else:
        rows = RideDailyStats.objects.filter(ride=ride, date__gte=days.start, date__lte=days.end).order_by("date")
        key = "date"
    timeseries = [{key: getattr(row, key), "avg_wait_time_minutes": row.avg_wait_minutes,
                   "uptime_percentage": row.uptime_percentage, "downtime_minutes": row.downtime_minutes,
                   "status": _ride_status(row.operating_minutes, row.downtime_minutes)} for row in rows]
    return {
        "period": period, "dates": days.as_dict(), "ride": ride,
        "summary": {"total_downtime_hours": fig.get("downtime_hours", 0.0),
                    "uptime_percentage": fig.get("uptime_percentage"), "avg_wait_time": fig.get("avg_wait"),
                    "peak_wait_time": fig.get("peak_wait"), "total_operating_hours": fig.get("operating_hours", 0.0)},
        "timeseries": timeseries,
        "downtime_events": downtime_events(ride=ride, start_utc=start_utc, end_utc=end_utc, now=now),
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
    parks = [{"id": p.pk, "name": p.name, "location": p.location} for p in Park.objects.filter(is_active=True)]
    names = {p["id"]: p["name"] for p in parks}
    rides = [{"id": pk, "name": name, "park_id": park_id, "park_name": names[park_id]}
             for pk, name, park_id in attractions(is_active=True, park_id__in=list(names))
             .order_by("name").values_list("pk", "name", "park_id")]
    return {"parks": parks, "rides": rides}
