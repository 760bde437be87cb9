"""Store the coming days of park schedules (the open windows of docs/metrics.md §3), daily from cron.
Upserts; for each date the source returns, entries it no longer lists are replaced."""
from django.core.management.base import BaseCommand, CommandError

from collector.services import schedules_sync


class Command(BaseCommand):
    help = "Fetch ThemeParks.wiki park schedules into ParkSchedule (times in UTC)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="Days ahead to keep (default 30)")
        parser.add_argument("--park", nargs="+", type=int, default=None, metavar="ID")

    def handle(self, *, days, park, verbosity, **options):
        if days < 0:
            raise CommandError("--days must not be negative")
        result = schedules_sync(days=days, park_ids=park, progress=self.stdout.write if verbosity else None)
        if verbosity:
            style = self.style.SUCCESS if not result.errors else self.style.WARNING
            self.stdout.write(style(
                f"{result.parks_ok} park(s): {result.created} entr(ies) new, {result.updated} updated, "
                f"{result.removed} removed; {len(result.errors)} park(s) failed"))
