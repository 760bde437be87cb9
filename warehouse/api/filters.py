"""Which parks a ranking or summary covers: `filter=all-parks|disney-universal` and an optional
`park_id` over active parks (both parsed by the endpoint's query serializer)."""
from django.db import connections, router
from django.db.models import signals
from django.db.models.base import ModelState
from rest_framework.exceptions import ValidationError

from themepark.models import Park

SCOPES = ("all-parks", "disney-universal")
# What the rankings read of a park (the rest is deferred, as with `.only()`), in the model's order
# (Model.from_db takes the values of a partial row in that order); reports_down is last.
PARK_FIELDS = tuple(f.attname for f in Park._meta.concrete_fields if f.attname in {
    "id", "name", "timezone", "city", "region", "country", "continent", "queue_times_id", "reports_down"})


def parks_in_scope(scope=SCOPES[0], *, park_id=None):
    """The active parks a `filter` value (and `park_id`) select, by name; 400 on a bad value.
    Plain SQL and `Park.from_db`, as the ORM would load them (the ORM's query building was a
    tenth of an uncached ranking's CPU)."""
    scope = scope or SCOPES[0]
    if scope not in SCOPES:
        raise ValidationError({"filter": f"must be one of {', '.join(SCOPES)}"})
    table = Park._meta.db_table
    sql, params = f"SELECT {', '.join(PARK_FIELDS)} FROM {table} WHERE is_active = 1", []
    if scope == "disney-universal":
        sql += " AND (is_disney = 1 OR is_universal = 1)"
    if park_id is not None:
        sql, params = sql + " AND id = %s", [park_id]
    alias = router.db_for_read(Park)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql + " ORDER BY name ASC", params)
        rows = cursor.fetchall()
    load = _loaded_park
    if signals.pre_init.has_listeners(Park) or signals.post_init.has_listeners(Park):
        load = lambda alias, values: Park.from_db(alias, PARK_FIELDS, values)  # noqa: E731
    return [load(alias, (*row[:-1], bool(row[-1]))) for row in rows]  # reports_down: a bool


def _loaded_park(alias, values):
    """`Park.from_db(alias, PARK_FIELDS, values)`'s park (the same attributes and state), made
    directly (when no signal has a receiver for parks): `from_db` spent most of its time walking
    the fields left deferred."""
    park = Park.__new__(Park)
    park._state = state = ModelState()
    state.adding, state.db = False, alias
    park.__dict__.update(zip(PARK_FIELDS, values))
    return park
