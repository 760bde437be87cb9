"""Enumerations of the importer."""
from django.db import models


class ImportStatus(models.TextChoices):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class MappingMethod(models.TextChoices):
    EXACT = "EXACT", "Exact ThemeParks.wiki id"
    FUZZY = "FUZZY", "Fuzzy name match"
    CREATED = "CREATED", "New ride created"
    MANUAL = "MANUAL", "Chosen by staff"


class MappingStatus(models.TextChoices):
    AUTO = "AUTO"
    NEEDS_REVIEW = "NEEDS_REVIEW"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"


# A run in one of these states may be picked up again by `--resume`.
RESUMABLE = (ImportStatus.PENDING, ImportStatus.IN_PROGRESS, ImportStatus.PAUSED, ImportStatus.FAILED)
FINISHED = (ImportStatus.COMPLETED, ImportStatus.CANCELLED)
