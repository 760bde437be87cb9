"""Output serializers of trends, charts, year-over-year, live summary, search and health."""
from rest_framework import serializers

from .serializers import AttributionSerializer, DatesSerializer, Hours, Rounded, Whole, _Envelope, _ScopeEnvelope


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
    park = serializers.CharField(required=False, help_text="Ride series only: the ride's park")
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
    type = serializers.CharField(default="park")
    name = serializers.CharField()
    location = serializers.CharField()
    url = serializers.CharField(help_text="Page of the frontend, relative: park-detail.html?park_id=<id>")


class SearchRideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField(default="ride")
    name = serializers.CharField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    location = serializers.CharField()
    url = serializers.CharField(help_text="Page of the frontend, relative: ride-detail.html?id=<id>")


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


# ---------------------------------------------------------------------------------------------
# Awards, heatmaps and a park's ride comparison (the frontend's Awards and Charts tabs)
# ---------------------------------------------------------------------------------------------
class _Sparse(serializers.Serializer):
    """Rows of parks or rides: a field absent from the row is left out of the answer."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {k: v for k, v in data.items() if k in instance}


class AwardRowSerializer(_Sparse):
    rank = serializers.IntegerField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    location = serializers.CharField(help_text="The park's city, region and country")
    ride_id = serializers.IntegerField(required=False, help_text="entity=rides")
    ride_name = serializers.CharField(required=False, help_text="entity=rides")
    tier = serializers.IntegerField(allow_null=True, required=False, help_text="entity=rides")
    avg_wait_time = Rounded(1, required=False, help_text="Mean standby wait, minutes (time-weighted)")
    peak_wait_time = Whole(required=False, help_text="Highest standby wait, minutes")
    cumulative_wait_hours = Hours(required=False, help_text=(
        "Sum over the hours with a known wait of the hour's mean wait, in hours (the seed's 'cumulative wait'); "
        "null for period=live"))
    avg_shame_score = Rounded(2, required=False, help_text="entity=parks: mean daily shame score")
    uptime_percentage = Rounded(1, required=False)
    downtime_hours = Hours(required=False, help_text="Hours down (parks: summed over their rides)")


class AwardsSerializer(_ScopeEnvelope):
    entity = serializers.ChoiceField(choices=["parks", "rides"])
    data = AwardRowSerializer(many=True)


class HeatmapEntitySerializer(_Sparse):
    entity_id = serializers.IntegerField()
    entity_name = serializers.CharField()
    rank = serializers.IntegerField()
    location = serializers.CharField(required=False, help_text="Parks only (rides leave it out)")
    park_name = serializers.CharField(required=False, help_text="Rides only")
    tier = serializers.IntegerField(allow_null=True, required=False, help_text="Rides only")
    total_value = Rounded(2, help_text="The period's figure the rows are ranked by: downtime hours summed, "
                                       "shame score and waits averaged")


class HeatmapSerializer(_ScopeEnvelope):
    type = serializers.CharField()
    metric = serializers.ChoiceField(choices=["shame_score", "avg_wait_time_minutes", "downtime_hours"])
    metric_unit = serializers.ChoiceField(choices=["score", "minutes", "hours"])
    granularity = serializers.ChoiceField(choices=["hourly", "daily"])
    entities = HeatmapEntitySerializer(many=True)
    time_labels = serializers.ListField(child=serializers.CharField(), help_text=(
        "Column headers: '14:00' (park-local when the parks share a zone, else '19:00 UTC') or 'Dec 05'"))
    time_buckets = serializers.ListField(child=serializers.CharField(),
                                         help_text="The same columns as UTC hours (ISO 8601, Z) or park days")
    matrix = serializers.ListField(child=serializers.ListField(child=Rounded(2)),
                                   help_text="matrix[i][j]: entities[i] in time bucket j; null where no row")


class RideChartDatasetSerializer(serializers.Serializer):
    ride_id = serializers.IntegerField()
    label = serializers.CharField(help_text="The ride's name, plain text")
    tier = serializers.IntegerField(allow_null=True)
    total = Rounded(2, help_text="Downtime hours over the period, or its mean wait in minutes")
    data = serializers.ListField(child=Rounded(2), help_text="One value per label; null where no row")


class ParkRideChartsSerializer(_Envelope):
    park_id = serializers.IntegerField()
    period = serializers.CharField()
    dates = DatesSerializer()
    chart_type = serializers.ChoiceField(choices=["downtime", "wait_times"])
    granularity = serializers.ChoiceField(choices=["hourly", "daily"])
    labels = serializers.ListField(child=serializers.CharField(), help_text="'6:00' park-local hours or 'Dec 05'")
    buckets = serializers.ListField(child=serializers.CharField(),
                                    help_text="The same buckets as UTC hours (ISO 8601, Z) or park days")
    datasets = RideChartDatasetSerializer(many=True)
    attribution = AttributionSerializer(many=True)
