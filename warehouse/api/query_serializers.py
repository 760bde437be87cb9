"""The public API's query parameters, one DRF serializer per endpoint family (fields from
`themepark.api.query_values`): a bad value is a 400 `parameter: what it accepts`. Periods, scopes
of parks and exports here; one ride's history, stay-or-go and nearby rides in
query_serializers_rides.py. `params.py` holds the calls the views make and the parameters'
OpenAPI description."""
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from themepark.api.query_values import Choice, Day, Integer, QuerySerializer, bad

from .. import periods
from ..selectors import EXCLUDABLE
from .filters import SCOPES

RANKING_PERIODS = periods.PERIODS
EXPORT_DAY = {"required": "is required (YYYY-MM-DD, park days, inclusive)"}


class Exclude(serializers.Field):
    """`exclude=park_wide` and/or `exclude=stale_feed`, repeated or comma-separated: a frozenset."""

    def __init__(self, **kwargs):
        super().__init__(required=False, default=frozenset(), **kwargs)

    def get_value(self, dictionary):
        values = dictionary.getlist(self.field_name) if hasattr(dictionary, "getlist") else []
        return values or serializers.empty

    def to_internal_value(self, data):
        kinds = set()
        for value in data:
            for kind in filter(None, (part.strip() for part in value.split(","))):
                if kind not in EXCLUDABLE:
                    raise ValidationError(f"'{kind}' is not one of {', '.join(EXCLUDABLE)}")
                kinds.add(kind)
        return frozenset(kinds)


def _range_checked(attrs):
    """A start/end pair of park days: both or neither, a valid range (periods.validate_range)."""
    start, end = attrs.get("start"), attrs.get("end")
    if (start is None) != (end is None):
        raise bad("start" if start is None else "end", "is required with the other of start/end (YYYY-MM-DD)")
    if start is not None:
        try:
            periods.validate_range(start, end)
        except ValueError as exc:
            raise bad("start", str(exc)) from None
    return attrs


class DayRangeQuery(QuerySerializer):
    """`start` and `end` park days, both or neither (year-over-year, paid queue)."""

    start = Day()
    end = Day()

    def validate(self, attrs):
        return _range_checked(attrs)


class PeriodQuery(DayRangeQuery):
    """A named period (its name, default and allowed values by endpoint) or a custom start/end range,
    which makes the period `custom`, and the endpoint's own choices (`sort_by`, `type`, ...) given as
    {name: (allowed, default)} (a default of None makes the choice required): one park's or ride's
    details and charts."""

    def __init__(self, *args, allowed=RANKING_PERIODS, default="today", name="period", choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period_name = name
        self.fields[name] = Choice(allowed, default=default)
        for choice, (values, choice_default) in (choices or {}).items():
            self.fields[choice] = Choice(values) if choice_default is None else Choice(values, default=choice_default)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs["period"] = periods.CUSTOM if attrs["start"] is not None else attrs.pop(self.period_name)
        return attrs


class RankingQuery(PeriodQuery):
    """Rankings, trends, charts and awards over the parks of a scope: the period and choices,
    `filter`, `limit` (high, default) and, where the endpoint takes it, `exclude` (kinds of downtime)."""

    filter = Choice(SCOPES, default=SCOPES[0])

    def __init__(self, *args, limit, exclude=False, **kwargs):
        super().__init__(*args, **kwargs)
        high, default = limit
        self.fields["limit"] = Integer(high=high, default=default)
        if exclude:
            self.fields["exclude"] = Exclude()


class StatusQuery(QuerySerializer):
    """Live status of a scope's attractions: `filter` and an optional `park_id`."""

    filter = Choice(SCOPES, default=SCOPES[0])
    park_id = Integer(default=None)


class YearOverYearQuery(DayRangeQuery):
    """Exactly one of `park_id` or `ride_id`, an optional range and the alignment."""

    park_id = Integer(default=None)
    ride_id = Integer(default=None)
    align = Choice(["dates", "iso_week"], default="dates")

    def validate(self, attrs):
        if (attrs["park_id"] is None) == (attrs["ride_id"] is None):
            raise bad("park_id", "give exactly one of park_id or ride_id")
        return super().validate(attrs)


class ExportQuery(QuerySerializer):
    """A data export: the park, the park days (at most the dataset's span) and the file format."""

    park_id = Integer()
    start = Day(required=True, error_messages=EXPORT_DAY)
    end = Day(required=True, error_messages=EXPORT_DAY)

    def __init__(self, *args, formats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"] = Choice(formats, default="csv")

    def validate(self, attrs):
        start, end, dataset = attrs["start"], attrs["end"], self.context["dataset"]
        for name, value in (("start", start), ("end", end)):
            if not periods.MIN_YEAR <= value.year <= periods.MAX_YEAR:
                raise bad(name, f"must be between {periods.MIN_YEAR}-01-01 and {periods.MAX_YEAR}-12-31")
        if start > end:
            raise bad("start", "is after end")
        if periods.DayRange(start, end).days > dataset.max_days:
            raise bad("end", f"{dataset.name} exports may span at most {dataset.max_days} days; split the range")
        return attrs
