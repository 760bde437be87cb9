"""Query-parameter parsing for the public API: every bad value is a 400 naming the parameter
and what it accepts (docs/contracts.md §2), never a 500."""
import math
from datetime import date

from rest_framework.exceptions import ValidationError


def bad(name, message):
    return ValidationError({name: message})


def choice(params, name, allowed, default=None):
    """One of `allowed`; `default` when absent (a required parameter has no default)."""
    value = params.get(name)
    if value in (None, ""):
        if default is None:
            raise bad(name, f"is required; one of {', '.join(allowed)}")
        return default
    if value not in allowed:
        raise bad(name, f"must be one of {', '.join(allowed)}")
    return value


def integer(params, name, *, default=None, low=1, high=None):
    value = params.get(name)
    if value in (None, ""):
        if default is None:
            raise bad(name, "is required")
        return default
    bounds = f"an integer from {low}" + (f" to {high}" if high is not None else "")
    if not value.isascii() or not value.lstrip("-").isdigit() or len(value) > 19:
        raise bad(name, f"must be {bounds}")
    number = int(value)
    if number < low or (high is not None and number > high):
        raise bad(name, f"must be {bounds}")
    return number


def number(params, name, *, low, high, default=None, required=True):
    value = params.get(name)
    if value in (None, ""):
        if required and default is None:
            raise bad(name, f"is required: a number from {low} to {high}")
        return default
    try:
        result = float(value)
    except ValueError:
        result = math.nan
    if not math.isfinite(result) or not low <= result <= high:
        raise bad(name, f"must be a number from {low} to {high}")
    return result


def day(params, name):
    """A date YYYY-MM-DD or None when absent."""
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise bad(name, "must be a date YYYY-MM-DD") from None


def flag(params, name):
    """true/false/1/0 or None when absent."""
    value = params.get(name)
    if value in (None, ""):
        return None
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise bad(name, "must be one of true, false")
