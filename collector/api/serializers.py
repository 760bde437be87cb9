"""Serializers of the staff alerts API: subscriptions (read and write), events, deliveries."""
from rest_framework import serializers

from ..models import AlertDelivery, AlertEvent, AlertEventType, AlertSubscription


class AlertSubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=AlertEventType.choices), allow_empty=False)
    secret = serializers.CharField(read_only=True, help_text="HMAC-SHA256 key of the X-Themepark-Signature header")

    class Meta:
        model = AlertSubscription
        fields = ["id", "name", "park", "ride", "events", "target_url", "secret", "is_active", "created_at"]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        park = attrs.get("park", getattr(self.instance, "park", None))
        ride = attrs.get("ride", getattr(self.instance, "ride", None))
        if (park is None) == (ride is None):
            raise serializers.ValidationError({"park": "give exactly one of park or ride"})
        events = attrs.get("events", getattr(self.instance, "events", []))
        if ride is not None and any(e in (AlertEventType.PARK_OPENED, AlertEventType.PARK_CLOSED) for e in events):
            raise serializers.ValidationError({"events": "park_opened/park_closed need a park subscription"})
        attrs["events"] = sorted(set(events))
        return attrs


class AlertEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertEvent
        fields = ["id", "key", "event_type", "park", "ride", "occurred_at", "from_state", "to_state", "payload",
                  "dispatched_at", "created_at"]


class AlertDeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.event_type", read_only=True)
    event_key = serializers.UUIDField(source="event.key", read_only=True)

    class Meta:
        model = AlertDelivery
        fields = ["id", "subscription", "event", "event_type", "event_key", "status", "attempts", "next_attempt_at",
                  "last_attempt_at", "delivered_at", "response_status", "last_error", "log", "created_at"]
