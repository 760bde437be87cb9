"""Serializers of the import admin API (docs/contracts.md §3)."""
from rest_framework import serializers

from themepark.api.query_values import Integer, QuerySerializer

from ..archive import destination_valid
from ..models import ImportCheckpoint


class ImportStartSerializer(serializers.Serializer):
    """Input of POST start: destination_id(s) or all, a date range, replace."""

    destination_id = serializers.CharField(required=False, max_length=64)
    destination_ids = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    all = serializers.BooleanField(required=False, default=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    replace = serializers.BooleanField(required=False, default=False)
    source = serializers.CharField(required=False, max_length=500)

    def validate(self, attrs):
        ids = list(attrs.get("destination_ids") or [])
        if attrs.get("destination_id"):
            ids.append(attrs["destination_id"])
        bad = [i for i in ids if not destination_valid(i)]
        if bad:
            raise serializers.ValidationError(f"not a destination id (a UUID): {', '.join(bad)[:200]}")
        if not ids and not attrs.get("all"):
            raise serializers.ValidationError("give destination_id, destination_ids or all=true")
        if ids and attrs.get("all"):
            raise serializers.ValidationError("give either destination ids or all=true, not both")
        if attrs.get("start_date") and attrs.get("end_date") and attrs["start_date"] > attrs["end_date"]:
            raise serializers.ValidationError("start_date is after end_date")
        attrs["destinations"] = sorted(set(ids))
        return attrs


class ImportStatusSerializer(serializers.ModelSerializer):
    """Output: progress, counts, rate, ETA and errors of one run."""

    progress_percent = serializers.FloatField(source="progress")
    records_imported = serializers.IntegerField(source="events_imported")
    records_per_second = serializers.FloatField(source="rate")
    eta_seconds = serializers.FloatField()

    class Meta:
        model = ImportCheckpoint
        fields = ("import_id", "status", "source", "destinations", "start_date", "end_date", "replace",
                  "files_total", "files_done", "files_corrupt", "progress_percent", "events_read", "records_imported",
                  "duplicates", "invalid", "records_per_second", "eta_seconds", "errors", "error_log", "failed_files",
                  "last_file", "rides_created", "mappings_review", "created_at", "started_at", "updated_at",
                  "finished_at")


class ImportListQuery(QuerySerializer):
    """The newest `limit` runs (1 to 200, default 50)."""

    limit = Integer(high=200, default=50, help_text="Runs to list, newest first, 1 to 200.")
