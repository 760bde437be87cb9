"""The public Atom feed of a park's alert events: /feeds/parks/<id>/events.atom, the last 100."""
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from themepark.models import Park

from ..models import AlertEvent

FEED_ITEMS = 100
TITLES = {"went_down": "{ride} went down", "reopened": "{ride} reopened", "park_opened": "{park} opened",
          "park_closed": "{park} closed"}


class ParkEventsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, park_id):
        return get_object_or_404(Park, pk=park_id)

    def title(self, park):
        return f"{park.name}: ride and park alerts"

    def subtitle(self, park):
        return f"Rides going down and reopening, and the park opening and closing, at {park.name}."

    def link(self, park):
        return reverse("park-events-feed", args=[park.pk])

    def items(self, park):
        return AlertEvent.objects.filter(park=park).select_related("ride", "park").order_by(
            "-occurred_at", "-pk")[:FEED_ITEMS]

    def item_title(self, event):
        return TITLES.get(event.event_type, event.event_type).format(
            ride=event.ride.name if event.ride else "", park=event.park.name)

    def item_description(self, event):
        change = f"{event.from_state or 'unknown'} -> {event.to_state or 'unknown'}"
        return f"{self.item_title(event)} at {event.occurred_at:%Y-%m-%d %H:%M} UTC ({change})."

    def item_link(self, event):
        return reverse("park-events-feed", args=[event.park_id]) + f"#{event.key}"

    def item_guid(self, event):
        return f"urn:uuid:{event.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, event):
        return event.occurred_at

    def item_updateddate(self, event):
        return event.occurred_at

    def item_categories(self, event):
        return [event.event_type]
