"""Field tables of an API contract: `conforms(body, {"data[].park_id": int, ...})` holds every value at
each dotted path (`name[]` for every item of a list) to its JSON types, a boolean never passing for
a number."""

NUM = (int, float)  # a JSON number (never a string, never a boolean)
OPT_NUM = (int, float, type(None))
OPT_INT = (int, type(None))
OPT_BOOL = (bool, type(None))


def _walk(value, path):
    """Values at a dotted path; `name[]` descends into every item of a list."""
    if not path:
        yield value
        return
    head, _, rest = path.partition(".")
    key, depth = head.replace("[]", ""), head.count("[]")
    if not isinstance(value, dict) or key not in value:
        raise AssertionError(f"{key} missing")
    yield from _items(value[key], depth, key, rest)


def _items(value, depth, key, rest):
    if not depth:
        yield from _walk(value, rest)
        return
    assert isinstance(value, list), f"{key} is not an array"
    for item in value:
        yield from _items(item, depth - 1, key, rest)


def conforms(body, fields):
    """Every `path: types` of the contract holds in `body` (bool is not a number here)."""
    assert body["success"] is True
    for path, types in fields.items():
        for value in _walk(body, path):
            assert isinstance(value, types), f"{path}={value!r} is not {types}"
            if bool not in (types if isinstance(types, tuple) else (types,)):
                assert not isinstance(value, bool), f"{path}={value!r} is a boolean"


def rows(body, key="data"):
    assert isinstance(body[key], list) and body[key], f"{key} should not be empty here"
    return body[key]
