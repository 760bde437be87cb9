"""Write the ride events (went_down, reopened) that stored observations show, for the rides the
subscriptions of a park watch: fills a park's feed from history, such as an imported archive.

    python manage.py alerts_replay --park 1 --start 2024-03-09 --end 2024-03-11 [--deliver]

Replayed events are marked dispatched (no webhook hears about the past) unless --deliver.
"""
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from collector.alerts.detect import ride_events_replay
from themepark.models import Park
from warehouse.periods import DayRange, range_bounds_utc


class Command(BaseCommand):
    help = "Detect past ride events from stored observations for a park's subscriptions."

    def add_arguments(self, parser):
        parser.add_argument("--park", type=int, required=True, dest="park_id")
        parser.add_argument("--start", type=date.fromisoformat, required=True, help="First park day (YYYY-MM-DD)")
        parser.add_argument("--end", type=date.fromisoformat, required=True, help="Last park day, inclusive")
        parser.add_argument("--deliver", action="store_true", help="Also deliver them to webhook subscriptions")

    def handle(self, *, park_id, start, end, deliver, verbosity, **options):
        park = Park.objects.filter(pk=park_id).first()
        if park is None:
            raise CommandError(f"no park {park_id}")
        if start > end:
            raise CommandError("--start is after --end")
        first, last = range_bounds_utc(DayRange(start, end), park.timezone or "UTC")
        written = ride_events_replay(park, first, last, dispatch=deliver)
        if verbosity:
            self.stdout.write(f"{written} new event(s) for {park.name}")
