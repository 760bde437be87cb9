"""Compute the statistics tables (METRICS.md) from the stored observations.

Safe to run at any time and as often as wanted: each park day is recomputed whole and replaced
in one transaction, so a rerun gives the same rows and readers never see half a day. The
default incremental mode (scheduled every 10 minutes after collection) does each park's day in
progress and the day that just ended; --start/--end recompute a range (what the importer does
for what it loaded); --rebuild recomputes every day that has observations. Every run is logged
as an AggregationRun, which the health check reads.
"""
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from themepark.models import Park
from warehouse.aggregation.days import older_version_days
from warehouse.constants import METRICS_VERSION
from warehouse.services import live_state_refresh, stats_rebuild, stats_recompute, stats_update


class Command(BaseCommand):
    help = "Recompute ride and park statistics: incremental by default, or --start/--end, or --rebuild."

    def add_arguments(self, parser):
        parser.add_argument("--park", type=int, action="append", dest="park_ids", metavar="ID",
                            help="Only this park (repeatable); default: all active parks")
        parser.add_argument("--start", type=date.fromisoformat, help="First park day (YYYY-MM-DD)")
        parser.add_argument("--end", type=date.fromisoformat, help="Last park day, inclusive (default: --start)")
        parser.add_argument("--rebuild", action="store_true", help="Recompute every day with observations")

    def handle(self, *, park_ids, start, end, rebuild, verbosity, **options):
        if park_ids:
            missing = set(park_ids) - set(Park.objects.filter(pk__in=park_ids).values_list("pk", flat=True))
            if missing:
                raise CommandError(f"unknown park id(s): {', '.join(map(str, sorted(missing)))}")
        if end and not start:
            raise CommandError("--end needs --start")
        if rebuild and start:
            raise CommandError("--rebuild recomputes everything; do not combine it with --start/--end")
        end = end or start
        if start and start > end:
            raise CommandError("--start is after --end")
        progress = self.stdout.write if verbosity > 1 or (verbosity and (rebuild or start)) else None
        if rebuild:
            summary = stats_rebuild(park_ids=park_ids, progress=progress)
            if summary is None:
                if verbosity:
                    self.stdout.write("no observations stored: nothing to rebuild")
                return
        elif start:
            summary = stats_recompute(park_ids=park_ids, start=start, end=end, progress=progress)
        else:
            summary = stats_update(park_ids=park_ids, progress=progress)
            if summary is None:
                if verbosity:
                    self.stdout.write(self.style.WARNING("an incremental run is already in progress; skipped"))
                return
            live_state_refresh(park_ids=park_ids)
        if verbosity:
            for line in summary.error_text:
                self.stderr.write(line)
            style = self.style.SUCCESS if not summary.errors else self.style.ERROR
            self.stdout.write(style(f"run {summary.run_id}: {summary.days} park day(s) of {summary.parks} park(s), "
                                    f"{summary.errors} error(s)"))
        older = older_version_days(park_ids)
        if older and verbosity:
            self.stderr.write(self.style.WARNING(
                f"{older} park day(s) hold figures of an older metrics version than {METRICS_VERSION}; they are not "
                "mixed with the new ones silently: run aggregate_stats --rebuild to recompute them"))
        if summary.errors:
            raise CommandError(f"{summary.errors} park day(s) failed; see run {summary.run_id}")
