"""Import the ThemeParks.wiki history archive (S3 or a local copy) through warehouse.ingest.

Safety: writes observations only through the warehouse: `warehouse.ingest` adds them (data_source
ARCHIVE) and `warehouse.observations` deletes a day's range for `--replace`. Each day file commits
together with its checkpoint, so a killed run is resumed with `--resume <id>` / `--resume-latest`
with nothing lost or doubled. Without `--replace`, existing rows win (LIVE stays where LIVE and
ARCHIVE share a ride and time). `--replace` deletes what is stored for the imported
destinations' rides on each imported UTC day before loading it, after a confirmation unless
`--no-input`. `--dry-run` reads and validates every file and writes nothing.

A file that fails (read, parse, mapping or load) is logged and the run goes on; the run then ends
FAILED and the command exits non-zero, naming `--retry-failed`, which reads only those files
again. Destinations must be UUIDs; nothing outside `--source` is read. A run that cannot start
creates no checkpoint, and a resumed one that cannot start (as the admin API launches them)
records why on its checkpoint.
"""
import time
from collections import Counter
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from django.conf import settings

from importer.archive import InvalidDestination, SourceUnreachable, source_from_settings
from importer.choices import RESUMABLE, ImportStatus
from importer.run_locks import LockLost
from importer.models import ImportCheckpoint
from importer.parser import UNREADABLE, read_and_parse
from importer.services import ImportBusy, archive_import
from importer.services.checkpoints import checkpoint_start_failed
from importer.services.quality import listing_problems_record
from importer.services.workers import worker_import


def default_workers():
    """One parse process on two cores, by measurement (bench/import.py, 2.2M events): the loader's
    LOAD DATA is the bottleneck and a second parser only competes with the server for the cores
    (same rate, more memory). Above two cores a second one is left on (not measured here)."""
    import os

    return 1 if (os.cpu_count() or 1) <= 2 else 2


