"""Staff-only alerts API under /api/admin/alerts/: subscriptions (create, read, change, delete),
the outbox of events and the delivery log (read; a dead-lettered delivery can be retried)."""
import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action

from quality.api.permissions import StaffOnly
from quality.api.views import SuccessPagination, ok
from themepark.api.exceptions import ApiError

from ..models import AlertDelivery, AlertEvent, AlertSubscription, DeliveryStatus
from .serializers import AlertDeliverySerializer, AlertEventSerializer, AlertSubscriptionSerializer


class _ParkRideFilterSet(django_filters.FilterSet):
    park_id = django_filters.NumberFilter(field_name="park_id")
    ride_id = django_filters.NumberFilter(field_name="ride_id")


class SubscriptionFilterSet(_ParkRideFilterSet):
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = AlertSubscription
        fields = []


class EventFilterSet(_ParkRideFilterSet):
    event_type = django_filters.CharFilter()

    class Meta:
        model = AlertEvent
        fields = []


class DeliveryFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    subscription_id = django_filters.NumberFilter(field_name="subscription_id")

    class Meta:
        model = AlertDelivery
        fields = []


class AlertSubscriptionViewSet(StaffOnly, viewsets.ModelViewSet):
    """Webhook or feed-only subscriptions to a ride's or a park's events."""

    queryset = AlertSubscription.objects.order_by("pk")
    serializer_class = AlertSubscriptionSerializer
    filterset_class = SubscriptionFilterSet
    pagination_class = SuccessPagination

    def retrieve(self, request, *args, **kwargs):
        return ok(data=self.get_serializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        response = ok(data=serializer.data)
        response.status_code = status.HTTP_201_CREATED
        return response

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return ok(data=serializer.data)


class AlertEventViewSet(StaffOnly, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The outbox: every detected event, newest first."""

    queryset = AlertEvent.objects.order_by("-occurred_at", "-pk")
    serializer_class = AlertEventSerializer
    filterset_class = EventFilterSet
    pagination_class = SuccessPagination


class AlertDeliveryViewSet(StaffOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log, newest first; POST .../retry puts a dead-lettered delivery back in the queue."""

    queryset = AlertDelivery.objects.select_related("event").order_by("-created_at", "-pk")
    serializer_class = AlertDeliverySerializer
    filterset_class = DeliveryFilterSet
    pagination_class = SuccessPagination

    def retrieve(self, request, *args, **kwargs):
        return ok(data=self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=AlertDeliverySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        delivery = self.get_object()
        if delivery.status != DeliveryStatus.DEAD:
            raise ApiError("only a dead-lettered delivery can be retried")
        delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, timezone.now()
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        return ok(data=self.get_serializer(delivery).data)
