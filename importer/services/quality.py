"""One quality-log entry per archive file and problem kind, with the S3 key and counts."""
from datetime import datetime, timedelta, timezone

from quality.choices import IssueType, QualitySource
from quality.services import quality_issue_record

from ..parser import DUPLICATES, GZIP_CONTAINER, MISSING_FIELDS, UNREADABLE

DESCRIPTIONS = {
    "truncated_zlib": "file unreadable: the zlib stream is truncated or corrupt; no event imported",
    "invalid_json": "file unreadable: the JSON does not parse; no event imported",
    "wrong_top_level_type": "file unreadable: not an object with an 'events' array; no event imported",
    "event_missing_fields": "{n} event(s) missing required fields, skipped",
    "wait_time_out_of_range": "{n} event(s) with a wait time outside 0..600 min, skipped",
    "event_time_in_future": "{n} event(s) with an eventTime in the future, skipped",
    "duplicate_events": "{n} duplicate event(s) in the file, counted once",
    "gzip_container": "file is a gzip container, not a raw zlib stream; read anyway",
    "file_too_large": "file unreadable: it decompresses to more than IMPORT_MAX_FILE_MB; no event imported",
    "event_too_deep": "{n} event(s) nested deeper than the parser accepts, skipped",
    "value_too_long": "{n} event(s) with a value longer than its column holds, skipped (never cut)",
    "invalid_timezone": "{n} event(s) with a timezone that is not in the IANA database, skipped",
    "event_time_out_of_range": "{n} event(s) with a time before 2000 (or a queue time outside a sane range), skipped",
    "value_out_of_range": "{n} event(s) with a number outside its column's range or of the wrong type, skipped",
}


def _issue_type(kind):
    if kind == DUPLICATES:
        return "DUPLICATE"
    if kind == MISSING_FIELDS:
        return "MISSING_FIELD"
    return "INVALID"


def _period(archive_file):
    start = datetime.combine(archive_file.day, datetime.min.time(), tzinfo=timezone.utc)
    return {"period_start": start, "period_end": start + timedelta(days=1)}


def file_failure_record(*, archive_file, error, import_id=""):
    """A file that could not be imported at all (read, parse, mapping or load failure): retried by
    `import_archive --retry-failed`."""
    quality_issue_record(
        issue_type=IssueType.INVALID, description=f"file not imported, retried by --retry-failed: {error}"[:1000],
        record_count=1, entity_type="FILE", entity_id=archive_file.destination_id, source=QualitySource.ARCHIVE,
        source_key=archive_file.key, details={"kind": "file_failed", "error": error, "import_id": import_id},
        **_period(archive_file))


def listing_problems_record(*, problems, source=""):
    """What the listing of the archive skipped: unreadable folders, links out of the source,
    folders that are not destination ids."""
    for path, reason in problems:
        quality_issue_record(
            issue_type=IssueType.INVALID, description=f"archive listing skipped {path}: {reason}"[:1000],
            record_count=1, entity_type="FILE", source=QualitySource.ARCHIVE, source_key=str(path)[:512],
            details={"kind": "listing", "reason": reason, "archive": source})


def file_problems_record(*, parsed, result, archive_file, import_id=""):
    """Write the file's problems (parser kinds, then any reason ingest refused rows for)."""
    period = _period(archive_file)
    for kind, entry in sorted(parsed.problems.items()):
        file_level = kind in UNREADABLE or kind == GZIP_CONTAINER
        count = parsed.events_read if kind == "gzip_container" else (1 if file_level else entry["count"])
        quality_issue_record(
            issue_type=_issue_type(kind), description=DESCRIPTIONS[kind].format(n=entry["count"]),
            record_count=count, entity_type="FILE", entity_id=archive_file.destination_id,
            source=QualitySource.ARCHIVE, source_key=archive_file.key,
            details={"kind": kind, "examples": entry["examples"], "import_id": import_id},
            **period)
    for reason, count in result.invalid_reasons.items():
        quality_issue_record(
            issue_type=IssueType.INVALID, description=f"{count} observation(s) refused by ingest: {reason}",
            record_count=count, entity_type="FILE", entity_id=archive_file.destination_id,
            source=QualitySource.ARCHIVE, source_key=archive_file.key,
            details={"kind": "ingest", "reason": reason, "import_id": import_id}, **period)
