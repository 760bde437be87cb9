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
