"""Ranking rows made from a recipe: each key's value written once, as an expression of the parts of
one item (a ride's id, facts, figures...), and compiled into one function that makes the ranked rows
of a list of items.

The same recipe makes two kinds of rows. Without a shape: a dict of every value of the recipe (in its
order) and `rank`, what the selectors' callers sort, filter and read. With a shape (an output
serializer's, `warehouse.api.represent.shape_of`): the serializer's fields only, in its order, each
value represented as the serializer represents it (its rounding), so the API writes the rows as they
are instead of making a dict of every value and then a second one of the serializer's fields. A ride
ranking of 100 rows made its intermediate rows (33 values), then the serializer's (30 rounded floats a
row); the shaped rows skip the first and the values the serializer does not show.
"""


class Recipe:
    """`target`: how an item unpacks (an assignment target, e.g. "ride_id, fig"); `values`: each key's
    value as an expression of those names; `names`: what the expressions call. `rank` (from 1) is the
    last value of every recipe."""

    def __init__(self, target: str, values: dict[str, str], **names):
        self.target, self.values, self.names = target, {**values, "rank": "rank"}, names
        self._made = {}  # per shape (None: the plain rows), the compiled function

    def rows(self, items, shape=None) -> list:
        """The rows of `items`, ranked from 1 in their order: plain dicts, or in `shape`'s output shape."""
        made = self._made.get(shape)
        if made is None:
            made = self._made[shape] = self._compile(shape)
        return made(items)

    def _compile(self, shape):
        names = dict(self.names)
        if shape is None:
            entries = [f"{key!r}: {expression}" for key, expression in self.values.items()]
            new = list
        else:
            fields, their_names = shape.fields(self)
            clash = names.keys() & their_names.keys()
            if clash:
                raise ValueError(f"names of the recipe and of the shape clash: {sorted(clash)}")
            names.update(their_names)
            entries = [f"{name!r}: {expression}" for name, expression in fields]
            new = shape.new
        names["_new"] = new
        code = "\n".join([
            "def rows(items):",
            "    out = _new()",
            "    append = out.append",
            f"    for rank, ({self.target}) in enumerate(items, 1):",
            "        append({" + ", ".join(entries) + "})",
            "    return out",
        ])
        exec(compile(code, "<recipe rows>", "exec"), names)
        return names["rows"]
