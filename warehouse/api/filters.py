"""django-filter sets for the public API: which parks a ranking or summary covers."""
import django_filters
from django.db.models import Q
from rest_framework.exceptions import ValidationError

from themepark.models import Park

SCOPES = ("all-parks", "disney-universal")


class ParkScopeFilterSet(django_filters.FilterSet):
    """`filter=all-parks|disney-universal` and an optional `park_id` over active parks."""

    filter = django_filters.ChoiceFilter(choices=[(s, s) for s in SCOPES], method="filter_scope")
    park_id = django_filters.NumberFilter(field_name="pk")

    class Meta:
        model = Park
        fields = []

    def filter_scope(self, queryset, name, value):
        if value == "disney-universal":
            return queryset.filter(Q(is_disney=True) | Q(is_universal=True))
        return queryset


def parks_in_scope(scope=SCOPES[0], *, park_id=None):
    """The active parks a `filter` value (and `park_id`, both parsed by the endpoint's query serializer)
    select; 400 on a bad value."""
    data = {"filter": scope or SCOPES[0]}
    if park_id is not None:
        data["park_id"] = park_id
    filterset = ParkScopeFilterSet(data, queryset=Park.objects.filter(is_active=True))
    if not filterset.is_valid():
        raise ValidationError({"filter": f"must be one of {', '.join(SCOPES)}"})
    return list(filterset.qs.only("id", "name", "timezone", "city", "region", "country", "continent", "queue_times_id",
                                  "reports_down"))
