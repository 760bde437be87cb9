"""Fixed values of the metric rules (docs/metrics.md)."""

# docs/metrics.md §5: tier 1 -> 3, tier 2 -> 2, tier 3 -> 1, unclassified -> 2.
TIER_WEIGHTS = {1: 3, 2: 2, 3: 1, None: 2}

# docs/metrics.md §1: a standby wait outside 0..600 minutes is invalid.
MAX_VALID_WAIT_MINUTES = 600

QUEUE_TIMES_PARK_URL = "https://queue-times.com/parks/{id}"
QUEUE_TIMES_ATTRIBUTION = {"name": "Powered by Queue-Times.com", "url": "https://queue-times.com/"}
THEMEPARKS_WIKI_ATTRIBUTION = {"name": "ThemeParks.wiki", "url": "https://themeparks.wiki/"}


def tier_weight(tier):
    return TIER_WEIGHTS.get(tier, TIER_WEIGHTS[None])
