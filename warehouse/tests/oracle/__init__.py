"""The oracle: park days computed one at a time, each from its own reads, as the statistics engine
did before it read and wrote a park's consecutive days together (`warehouse.aggregation.daily`,
`park_days_compute`). Per day: each ride's last observation before the day (`read_latest`), the
day's observations, the day's schedule, then the pure engine. The property tests require the
engine's stored figures to equal these."""
from datetime import date, datetime

from themepark.models import Park
from warehouse.aggregation.daily import live_hold_seconds, park_rides, read_observations, read_schedule
from warehouse.metrics import ParkDay, compute_park_day, park_day_bounds


def oracle_park_day(park: Park, day: date, now: datetime) -> ParkDay:
    rides = park_rides(park)
    start, end = park_day_bounds(day, park.timezone)
    horizon = min(end, now)
    observations = read_observations([r.id for r in rides], start, horizon) if horizon > start else {}
    return compute_park_day(day=day, tz=park.timezone, rides=rides, observations=observations,
                            schedule=read_schedule(park, day), reports_down=park.reports_down,
                            now=now.timestamp(), live_hold=live_hold_seconds())
