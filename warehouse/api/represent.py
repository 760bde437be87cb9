"""A serializer's output for a body of plain dicts, without DRF's per-row machinery.

`represent(SerializerClass, body)` returns what `SerializerClass(body).data` returns (same keys in
the same order, same values: each leaf field's own `to_representation`), from a plan of the
class's fields made once per class. DRF binds and walks the fields of every nested row and
looks each value up through `Field.get_attribute`; a ranking of 200 rides x 35 fields spent
several milliseconds of CPU there. The plan is compiled into one function per class (each
field's read and expression written out), so a row does not walk the plan either. A field
whose value is missing from a dict goes through `Field.get_attribute` as before (defaults,
nulls, skipped fields), and a serializer that overrides `to_representation` is called as it is.
"""
from django.db.models import Manager
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from .serializers import Rounded, Whole

_PLANS: dict[type, object] = {}  # the compiled plan of each class
_LEAF, _ONE, _MANY, _OWN, _ROUND, _INT, _STR, _BOOL, _WHOLE = range(9)


def _custom(serializer) -> bool:
    return type(serializer).to_representation is not serializers.Serializer.to_representation


def _leaf(field):
    """(kind, argument) of a leaf field: the fields whose `to_representation` is one known
    expression are done inline (a rounded float, an int, a str, a bool left as it is), the others
    call it."""
    own = type(field).to_representation
    if own is Rounded.to_representation:
        return _ROUND, field.places
    if own is Whole.to_representation:
        return _WHOLE, None
    if own is serializers.IntegerField.to_representation:
        return _INT, None
    if own is serializers.CharField.to_representation:
        return _STR, None
    if own is serializers.BooleanField.to_representation:
        return _BOOL, None
    return _LEAF, None


def _plan(serializer) -> list:
    """(name, key, field, kind, nested plan or leaf argument) per readable field of a bound serializer."""
    plan = []
    for field in serializer.fields.values():
        if field.write_only:
            continue
        key = field.source_attrs[0] if len(field.source_attrs) == 1 else None
        if isinstance(field, serializers.ListSerializer):
            child = field.child
            kind, nested = (_OWN, None) if _custom(child) else (_MANY, _plan(child))
        elif isinstance(field, serializers.Serializer):
            kind, nested = (_OWN, None) if _custom(field) else (_ONE, _plan(field))
        else:
            kind, nested = _leaf(field)
        plan.append((field.field_name, key, field, kind, nested))
    return plan


def _value(plan, instance) -> dict:
    out = {}
    is_dict = type(instance) is dict
    for name, key, field, kind, nested in plan:
        if is_dict and key is not None and key in instance:
            value = instance[key]
        else:
            try:
                value = field.get_attribute(instance)
            except SkipField:
                continue
        if value is None:
            out[name] = None
        elif kind == _ROUND:  # serializers.Rounded (a float with no fraction rounds to itself)
            whole = type(value) is float and value.is_integer() and nested >= 0
            out[name] = value if whole else round(float(value), nested)
        elif kind == _WHOLE:
            out[name] = int(round(float(value)))
        elif kind == _INT:
            out[name] = int(value)
        elif kind == _STR:
            out[name] = str(value)
        elif kind == _BOOL and type(value) is bool:  # what BooleanField gives a bool
            out[name] = value
        elif kind == _ONE:
            out[name] = _value(nested, value)
        elif kind == _MANY:
            if type(value) is Shaped and value.serializer is type(field.child):
                out[name] = value
                continue
            items = value.all() if isinstance(value, Manager) else value
            out[name] = [_value(nested, item) for item in items]
        else:
            out[name] = field.to_representation(value)
    return out


def _attribute(field, instance):
    """What `_value` reads through `Field.get_attribute` (a key missing, a dotted source): the
    value, or _SKIP when the field is left out."""
    try:
        return field.get_attribute(instance)
    except SkipField:
        return _SKIP


_SKIP = object()


def _expression(i: str, field, kind, nested, names, v="v") -> str:
    """The expression of field `i`'s output for a value (the name `v`) that is not None (what `_value`
    does for its kind); what it calls is added to `names` under names ending in `i`."""
    names[f"f{i}"] = field
    if kind == _ROUND:
        if nested >= 0:  # a float with no fraction (0.0, 100.0, -0.0) rounds to itself: a fifth of the time
            return f"{v} if type({v}) is float and {v}.is_integer() else round(float({v}), {nested!r})"
        return f"round(float({v}), {nested!r})"
    if kind == _WHOLE:
        return f"int(round(float({v})))"
    if kind == _INT:  # int() of an int is the same int: skipped (half the time of the call)
        return f"{v} if type({v}) is int else int({v})"
    if kind == _STR:
        return f"str({v})"
    if kind == _BOOL:
        return f"{v} if type({v}) is bool else f{i}.to_representation({v})"
    if kind == _ONE:
        names[f"n{i}"] = _compiled(nested)
        return f"n{i}({v})"
    if kind == _MANY:
        names[f"n{i}"], names[f"c{i}"] = _compiled(nested), type(field.child)
        names.setdefault("_Manager", Manager)
        names.setdefault("_Shaped", Shaped)
        return (f"{v} if type({v}) is _Shaped and {v}.serializer is c{i} else "
                f"[n{i}(item) for item in ({v}.all() if isinstance({v}, _Manager) else {v})]")
    return f"f{i}.to_representation({v})"


