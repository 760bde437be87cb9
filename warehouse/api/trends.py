"""Trends: a period against the one before, chart series, and year-over-year comparisons.

Charts never invent data: an entity without rows gets an empty series, and a label without a
row gets null.
"""
from dataclasses import dataclass

from .. import periods
from ..models import ParkDailyStats, ParkHourlyStats, RideDailyStats, RideHourlyStats
from ..selectors import park_figures, ride_figures, scope_resolve
from .queries import attractions, label

TREND_CATEGORIES = ("parks-improving", "parks-declining", "rides-improving", "rides-declining")
CHART_TYPES = ("parks", "rides", "waittimes", "ridewaittimes")
MIN_CHANGE_PERCENTAGE = 5.0


def _change(current, previous):
    if current is None or not previous:
        return None
    return 100 * (current - previous) / previous


def trends(*, category, parks, period, now, limit, start=None, end=None):
    """Parks or rides whose uptime changed by at least 5 % against the previous period."""
    kwargs = {"parks": parks, "period": period, "now": now, "start": start, "end": end}
    current, previous = scope_resolve(**kwargs), scope_resolve(**kwargs, previous=True)
    entity, direction = category.split("-")
    rows = []
    if entity == "parks":
        now_figs, before_figs = park_figures(current), park_figures(previous)
        for park_id, fig in now_figs.items():
            old = before_figs.get(park_id)
            if old is None:
                continue
            park = current.parks[park_id]
            rows.append({"park_id": park_id, "park_name": park.name, "location": park.location,
                         "current_uptime": fig["uptime_percentage"], "previous_uptime": old["uptime_percentage"],
                         "current_downtime_hours": fig["total_downtime"],
                         "previous_downtime_hours": old["total_downtime"],
                         "change_percentage": _change(fig["uptime_percentage"], old["uptime_percentage"])})
    else:
        now_figs, before_figs = ride_figures(current, brief=True), ride_figures(previous, brief=True)
        rides = attractions(pk__in=[k for k in now_figs if k in before_figs]).values_list(
            "pk", "name", "park_id", "park__name", "tier")  # in the rides' own order, as rows tie
        for ride_id, name, park_id, park_name, tier in rides:
            fig, old = now_figs[ride_id], before_figs[ride_id]
            rows.append({"ride_id": ride_id, "ride_name": name, "park_id": park_id,
                         "park_name": park_name, "tier": tier,
                         "current_uptime": fig["uptime_percentage"], "previous_uptime": old["uptime_percentage"],
                         "current_downtime_hours": fig["downtime_hours"],
                         "previous_downtime_hours": old["downtime_hours"],
                         "change_percentage": _change(fig["uptime_percentage"], old["uptime_percentage"])})
    sign = 1 if direction == "improving" else -1
    rows = [r for r in rows if r["change_percentage"] is not None
            and sign * r["change_percentage"] >= MIN_CHANGE_PERCENTAGE]
    rows.sort(key=lambda r: -sign * r["change_percentage"])
    comparison = {"current_period": _span(current), "previous_period": _span(previous)}
    return comparison, entity, rows[:limit]


def _span(scope):
    span = scope.span
    return {"period": scope.period, **(span.as_dict() if span else {"start": None, "end": None})}


# Which table, label and figure each chart type plots, and how its entities are chosen.
_CHARTS = {
    "parks": ("park", "shame_score", "shame"),
    "waittimes": ("park", "avg_wait_minutes", "avg_wait"),
    "rides": ("ride", "downtime_minutes", "downtime"),
    "ridewaittimes": ("ride", "avg_wait_minutes", "avg_wait"),
}


@dataclass
class Series:
    """The top entities of a scope with their values per time bucket (UTC hours for one-day
    periods, park days otherwise); `values[pk]` holds only the buckets that have a row."""

    level: str
    hourly: bool
    chosen: list
    figures: dict
    buckets: list
    values: dict
    entities: dict

    @property
    def granularity(self):
        return "hourly" if self.hourly else "daily"

    def row(self, pk):
        """One value per bucket (null where no row), empty when the entity has no row at all."""
        return [self.values[pk].get(bucket) for bucket in self.buckets] if pk in self.values else []

    def full_row(self, pk):
        return [self.values.get(pk, {}).get(bucket) for bucket in self.buckets]


