"""Collect live status and every queue of every active park once (cron: every
COLLECTION_INTERVAL_MINUTES). Writes LIVE observations through warehouse.ingest; running it
twice within one interval writes nothing the second time. A lock keeps runs from overlapping.
"""
from django.core.management.base import BaseCommand, CommandError

from collector.choices import RunStatus
from collector.services import snapshots_collect
from themepark.locks import LockLost
from themepark.models import Park


class Command(BaseCommand):
    help = "Collect live ride status and queues from ThemeParks.wiki / Queue-Times for every active park."

    def add_arguments(self, parser):
        parser.add_argument("--park", nargs="+", type=int, default=None, metavar="ID",
                            help="Only these parks (catalog ids)")
        parser.add_argument("--concurrency", type=int, default=None,
                            help="Parks fetched at once (default COLLECTOR_CONCURRENCY)")

    def handle(self, *, park, concurrency, verbosity, **options):
        if park:
            missing = set(park) - set(Park.objects.filter(pk__in=park).values_list("pk", flat=True))
            if missing:
                raise CommandError(f"unknown park id(s): {', '.join(map(str, sorted(missing)))}")
        if concurrency is not None and concurrency < 1:
            raise CommandError("--concurrency must be at least 1")

        def progress(o):
            if not verbosity:
                return
            if o.error:
                self.stdout.write(self.style.ERROR(f"[{o.park_name}] FAILED: {o.error}"))
            else:
                self.stdout.write(f"[{o.park_name}] {o.written} written, {o.duplicates} duplicate(s), "
                                  f"{o.stale} stale, {o.invalid} invalid, {o.new_rides} new ride(s)")

        try:
            result = snapshots_collect(park_ids=park, concurrency=concurrency, progress=progress)
        except LockLost as exc:  # another run took the lock: this one stopped before writing more
            raise CommandError(f"collection stopped: {exc}") from exc
        run = result.run
        if result.skipped:
            if verbosity:
                self.stdout.write(self.style.WARNING("Another collection run is in progress; skipped."))
            return
        if verbosity:
            style = self.style.SUCCESS if run.status == RunStatus.SUCCESS else self.style.WARNING
            self.stdout.write(style(
                f"{run.status}: {run.parks_ok} park(s) ok, {run.parks_failed} failed, "
                f"{run.observations_written} observation(s) written, {run.duplicates} duplicate(s), "
                f"{run.stale} stale in {result.seconds:.1f}s"))
