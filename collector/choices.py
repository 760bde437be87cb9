from django.db import models


class RunStatus(models.TextChoices):
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS", "Success: every park collected"
    PARTIAL = "PARTIAL", "Partial: some parks failed"
    FAILED = "FAILED", "Failed: no park collected"
    SKIPPED = "SKIPPED", "Skipped: another run held the lock"
