"""Find gaps in the observations and record them in the quality log.

Safe to re-run and scheduled hourly: entries found again are extended (never duplicated), and
open entries inside the scanned range that are no longer found are closed as RESOLVED.
Only the quality log is written; observations are never touched.
"""
from collections import Counter
from datetime import date, datetime, time, timezone

from django.core.management.base import BaseCommand, CommandError

from quality.services import gaps_detect
from themepark.models import Park


def _moment(value: str) -> datetime:
    """An ISO date (midnight UTC) or an ISO datetime (UTC unless it says otherwise)."""
    try:
        moment = (datetime.combine(date.fromisoformat(value), time()) if len(value) == 10
                  else datetime.fromisoformat(value))
    except ValueError as exc:
        raise CommandError(f"not an ISO date or datetime: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Command(BaseCommand):
    help = ("Record park outages inside open windows, archive days missing for a destination and rides "
            "that stopped reporting while their park was open as GAP entries (default: the last 48 hours).")

    def add_arguments(self, parser):
        parser.add_argument("--park", type=int, action="append", dest="park_ids", metavar="ID",
                            help="Only this park (repeatable); default: every active park")
        parser.add_argument("--start", help="ISO date or datetime (UTC); default: 48 hours before --end")
        parser.add_argument("--end", help="ISO date or datetime (UTC), exclusive; default: now")

    def handle(self, *, park_ids, start, end, verbosity, **options):
        start, end = (_moment(v) if v else None for v in (start, end))
        if start and end and start >= end:
            raise CommandError("--start must be before --end")
        parks = None
        if park_ids:
            parks = list(Park.objects.filter(pk__in=park_ids).order_by("name"))
            missing = set(park_ids) - {p.pk for p in parks}
            if missing:
                raise CommandError(f"unknown park id(s): {', '.join(map(str, sorted(missing)))}")
        totals = Counter()
        for label, counts in gaps_detect(parks=parks, start=start, end=end):
            totals += counts
            if verbosity >= 2 or (verbosity and sum(counts.values())):
                self.stdout.write(f"[{label}] {counts['created']} new, {counts['updated']} extended, "
                                  f"{counts['closed']} closed")
        if verbosity:
            self.stdout.write(self.style.SUCCESS(
                f"Gaps: {totals['created']} new, {totals['updated']} extended, {totals['closed']} closed"))
