"""Output serializers of the public API: the field names an existing frontend expects
(CONTRACTS.md §2) and their rounding: hours to 2 decimals, minutes, percentages and shame
scores to 1, waits in whole minutes, times in UTC with `Z`."""
from rest_framework import serializers


class Rounded(serializers.FloatField):
    """A float rounded to `places` decimals; null stays null."""

    def __init__(self, places=1, **kwargs):
        self.places = places
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return round(float(value), self.places)


class Whole(serializers.IntegerField):
    """Whole minutes (waits)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return int(round(float(value)))


Hours = lambda **kw: Rounded(2, **kw)  # noqa: E731


class AttributionSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()


class DatesSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)


class _Envelope(serializers.Serializer):
    success = serializers.BooleanField(default=True)


# ---------------------------------------------------------------------------------------------
# Rankings
# ---------------------------------------------------------------------------------------------
class ParkDowntimeRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    location = serializers.CharField()
    timezone = serializers.CharField()
    shame_score = Rounded(1)
    total_downtime_hours = Hours()
    weighted_downtime_hours = Hours()
    uptime_percentage = Rounded(1)
    rides_down = serializers.IntegerField()
    effective_park_weight = Rounded(1)
    park_is_open = serializers.BooleanField()
    queue_times_url = serializers.URLField(allow_null=True)


class AggregateStatsSerializer(serializers.Serializer):
    total_parks_tracked = serializers.IntegerField()
    rides_operating = serializers.IntegerField()
    rides_down = serializers.IntegerField()
    total_downtime_hours = Hours()
    avg_uptime_percentage = Rounded(1)


class ParkDowntimeSerializer(_Envelope):
    period = serializers.CharField()
    filter = serializers.CharField()
    sort_by = serializers.CharField()
    dates = DatesSerializer(allow_null=True)
    aggregate_stats = AggregateStatsSerializer()
    data = ParkDowntimeRowSerializer(many=True)
    attribution = AttributionSerializer(many=True)


class ParkWaitRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    location = serializers.CharField()
    avg_wait_minutes = Rounded(1)
    peak_wait_minutes = Whole()
    rides_reporting = serializers.IntegerField()
    queue_times_url = serializers.URLField(allow_null=True)


class ParkWaitSerializer(_Envelope):
    period = serializers.CharField()
    filter = serializers.CharField()
    dates = DatesSerializer(allow_null=True)
    data = ParkWaitRowSerializer(many=True)
    attribution = AttributionSerializer(many=True)


class RideDowntimeRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)
    downtime_hours = Hours()
    uptime_percentage = Rounded(1)
    status_changes = serializers.IntegerField()
    longest_downtime_minutes = Rounded(1)
    current_status = serializers.CharField(allow_null=True)
    avg_wait_time = Whole()
    peak_wait_time = Whole()


class RideDowntimeSerializer(_Envelope):
    period = serializers.CharField()
    filter = serializers.CharField()
    sort_by = serializers.CharField()
    dates = DatesSerializer(allow_null=True)
    data = RideDowntimeRowSerializer(many=True)
    attribution = AttributionSerializer(many=True)


class RideWaitRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)
    avg_wait_minutes = Rounded(1)
    peak_wait_minutes = Whole()
    current_wait_time = Whole()
    current_status = serializers.CharField(allow_null=True)


class RideWaitSerializer(_Envelope):
    period = serializers.CharField()
    filter = serializers.CharField()
    dates = DatesSerializer(allow_null=True)
    data = RideWaitRowSerializer(many=True)
    attribution = AttributionSerializer(many=True)


# ---------------------------------------------------------------------------------------------
# Parks
# ---------------------------------------------------------------------------------------------
class ParkSerializer(serializers.Serializer):
    park_id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    location = serializers.CharField()
    operator = serializers.CharField()
    timezone = serializers.CharField()
    queue_times_url = serializers.URLField(allow_null=True)


class CurrentStatusSerializer(serializers.Serializer):
    is_open = serializers.BooleanField(default=False)
    rides_open = serializers.IntegerField(default=0)
    rides_closed = serializers.IntegerField(default=0)
    total_rides = serializers.IntegerField(default=0)
    avg_wait_time = Whole()
    max_wait_time = Whole()
    last_updated = serializers.DateTimeField(allow_null=True)


class ShameRideSerializer(serializers.Serializer):
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)
    tier_weight = serializers.IntegerField()
    downtime_hours = Hours()
    weighted_contribution = Hours()


class ShameBreakdownSerializer(serializers.Serializer):
    shame_score = Rounded(1)
    total_downtime_hours = Hours()
    weighted_downtime_hours = Hours()
    effective_park_weight = Rounded(1)
    rides = ShameRideSerializer(many=True)


class TierDistributionSerializer(serializers.Serializer):
    tier_1_count = serializers.IntegerField()
    tier_2_count = serializers.IntegerField()
    tier_3_count = serializers.IntegerField()
    unclassified_count = serializers.IntegerField()


class OperatingSessionSerializer(serializers.Serializer):
    date = serializers.DateField()
    open_from = serializers.DateTimeField()
    open_to = serializers.DateTimeField()
    operating_hours = Hours()


class ParkChartSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    data = serializers.ListField(child=Rounded(1))
    granularity = serializers.ChoiceField(choices=["hourly", "daily"])


class ParkDetailsSerializer(_Envelope):
    period = serializers.CharField()
    dates = DatesSerializer()
    park = ParkSerializer()
    current_status = CurrentStatusSerializer(allow_null=True)
    shame_breakdown = ShameBreakdownSerializer()
    tier_distribution = TierDistributionSerializer()
    operating_sessions = OperatingSessionSerializer(many=True)
    chart_data = ParkChartSerializer()
    excluded_rides_count = serializers.IntegerField()
    attribution = AttributionSerializer(many=True)


class ActiveRideSerializer(serializers.Serializer):
    ride_id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)
    tier_weight = serializers.IntegerField()


class ExcludedRideSerializer(serializers.Serializer):
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)
    tier_weight = serializers.IntegerField()
    last_operated_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


class ParkRideListsSerializer(serializers.Serializer):
    active = ActiveRideSerializer(many=True)
    excluded = ExcludedRideSerializer(many=True)


class ParkRidesSerializer(_Envelope):
    rides = ParkRideListsSerializer()
    effective_park_weight = Rounded(1)
