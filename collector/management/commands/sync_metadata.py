"""Refresh attraction metadata (coordinates, type, heights in cm, indoor/outdoor, tags) from
ThemeParks.wiki entity documents, daily from cron. A change stores a new version and keeps
the old one; nothing is deleted."""
from django.core.management.base import BaseCommand

from collector.services import metadata_sync


class Command(BaseCommand):
    help = "Fetch /entity/{id} of every attraction into EntityMetadata, with version history."

    def add_arguments(self, parser):
        parser.add_argument("--park", nargs="+", type=int, default=None, metavar="ID")

    def handle(self, *, park, verbosity, **options):
        result = metadata_sync(park_ids=park, progress=self.stdout.write if verbosity else None)
        if verbosity:
            style = self.style.SUCCESS if not result.errors else self.style.WARNING
            self.stdout.write(style(
                f"{result.created} new, {result.changed} changed (new version), {result.unchanged} unchanged, "
                f"{len(result.unknown)} unknown entit(ies), {len(result.errors)} error(s)"))