class Command(BaseCommand):
    help = "Import archived ThemeParks.wiki day files (S3 or a local folder), resumable, via warehouse.ingest."

    def add_arguments(self, parser):
        parser.add_argument("--source", help="s3://bucket[/prefix] or a local folder (default: ARCHIVE_SOURCE)")
        parser.add_argument("--destination", dest="destinations", nargs="+", action="extend", default=[],
                            metavar="UUID", help="Destination id(s); default: every destination found")
        parser.add_argument("--start", type=date.fromisoformat, help="First day (YYYY-MM-DD, file date)")
        parser.add_argument("--end", type=date.fromisoformat, help="Last day (YYYY-MM-DD, inclusive)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--resume", metavar="IMPORT_ID", help="Continue this import where it stopped")
        group.add_argument("--resume-latest", action="store_true", help="Continue the newest unfinished import")
        group.add_argument("--retry-failed", nargs="?", const="latest", metavar="IMPORT_ID",
                           help="Read again only the files that failed in this import (default: the newest "
                                "import with failed files)")
        parser.add_argument("--replace", action="store_true", help="Archive replaces stored rows for its days")
        parser.add_argument("--dry-run", action="store_true", help="Read and validate every file, write nothing")
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation")
        parser.add_argument("--workers", type=int, default=None, help="Parse processes (0: parse in-process)")
        parser.add_argument("--worker", action="store_true",
                            help="Work on the run together with other --worker processes (any host): claim its "
                                 "day files one by one. Without --resume/--resume-latest it starts a new run and "
                                 "prints its id for the other workers")
        parser.add_argument("--no-statistics", action="store_true",
                            help="Do not recompute statistics at the end (run aggregate_stats later, e.g. once "
                                 "after several imports); the command prints the call to make")

    def handle(self, *args, **opts):
        self.verbosity = opts["verbosity"]
        checkpoint = self._checkpoint(opts)
        self._started = False
        try:
            return self._handle(checkpoint, opts)
        except CommandError as exc:
            if checkpoint is not None and not self._started:  # a resumed run that could not start says why
                checkpoint_start_failed(import_id=checkpoint.import_id, error=str(exc))
            raise

    def _handle(self, checkpoint, opts):
        if checkpoint is not None:
            opts.update(source=checkpoint.source, destinations=checkpoint.destinations,
                        start=checkpoint.start_date, end=checkpoint.end_date, replace=checkpoint.replace)
        if opts["start"] and opts["end"] and opts["start"] > opts["end"]:
            raise CommandError("--start is after --end")
        if opts["workers"] is not None and opts["workers"] < 0:
            raise CommandError("--workers must be 0 or more")
        source = source_from_settings(opts["source"])
        problems = []
        try:
            files = source.list_files(destinations=opts["destinations"], start=opts["start"], end=opts["end"],
                                      problems=problems)
        except InvalidDestination as exc:
            raise CommandError(str(exc)) from exc
        except SourceUnreachable as exc:
            raise CommandError(f"archive source cannot be reached: {exc}") from exc
        for path, reason in problems:
            self.stderr.write(f"skipped {path}: {reason}")
        if problems and not opts["dry_run"]:
            listing_problems_record(problems=problems, source=source.location)
        if not files:
            raise CommandError(f"nothing to import: no day files in {source.location} for the given "
                               "destinations and dates")
        if opts["dry_run"]:
            return self._dry_run(source, files)
        if opts["replace"] and checkpoint is None and not opts["no_input"]:
            answer = input(f"--replace deletes stored observations of {len({f.destination_id for f in files})} "
                           f"destination(s) on {len(files)} day(s) before loading. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("cancelled")
        new = None if checkpoint is not None else dict(
            source=source.location, destinations=opts["destinations"], start=opts["start"], end=opts["end"],
            replace=opts["replace"])  # created once the run holds its locks: a refused run leaves nothing
        self._log(f"{checkpoint.import_id if checkpoint else 'new import'}: {len(files)} file(s) from "
                  f"{source.location}")
        self._dest = None
        self._tty = self.stdout.isatty()
        self._t0 = time.monotonic()
        # On a terminal a tqdm bar (files, events written, rate, ETA); otherwise a line per destination.
        self._bar = tqdm(total=len(files), unit="file", file=getattr(self.stdout, "_out", self.stdout),
                         dynamic_ncols=True) if self._tty and self.verbosity else None
        try:
            if opts["worker"]:
                summary = worker_import(checkpoint=checkpoint, new=new, source=source, files=files,
                                        progress=self._progress, statistics=not opts["no_statistics"],
                                        retry_failed=bool(opts["retry_failed"]))
            else:
                summary = archive_import(checkpoint=checkpoint, new=new, source=source, files=files,
                                         progress=self._progress,
                                         workers=default_workers() if opts["workers"] is None else opts["workers"],
                                         statistics=not opts["no_statistics"], retry_failed=bool(opts["retry_failed"]))
        except ImportBusy as exc:
            raise CommandError(str(exc)) from exc
        except LockLost as exc:  # another process took the run's locks: it stopped before its next commit
            raise CommandError(f"{getattr(checkpoint, 'import_id', 'the import')} stopped: {exc}") from exc
        finally:
            if self._bar is not None:
                self._bar.close()
        self._started = True
        self._flush_destination()
        if summary.stats_note and opts["no_statistics"]:
            self._log(summary.stats_note)
        elif summary.stats_note:
            self._log(f"{summary.stats_note} in {summary.stats_seconds:.1f}s (not counted in the import's rate)")
        if self.verbosity:
            self.stdout.write(self.style.SUCCESS(
                f"{summary.import_id} {summary.status}: {summary.files} file(s) ({summary.files_corrupt} corrupt, "
                f"{summary.files_failed} failed), {summary.events_read} event(s) read, {summary.written} written, "
                f"{summary.duplicates} duplicate(s), {summary.invalid} invalid, {summary.rides_created} ride(s) "
                f"created, {summary.review} mapping(s) need review, {summary.seconds:.1f}s, {summary.rate:,.0f} "
                "events/s"))
        if summary.failed_keys:
            raise CommandError(f"{summary.import_id} FAILED: {len(summary.failed_keys)} file(s) could not be "
                               f"imported (first: {summary.failed_keys[0]}); see the quality log, then run "
                               f"import_archive --retry-failed {summary.import_id}")
        if summary.status == ImportStatus.FAILED:
            raise CommandError(f"{summary.import_id} FAILED: {summary.stats_note}; run import_archive "
                               f"--resume {summary.import_id}")
        if summary.files and not summary.written and summary.files_corrupt + summary.files_failed == summary.files:
            raise CommandError(f"nothing could be imported: all {summary.files} file(s) were unreadable "
                               f"({summary.files_failed} could not be fetched; see {summary.import_id})")

    def _checkpoint(self, opts):
        if opts["resume"]:
            checkpoint = ImportCheckpoint.objects.filter(import_id=opts["resume"]).first()
            if checkpoint is None:
                raise CommandError(f"unknown import {opts['resume']}")
        elif opts["resume_latest"]:
            checkpoint = ImportCheckpoint.objects.filter(status__in=RESUMABLE).order_by("-created_at").first()
            if checkpoint is None:
                raise CommandError("no unfinished import to resume")
        elif opts["retry_failed"] == "latest":
            checkpoint = next((cp for cp in ImportCheckpoint.objects.filter(status__in=RESUMABLE)
                               .order_by("-created_at") if cp.failed_files), None)
            if checkpoint is None:
                raise CommandError("no import with failed files")
        elif opts["retry_failed"]:
            checkpoint = ImportCheckpoint.objects.filter(import_id=opts["retry_failed"]).first()
            if checkpoint is None:
                raise CommandError(f"unknown import {opts['retry_failed']}")
            if not checkpoint.failed_files:
                raise CommandError(f"import {checkpoint.import_id} has no failed files")
        else:
            return None
        if checkpoint.status not in RESUMABLE:
            raise CommandError(f"import {checkpoint.import_id} is {checkpoint.status}: nothing to resume")
        return checkpoint

    def _log(self, text):
        if self.verbosity:
            self.stdout.write(text)

    # -- progress ---------------------------------------------------------------------------
    def _progress(self, event, *, file, parsed, summary, total):
        if not self.verbosity:
            return
        if self._bar is not None:
            rate = summary.written / max(time.monotonic() - self._t0, 1e-6)
            self._bar.set_postfix_str(f"{summary.written:,} events, {rate:,.0f}/s", refresh=False)
            self._bar.update(max(summary.files - self._bar.n, 0))
        if file.destination_id != self._dest:
            self._flush_destination()
            self._dest = file.destination_id
            self._acc = Counter()
        self._acc.update(files=1, events=parsed.events_read, corrupt=int(any(k in UNREADABLE for k in parsed.problems)),
                         failed=int(bool(parsed.read_error)))

    def _flush_destination(self):
        if self._dest and self.verbosity and not self._tty:
            acc = self._acc
            self.stdout.write(f"[{self._dest}] {acc['files']} file(s), {acc['events']:,} event(s) read, "
                              f"{acc['corrupt']} corrupt, {acc['failed']} failed")

    def _dry_run(self, source, files):
        from django.utils import timezone

        now, totals = timezone.now(), Counter()
        for archive_file in files:
            parsed = read_and_parse(source, archive_file.key, now, max_bytes=settings.IMPORT_MAX_FILE_MB << 20)
            totals.update(files=1, events=parsed.events_read, valid=len(parsed.events),
                          failed=int(bool(parsed.read_error)), corrupt=int(parsed.unreadable))
            if parsed.read_error:
                self._log(f"{archive_file.key}: failed: {parsed.read_error}")
            for kind, entry in parsed.problems.items():
                totals[kind] += entry["count"]
            self._log(f"{archive_file.key}: {len(parsed.events)} valid of {parsed.events_read}"
                      + "".join(f", {k} {v['count']}" for k, v in parsed.problems.items()))
        if self.verbosity:
            self.stdout.write(self.style.SUCCESS(
                "dry run, nothing written: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items()))))
