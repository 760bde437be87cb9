"""SQL text of the statistics store's writes: multi-row INSERTs with the literals formatted here
(or, for many rows inside a transaction on MySQL, the same text loaded with LOAD DATA), and
DELETEs by primary key."""
from __future__ import annotations

import os
import tempfile

from django.db import IntegrityError, connection


def _literal(value) -> str:
    """SQL literal of the values written here: numbers, None, booleans, and strings we made
    ourselves (statuses, adapted dates): no user input reaches this."""
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "''") + "'"


def _plain(rows: list[tuple], text: str) -> bool:
    """Is `text` (the reprs of `rows`) SQL once None reads NULL: no string needed escaping (a quote
    or a backslash made repr change its quoting) and the values are of the plain types?"""
    plain = {int, float, str, bool, type(None)}
    return '"' not in text and "\\" not in text and all(type(v) in plain for v in (*rows[0], *rows[-1]))


def _values(rows: list[tuple]) -> str:
    """The VALUES list of `rows`: Python's repr of each tuple is SQL once None reads NULL (True and
    False are SQL keywords too), and far cheaper than a literal per value. Where a string needed
    escaping (a quote or a backslash made repr change its quoting), each value is formatted alone."""
    text = ",".join(map(repr, rows))
    if not _plain(rows, text):
        return ",".join("(" + ",".join(map(_literal, row)) + ")" for row in rows)
    return text.replace("None", "NULL")


def insert_values(model, columns: tuple[str, ...], rows: list[tuple], *, batch_size: int = 2000) -> None:
    """Plain multi-row INSERTs with the literals formatted here (`_values`). bulk_create built a
    model instance and prepared every value through its field, and MySQLdb's executemany escapes
    each value again: together most of a park day's time. Values are numbers, None, booleans,
    and strings we made ourselves (statuses, kinds, adapted dates)."""
    if not rows:
        return
    if len(rows) >= LOAD_MIN_ROWS and connection.in_atomic_block and _local_files() and _load(model, columns, rows):
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch_size):
            cursor.execute(head + _values(rows[i:i + batch_size]))


def ids_delete(model, ids: list[int], *, batch_size: int = 5000) -> None:
    if not ids:
        return
    head = f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} WHERE id IN "
    with connection.cursor() as cursor:
        for i in range(0, len(ids), batch_size):
            cursor.execute(head + "(" + ",".join(map(str, ids[i:i + batch_size])) + ")")


# From this many rows on, inside a transaction on MySQL, insert_values loads the rows with LOAD DATA:
# the server reads the same text without parsing SQL around each value (435,714 hourly rows of a
# benchmark's statistics: 4.5 s of server CPU as INSERTs, 3.0 s loaded).
LOAD_MIN_ROWS = 1000
_LOCAL_FILES: dict[str, bool] = {}  # per database alias: does the server accept LOAD DATA LOCAL?
# The reprs of the rows as LOAD DATA reads them: "(1, 2.5, 'text', NULL)" each, whatever is between.
_LOAD_FORMAT = ("FIELDS TERMINATED BY ', ' OPTIONALLY ENCLOSED BY '\\'' ESCAPED BY '\\\\' "
                "LINES STARTING BY '(' TERMINATED BY ')'")


def _local_files() -> bool:
    if connection.vendor != "mysql":
        return False
    if connection.alias not in _LOCAL_FILES:
        with connection.cursor() as cursor:
            cursor.execute("SELECT @@GLOBAL.local_infile")
            _LOCAL_FILES[connection.alias] = bool(cursor.fetchone()[0])
    return _LOCAL_FILES[connection.alias]


def _load(model, columns, rows) -> bool:
    """Load `rows` with LOAD DATA LOCAL (the caller's transaction commits them); False when their
    text is not plain (the caller INSERTs them). LOCAL turns a duplicate key or a value the column
    refuses into a warning and a skipped row: those raise IntegrityError here, as an INSERT would,
    and the caller's transaction rolls back."""
    text = "".join(map(repr, rows))
    if not _plain(rows, text):
        return False
    text = text.replace("None", "NULL").replace("True", "1").replace("False", "0")
    quote = connection.ops.quote_name
    fd, path = tempfile.mkstemp(prefix="ingest-stats-", suffix=".tsv", dir="/dev/shm" if os.access(
        "/dev/shm", os.W_OK) else None)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        with connection.cursor() as cursor:
            checked = _parents_share(cursor, model, columns, rows)
            if checked:
                cursor.execute("SET SESSION foreign_key_checks = 0")
            try:
                cursor.execute(f"LOAD DATA LOCAL INFILE %s INTO TABLE {quote(model._meta.db_table)} CHARACTER SET "
                               f"utf8mb4 {_LOAD_FORMAT} ({', '.join(quote(c) for c in columns)})", [path])
                loaded, warnings = cursor.rowcount, connection.connection.warning_count()
            finally:
                if checked:
                    cursor.execute("SET SESSION foreign_key_checks = 1")
    finally:
        os.unlink(path)
    if loaded != len(rows) or warnings:
        raise IntegrityError(f"{model._meta.db_table}: {loaded} of {len(rows)} rows loaded, {warnings} warning(s)")
    return True


def _parents_share(cursor, model, columns, rows) -> bool:
    """What the server's foreign-key checks do for each loaded row, once per distinct parent: every
    row the loaded rows point to (ride, park) exists, and is share-locked until the caller's
    transaction ends, so it cannot vanish under them. IntegrityError when one does not exist. True
    when the load may then run with foreign_key_checks off (the server's check per row is a share
    lock on the parent's row, as here); False, nothing checked, when a reference is not to a
    primary key (the server checks those)."""
    quote = connection.ops.quote_name
    references = [field for field in model._meta.concrete_fields if field.many_to_one and field.column in columns]
    if any(not field.target_field.primary_key for field in references):
        return False
    for field in references:
        position = columns.index(field.column)
        wanted = {row[position] for row in rows} - {None}
        if not wanted:
            continue
        parent = field.target_field
        # By the primary key, value by value: a scan of a small table would lock every row it passed.
        cursor.execute(f"SELECT COUNT(*) FROM {quote(parent.model._meta.db_table)} FORCE INDEX (PRIMARY) "
                       f"WHERE {quote(parent.column)} IN "
                       f"({', '.join(map(str, map(int, wanted)))}) LOCK IN SHARE MODE")
        found = cursor.fetchone()[0]
        if found != len(wanted):
            raise IntegrityError(f"{model._meta.db_table}.{field.column}: {len(wanted) - found} of {len(wanted)} "
                                 f"referenced {parent.model._meta.db_table} row(s) do not exist")
    return True
