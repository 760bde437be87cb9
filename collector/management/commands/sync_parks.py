"""Build and update the park and ride catalog from ThemeParks.wiki and Queue-Times.

Safe to run at any time (daily from cron): it only creates and updates catalog rows, never
deletes; unsure name matches are logged to the quality log instead of being applied.
"""
from django.core.management.base import BaseCommand, CommandError

from collector.services import parks_sync

SOURCES = ("themeparks-wiki", "queue-times", "all")


class Command(BaseCommand):
    help = "Build and update destinations, parks, lands and rides from ThemeParks.wiki and Queue-Times."

    def add_arguments(self, parser):
        parser.add_argument("--source", default="all", help=f"One of {', '.join(SOURCES)} (default all)")
        parser.add_argument("--destination", nargs="+", default=None, metavar="ID",
                            help="Only these ThemeParks.wiki destinations (id, slug or externalId)")

    def handle(self, *, source, destination, verbosity, **options):
        if source not in SOURCES:
            raise CommandError(f"--source must be one of {', '.join(SOURCES)}, not {source!r}")
        progress = self.stdout.write if verbosity else None
        result = parks_sync(source=source, destination_ids=destination, progress=progress)
        if verbosity:
            for line in result.unsure:
                self.stdout.write(self.style.WARNING(line))
            style = self.style.SUCCESS if not result.errors else self.style.WARNING
            self.stdout.write(style(
                f"{result.destinations} destination(s); parks {result.parks_created} new, {result.parks_updated} "
                f"updated; rides {result.rides_created} new, {result.rides_linked} linked across sources; "
                f"{len(result.unsure)} unsure match(es); {len(result.errors)} error(s)"))
