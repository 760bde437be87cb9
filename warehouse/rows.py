"""What an observation row is and how it is written as a line: pure, DB-free, no Django.

`warehouse.ingest` writes these lines with LOAD DATA; the archive importer's worker processes
format their rows here too (without `django.setup()`), so there is one owner of the validation
limits and of the TSV format (tab-separated, `\\N` for NULL, backslash escapes, naive UTC times
exactly as Django stores them: `YYYY-MM-DD HH:MM:SS[.ffffff]`).

A "tail" is a line without its leading ride_id column (it starts with the tab): a worker that
does not know ride ids yet formats tails, and `prefix_lines()` adds the id once it is known.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone
from typing import Sequence

from themepark.constants import MAX_VALID_WAIT_MINUTES

UTC = dt_timezone.utc
STATUSES = frozenset({"OPERATING", "DOWN", "CLOSED", "REFURBISHMENT"})
DATA_SOURCES = frozenset({"LIVE", "ARCHIVE"})
# themepark.choices.QueueType: `queue_type` is an ENUM of these on MySQL (a test keeps them equal).
QUEUE_TYPES = frozenset({"STANDBY", "SINGLE_RIDER", "RETURN_TIME", "PAID_RETURN_TIME", "BOARDING_GROUP",
                         "PAID_STANDBY"})
# Live feeds stamp observations with the source's clock; allow it to run slightly ahead of ours.
FUTURE_TOLERANCE = timedelta(minutes=5)

SNAPSHOT_COLUMNS = ("ride_id", "recorded_at", "status", "wait_time", "computed_is_open", "data_source")
QUEUE_COLUMNS = (
    "ride_id", "recorded_at", "queue_type", "wait_time_minutes", "return_time_start", "return_time_end",
    "state", "price_amount", "price_currency", "boarding_group_status", "boarding_group_current_start",
    "boarding_group_current_end", "next_allocation_time", "estimated_wait_minutes",
)
# A queue row with nothing but a wait (standby-like queues: most rows) is written in a short form
# of these columns only, the others left NULL: the server then parses 4 fields a line, not 14.
QUEUE_WAIT_COLUMNS = QUEUE_COLUMNS[:4]
NULL = "\\N"
# The standby wait lives in `ride_status_snapshots.wait_time` only: a STANDBY queue with nothing
# but the snapshot's wait is not stored in `queue_data` (readers take it from the snapshot). A
# STANDBY queue that carries more than that wait (a state, a price, a different wait) is kept.
STANDBY = "STANDBY"


@dataclass(slots=True)
class QueueRow:
    """One queue of an observation; times are aware datetimes, prices in the smallest unit."""

    queue_type: str
    wait_time_minutes: int | None = None
    return_time_start: datetime | None = None
    return_time_end: datetime | None = None
    state: str | None = None
    price_amount: int | None = None
    price_currency: str | None = None
    boarding_group_status: str | None = None
    boarding_group_current_start: int | None = None
    boarding_group_current_end: int | None = None
    next_allocation_time: datetime | None = None
    estimated_wait_minutes: int | None = None


@dataclass(slots=True)
class Observation:
    """One normalized observation of a ride at `recorded_at` (an aware datetime)."""

    ride_id: int
    recorded_at: datetime
    status: str | None
    wait_time: int | None
    data_source: str
    computed_is_open: bool | None = None  # None: derived as status == OPERATING
    queues: Sequence[QueueRow] = ()


@dataclass
class IngestResult:
    written: int = 0
    duplicates: int = 0
    invalid: int = 0
    queue_rows: int = 0
    invalid_reasons: Counter = field(default_factory=Counter)

    def __iadd__(self, other: "IngestResult"):
        self.written += other.written
        self.duplicates += other.duplicates
        self.invalid += other.invalid
        self.queue_rows += other.queue_rows
        self.invalid_reasons.update(other.invalid_reasons)
        return self


# ---------------------------------------------------------------------------------------------
# Validation (docs/metrics.md §1)
# ---------------------------------------------------------------------------------------------
def wait_invalid(value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool) or not isinstance(value, int):
        return True
    return value < 0 or value > MAX_VALID_WAIT_MINUTES


def invalid_reason(obs: Observation, horizon: datetime) -> str | None:
    """Why `obs` must not be stored, or None when it is valid."""
    if not obs.ride_id:
        return "missing ride"
    if obs.recorded_at is None:
        return "missing time"
    if obs.recorded_at > horizon:
        return "time in the future"
    if obs.status is not None and obs.status not in STATUSES:
        return "unknown status"
    if obs.data_source not in DATA_SOURCES:
        return "unknown data source"
    if wait_invalid(obs.wait_time):
        return "wait time out of range"
    for q in obs.queues:
        if wait_invalid(q.wait_time_minutes):
            return "wait time out of range"
        if q.queue_type not in QUEUE_TYPES:
            return "unknown queue type"
    return None


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def utc_text(value: datetime | None) -> str | None:
    """Aware datetime -> naive UTC text as both backends store it; None stays None."""
    if value is None:
        return None
    if value.tzinfo is not UTC and value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ")


def utc_text_from_iso(text: str, value: datetime) -> str:
    """`utc_text(value)` where `value` was parsed from `text`; millisecond `...Z` texts (the
    archive's shape) are cut from the text directly: datetime.isoformat costs ten times more."""
    if len(text) == 24 and text[23] == "Z" and text[19] == ".":
        return f"{text[:10]} {text[11:19]}" if text[20:23] == "000" else f"{text[:10]} {text[11:23]}000"
    return utc_text(value)


def tsv_field(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)


def snapshot_tail(at_text: str, status: str | None, wait: int | None, is_open: bool, data_source: str) -> str:
    # status and data_source are validated enums and the other fields numbers: nothing to escape.
    return f"\t{at_text}\t{status or NULL}\t{NULL if wait is None else wait}\t{1 if is_open else 0}\t{data_source}\n"


# Pieces of the same lines for a loop that formats millions of them (the archive parser's fast
# path): per distinct value, computed once. With `time` = "\t" + the time text,
#   f"{time}{middle}{WAIT_TEXT[wait]}{end}" == snapshot_tail(time[1:], status, wait, status == "OPERATING", source)
#   f"{time}{queue_wait_piece(queue_type)}{WAIT_TEXT[wait]}\n" == queue_wait_tail(time[1:], queue_type, wait)
# where (middle, end) = snapshot_pieces(status, source). WAIT_TEXT holds exactly the valid waits
# (None and 0..MAX_VALID_WAIT_MINUTES), so a lookup also validates.
WAIT_TEXT = {None: NULL, **{minutes: str(minutes) for minutes in range(MAX_VALID_WAIT_MINUTES + 1)}}


def snapshot_pieces(status: str, data_source: str) -> tuple[str, str]:
    return f"\t{status or NULL}\t", f"\t{1 if status == 'OPERATING' else 0}\t{data_source}\n"


def queue_wait_piece(queue_type: str) -> str:
    return f"\t{_ESCAPED.get(queue_type) or _escaped(queue_type)}\t"


_NO_EXTRAS = (None,) * 10
_ESCAPED: dict[str, str] = {}  # queue types: a handful of names, escaped once each


def _escaped(text: str) -> str:
    out = _ESCAPED.get(text)
    if out is None:
        out = text.translate(_ESCAPES)
        if len(_ESCAPED) < 1000:
            _ESCAPED[text] = out
    return out


_EMPTY_EXTRAS = "\t" + "\t".join([NULL] * 10) + "\n"


def wait_only(row: tuple) -> bool:
    """True for `QueueRow` arguments (as `queue_tail` takes them) with nothing but a wait."""
    return len(row) == 2 or row[2:] == _NO_EXTRAS


def queue_wait_tail(at_text: str, queue_type: str, wait: int | None) -> str:
    """Line tail of a wait-only queue row in the short form (QUEUE_WAIT_COLUMNS)."""
    return f"\t{at_text}{queue_wait_piece(queue_type)}{NULL if wait is None else wait}\n"


def queue_tail(at_text: str, row: tuple) -> str:
    """Line tail of a queue row given as `QueueRow` arguments in order: all 12 (times aware
    datetimes), or just (queue_type, wait), the others being None."""
    wait = row[1]
    if len(row) == 2 or row[2:] == _NO_EXTRAS:  # standby-like queues, most rows: only a wait
        queue_type = _ESCAPED.get(row[0]) or _escaped(row[0])
        return f"\t{at_text}\t{queue_type}\t{NULL if wait is None else wait}{_EMPTY_EXTRAS}"
    return "\t" + "\t".join(map(tsv_field, (
        at_text, row[0], wait, utc_text(row[2]), utc_text(row[3]), row[4], row[5], row[6], row[7], row[8],
        row[9], utc_text(row[10]), row[11]))) + "\n"


def stored_queues(obs: Observation):
    """The queues of `obs` that get a `queue_data` row: all but a STANDBY queue holding only the
    snapshot's own wait (see STANDBY)."""
    return [q for q in obs.queues if q.queue_type != STANDBY or not standby_in_snapshot(obs.wait_time, (
        q.queue_type, q.wait_time_minutes, q.return_time_start, q.return_time_end, q.state, q.price_amount,
        q.price_currency, q.boarding_group_status, q.boarding_group_current_start, q.boarding_group_current_end,
        q.next_allocation_time, q.estimated_wait_minutes))]


def standby_in_snapshot(snapshot_wait, row: tuple) -> bool:
    """True for a queue row (`QueueRow` arguments, as `queue_tail` takes them) that the snapshot
    already holds: STANDBY with nothing but the snapshot's wait."""
    return row[0] == STANDBY and row[1] == snapshot_wait and wait_only(row)


def snapshot_line(obs: Observation) -> str:
    is_open = obs.computed_is_open if obs.computed_is_open is not None else obs.status == "OPERATING"
    return f"{obs.ride_id}" + snapshot_tail(utc_text(obs.recorded_at), obs.status, obs.wait_time, is_open,
                                            obs.data_source)


def queue_lines(batch: Sequence[Observation]):
    for obs in batch:
        queues = stored_queues(obs) if obs.queues else ()
        if queues:
            head = f"{obs.ride_id}"
            at = utc_text(obs.recorded_at)
            for q in queues:
                yield head + queue_tail(at, (
                    q.queue_type, q.wait_time_minutes, q.return_time_start, q.return_time_end, q.state,
                    q.price_amount, q.price_currency, q.boarding_group_status, q.boarding_group_current_start,
                    q.boarding_group_current_end, q.next_allocation_time, q.estimated_wait_minutes))


def prefix_lines(ride_id: int, block: str) -> str:
    """Put `ride_id` in front of every line of a block of tails (C-speed string operations)."""
    if not block:
        return ""
    head = str(ride_id)
    return head + block[:-1].replace("\n", "\n" + head) + "\n"


def row_tuples(batch: Sequence[Observation]):
    """Snapshot and queue rows of a batch as tuples in column order (statement writers)."""
    snap_rows, queue_rows = [], []
    for obs in batch:
        at = utc_text(obs.recorded_at)
        is_open = obs.computed_is_open if obs.computed_is_open is not None else obs.status == "OPERATING"
        snap_rows.append((obs.ride_id, at, obs.status, obs.wait_time, 1 if is_open else 0, obs.data_source))
        for q in stored_queues(obs) if obs.queues else ():
            queue_rows.append((
                obs.ride_id, at, q.queue_type, q.wait_time_minutes, utc_text(q.return_time_start),
                utc_text(q.return_time_end), q.state, q.price_amount, q.price_currency, q.boarding_group_status,
                q.boarding_group_current_start, q.boarding_group_current_end, utc_text(q.next_allocation_time),
                q.estimated_wait_minutes,
            ))
    return snap_rows, queue_rows


def parse_lines(text: str) -> list[tuple]:
    """TSV lines back into row tuples of texts (None for NULL): the fallback when LOAD DATA is
    not available; the database converts the texts as LOAD DATA would."""
    rows = []
    for line in text.split("\n")[:-1]:  # not splitlines(): it also splits on \x1c, \u2028, ...
        rows.append(tuple(None if f == NULL else _unescape(f) if "\\" in f else f for f in line.split("\t")))
    return rows


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        pair = value[i:i + 2]
        if pair in _UNESCAPES:
            out.append(_UNESCAPES[pair])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)
