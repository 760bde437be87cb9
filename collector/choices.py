from django.db import models


class ScheduleType(models.TextChoices):
    OPERATING = "OPERATING"
    TICKETED_EVENT = "TICKETED_EVENT"
    PRIVATE_EVENT = "PRIVATE_EVENT"
    EXTRA_HOURS = "EXTRA_HOURS"
    INFO = "INFO"


class RunStatus(models.TextChoices):
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS", "Success: every park collected"
    PARTIAL = "PARTIAL", "Partial: some parks failed"
    FAILED = "FAILED", "Failed: no park collected"
    SKIPPED = "SKIPPED", "Skipped: another run held the lock"


class IndoorOutdoor(models.TextChoices):
    INDOOR = "INDOOR"
    OUTDOOR = "OUTDOOR"
    HYBRID = "HYBRID"
    UNKNOWN = "UNKNOWN"
