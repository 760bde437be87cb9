"""Output serializers with the reliability figures (docs/metrics.md §7-§9) beside the existing fields:
each extends a serializer of `serializers` / `serializers_rides` with new fields only, so every
field an existing client reads keeps its name and rounding."""
from rest_framework import serializers

from themepark.choices import RideStatus

from . import serializers as s, serializers_rides as sr
from .serializers import Hours, Rounded, _Envelope


class DowntimeByKindSerializer(serializers.Serializer):
    """Downtime minutes split by kind; the four add up to the downtime."""

    breakdown = Rounded(1)
    park_wide = Rounded(1)
    late_opening = Rounded(1)
    stale_feed = Rounded(1)


class Reliability(serializers.Serializer):
    breakdowns = serializers.IntegerField(allow_null=True)
    mtbf_hours = Hours(help_text="Operating hours per breakdown; null without breakdowns")
    mttr_minutes = Rounded(1, help_text="Mean minutes a breakdown lasted; null without breakdowns")
    opening_reliability = Rounded(3, help_text="Share of the days operated on which it ran within 15 minutes "
                                               "of opening")
    downtime_minutes_by_kind = DowntimeByKindSerializer(allow_null=True)


class DataHealth(serializers.Serializer):
    coverage_percentage = Rounded(1, help_text="The park's share of open time with known state in the period")
    comparable = serializers.BooleanField(help_text="False when coverage is under 80 % or the park's feed does "
                                                    "not report DOWN")


class TierSource(serializers.Serializer):
    tier_source = serializers.CharField(allow_null=True, help_text="RULES, STAFF or null (unclassified)")
    tier_reason = serializers.CharField(allow_blank=True)


class LiveEstimateSerializer(serializers.Serializer):
    """Stay or go for a ride down now (docs/metrics.md §8)."""

    down_since = serializers.DateTimeField(allow_null=True)
    down_minutes = Rounded(1)
    expected_reopen_minutes = Rounded(1)
    p75_reopen_minutes = Rounded(1)
    spells_used = serializers.IntegerField()
    basis = serializers.CharField(allow_null=True)


class LiveEstimate(serializers.Serializer):
    reopen_estimate = LiveEstimateSerializer(required=False, allow_null=True,
                                             help_text="period=live only: stay or go for a ride down now")


# ---------------------------------------------------------------------------------------------
# Rankings
# ---------------------------------------------------------------------------------------------
class RideDowntimeRowSerializer(s.RideDowntimeRowSerializer, TierSource, Reliability, DataHealth, LiveEstimate):
    pass


class RideDowntimeSerializer(s.RideDowntimeSerializer):
    exclude = serializers.ListField(child=serializers.CharField())
    data = RideDowntimeRowSerializer(many=True)


class RideWaitRowSerializer(s.RideWaitRowSerializer, TierSource, DataHealth, LiveEstimate):
    pass


class RideWaitSerializer(s.RideWaitSerializer):
    data = RideWaitRowSerializer(many=True)


class ParkDowntimeRowSerializer(s.ParkDowntimeRowSerializer, DataHealth):
    breakdowns = serializers.IntegerField()
    downtime_minutes_by_kind = DowntimeByKindSerializer(allow_null=True)


class ParkDowntimeSerializer(s.ParkDowntimeSerializer):
    exclude = serializers.ListField(child=serializers.CharField())
    data = ParkDowntimeRowSerializer(many=True)


class ParkReliabilitySerializer(Reliability, DataHealth):
    pass


class ParkDetailsSerializer(s.ParkDetailsSerializer):
    reliability = ParkReliabilitySerializer()


# ---------------------------------------------------------------------------------------------
# A ride
# ---------------------------------------------------------------------------------------------
class RideSerializer(sr.RideSerializer, TierSource):
    pass


class RideSummarySerializer(sr.RideSummarySerializer, Reliability):
    pass


class DowntimeEventSerializer(sr.DowntimeEventSerializer):
    kind = serializers.CharField(allow_null=True, help_text="breakdown, park_wide, late_opening or stale_feed; "
                                                            "null outside the open window")


class RideDetailsSerializer(sr.RideDetailsSerializer):
    ride = RideSerializer()
    summary = RideSummarySerializer()
    downtime_events = DowntimeEventSerializer(many=True)


class ReopenEstimateSerializer(_Envelope):
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    park_id = serializers.IntegerField()
    current_status = serializers.ChoiceField(choices=RideStatus.choices, allow_null=True)
    is_down = serializers.BooleanField()
    down_since = serializers.DateTimeField(allow_null=True)
    down_minutes = Rounded(1, help_text="Minutes down so far (or as asked with down_minutes)")
    expected_reopen_minutes = Rounded(1, help_text="Median of the time left over past breakdowns longer than this")
    p75_reopen_minutes = Rounded(1, help_text="75th percentile of the time left")
    spells_used = serializers.IntegerField(help_text="Past breakdowns the estimate rests on")
    basis = serializers.CharField(allow_null=True, help_text="ride, park (the park's attractions pooled) or null")
