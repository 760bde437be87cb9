"""Fixed values of the statistics engine."""

# Bumped whenever a rule of docs/metrics.md changes; every stats row records the version it was computed with.
METRICS_VERSION = 2  # 2: tiers by rule, reliability figures, kinds of downtime (docs/metrics.md §7-§9)

# LIVE observations hold for this many collection intervals (docs/metrics.md §2).
LIVE_HOLD_INTERVALS = 3

# A park day starts at 04:00 local time (docs/metrics.md §3).
PARK_DAY_START_HOUR = 4

# Minutes of OPERATING that make a ride count as operated (docs/metrics.md §4).
OPERATED_MINUTES_REPORTS_DOWN = 1
OPERATED_MINUTES_NO_DOWN = 30