def _compiled(plan):
    """A function of one instance giving `_value(plan, instance)`, made once per plan: for a dict,
    the fields' reads and their inline expressions written out one after the other (nested plans
    compiled too), so no row walks the plan; anything but a dict goes through `_value`."""
    names = {"_value": _value, "_plan": plan, "_KeyError": KeyError, "_dict": dict, "_attribute": _attribute,
             "_SKIP": _SKIP}
    lines = ["def value(instance):",
             "    if type(instance) is not _dict:",
             "        return _value(_plan, instance)",
             "    out = {}"]
    for i, (name, key, field, kind, nested) in enumerate(plan):
        expression = _expression(f"{i}", field, kind, nested, names)
        store = f"out[{name!r}] = None if v is None else {expression}"
        if key is None:
            lines += [f"    v = _attribute(f{i}, instance)", "    if v is not _SKIP:", f"        {store}"]
        elif field.default is empty and field.allow_null:  # a key missing reads as None (Field.get_attribute)
            if field.required:
                lines += ["    try:", f"        v = instance[{key!r}]", "    except _KeyError:", "        v = None"]
            else:  # often left out
                lines.append(f"    v = instance.get({key!r})")
            lines.append(f"    {store}")
        else:
            lines += ["    try:", f"        v = instance[{key!r}]", "    except _KeyError:",
                      f"        v = _attribute(f{i}, instance)", "        if v is not _SKIP:",
                      f"            {store}", "    else:", f"        {store}"]
    lines.append("    return out")
    exec(compile("\n".join(lines), "<represent plan>", "exec"), names)
    return names["value"]


def represent(serializer_class, body):
    """`serializer_class(body).data` for an output serializer (plain dicts)."""
    value = _PLANS.get(serializer_class)
    if value is None:
        serializer = serializer_class()
        if _custom(serializer):
            return serializer_class(body).data
        value = _PLANS[serializer_class] = _compiled(_plan(serializer))
    return value(body)


class Shaped(list):
    """Rows already in the output shape of the row serializer `serializer` (made by `Shape`): a list
    field of that serializer takes them as they are."""

    __slots__ = ("serializer",)

    def __init__(self, serializer):
        super().__init__()
        self.serializer = serializer


class Shape:
    """The output of a row serializer for rows made from a recipe (`warehouse.recipes`): the
    serializer's fields in its order, each the recipe's value of the field's key represented as
    `represent` represents it; a field the recipe has no value for is what the serializer gives for a
    row without that key (null, its default, or left out)."""

    def __init__(self, serializer_class):
        serializer = serializer_class()
        if _custom(serializer):
            raise ValueError(f"{serializer_class.__name__} has its own to_representation: no shape")
        self.serializer, self.plan = serializer_class, _plan(serializer)

    def new(self):
        return Shaped(self.serializer)

    def fields(self, recipe) -> tuple[list[tuple[str, str]], dict]:
        """(output name, expression of the recipe's names) per field, and what the expressions call."""
        names, fields = {}, []
        for i, (name, key, field, kind, nested) in enumerate(self.plan):
            if key is None:
                raise ValueError(f"{self.serializer.__name__}.{name}: no single key to take from a recipe")
            source = recipe.values.get(key)
            if source is None:  # as for a row without the key: decided once
                try:
                    missing = _attribute(field, {})
                except (KeyError, AttributeError):  # a required field
                    raise ValueError(f"{self.serializer.__name__}.{name}: no value in the recipe") from None
                if missing is _SKIP:
                    continue
                if missing is not None:
                    raise ValueError(f"{self.serializer.__name__}.{name}: no value in the recipe")
                fields.append((name, "None"))
                continue
            if kind == _ONE and all(_reads_as_get(entry) for entry in nested):
                expression = _inlined(f"_shape{i}", nested, names)
            else:
                expression = _expression(f"_shape{i}", field, kind, nested, names)
            fields.append((name, f"(None if (v := ({source})) is None else {expression})"))
        return fields, names


def _reads_as_get(entry) -> bool:
    """Whether a field of a plan is a leaf read as `dict.get` reads it (a key missing is None)."""
    _, key, field, kind, _ = entry
    return key is not None and field.default is empty and field.allow_null and kind not in (_ONE, _MANY, _OWN)


def _inlined(i: str, nested, names) -> str:
    """The output of a nested serializer of such leaves for a value `v`, written out as one dict
    display when `v` is a dict (a function call less per row: a ranking's downtime by kind), through
    its compiled plan otherwise."""
    names[f"n{i}"] = _compiled(nested)
    entries = []
    for j, (name, key, field, kind, argument) in enumerate(nested):
        expression = _expression(f"{i}_{j}", field, kind, argument, names, v=f"w{i}")
        entries.append(f"{name!r}: (None if (w{i} := v.get({key!r})) is None else {expression})")
    return "{" + ", ".join(entries) + f"}} if type(v) is dict else n{i}(v)"


_SHAPES: dict[type, Shape] = {}


def shape_of(serializer_class) -> Shape:
    """The (one) shape of a row serializer."""
    shape = _SHAPES.get(serializer_class)
    if shape is None:
        shape = _SHAPES[serializer_class] = Shape(serializer_class)
    return shape