def series(*, scope, kind, limit=None, ride_ids=None):
    """Values of the top `limit` parks or rides of `scope` (ranked by the chart's figure), hourly
    for one-day periods and daily otherwise. Downtime is in hours."""
    level, column, rank_key = _CHARTS[kind]
    hourly = bool(scope.ranges) and all(r.days == 1 for r in scope.ranges.values())
    figures = park_figures(scope) if level == "park" else ride_figures(scope, ride_ids=ride_ids)
    chosen = sorted((k for k, v in figures.items() if v[rank_key] is not None),
                    key=lambda k: (-figures[k][rank_key], k))
    if level == "park":
        table = ParkHourlyStats if hourly else ParkDailyStats
        chosen = chosen[:limit] if limit is not None else chosen
        entities = {pk: {"name": scope.parks[pk].name, "park": scope.parks[pk]} for pk in chosen}
    else:  # attractions only (shows and restaurants have no ranking)
        table = RideHourlyStats if hourly else RideDailyStats
        entities = {}
        for offset in range(0, len(chosen), 500):  # in rank order, until `limit` attractions are found
            entities.update({row["pk"]: {"name": row["name"], "tier": row["tier"],
                                         "park": scope.parks.get(row["park_id"])}
                             for row in attractions(pk__in=chosen[offset:offset + 500])
                             .values("pk", "name", "tier", "park_id")})
            if limit is not None and len(entities) >= limit:
                break
        chosen = [pk for pk in chosen if pk in entities]
        chosen = chosen[:limit] if limit is not None else chosen
        entities = {pk: entities[pk] for pk in chosen}
    label_key = "hour_start_utc" if hourly else "date"
    rows = table.objects.filter(scope.q()).filter(**{f"{level}_id__in": chosen}).values(
        f"{level}_id", label_key, column)
    values = {}
    for row in rows:
        value = row[column]
        if value is not None and column == "downtime_minutes":
            value = value / 60  # rides charts plot downtime hours
        values.setdefault(row[f"{level}_id"], {})[row[label_key]] = value
    if hourly:
        buckets = sorted({bucket for by_bucket in values.values() for bucket in by_bucket})
    else:
        span = scope.span
        buckets = span.dates() if span else []
    return Series(level, hourly, chosen, figures, buckets, values, entities)


def chart_data(*, kind, parks, period, now, limit, start=None, end=None):
    """Series of the top `limit` parks or rides of the period, hourly for one day, daily otherwise."""
    scope = scope_resolve(parks=parks, period=period, now=now, start=start, end=end)
    found = series(scope=scope, kind=kind, limit=limit)
    datasets = []
    for pk in found.chosen:
        entity = found.entities.get(pk, {})
        dataset = {"label": entity.get("name", str(pk)), "entity_id": pk, "data": found.row(pk)}
        if found.level == "ride" and entity.get("park") is not None:
            dataset["park"] = entity["park"].name
        datasets.append(dataset)
    return {"labels": [label(x) for x in found.buckets], "datasets": datasets}, found.granularity


def year_over_year(*, park=None, ride=None, start, end, iso_week=False, now):
    """The figures of start..end and of the same dates a year earlier (or the same ISO week), side by side."""
    current = periods.DayRange(start, end)
    previous = periods.year_earlier(current, iso_week=iso_week)
    target = park or ride.park
    result = {}
    for name, days in (("current", current), ("previous", previous)):
        scope = scope_resolve(parks=[target], period=periods.CUSTOM, now=now, start=days.start, end=days.end)
        if park is not None:
            fig = park_figures(scope).get(park.pk) or {}
            figures = {"shame_score": fig.get("shame"), "total_downtime_hours": fig.get("total_downtime"),
                       "weighted_downtime_hours": fig.get("weighted_downtime"),
                       "uptime_percentage": fig.get("uptime_percentage"), "avg_wait_minutes": fig.get("avg_wait"),
                       "peak_wait_minutes": fig.get("peak_wait"), "days_open": fig.get("days_open", 0)}
        else:
            fig = ride_figures(scope, ride_ids=[ride.pk]).get(ride.pk) or {}
            figures = {"downtime_hours": fig.get("downtime_hours"), "uptime_percentage": fig.get("uptime_percentage"),
                       "avg_wait_minutes": fig.get("avg_wait"), "peak_wait_minutes": fig.get("peak_wait"),
                       "operating_hours": fig.get("operating_hours"), "days_operated": fig.get("days_operated", 0)}
        result[name] = {**days.as_dict(), "figures": figures}
    result["change_percentage"] = {key: _change(result["current"]["figures"][key], value)
                                   for key, value in result["previous"]["figures"].items()}
    return result
