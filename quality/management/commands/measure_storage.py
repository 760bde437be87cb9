"""Measure the size of every table (and partition) and store it for today.

Scheduled daily and safe to re-run: a second run on the same day replaces that day's rows.
It only reads information_schema (or SQLite's statistics) and writes StorageMetrics.
"""
from django.core.management.base import BaseCommand

from quality import reports
from quality.storage import MB, storage_measure


class Command(BaseCommand):
    help = "Store rows, data and index size per table and partition for today, then report growth and alerts."

    def add_arguments(self, parser):
        parser.add_argument("--analyze", action="store_true",
                            help="Run ANALYZE TABLE first so InnoDB's row estimates are fresh")

    def handle(self, *, analyze, verbosity, **options):
        rows = storage_measure(analyze=analyze)
        if verbosity >= 2:
            for row in rows:
                self.stdout.write(f"[{row.table_name}] {row.row_count} rows, {row.data_bytes / MB:.2f} MB data, "
                                  f"{row.index_bytes / MB:.2f} MB index, {len(row.partitions)} partition(s)")
        growth = reports.storage_growth()
        alerts = reports.storage_alerts(growth)
        if verbosity:
            for alert in alerts:
                self.stdout.write(self.style.WARNING(f"{alert['level']}: {alert['message']}"))
            rate = "unknown (needs 2 days)" if growth["mb_per_day"] is None else f"{growth['mb_per_day']:.3f} MB/day"
            self.stdout.write(self.style.SUCCESS(
                f"Measured {len(rows)} table(s): {sum(r.total_bytes for r in rows) / MB:.2f} MB in all; "
                f"growth {rate}; {len(alerts)} alert(s)"))
