"""Filters of the quality log list (and of its gaps)."""
import django_filters

from quality.choices import IssueType, QualitySource, ResolutionStatus
from quality.models import DataQualityLog


class IssueFilterSet(django_filters.FilterSet):
    issue_type = django_filters.ChoiceFilter(choices=IssueType.choices)
    resolution_status = django_filters.ChoiceFilter(choices=ResolutionStatus.choices)
    source = django_filters.ChoiceFilter(choices=QualitySource.choices)
    park_id = django_filters.NumberFilter(field_name="park_id")
    ride_id = django_filters.NumberFilter(field_name="ride_id")
    entity_type = django_filters.CharFilter()
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = DataQualityLog
        fields = []
