"""Keep the monthly partitions of the observation tables ahead of time.

Safe to run at any time and as often as wanted: it only splits the catch-all (or, with
--since, the oldest) partition, and does nothing when the months already exist. Scheduled
monthly; the importer runs the same service before loading old months.
"""
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from warehouse.services import partitions_ensure


class Command(BaseCommand):
    help = "Add monthly partitions ahead of today (default from PARTITION_MONTHS_AHEAD) and back to --since."

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=None, help="Months after the current one")
        parser.add_argument("--since", type=date.fromisoformat, default=None,
                            help="Also add months back to this date (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="Print the DDL, change nothing")

    def handle(self, *, months_ahead, since, dry_run, verbosity, **options):
        if months_ahead is not None and not 0 <= months_ahead <= 120:
            raise CommandError("--months-ahead must be between 0 and 120")
        if connection.vendor != "mysql":
            if verbosity:
                self.stdout.write(f"{connection.vendor}: tables are not partitioned, nothing to do")
            return
        done = partitions_ensure(since=since, months_ahead=months_ahead, dry_run=dry_run)
        verb = "would add" if dry_run else "added"
        if verbosity:
            for table, name, _sql in done:
                self.stdout.write(f"{table}: {verb} {name}")
            if verbosity > 1 and dry_run:
                for sql in sorted({sql for *_rest, sql in done}):
                    self.stdout.write(sql)
            self.stdout.write(self.style.SUCCESS(
                f"{len(done)} partition(s) {verb}" if done else "partitions already up to date"))
