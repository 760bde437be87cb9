"""Output serializers of trends, charts, year-over-year, live summary, search and health."""
from rest_framework import serializers

from .serializers import AttributionSerializer, Hours, Rounded, Whole, _Envelope


class ComparedPeriodSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)


class ComparisonSerializer(serializers.Serializer):
    current_period = ComparedPeriodSerializer()
    previous_period = ComparedPeriodSerializer()


class _TrendRowSerializer(serializers.Serializer):
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    current_uptime = Rounded(1)
    previous_uptime = Rounded(1)
    current_downtime_hours = Hours()
    previous_downtime_hours = Hours()
    change_percentage = Rounded(1)


class ParkTrendSerializer(_TrendRowSerializer):
    location = serializers.CharField()


class RideTrendSerializer(_TrendRowSerializer):
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)


class TrendsSerializer(_Envelope):
    category = serializers.CharField()
    filter = serializers.CharField()
    comparison = ComparisonSerializer()
    parks = ParkTrendSerializer(many=True, required=False)
    rides = RideTrendSerializer(many=True, required=False)
    attribution = AttributionSerializer(many=True)


class DatasetSerializer(serializers.Serializer):
    label = serializers.CharField()
    entity_id = serializers.IntegerField()
    data = serializers.ListField(child=Rounded(2))


class ChartSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    datasets = DatasetSerializer(many=True)


class ChartDataSerializer(_Envelope):
    period = serializers.CharField()
    type = serializers.CharField()
    filter = serializers.CharField()
    chart_data = ChartSerializer()
    granularity = serializers.ChoiceField(choices=["hourly", "daily"])
    attribution = AttributionSerializer(many=True)


class YoyFiguresSerializer(serializers.Serializer):
    shame_score = Rounded(1, required=False)
    total_downtime_hours = Hours(required=False)
    weighted_downtime_hours = Hours(required=False)
    downtime_hours = Hours(required=False)
    uptime_percentage = Rounded(1)
    avg_wait_minutes = Rounded(1)
    peak_wait_minutes = Whole()
    operating_hours = Hours(required=False)
    days_open = serializers.IntegerField(required=False)
    days_operated = serializers.IntegerField(required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {k: v for k, v in data.items() if k in instance}


class YoyRangeSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    figures = YoyFiguresSerializer()


class YearOverYearSerializer(_Envelope):
    entity = serializers.DictField()
    alignment = serializers.ChoiceField(choices=["dates", "iso_week"])
    current = YoyRangeSerializer()
    previous = YoyRangeSerializer()
    change_percentage = serializers.DictField(child=Rounded(1))
    attribution = AttributionSerializer(many=True)


class StatusSummaryCountsSerializer(serializers.Serializer):
    OPERATING = serializers.IntegerField()
    DOWN = serializers.IntegerField()
    CLOSED = serializers.IntegerField()
    REFURBISHMENT = serializers.IntegerField()
    PARK_CLOSED = serializers.IntegerField()
    total = serializers.IntegerField()


class StatusSummarySerializer(_Envelope):
    filter = serializers.CharField()
    park_id = serializers.IntegerField(allow_null=True)
    status_summary = StatusSummaryCountsSerializer()


class SearchParkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    location = serializers.CharField()


class SearchRideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()


class SearchIndexSerializer(_Envelope):
    parks = SearchParkSerializer(many=True)
    rides = SearchRideSerializer(many=True)


class CollectionCheckSerializer(serializers.Serializer):
    last_collection = serializers.DateTimeField(allow_null=True)
    age_minutes = Rounded(1)


class AggregationCheckSerializer(serializers.Serializer):
    last_completed_at = serializers.DateTimeField(allow_null=True)
    lag_minutes = Rounded(1)


class HealthChecksSerializer(serializers.Serializer):
    database = serializers.DictField()
    data_collection = CollectionCheckSerializer(required=False)
    aggregation = AggregationCheckSerializer(required=False)
    partitions = serializers.DictField(required=False)
    metrics_version = serializers.DictField(required=False, help_text="The current METRICS_VERSION and the park "
                                                                      "days still holding older figures")


class HealthSerializer(_Envelope):
    status = serializers.ChoiceField(choices=["healthy", "degraded", "unhealthy"])
    timestamp = serializers.DateTimeField()
    checks = HealthChecksSerializer()
