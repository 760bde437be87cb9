"""Serializers of the quality log (one for reading issues, one for the triage PATCH) and the query
parameters of the coverage endpoint."""
from rest_framework import serializers

from themepark.api.query_values import Day, Integer, QuerySerializer

from quality.choices import ResolutionStatus
from quality.models import DataQualityLog


class IssueSerializer(serializers.ModelSerializer):
    park_name = serializers.CharField(source="park.name", default=None, read_only=True)
    ride_name = serializers.CharField(source="ride.name", default=None, read_only=True)

    class Meta:
        model = DataQualityLog
        fields = ["id", "issue_type", "resolution_status", "entity_type", "entity_id", "park", "park_name", "ride",
                  "ride_name", "source", "source_key", "period_start", "period_end", "description", "record_count",
                  "details", "notes", "created_at", "updated_at"]


class IssueUpdateSerializer(serializers.Serializer):
    resolution_status = serializers.ChoiceField(choices=ResolutionStatus.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CoverageQuery(QuerySerializer):
    """`park_id` (default: every active park) and the park days `start`..`end` (default: the 7 days
    ending today in each park's zone)."""

    park_id = Integer(default=None, help_text="One park (default: every active park).")
    start = Day(help_text="First park day (YYYY-MM-DD); default: 6 days before end.")
    end = Day(help_text="Last park day, inclusive (YYYY-MM-DD); default: today in the park's zone; at most 31 days.")
