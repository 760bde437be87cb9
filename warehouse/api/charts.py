"""What the Hall of Shame frontend reads beyond the rankings: the awards (longest waits, least
reliable), the heatmaps (entities x hours or days) and a park's per-ride comparison.

Every figure comes from the statistics tables through the same selectors as the rankings, so an
award or a heatmap total equals the matching ranking's figure. Nothing is invented: a bucket
without a statistics row is null.
"""
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

from ..selectors import park_downtime_ranking, park_wait_ranking, ride_downtime_ranking, ride_wait_ranking
from .queries import label
from .trends import series

ENTITIES = ("parks", "rides")
# type -> (chart series, metric, unit, figure giving the row total)
HEATMAP_TYPES = {
    "parks-shame": ("parks", "shame_score", "score", "shame"),
    "parks": ("waittimes", "avg_wait_time_minutes", "minutes", "avg_wait"),
    "rides-downtime": ("rides", "downtime_hours", "hours", "downtime_hours"),
    "rides-waittimes": ("ridewaittimes", "avg_wait_time_minutes", "minutes", "avg_wait"),
}
RIDE_CHART_TYPES = {"downtime": "rides", "wait_times": "ridewaittimes"}


def _zone(tz):
    try:
        return ZoneInfo(tz)
    except (ValueError, KeyError):
        return None


def display_labels(buckets, *, hourly, zones):
    """Column headers: 'Dec 05' for park days; for hours '14:00' in the parks' zone when they
    share one, else '19:00 UTC'."""
    if not hourly:
        return [f"{day:%b %d}" for day in buckets]
    distinct = set(zones)
    zone = _zone(distinct.pop()) if len(distinct) == 1 else None
    if zone is None:
        return [f"{hour.astimezone(dt_timezone.utc):%H}:00 UTC" for hour in buckets]
    return [f"{hour.astimezone(zone).hour}:00" for hour in buckets]


def _reranked(rows):
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def longest_waits(scope, *, entity, limit):
    """Parks or rides by mean standby wait over the period, longest first (the parks/rides
    waittimes rankings, under the award's field names)."""
    if entity == "parks":
        rows = park_wait_ranking(scope, limit=limit)
        for row in rows:
            row["avg_wait_time"], row["peak_wait_time"] = row["avg_wait_minutes"], row["peak_wait_minutes"]
        return rows
    return ride_wait_ranking(scope, limit=limit)


def least_reliable(scope, *, entity, limit):
    """Parks by mean shame score, rides by downtime hours, most first; only those with downtime."""
    if entity == "parks":
        _, rows = park_downtime_ranking(scope, sort_by="shame_score", limit=limit)
        rows = [r for r in rows if r["total_downtime_hours"] > 0 or r["shame_score"] > 0]
        for row in rows:
            row["avg_shame_score"], row["downtime_hours"] = row["shame_score"], row["total_downtime_hours"]
    else:
        rows = [r for r in ride_downtime_ranking(scope, sort_by="downtime_hours", limit=limit)
                if r["downtime_hours"] > 0]
    return _reranked(rows)


def heatmap(scope, *, kind, limit):
    """The top `limit` entities of `kind` as a matrix: one row per entity, one column per hour
    (one-day periods) or park day (longer ones)."""
    chart, metric, unit, total_key = HEATMAP_TYPES[kind]
    found = series(scope=scope, kind=chart, limit=limit)
    entities, matrix = [], []
    for rank, pk in enumerate(found.chosen, start=1):
        info, figure = found.entities[pk], found.figures[pk]
        item = {"entity_id": pk, "entity_name": info["name"], "rank": rank, "total_value": figure[total_key]}
        if found.level == "park":
            item["location"] = info["park"].location or "Unknown"
        else:
            item["tier"] = info["tier"]
            item["park_name"] = info["park"].name if info["park"] is not None else ""
        entities.append(item)
        matrix.append(found.full_row(pk))
    zones = [info["park"].timezone for info in found.entities.values() if info.get("park") is not None]
    return {"metric": metric, "metric_unit": unit, "granularity": found.granularity, "entities": entities,
            "time_labels": display_labels(found.buckets, hourly=found.hourly, zones=zones),
            "time_buckets": [label(x) for x in found.buckets], "matrix": matrix}


def park_ride_charts(scope, *, park, chart_type):
    """Every attraction of the park with a figure in the period: downtime hours or mean wait per bucket."""
    found = series(scope=scope, kind=RIDE_CHART_TYPES[chart_type])
    datasets = [{"ride_id": pk, "label": found.entities[pk]["name"], "tier": found.entities[pk]["tier"],
                 "total": found.figures[pk]["downtime_hours" if chart_type == "downtime" else "avg_wait"],
                 "data": found.full_row(pk)} for pk in found.chosen]
    return {"park_id": park.pk, "chart_type": chart_type, "granularity": found.granularity,
            "labels": display_labels(found.buckets, hourly=found.hourly, zones=[park.timezone]),
            "buckets": [label(x) for x in found.buckets], "datasets": datasets}
