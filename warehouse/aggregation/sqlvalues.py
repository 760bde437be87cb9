"""SQL text of the statistics store's writes: multi-row INSERTs with the literals formatted here,
and DELETEs by primary key."""
from __future__ import annotations

from django.db import connection


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


def _values(rows: list[tuple]) -> str:
    """The VALUES list of `rows`: Python's repr of each tuple is SQL once None reads NULL (True and
    False are SQL keywords too), and far cheaper than a literal per value. Where a string needed
    escaping (a quote or a backslash made repr change its quoting), each value is formatted alone."""
    plain = {int, float, str, bool, type(None)}
    text = ",".join(map(repr, rows))
    if '"' in text or "\\" in text or not all(type(v) in plain for v in (*rows[0], *rows[-1])):
        return ",".join("(" + ",".join(map(_literal, row)) + ")" for row in rows)
    return text.replace("None", "NULL")


def insert_values(model, columns: tuple[str, ...], rows: list[tuple], *, batch_size: int = 2000) -> None:
    """Plain multi-row INSERTs with the literals formatted here (`_values`). bulk_create built a
    model instance and prepared every value through its field, and MySQLdb's executemany escapes
    each value again: together most of a park day's time. Values are numbers, None, booleans,
    and strings we made ourselves (statuses, kinds, adapted dates)."""
    if not rows:
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
