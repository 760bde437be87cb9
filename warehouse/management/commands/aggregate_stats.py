"""Compute the statistics tables (docs/metrics.md) from the stored observations.

Safe to run at any time and as often as wanted: each park day is recomputed whole and replaced
in one transaction, so a rerun gives the same rows and readers never see half a day. The
default incremental mode (scheduled every 10 minutes after collection) does each park's day in
progress and the day that just ended; --start/--end recompute a range (what the importer does
for what it loaded); --rebuild recomputes every day that has observations. Every run is logged
as an AggregationRun, which the health check reads.

Runs are exclusive per park (job locks `stats:park:<id>`): a run that finds one of its parks
held by another run says which run holds it and exits non-zero (or waits, with --wait). --check
lists the park days whose observations changed after their figures were computed (by default
the last 35 days); --check --repair recomputes them (scheduled hourly).
"""
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from themepark.locks import LockBusy, LockLost
from themepark.models import Park
from warehouse.aggregation.daily import older_version_days
from warehouse.engine_constants import METRICS_VERSION
from warehouse.services import (live_state_refresh, stats_check, stats_rebuild, stats_recompute, stats_repair,
                                stats_update)

CHECK_DAYS = 35


class Command(BaseCommand):
    help = "Recompute ride and park statistics: incremental by default, or --start/--end, or --rebuild."

    def add_arguments(self, parser):
        parser.add_argument("--park", type=int, action="append", dest="park_ids", metavar="ID",
                            help="Only this park (repeatable); default: all active parks")
        parser.add_argument("--start", type=date.fromisoformat, help="First park day (YYYY-MM-DD)")
        parser.add_argument("--end", type=date.fromisoformat, help="Last park day, inclusive (default: --start)")
        parser.add_argument("--rebuild", action="store_true", help="Recompute every day with observations")
        parser.add_argument("--check", action="store_true",
                            help=f"List park days whose observations changed after their figures were computed "
                                 f"(--start/--end, default the last {CHECK_DAYS} days); exit 1 when there are some")
        parser.add_argument("--repair", action="store_true", help="With --check: recompute those park days")
        parser.add_argument("--worker", action="store_true",
                            help="With --start or --rebuild: one of several processes (any hosts) sharing the "
                                 "parks, each claimed by its lock; a park held by a worker that dies is taken over "
                                 "(waits up to --wait, default 600 s, for parks others hold)")
        parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                            help="Wait this long for parks another run holds (default: refuse at once)")

    def handle(self, *, park_ids, start, end, rebuild, check, repair, wait, verbosity, worker=False, **options):
        if worker and not (start or rebuild):
            raise CommandError("--worker goes with --start/--end or --rebuild")
        self.worker = worker
        if worker and not wait:
            wait = 600.0
        try:
            self._handle(park_ids, start, end, rebuild, check, repair, wait, verbosity)
        except LockBusy as exc:
            raise CommandError(f"another statistics run holds these parks, refused: {exc}") from None
        except LockLost as exc:
            raise CommandError(f"stopped: {exc}") from None

    def _handle(self, park_ids, start, end, rebuild, check, repair, wait, verbosity):
        if park_ids:
            missing = set(park_ids) - set(Park.objects.filter(pk__in=park_ids).values_list("pk", flat=True))
            if missing:
                raise CommandError(f"unknown park id(s): {', '.join(map(str, sorted(missing)))}")
        if end and not start:
            raise CommandError("--end needs --start")
        if rebuild and start:
            raise CommandError("--rebuild recomputes everything; do not combine it with --start/--end")
        if repair and not check:
            raise CommandError("--repair goes with --check")
        if check and rebuild:
            raise CommandError("--check does not combine with --rebuild")
        end = end or start
        if start and start > end:
            raise CommandError("--start is after --end")
        progress = self.stdout.write if verbosity > 1 or (verbosity and (rebuild or start)) else None
        if check:
            summary = self._check(park_ids, start, end, repair, wait, verbosity, progress)
            if summary is None:
                return
        elif rebuild:
            summary = stats_rebuild(park_ids=park_ids, progress=progress, lock_wait=wait, worker=self.worker)
            if summary is None:
                if verbosity:
                    self.stdout.write("no observations stored: nothing to rebuild")
                return
        elif start:
            summary = stats_recompute(park_ids=park_ids, start=start, end=end, progress=progress, lock_wait=wait,
                                      worker=self.worker)
        else:
            summary = stats_update(park_ids=park_ids, progress=progress, lock_wait=wait)
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

    def _check(self, park_ids, start, end, repair, wait, verbosity, progress):
        """List the changed park days; with `repair`, recompute them and return the run's summary."""
        if not start:
            end = timezone.now().date()
            start = end - timedelta(days=CHECK_DAYS)
        changed = stats_check(park_ids=park_ids, start=start, end=end)
        if verbosity:
            for item in changed:
                was = "never computed" if item.stored is None else f"{item.stored[0]} observations when computed"
                self.stdout.write(f"park {item.park.pk} {item.day}: {item.now[0]} observations now, {was}")
            self.stdout.write(f"{len(changed)} park day(s) changed after their figures were computed, "
                              f"{start}..{end}")
        if not changed:
            return None
        if not repair:
            raise CommandError(f"{len(changed)} park day(s) need recomputing: run with --repair")
        return stats_repair(changed, progress=progress, lock_wait=wait)
