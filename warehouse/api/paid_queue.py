"""Paid-queue price history of one ride, or of every ride of a park in one call (warehouse.paid_queue_history)."""
from dataclasses import asdict
from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from themepark.api.query_values import bad
from themepark.api.caching import cached

from .. import periods
from ..paid_queue_history import paid_queue_days
from . import params

MAX_PARK_DAYS = 31


class PriceChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="First observation at this price (UTC)")
    price = serializers.IntegerField(help_text="In the currency's smallest unit")
    return_time_start = serializers.DateTimeField(allow_null=True, help_text="Return window offered at this price")
    return_time_end = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField(allow_null=True)


class PaidDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Park day (04:00 to 04:00 local time)")
    queue_type = serializers.CharField()
    currency = serializers.CharField(allow_null=True, help_text="ISO 4217 code of every amount of the entry")
    first_price = serializers.IntegerField(allow_null=True)
    last_price = serializers.IntegerField(allow_null=True)
    min_price = serializers.IntegerField(allow_null=True)
    max_price = serializers.IntegerField(allow_null=True)
    observations = serializers.IntegerField()
    first_sold_out_at = serializers.DateTimeField(allow_null=True, help_text="First time the state was FINISHED")
    price_changes = PriceChangeSerializer(many=True)


class RidePaidQueueSerializer(serializers.Serializer):
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    park_id = serializers.IntegerField()
    timezone = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    data = PaidDaySerializer(many=True)


class ParkRidePaidQueueSerializer(serializers.Serializer):
    ride_id = serializers.IntegerField()
    ride_name = serializers.CharField()
    data = PaidDaySerializer(many=True)


class ParkPaidQueueSerializer(serializers.Serializer):
    park_id = serializers.IntegerField()
    park_name = serializers.CharField()
    timezone = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    rides = ParkRidePaidQueueSerializer(many=True, help_text="Rides with paid-queue data in the range")


def _days(request, tz, max_days):
    start, end = params.day_range(request.query_params)
    if start is None:
        today = periods.park_today(timezone.now(), tz)
        start, end = today - timedelta(days=6), today
    days = periods.DayRange(start, end)
    if days.days > max_days:
        raise bad("end", f"the range may span at most {max_days} days")
    return days


RANGE = [params.ID,
         params._query("start", "First park day (YYYY-MM-DD, with `end`); default: the last 7 days."),
         params._query("end", "Last park day, inclusive (YYYY-MM-DD, with `start`).")]


class RidePaidQueueView(APIView):
    @extend_schema(operation_id="ride_paid_queue", parameters=RANGE, responses=RidePaidQueueSerializer,
                   description="Per park day: first, last, min and max price of the ride's paid queue, the "
                               "currency, the first sell-out and the return window offered at each price change.")
    @cached(live=True)  # prices move within the day: kept at most a minute
    def get(self, request, pk):
        ride = params.get_ride(pk)
        tz = ride.park.timezone or "UTC"
        days = _days(request, tz, periods.MAX_RANGE_DAYS)
        entries = paid_queue_days([ride.pk], days, tz)[ride.pk]
        body = {"ride_id": ride.pk, "ride_name": ride.name, "park_id": ride.park_id, "timezone": tz,
                "start": days.start, "end": days.end, "data": [asdict(e) for e in entries]}
        return Response(RidePaidQueueSerializer(body).data)


class ParkPaidQueueView(APIView):
    @extend_schema(operation_id="park_paid_queue", parameters=RANGE, responses=ParkPaidQueueSerializer,
                   description=f"The ride paid-queue history of every ride of the park; at most {MAX_PARK_DAYS} "
                               "days per call.")
    @cached(live=True)  # prices move within the day: kept at most a minute
    def get(self, request, pk):
        park = params.get_park(pk)
        tz = park.timezone or "UTC"
        days = _days(request, tz, MAX_PARK_DAYS)
        rides = dict(park.rides.order_by("pk").values_list("pk", "name"))
        history = paid_queue_days(list(rides), days, tz)
        body = {"park_id": park.pk, "park_name": park.name, "timezone": tz, "start": days.start, "end": days.end,
                "rides": [{"ride_id": ride_id, "ride_name": rides[ride_id], "data": [asdict(e) for e in entries]}
                          for ride_id, entries in history.items() if entries]}
        return Response(ParkPaidQueueSerializer(body).data)
