"""Write the export files of the API (/api/export/...) for every park of a destination (or one
park) over a range of park days, one file per park, with a progress bar over the park's rides.

    python manage.py export observations --destination 1 --start 2024-03-08 --end 2024-03-14 --format parquet
    python manage.py export daily-stats --park 3 --start 2020-01-01 --end 2024-12-31 --output exports/

The files are exactly what the API streams (warehouse.export_streams); the command has no range limit
since it reads in the same bounded chunks.
"""
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from themepark.models import Destination, Park
from warehouse import export_streams
from warehouse.periods import DayRange


def _destination(value: str) -> Destination:
    found = Destination.objects.filter(pk=int(value)).first() if value.isdigit() else None
    found = found or Destination.objects.filter(slug=value).first() or Destination.objects.filter(
        themeparks_wiki_id=value).first()
    if found is None:
        raise CommandError(f"no destination {value!r} (an id, a slug or a ThemeParks.wiki id)")
    return found


class Command(BaseCommand):
    help = "Export a destination's (or a park's) observations or daily statistics to CSV or Parquet files."

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=list(export_streams.DATASETS))
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--destination", help="Destination id, slug or ThemeParks.wiki id: every park of it")
        where.add_argument("--park", type=int, action="append", dest="park_ids", metavar="ID",
                           help="A park id (repeatable)")
        parser.add_argument("--start", type=date.fromisoformat, required=True, help="First park day (YYYY-MM-DD)")
        parser.add_argument("--end", type=date.fromisoformat, required=True, help="Last park day, inclusive")
        parser.add_argument("--format", choices=list(export_streams.FORMATS), default="parquet", dest="fmt")
        parser.add_argument("--output", type=Path, default=Path("."), help="Folder of the files (created)")

    def handle(self, *, dataset, destination, park_ids, start, end, fmt, output, verbosity, **options):
        if start > end:
            raise CommandError("--start is after --end")
        if destination:
            parks = list(Park.objects.filter(destination=_destination(destination)).order_by("pk"))
        else:
            parks = list(Park.objects.filter(pk__in=park_ids).order_by("pk"))
            missing = set(park_ids) - {park.pk for park in parks}
            if missing:
                raise CommandError(f"unknown park id(s): {', '.join(map(str, sorted(missing)))}")
        if not parks:
            raise CommandError("the destination has no parks")
        output.mkdir(parents=True, exist_ok=True)
        days = DayRange(start, end)
        for park in parks:
            path = output / export_streams.filename(dataset, fmt, park, days)
            steps = park.rides.count() if dataset == "observations" else None
            with tqdm(total=steps, desc=park.name[:40], unit="ride" if steps is not None else "chunk",
                      disable=verbosity == 0, file=self.stderr._out) as bar, path.open("wb") as handle:
                for block in export_streams.export_stream(dataset, fmt, park, days, on_ride=bar.update):
                    handle.write(block)
            if verbosity:
                self.stdout.write(f"{path} ({path.stat().st_size} bytes)")
