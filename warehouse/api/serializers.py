"""Output serializers of the public API: the field names an existing frontend expects
(docs/contracts.md §2) and their rounding: hours to 2 decimals, minutes, percentages and shame
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
TREND_HELP = ("% change against the previous period of the same kind (downtime hours or mean wait; positive = "
              "worse); null when unknown or for period=live")


class AttributionSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()


class DatesSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)


class _Envelope(serializers.Serializer):
    success = serializers.BooleanField(default=True)


# What every read over a scope of parks answers (views._common): the period, the filter, the dates each
# park's period covers and, last, the attribution; each read declares its own fields in between.
# (A comment, not a docstring: drf-spectacular would print a docstring under every such schema.)
class _ScopeEnvelope(_Envelope):
    period = serializers.CharField()
    filter = serializers.CharField()
    dates = DatesSerializer(allow_null=True)
    attribution = AttributionSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["attribution"] = fields.pop("attribution")
        return fields


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
    trend_percentage = Rounded(1, help_text=TREND_HELP)


class AggregateStatsSerializer(serializers.Serializer):
    total_parks_tracked = serializers.IntegerField()
    rides_operating = serializers.IntegerField()
    rides_down = serializers.IntegerField()
    total_downtime_hours = Hours()
    avg_uptime_percentage = Rounded(1)


class ParkDowntimeSerializer(_ScopeEnvelope):
    sort_by = serializers.CharField()
    aggregate_stats = AggregateStatsSerializer()
    data = ParkDowntimeRowSerializer(many=True)


class ParkWaitRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    location = serializers.CharField()
    avg_wait_minutes = Rounded(1)
    peak_wait_minutes = Whole()
    rides_reporting = serializers.IntegerField()
    queue_times_url = serializers.URLField(allow_null=True)
    park_is_open = serializers.BooleanField(allow_null=True, help_text="Open now; null when never collected live")
    trend_percentage = Rounded(1, help_text=TREND_HELP)


class ParkWaitSerializer(_ScopeEnvelope):
    data = ParkWaitRowSerializer(many=True)


# A ride's place in a ranking: the fields every ride ranking row starts with.
class _RankedRideSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)


class RideDowntimeRowSerializer(_RankedRideSerializer):
    downtime_hours = Hours()
    uptime_percentage = Rounded(1)
    status_changes = serializers.IntegerField()
    longest_downtime_minutes = Rounded(1)
    current_status = serializers.CharField(allow_null=True)
    avg_wait_time = Whole()
    peak_wait_time = Whole()
    location = serializers.CharField(help_text="The park's city, region and country")
    park_is_open = serializers.BooleanField(allow_null=True, help_text="Park open now; null when unknown")
    current_is_open = serializers.BooleanField(allow_null=True, help_text="Running now (true), not running "
                                               "(false: down, closed or in refurbishment), unknown (null)")
    is_down = serializers.BooleanField(help_text="Down now (CLOSED counts for parks that never report DOWN)")
    trend_percentage = Rounded(1, help_text=TREND_HELP)


class RideDowntimeSerializer(_ScopeEnvelope):
    sort_by = serializers.CharField()
    data = RideDowntimeRowSerializer(many=True)


class RideWaitRowSerializer(_RankedRideSerializer):
    avg_wait_minutes = Rounded(1)
    peak_wait_minutes = Whole()
    current_wait_time = Whole()
    current_status = serializers.CharField(allow_null=True)
    location = serializers.CharField(help_text="The park's city, region and country")
    park_is_open = serializers.BooleanField(allow_null=True, help_text="Park open now; null when unknown")
    current_is_open = serializers.BooleanField(allow_null=True, help_text="Running now (true), not running "
                                               "(false: down, closed or in refurbishment), unknown (null)")
    trend_percentage = Rounded(1, help_text=TREND_HELP)


class RideWaitSerializer(_ScopeEnvelope):
    data = RideWaitRowSerializer(many=True)


# ---------------------------------------------------------------------------------------------
# Parks
# ---------------------------------------------------------------------------------------------
class ParkSerializer(serializers.Serializer):
    park_id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    location = serializers.CharField(help_text="City, region and country")
    city = serializers.CharField()
    region = serializers.CharField()
    country = serializers.CharField()
    operator = serializers.CharField()
    timezone = serializers.CharField()
    queue_times_url = serializers.URLField(allow_null=True)


class CurrentStatusSerializer(serializers.Serializer):
    is_open = serializers.BooleanField(default=False)
    rides_open = serializers.IntegerField(default=0)
    operating = serializers.IntegerField(default=0, help_text="Same as rides_open")
    rides_closed = serializers.IntegerField(default=0)
    rides_down = serializers.IntegerField(default=0)
    total_rides = serializers.IntegerField(default=0)
    uptime_percentage = Rounded(1, allow_null=False, required=False,
                                help_text="Rides running among those running or down now; absent when none")
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
    days_with_downtime = serializers.IntegerField()
    status = serializers.CharField(help_text="Live status for period=live, otherwise DOWN (it had downtime)")


class _WeightedRideSerializer(serializers.Serializer):
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)
    tier_weight = serializers.IntegerField()


class LiveDownRideSerializer(_WeightedRideSerializer):
    status = serializers.CharField()


class ExcludedRideSerializer(_WeightedRideSerializer):
    last_operated_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


class LiveExcludedRideSerializer(ExcludedRideSerializer):
    exclusion_reason = serializers.CharField(help_text="Same as reason")


def _live_only(**kwargs):
    return {"required": False, "help_text": "period=live only", **kwargs}


class ShameBreakdownSerializer(serializers.Serializer):
    breakdown_type = serializers.CharField(help_text="The period: today/yesterday (hourly), last_week/last_month "
                                                     "(daily), live (rides down now)")
    shame_score = Rounded(1)
    total_downtime_hours = Hours()
    weighted_downtime_hours = Hours()
    effective_park_weight = Rounded(1)
    rides = ShameRideSerializer(many=True)
    rides_affected_count = serializers.IntegerField()
    period_label = serializers.CharField()
    days_in_period = serializers.IntegerField()
    park_is_open = serializers.BooleanField(**_live_only())
    total_weighted_down = Rounded(1, **_live_only(allow_null=False))
    total_park_weight = Rounded(1, **_live_only(allow_null=False))
    rides_down = LiveDownRideSerializer(many=True, **_live_only())
    rides_excluded = LiveExcludedRideSerializer(many=True, **_live_only())
    total_excluded_weight = Rounded(1, **_live_only(allow_null=False))


class TierDistributionSerializer(serializers.Serializer):
    tier_1_count = serializers.IntegerField()
    tier_2_count = serializers.IntegerField()
    tier_3_count = serializers.IntegerField()
    unclassified_count = serializers.IntegerField()
    total_rides = serializers.IntegerField()


class OperatingSessionSerializer(serializers.Serializer):
    date = serializers.DateField()
    open_from = serializers.DateTimeField()
    open_to = serializers.DateTimeField()
    operating_hours = Hours()


class ParkChartSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    data = serializers.ListField(child=Rounded(1), help_text="Shame score per bucket")
    avg_wait = serializers.ListField(child=Rounded(1), help_text="Mean standby wait per bucket, minutes")
    rides_down = serializers.ListField(child=serializers.IntegerField(allow_null=True),
                                       help_text="Rides with downtime per bucket")
    average = Rounded(1, help_text="Mean of the known shame scores")
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


class ParkRideListsSerializer(serializers.Serializer):
    active = ActiveRideSerializer(many=True)
    excluded = ExcludedRideSerializer(many=True)


class ParkRidesSerializer(_Envelope):
    rides = ParkRideListsSerializer()
    effective_park_weight = Rounded(1)
