"""Export endpoints: a park's observations or daily ride statistics over a range of park days,
streamed as CSV or Parquet (warehouse.export_streams). Throttled on their own scope (API_EXPORT_RATE),
apart from the rest of the API; ranges are bounded (31 days of observations, 5 years of daily
statistics per request)."""
from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from .. import export_streams, periods
from .params import _query, export as export_query, get_park


class ExportRateThrottle(SimpleRateThrottle):
    """Per client address (or user), counted apart from the API's `anon` budget."""

    scope = "exports"

    def get_rate(self):
        return settings.API_EXPORT_RATE

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """`format` names the file format here, not a DRF renderer: errors are always JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _parameters(dataset):
    return [
        _query("park_id", "The park.", type=int, required=True),
        _query("start", "First park day (YYYY-MM-DD; park days run 04:00-04:00 local time).",
               type=OpenApiTypes.DATE, required=True),
        _query("end", f"Last park day, inclusive; at most {dataset.max_days} days after start.",
               type=OpenApiTypes.DATE, required=True),
        _query("format", "File format.", enum=list(export_streams.FORMATS), default="csv"),
    ]


def _description(dataset):
    columns = "\n".join(f"- `{c.name}` ({c.type}): {c.description}" for c in dataset.columns)
    return f"Streams the file; columns, in order:\n\n{columns}"


class _ExportView(APIView):
    dataset = ""
    throttle_classes = [ExportRateThrottle]
    content_negotiation_class = IgnoreFormatNegotiation

    def get(self, request):
        dataset = export_streams.DATASETS[self.dataset]
        q = export_query(request.query_params, dataset, list(export_streams.FORMATS))
        park, days, fmt = get_park(q.park_id), periods.DayRange(q.start, q.end), q.format
        response = StreamingHttpResponse(export_streams.export_stream(self.dataset, fmt, park, days),
                                         content_type=export_streams.CONTENT_TYPES[fmt])
        name = export_streams.filename(self.dataset, fmt, park, days)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response


_FILE = {(200, "text/csv"): OpenApiTypes.STR, (200, "application/vnd.apache.parquet"): OpenApiTypes.BINARY,
         400: OpenApiResponse(description='`{"success": false, "error": ...}`'), 404: None, 429: None}


def _documented(name):
    dataset = export_streams.DATASETS[name]
    return extend_schema_view(get=extend_schema(
        operation_id=f"export_{name.replace('-', '_')}", parameters=_parameters(dataset),
        description=_description(dataset), responses=_FILE))


@_documented("observations")
class ObservationExportView(_ExportView):
    dataset = "observations"


@_documented("daily-stats")
class DailyStatsExportView(_ExportView):
    dataset = "daily-stats"
