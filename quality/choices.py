from django.db import models


class IssueType(models.TextChoices):
    GAP = "GAP"
    DUPLICATE = "DUPLICATE"
    INVALID = "INVALID"
    MISSING_FIELD = "MISSING_FIELD"
    STALE = "STALE"


class ResolutionStatus(models.TextChoices):
    OPEN = "OPEN"
    INVESTIGATING = "INVESTIGATING"
    RESOLVED = "RESOLVED"
    WONTFIX = "WONTFIX"


class QualitySource(models.TextChoices):
    LIVE = "LIVE"
    ARCHIVE = "ARCHIVE"
    SYSTEM = "SYSTEM"


class GapKind(models.TextChoices):
    """What a GAP entry of the quality log is about (kept in `details["kind"]`)."""
    PARK_OUTAGE = "PARK_OUTAGE", "No ride of the park has known state inside its open window"
    ARCHIVE_DAY_MISSING = "ARCHIVE_DAY_MISSING", "Archive days without any event for a destination"
    RIDE_SILENT = "RIDE_SILENT", "A ride stopped reporting while its park was open"


class Freshness(models.TextChoices):
    FRESH = "FRESH"      # last observation < 15 minutes old
    NORMAL = "NORMAL"    # < 30 minutes
    STALE = "STALE"      # older
    NO_DATA = "NO_DATA"  # never observed


class AlertLevel(models.TextChoices):
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"
