"""Output serializers of the per-ride endpoints: details, raw history and nearby rides."""
from rest_framework import serializers

from .serializers import AttributionSerializer, DatesSerializer, Hours, Rounded, Whole, _Envelope


class RideSerializer(serializers.Serializer):
    ride_id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField(source="park.name")
    tier = serializers.IntegerField(allow_null=True)
    category = serializers.CharField(help_text="Ride category, empty when unclassified")
    location = serializers.CharField(source="park.location", help_text="The park's city, region and country")
    themeparks_wiki_id = serializers.CharField(allow_null=True)
    queue_times_url = serializers.URLField(allow_null=True)


class RideSummarySerializer(serializers.Serializer):
    total_downtime_hours = Hours()
    uptime_percentage = Rounded(1)
    avg_wait_time = Whole()
    peak_wait_time = Whole()
    total_operating_hours = Hours()


class TimeseriesPointSerializer(serializers.Serializer):
    hour_start_utc = serializers.DateTimeField(required=False)
    date = serializers.DateField(required=False)
    avg_wait_time_minutes = Rounded(1)
    uptime_percentage = Rounded(1)
    downtime_minutes = Rounded(1)
    downtime_hours = Hours()
    operating_hours = Hours()
    snapshot_count = serializers.IntegerField(help_text="Raw observations recorded in the bucket")
    status = serializers.CharField(help_text="DOWN, OPERATING or CLOSED (no operation, no downtime)")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {k: v for k, v in data.items() if k in instance}  # either hour_start_utc or date


class DowntimeEventSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(allow_null=True, help_text="Null while the ride is still down")
    duration_minutes = Rounded(1)


class RideDetailsSerializer(_Envelope):
    period = serializers.CharField()
    dates = DatesSerializer()
    ride = RideSerializer()
    granularity = serializers.ChoiceField(choices=["hourly", "daily"])
    summary = RideSummarySerializer()
    timeseries = TimeseriesPointSerializer(many=True)
    hourly_breakdown = TimeseriesPointSerializer(
        many=True, help_text="The table under the chart: hours (`hour_start_utc`) for one-day periods, park days "
                             "(`date`) for longer ones")
    downtime_events = DowntimeEventSerializer(many=True)
    queues = serializers.DictField(child=serializers.DictField(),
                                   help_text="Latest values per queue type; PAID_RETURN_TIME carries price_history")
    attribution = AttributionSerializer(many=True)


class ObservationSerializer(serializers.Serializer):
    recorded_at = serializers.DateTimeField()
    status = serializers.CharField(allow_null=True)
    wait_time = serializers.IntegerField(allow_null=True)
    data_source = serializers.CharField()


class RideHistorySerializer(_Envelope):
    ride_id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    data = ObservationSerializer(many=True)


class NearbyRideSerializer(serializers.Serializer):
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    tier = serializers.IntegerField(allow_null=True)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    indoor_outdoor = serializers.CharField(help_text="INDOOR, OUTDOOR, HYBRID or UNKNOWN")
    min_height_cm = serializers.IntegerField(allow_null=True)
    distance_m = Rounded(1)


class NearbySerializer(_Envelope):
    center = serializers.DictField(child=serializers.FloatField())
    radius_m = serializers.FloatField()
    data = NearbyRideSerializer(many=True)
