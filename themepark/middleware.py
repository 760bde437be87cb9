"""Request logs and latency metrics, and the routing of reads to replicas (themepark.db_router)."""
import json
import logging
import time

from django.db import InterfaceError, OperationalError

from . import db_router
from .operator_metrics import REQUEST_LATENCY

logger = logging.getLogger("themepark.request")

REPLICA_ELIGIBLE_METHODS = {"GET", "HEAD"}


def endpoint_name(request):
    """A bounded label for the request: the URL pattern's name (`api:park-downtime`, `admin:index`)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name == "api-not-found":  # /api/'s JSON 404 fallback
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class RequestLogMiddleware:
    """One line per request, a JSON object: method, path, status, duration_ms, the database its
    reads used (`db`: default or a replica alias), the endpoint and the client's address; and the
    same duration in the `themepark_http_request_duration_seconds` histogram."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = None
        try:
            response = self.get_response(request)
            return response
        finally:
            seconds = time.perf_counter() - start
            status = response.status_code if response is not None else 500
            endpoint = endpoint_name(request)
            REQUEST_LATENCY.labels(endpoint=endpoint, method=request.method, status=f"{status // 100}xx").observe(
                seconds)
            if logger.isEnabledFor(logging.INFO):
                logger.info(json.dumps({
                    "method": request.method, "path": request.path, "status": status,
                    "duration_ms": round(seconds * 1000, 1), "db": getattr(request, "_db_alias", "default"),
                    "endpoint": endpoint, "remote_addr": request.META.get("REMOTE_ADDR"),
                }, separators=(",", ":")))


def replica_eligible(request):
    """The public API's reads: GET/HEAD under /api/, except the staff API under /api/admin/."""
    path = request.path_info
    return (request.method in REPLICA_ELIGIBLE_METHODS and path.startswith("/api/")
            and not path.startswith("/api/admin/"))


class ReplicaRoutingMiddleware:
    """Marks each request eligible for a replica or not (db_router), and answers again on the
    primary a public read whose replica failed mid-way (connection lost, server gone), so a
    replica going down loses no request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = db_router.begin_request(replica_eligible(request))
        try:
            return self.get_response(request)
        finally:
            request._db_alias = db_router.current_replica() or "default"
            db_router.end_request(token)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)) or not db_router.fail_over():
            return None
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
