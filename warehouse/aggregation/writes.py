"""Writing only the rows that changed: a recompute over stored figures (a rebuild, a repair, the day
in progress every ten minutes) mostly finds every row as it was. The rows stored in the range a
chunk replaces are read back in the form the store writes them (dates and times as the same
strings, numbers as numbers), compared whole with the new rows, and then only
the rows that changed or vanished are deleted (by primary key) and only the changed and new ones
inserted. `computed_at` is not compared: a row whose figures did not change keeps its stamp."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from .sqlvalues import ids_delete, insert_values

STAMP = "computed_at"


@dataclass(frozen=True)
class Table:
    """A statistics table as the store writes it: the columns of its rows, in order."""

    model: type
    columns: tuple[str, ...]


def _read_form(model, column: str) -> str:
    """The column selected as the store writes it (`DayRows`): dates and times as the strings
    Django adapts them to (on MySQL a time without a fraction of a second has no '.000000'; SQLite
    stores those strings, which its driver would turn into objects)."""
    quoted = connection.ops.quote_name(column)
    kind = model._meta.get_field(column).get_internal_type()
    if kind not in ("DateTimeField", "DateField"):
        return quoted
    if connection.vendor != "mysql":
        return f"CAST({quoted} AS TEXT)"
    if kind == "DateTimeField":
        return f"TRIM(TRAILING '.000000' FROM CAST({quoted} AS CHAR))"
    return f"CAST({quoted} AS CHAR)"


def stored_rows(table: Table, where: str, params: list, stamp: str) -> dict[tuple, int]:
    """{values: id} of the rows of `table` matching `where`, the values in the store's column
    order as the store writes them, with `stamp` in place of computed_at (which is not compared)."""
    forms = [_read_form(table.model, c) if c != STAMP else "%s" for c in table.columns]
    sql = (f"SELECT {', '.join(forms)}, id FROM {connection.ops.quote_name(table.model._meta.db_table)} "
           f"WHERE {where}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamp] * (STAMP in table.columns) + list(params))
        return {row[:-1]: row[-1] for row in cursor.fetchall()}


def rows_write(table: Table, rows: list[tuple], stored: dict[tuple, int]) -> int:
    """Make the stored rows (`stored_rows` of the range the new rows replace) equal to `rows`:
    delete the stored rows that vanished or changed, insert the changed and new ones (a row is
    kept when every value is the same; its natural key makes the changed one's old row vanish).
    Returns the rows inserted."""
    fresh = [row for row in rows if row not in stored]
    if len(fresh) < len(rows) or stored:
        kept = set(rows)
        ids_delete(table.model, [row_id for values, row_id in stored.items() if values not in kept])
    insert_values(table.model, table.columns, fresh)
    return len(fresh)
