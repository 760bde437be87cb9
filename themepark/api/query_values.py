"""Query parameters of the API as DRF serializer fields: every bad value is a 400 naming the
parameter and what it accepts (`parameter: message`, docs/api.md), never a 500.

A query serializer (`QuerySerializer`) declares one endpoint family's parameters with these
fields; `parse(query)` returns the validated values or raises the 400. An empty value counts as
absent, and a repeated parameter's last value counts (`QueryDict.get`), except where a field
reads every value (`exclude`).
"""
import math
import threading
from datetime import date

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty


def bad(name, message):
    return ValidationError({name: message})


def _messages(kwargs, **defaults):
    """The field's error messages: its defaults, then any the declaration gives."""
    return {**defaults, **kwargs.pop("error_messages", {})}


class _QueryField:
    """An empty string is an absent parameter; the required message may list what is allowed."""

    def get_value(self, dictionary):
        value = dictionary.get(self.field_name)
        return empty if value in (None, "") else value


class Choice(_QueryField, serializers.ChoiceField):
    def __init__(self, allowed, **kwargs):
        self.allowed = list(allowed)
        listed = ", ".join(self.allowed)
        kwargs.setdefault("required", "default" not in kwargs)
        messages = _messages(kwargs, required=f"is required; one of {listed}",
                             invalid_choice=f"must be one of {listed}")
        super().__init__([(value, value) for value in self.allowed], error_messages=messages, **kwargs)

    def to_internal_value(self, data):
        if data not in self.allowed:
            self.fail("invalid_choice")
        return data


class Integer(_QueryField, serializers.IntegerField):
    """ASCII digits only (no sign but a leading minus, no decimals, at most 19 characters)."""

    def __init__(self, *, low=1, high=None, **kwargs):
        bounds = f"an integer from {low}" + (f" to {high}" if high is not None else "")
        kwargs.setdefault("required", "default" not in kwargs)
        messages = _messages(kwargs, required="is required", invalid=f"must be {bounds}")
        super().__init__(error_messages=messages, **kwargs)
        self.low, self.high = low, high

    def to_internal_value(self, data):
        text = str(data)
        if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 19:
            self.fail("invalid")
        number = int(text)
        if number < self.low or (self.high is not None and number > self.high):
            self.fail("invalid")
        return number


class Number(_QueryField, serializers.FloatField):
    """A finite number within [low, high]."""

    def __init__(self, *, low, high, **kwargs):
        kwargs.setdefault("required", "default" not in kwargs)
        messages = _messages(kwargs, required=f"is required: a number from {low} to {high}",
                             invalid=f"must be a number from {low} to {high}")
        super().__init__(error_messages=messages, **kwargs)
        self.low, self.high = low, high

    def to_internal_value(self, data):
        try:
            number = float(data)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail("invalid")
        return number


class Day(_QueryField, serializers.DateField):
    """A date YYYY-MM-DD; None when absent unless required."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        if not kwargs["required"]:
            kwargs.setdefault("default", None)
        messages = _messages(kwargs, required="is required (YYYY-MM-DD)", invalid="must be a date YYYY-MM-DD")
        super().__init__(error_messages=messages, **kwargs)

    def to_internal_value(self, data):
        try:
            if len(data) != 10:
                raise ValueError
            return date.fromisoformat(data)
        except (TypeError, ValueError):
            self.fail("invalid")


class Flag(_QueryField, serializers.BooleanField):
    """true/false, 1/0, yes/no; None when absent."""

    def __init__(self, **kwargs):
        messages = _messages(kwargs, invalid="must be one of true, false")
        super().__init__(required=False, default=None, allow_null=True, error_messages=messages, **kwargs)

    def to_internal_value(self, data):
        lowered = str(data).lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        self.fail("invalid")


class QuerySerializer(serializers.Serializer):
    """The query parameters of one endpoint family. `parse` answers the validated values (a dict)
    or raises a 400 whose message names each bad parameter: `name: what it accepts`."""

    @classmethod
    def parse(cls, query, **kwargs):
        serializer = cls._made(query, kwargs)
        if not serializer.is_valid():
            raise ValidationError({name: " ".join(str(m) for m in messages)
                                   for name, messages in serializer.errors.items()})
        return serializer.validated_data

    @classmethod
    def _made(cls, query, kwargs):
        """A serializer of `query`: this thread's last one made with the same arguments (but a
        context), given the new data, rather than one made again (making the fields was most of
        the parsing's CPU). Validation keeps nothing on the fields, and `is_valid` validates anew
        once `_validated_data` is gone."""
        if "context" in kwargs:
            return cls(data=query, **kwargs)
        made = _THREAD.__dict__.setdefault("made", {})
        key = (cls, repr(sorted(kwargs.items())))
        serializer = made.get(key)
        if serializer is None:
            serializer = cls(data=query, **kwargs)
            if len(made) < MADE_MAX:
                made[key] = serializer
            return serializer
        serializer.initial_data = query
        for name in ("_validated_data", "_errors", "_data"):
            serializer.__dict__.pop(name, None)
        return serializer


_THREAD = threading.local()
MADE_MAX = 64  # serializers kept per thread (one per endpoint's arguments)
