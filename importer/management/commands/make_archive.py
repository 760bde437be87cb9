"""Write a synthetic ThemeParks.wiki archive (real layout and encoding) with its MANIFEST.json.

Safety: writes only under `--out` (created when missing; existing day files of the same names
are overwritten); touches no database. The same arguments give byte-identical output.
"""
from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importer.synthetic import DEFAULT_KINDS, KINDS, Options, generate


class Command(BaseCommand):
    help = "Generate a synthetic archive (<out>/<destination>/<YYYY>/<MM>/<DD>.json.gz + MANIFEST.json)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Folder to write (the archive's root)")
        parser.add_argument("--destinations", type=int, default=2)
        parser.add_argument("--days", type=int, default=3)
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--start", type=date.fromisoformat, help="First file date (default 2024-03-09)")
        when.add_argument("--end", help="Last file date: YYYY-MM-DD, 'today' or 'yesterday'")
        parser.add_argument("--parks", type=int, default=3, help="Parks per destination (the third is a water park)")
        parser.add_argument("--rides", type=int, default=30, help="Rides per park before --scale")
        parser.add_argument("--shows", type=int, default=2, help="Shows per theme park before --scale")
        parser.add_argument("--scale", type=float, default=1.0, help="Multiplies rides and shows per park")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--poll-minutes", type=int, default=5)
        parser.add_argument("--level", type=int, default=1, choices=range(1, 10), help="zlib level")
        parser.add_argument("--partition", choices=("utc", "local"), default="utc",
                            help="A file holds the events of its UTC date (default) or park-local date")
        parser.add_argument("--workers", type=int, default=1, help="Processes, one destination each (same bytes)")
        parser.add_argument("--corrupt", type=int, default=0, help="Damage this many files, kinds in turn")
        parser.add_argument("--corrupt-kinds", nargs="+", default=list(DEFAULT_KINDS), choices=KINDS,
                            metavar="KIND", help=f"Among {', '.join(KINDS)} (default: all but gzip_container)")

    def handle(self, *args, **opts):
        if opts["days"] < 1 or opts["destinations"] < 1 or opts["parks"] < 1:
            raise CommandError("--days, --destinations and --parks must be at least 1")
        start = opts["start"] or date(2024, 3, 9)
        if opts["end"]:
            start = end_date(opts["end"]) - timedelta(days=opts["days"] - 1)
        options = Options(seed=opts["seed"], destinations=opts["destinations"], parks=opts["parks"],
                          rides=opts["rides"], shows=opts["shows"], scale=opts["scale"], start=start,
                          days=opts["days"], poll_minutes=opts["poll_minutes"], level=opts["level"],
                          partition=opts["partition"], corrupt=opts["corrupt"],
                          corrupt_kinds=tuple(opts["corrupt_kinds"]))
        verbose = opts["verbosity"] > 1
        manifest = generate(Path(opts["out"]), options,
                            progress=(lambda key, n: self.stdout.write(f"{key}: {n} events")) if verbose else None,
                            workers=opts["workers"])
        totals = manifest["totals"]
        self.stdout.write(f"{opts['out']}: {totals['files']} file(s), {options.start}..{options.last}, "
                          f"{totals['valid_events']} valid event(s), {totals['queue_rows']} queue row(s), "
                          f"{totals['corrupted_files']} corrupt file(s), {totals['compressed_bytes']} bytes")


def end_date(text: str) -> date:
    """A date, or `today` / `yesterday` (the machine's local date)."""
    if text in ("today", "yesterday"):
        return date.today() - timedelta(days=1 if text == "yesterday" else 0)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--end: expected YYYY-MM-DD, today or yesterday, got {text!r}") from None
