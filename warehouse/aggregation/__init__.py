"""The statistics engine's database side: `daily` reads and stores one park day, `rollups` rolls
weeks, months and years up from the daily rows, `runs` plans and logs runs. The rules
themselves live in the pure `warehouse.metrics`."""
from .daily import park_day_compute, park_day_refresh, park_day_store, park_rides, read_observations
from .rollups import park_periods_roll, period_bounds
from .runs import (AggregationSummary, aggregation_run, changed_park_days,
                   data_range, incremental_days,
                   last_completed_start, parks_selected, plan_range, repair_plan)
from .workers import aggregation_worker

__all__ = [
    "AggregationSummary", "aggregation_run", "aggregation_worker", "changed_park_days", "data_range",
    "incremental_days", "last_completed_start",
    "park_day_compute", "park_day_refresh", "park_day_store", "park_periods_roll", "park_rides", "parks_selected",
    "period_bounds", "plan_range", "read_observations", "repair_plan",
]
