"""Enumerations shared by every app."""
from django.db import models


class EntityType(models.TextChoices):
    ATTRACTION = "ATTRACTION"
    SHOW = "SHOW"
    RESTAURANT = "RESTAURANT"
    HOTEL = "HOTEL"
    PARK = "PARK"
    OTHER = "OTHER"


class RideCategory(models.TextChoices):
    """ThemeParks.wiki `attractionType`, kept as the ride's category."""
    RIDE = "RIDE"
    SHOW = "SHOW"
    TRANSPORT = "TRANSPORT"
    PARADE = "PARADE"
    MEET_AND_GREET = "MEET_AND_GREET"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class Tier(models.IntegerChoices):
    """Headliner (1), major (2), minor (3); null means unclassified."""
    TIER_1 = 1, "Tier 1"
    TIER_2 = 2, "Tier 2"
    TIER_3 = 3, "Tier 3"


class TierSource(models.TextChoices):
    """Who set a ride's tier (docs/metrics.md §7): the rules never overwrite staff."""
    RULES = "RULES"
    STAFF = "STAFF"


class RideStatus(models.TextChoices):
    OPERATING = "OPERATING"
    DOWN = "DOWN"
    CLOSED = "CLOSED"
    REFURBISHMENT = "REFURBISHMENT"


class DataSource(models.TextChoices):
    LIVE = "LIVE"
    ARCHIVE = "ARCHIVE"


class QueueType(models.TextChoices):
    STANDBY = "STANDBY"
    SINGLE_RIDER = "SINGLE_RIDER"
    RETURN_TIME = "RETURN_TIME"
    PAID_RETURN_TIME = "PAID_RETURN_TIME"
    BOARDING_GROUP = "BOARDING_GROUP"
    PAID_STANDBY = "PAID_STANDBY"


class ScheduleType(models.TextChoices):
    OPERATING = "OPERATING"
    TICKETED_EVENT = "TICKETED_EVENT"
    PRIVATE_EVENT = "PRIVATE_EVENT"
    EXTRA_HOURS = "EXTRA_HOURS"
    INFO = "INFO"


class IndoorOutdoor(models.TextChoices):
    INDOOR = "INDOOR"
    OUTDOOR = "OUTDOOR"
    HYBRID = "HYBRID"
    UNKNOWN = "UNKNOWN"
