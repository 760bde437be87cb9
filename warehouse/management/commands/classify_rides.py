"""Give every attraction that staff have not set a tier by rule, with a readable reason (docs/metrics.md §7).

Scheduled weekly and run at the end of an archive import. A ride's demand is its time-weighted
mean standby wait while OPERATING over its park's last 90 park days with data (at least 10 days
with a known wait, or it keeps its tier); staff tiers are never overwritten.
"""
from django.core.management.base import BaseCommand, CommandError

from themepark.models import Park
from warehouse.aggregation.classify import classify_rides


class Command(BaseCommand):
    help = "Classify attractions into tiers by demand (staff settings always win)."

    def add_arguments(self, parser):
        parser.add_argument("--park", type=int, action="append", dest="park_ids", metavar="ID",
                            help="Only this park (repeatable); default: all active parks")
        parser.add_argument("--dry-run", action="store_true", help="Show the changes, write nothing")

    def handle(self, *, park_ids, dry_run, verbosity, **options):
        if park_ids:
            missing = set(park_ids) - set(Park.objects.filter(pk__in=park_ids).values_list("pk", flat=True))
            if missing:
                raise CommandError(f"unknown park id(s): {', '.join(map(str, sorted(missing)))}")
        summary = classify_rides(park_ids=park_ids, dry_run=dry_run)
        if verbosity > 1 or (verbosity and dry_run):
            for c in summary.changes:
                self.stdout.write(f"{c.park_name} / {c.ride_name} (#{c.ride_id}): tier {c.old_tier or '-'} -> "
                                  f"{c.new_tier} ({c.reason})")
        if verbosity:
            verb = "would change" if dry_run else "changed"
            self.stdout.write(self.style.SUCCESS(
                f"{summary.rides} attraction(s) of {summary.parks} park(s): {summary.classified} classified by rule, "
                f"{len(summary.changes)} tier(s) {verb}, {summary.staff} set by staff kept, "
                f"{summary.too_little_data} with too little data"))
