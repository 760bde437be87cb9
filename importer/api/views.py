"""Staff-only import API: start, status, pause, resume, cancel, list, quality (docs/contracts.md §3).

Runs happen in a background `import_archive --resume` process; these views only change the
checkpoint row, which the running import reads at every file boundary.
"""
from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from quality.choices import QualitySource
from quality.models import DataQualityLog

from .. import services
from ..archive import SourceUnreachable, source_from_settings
from ..models import ImportCheckpoint
from .serializers import ImportListQuery, ImportStartSerializer, ImportStatusSerializer


class StaffAPIView(APIView):
    permission_classes = [IsAdminUser]

    def checkpoint(self, import_id):
        return get_object_or_404(ImportCheckpoint, import_id=import_id)

    def status_response(self, checkpoint, code=status.HTTP_200_OK, **extra):
        checkpoint.refresh_from_db()
        return Response({"success": True, **extra, "import": ImportStatusSerializer(checkpoint).data}, status=code)


class ImportStartView(StaffAPIView):
    """Create a run and start it in the background, once its source answers (a run that then
    fails to start records why on its checkpoint)."""

    def post(self, request):
        data = ImportStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        source = source_from_settings(v.get("source") or settings.ARCHIVE_SOURCE)
        try:
            source.check()
        except SourceUnreachable as exc:
            raise ValidationError(f"archive source cannot be read: {exc}") from None
        checkpoint = services.import_start(source=source.location,
                                           destinations=v["destinations"], start=v.get("start_date"),
                                           end=v.get("end_date"), replace=v["replace"])
        return self.status_response(checkpoint, status.HTTP_202_ACCEPTED)


class ImportStatusView(StaffAPIView):
    def get(self, request, import_id):
        return self.status_response(self.checkpoint(import_id))


class _ChangeView(StaffAPIView):
    service = None
    verb = ""

    def change(self, import_id):
        checkpoint = self.checkpoint(import_id)
        changed = type(self).service(checkpoints=ImportCheckpoint.objects.filter(pk=checkpoint.pk))
        if not changed:
            raise ValidationError(f"import {import_id} is {checkpoint.status}: cannot {self.verb} it")
        return self.status_response(checkpoint)


class ImportPauseView(_ChangeView):
    """Pause at the next file boundary."""

    service, verb = services.checkpoint_pause, "pause"

    def post(self, request, import_id):
        return self.change(import_id)


class ImportResumeView(_ChangeView):
    """Resume a paused or failed run in the background."""

    verb = "resume"

    @staticmethod
    def service(*, checkpoints):
        return services.checkpoint_resume(checkpoints=checkpoints)

    def post(self, request, import_id):
        return self.change(import_id)


class ImportCancelView(_ChangeView):
    """Cancel at the next file boundary; rows already imported stay."""

    service, verb = services.checkpoint_cancel, "cancel"

    def delete(self, request, import_id):
        return self.change(import_id)


class ImportListView(StaffAPIView):
    @extend_schema(parameters=[ImportListQuery])
    def get(self, request):
        limit = ImportListQuery.parse(request.query_params)["limit"]
        rows = ImportCheckpoint.objects.all()[:limit]
        return Response({"success": True, "imports": ImportStatusSerializer(rows, many=True).data})


class ImportQualityView(StaffAPIView):
    """Counts of valid, invalid and duplicate records, and the issues the run logged."""

    def get(self, request, import_id):
        checkpoint = self.checkpoint(import_id)
        issues = (DataQualityLog.objects.filter(source=QualitySource.ARCHIVE, details__import_id=checkpoint.import_id)
                  .order_by("id"))
        return Response({"success": True, "import_id": checkpoint.import_id, "counts": {
            "read": checkpoint.events_read, "valid": checkpoint.events_imported, "invalid": checkpoint.invalid,
            "duplicates": checkpoint.duplicates, "corrupt_files": checkpoint.files_corrupt,
            "failed_files": len(checkpoint.failed_files)},
            "issues": [{"id": i.pk, "issue_type": i.issue_type, "kind": i.details.get("kind"), "key": i.source_key,
                        "record_count": i.record_count, "description": i.description,
                        "resolution_status": i.resolution_status} for i in issues]})
