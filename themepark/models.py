"""The catalog: destinations, parks, lands and rides, keyed by their outside ids; park schedules and
ride metadata with its versions. Every app reads these; the collector writes them."""
from django.db import models

from .choices import EntityType, IndoorOutdoor, RideCategory, ScheduleType, Tier, TierSource
from .constants import QUEUE_TIMES_PARK_URL, tier_weight
from .location import LocationSource, describe


class Destination(models.Model):
    """A resort grouping parks, as ThemeParks.wiki lists them."""

    themeparks_wiki_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Park(models.Model):
    """A park; its timezone defines its days (docs/metrics.md §3)."""

    destination = models.ForeignKey(Destination, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="parks")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, blank=True)
    themeparks_wiki_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    queue_times_id = models.PositiveIntegerField(unique=True, null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA timezone name")
    city = models.CharField(max_length=100, blank=True, help_text="Nearest town or city")
    region = models.CharField(max_length=100, blank=True, help_text="State, province or region")
    country = models.CharField(max_length=100, blank=True)
    continent = models.CharField(max_length=100, blank=True)
    location_source = models.CharField(
        max_length=12, blank=True, choices=LocationSource.choices,
        help_text="Where city, region and country come from; MANUAL places are never overwritten")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    operator = models.CharField(max_length=200, blank=True)
    is_disney = models.BooleanField(default=False)
    is_universal = models.BooleanField(default=False)
    reports_down = models.BooleanField(
        default=True,
        help_text="The feed reports breakdowns as DOWN. Off for parks known only through "
                  "Queue-Times, where every stop reads CLOSED (docs/metrics.md §4).")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def location(self):
        """A readable place: 'City, Region, Country' (the continent when nothing else is known)."""
        return describe(self.city, self.region, self.country) or self.continent

    @property
    def queue_times_url(self):
        return QUEUE_TIMES_PARK_URL.format(id=self.queue_times_id) if self.queue_times_id else None


class Land(models.Model):
    """A themed area of a park."""

    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="lands")
    name = models.CharField(max_length=200)
    themeparks_wiki_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    queue_times_id = models.PositiveIntegerField(unique=True, null=True, blank=True)

    class Meta:
        ordering = ["park", "name"]

    def __str__(self):
        return f"{self.name} ({self.park})"


class Ride(models.Model):
    """An entity of a park with a live status: attraction, show, restaurant, ..."""

    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="rides")
    land = models.ForeignKey(Land, null=True, blank=True, on_delete=models.SET_NULL, related_name="rides")
    name = models.CharField(max_length=255)
    themeparks_wiki_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    queue_times_id = models.PositiveIntegerField(unique=True, null=True, blank=True)
    external_id = models.CharField(max_length=128, blank=True, db_index=True,
                                   help_text="The operator's own id (ThemeParks.wiki externalId)")
    entity_type = models.CharField(max_length=16, choices=EntityType.choices, default=EntityType.ATTRACTION)
    category = models.CharField(max_length=16, choices=RideCategory.choices, blank=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, null=True, blank=True,
                                            help_text="Empty means unclassified (weight 2)")
    tier_source = models.CharField(max_length=5, choices=TierSource.choices, null=True, blank=True,
                                   help_text="Who set the tier: the rules (classify_rides) or staff, whom the "
                                             "rules never overwrite")
    tier_reason = models.CharField(max_length=255, blank=True)
    tier_set_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    last_operated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["park", "name"]
        indexes = [models.Index(fields=["park", "entity_type", "is_active"], name="ride_park_type_idx")]

    def __str__(self):
        return self.name

    @property
    def tier_weight(self):
        return tier_weight(self.tier)

    @property
    def queue_times_url(self):
        return self.park.queue_times_url if self.queue_times_id else None


class RideNameHistory(models.Model):
    """A name a ride carried before a rename (same outside id, new name)."""

    ride = models.ForeignKey(Ride, on_delete=models.CASCADE, related_name="name_history")
    name = models.CharField(max_length=255)
    replaced_at = models.DateTimeField(help_text="When the new name was first seen")
    source = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["ride", "replaced_at"]
        constraints = [models.UniqueConstraint(fields=["ride", "name"], name="ride_name_once")]

    def __str__(self):
        return f"{self.name} -> {self.ride.name}"


class JobLock(models.Model):
    """A lock held by a running job (`themepark.locks`): one row per held name, with a lease the
    holder keeps renewing. A row whose lease has expired belongs to a dead holder and is taken
    over atomically by the next claim."""

    name = models.CharField(max_length=191, primary_key=True)
    owner = models.CharField(max_length=255, help_text="host, process id and purpose of the holder")
    token = models.CharField(max_length=32, help_text="the holder's secret: renewals and release must match it")
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="the lease: free for the taking after this (database clock, UTC)")

    class Meta:
        db_table = "job_lock"

    def __str__(self):
        return f"{self.name} held by {self.owner} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class ParkSchedule(models.Model):
    """One schedule entry of a park on a park-local date, times in UTC; a window that crosses
    midnight is kept whole on the date it opens."""

    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="schedules")
    date = models.DateField(help_text="The park-local date the entry belongs to")
    schedule_type = models.CharField(max_length=16, choices=ScheduleType.choices)
    opening_time = models.DateTimeField(null=True, blank=True)
    closing_time = models.DateTimeField(null=True, blank=True)
    description = models.CharField(max_length=255, blank=True)
    purchases = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "collector_parkschedule"
        ordering = ["park", "date", "opening_time"]
        constraints = [models.UniqueConstraint(fields=["park", "date", "schedule_type", "opening_time"],
                                               name="park_schedule_entry_once")]
        indexes = [models.Index(fields=["park", "date"], name="schedule_park_date_idx")]

    def __str__(self):
        return f"{self.park} {self.date} {self.schedule_type}"


class EntityMetadata(models.Model):
    """The current metadata of a ride from its ThemeParks.wiki entity document; every earlier
    state is kept as an EntityMetadataVersion (collector.entity_document documents the fields,
    sync_metadata writes them)."""

    ride = models.OneToOneField(Ride, on_delete=models.CASCADE, related_name="metadata")
    name = models.CharField(max_length=255, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    entity_type = models.CharField(max_length=16, blank=True)
    attraction_type = models.CharField(max_length=16, blank=True)
    min_height_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    max_height_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    indoor_outdoor = models.CharField(max_length=8, choices=IndoorOutdoor.choices, default=IndoorOutdoor.UNKNOWN)
    tags = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64)
    checked_at = models.DateTimeField(help_text="When the document was last fetched")
    changed_at = models.DateTimeField(help_text="When the current version was first seen")

    class Meta:
        db_table = "collector_entitymetadata"
        verbose_name_plural = "entity metadata"
        indexes = [models.Index(fields=["latitude", "longitude"], name="metadata_location_idx")]

    def __str__(self):
        return f"{self.ride} v{self.version}"


class EntityMetadataVersion(models.Model):
    """One state of a ride's metadata, kept when a newer one replaces it (and for the current one)."""

    metadata = models.ForeignKey(EntityMetadata, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    data = models.JSONField(help_text="The versioned fields as they were")
    content_hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()

    class Meta:
        db_table = "collector_entitymetadataversion"
        ordering = ["metadata", "-version"]
        constraints = [models.UniqueConstraint(fields=["metadata", "version"], name="metadata_version_once")]

    def __str__(self):
        return f"{self.metadata.ride} v{self.version}"
