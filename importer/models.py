"""Import runs (one checkpoint row per run) and the archive-entity -> ride mapping."""
from django.db import models

from .choices import ImportStatus, MappingMethod, MappingStatus


class ImportCheckpoint(models.Model):
    """One archive import run and its progress.

    A day file is the unit of work: its observations and the counters/cursor below are
    committed together, so `last_file` (files are processed in key order) plus
    `failed_files` (files that could not be read, retried on resume) say exactly what is left.
    """

    import_id = models.CharField(max_length=16, unique=True)
    source = models.CharField(max_length=500)
    destinations = models.JSONField(default=list, blank=True, help_text="Requested destination ids; empty = all")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    replace = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING,
                              db_index=True)
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    files_corrupt = models.PositiveIntegerField(default=0)
    events_read = models.BigIntegerField(default=0)
    events_imported = models.BigIntegerField(default=0)
    duplicates = models.BigIntegerField(default=0)
    invalid = models.BigIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    error_log = models.JSONField(default=list, blank=True, help_text="Last errors: [{key, error}]")
    failed_files = models.JSONField(default=list, blank=True, help_text="Keys to retry on resume")
    last_file = models.CharField(max_length=300, blank=True)
    rides_created = models.PositiveIntegerField(default=0)
    mappings_review = models.PositiveIntegerField(default=0)
    rate = models.FloatField(default=0, help_text="Events imported per second (current or last run)")
    stats_days = models.JSONField(
        default=dict, blank=True, help_text="Statistics to recompute: {park id: [[first, last] UTC file day]}, "
        "committed with each file; emptied once the run's statistics are done")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.import_id

    @property
    def progress(self):
        return round(100 * self.files_done / self.files_total, 1) if self.files_total else 0.0

    @property
    def eta_seconds(self):
        """Seconds left at the current pace, or None."""
        if not self.files_done or self.status != ImportStatus.IN_PROGRESS or not self.started_at:
            return None
        elapsed = (self.updated_at - self.started_at).total_seconds()
        return round(elapsed / self.files_done * (self.files_total - self.files_done), 1)


class RideMapping(models.Model):
    """How one archive entity id was mapped onto a ride, and whether staff must review it.

    `ride` holds the entity's observations. Under NEEDS_REVIEW it is a provisional ride made
    for the entity (`provisional`), and the observations move when staff decide.
    """

    archive_entity_id = models.CharField(max_length=64, unique=True)
    archive_name = models.CharField(max_length=255)
    archive_internal_id = models.CharField(max_length=128, blank=True)
    park = models.ForeignKey("themepark.Park", on_delete=models.CASCADE, related_name="+")
    ride = models.ForeignKey("themepark.Ride", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    provisional = models.BooleanField(default=False, help_text="The ride was made to hold data pending review")
    score = models.FloatField(null=True, blank=True)
    candidates = models.JSONField(default=list, blank=True, help_text="[{ride_id, name, score}], best first")
    method = models.CharField(max_length=8, choices=MappingMethod.choices)
    status = models.CharField(max_length=12, choices=MappingStatus.choices, db_index=True)
    name_seen_at = models.DateTimeField(null=True, blank=True, help_text="Time of the newest name applied")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["park", "archive_name"]

    def __str__(self):
        return f"{self.archive_name} -> {self.ride_id or '-'} ({self.method}/{self.status})"


class PlannedFile(models.Model):
    """One day file of a run shared by `import_archive --worker` processes (the run's plan).

    A worker claims a PENDING file (`SELECT ... FOR UPDATE SKIP LOCKED`, then `claimed_by` = its
    worker lock's token) and marks it DONE or FAILED in the file's own transaction, with the rows
    and the checkpoint's counters. A file whose worker's lock lease has run out (the worker died)
    goes back to PENDING for another worker (`importer.services.workers`).
    """

    class Status(models.TextChoices):
        PENDING = "PENDING"
        CLAIMED = "CLAIMED"
        DONE = "DONE"
        FAILED = "FAILED"

    checkpoint = models.ForeignKey(ImportCheckpoint, on_delete=models.CASCADE, related_name="planned_files")
    key = models.CharField(max_length=300)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    claimed_by = models.CharField(max_length=32, blank=True, help_text="token of the claiming worker's lock")
    worker = models.CharField(max_length=255, blank=True, help_text="host/pid of the last worker that claimed it")
    claims = models.PositiveSmallIntegerField(default=0, help_text="times claimed (more than one: reclaimed)")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["checkpoint", "key"], name="planned_file_unique_key")]
        indexes = [models.Index(fields=["checkpoint", "status", "key"], name="planned_file_todo")]

    def __str__(self):
        return f"{self.key} {self.status}"
