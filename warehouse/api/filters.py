"""Which parks a ranking or summary covers: `filter=all-parks|disney-universal` and an optional
`park_id` over active parks (both parsed by the endpoint's query serializer)."""
from django.db.models import Q
from rest_framework.exceptions import ValidationError

from themepark.models import Park

SCOPES = ("all-parks", "disney-universal")
PARK_FIELDS = ("id", "name", "timezone", "city", "region", "country", "continent", "queue_times_id", "reports_down")


def parks_in_scope(scope=SCOPES[0], *, park_id=None):
    """The active parks a `filter` value (and `park_id`) select; 400 on a bad value."""
    scope = scope or SCOPES[0]
    if scope not in SCOPES:
        raise ValidationError({"filter": f"must be one of {', '.join(SCOPES)}"})
    parks = Park.objects.filter(is_active=True)
    if scope == "disney-universal":
        parks = parks.filter(Q(is_disney=True) | Q(is_universal=True))
    if park_id is not None:
        parks = parks.filter(pk=park_id)
    return list(parks.only(*PARK_FIELDS))
