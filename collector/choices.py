from django.db import models


class ScheduleType(models.TextChoices):
    OPERATING = "OPERATING"
    TICKETED_EVENT = "TICKETED_EVENT"
    PRIVATE_EVENT = "PRIVATE_EVENT"
    EXTRA_HOURS = "EXTRA_HOURS"
    INFO = "INFO"
