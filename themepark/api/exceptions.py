"""Every API error is JSON `{"success": false, "error": "<message>"}` (docs/contracts.md §2).

Unexpected errors become a 500 with a `request_id` that is also logged with the traceback, so a
report from a user can be matched to its log line. Unknown paths and methods under /api/ get a
JSON 404/405 (see `themepark.urls`), never Django's HTML pages.
"""
import logging
import uuid

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from rest_framework import status
from rest_framework.exceptions import APIException, Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from themepark import db_router

logger = logging.getLogger("themepark.api")
INTERNAL_ERROR = "internal error"


def _message(detail):
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_message(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_message(item) for item in detail)
    return str(detail)


def internal_error_body(request, exc=None):
    """Log the error with a new request id and return the JSON body naming it."""
    request_id = uuid.uuid4().hex
    path = getattr(request, "path", "?")
    logger.error("internal error request_id=%s %s %s", request_id, getattr(request, "method", "?"), path,
                 exc_info=exc if exc is not None else True)
    return {"success": False, "error": INTERNAL_ERROR, "request_id": request_id}


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None and isinstance(exc, (OperationalError, InterfaceError)) and db_router.current_replica():
        return None  # the replica failed mid-request: ReplicaRoutingMiddleware answers again from the primary
    if response is None:
        set_rollback()
        body = internal_error_body(context.get("request"), exc)
        return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR,
                        headers={"X-Request-ID": body["request_id"]})
    body = {"success": False, "error": _message(response.data.get("detail", response.data)
                                                if isinstance(response.data, dict) else response.data)}
    if isinstance(exc, Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return Response(body, status=response.status_code, headers=dict(response.items()))


def json_error(message, status_code, **extra):
    """A JSON error outside DRF views (URL fallbacks and Django's error handlers)."""
    return JsonResponse({"success": False, "error": message, **extra}, status=status_code)


class ApiError(APIException):
    """Raised by views for a bad parameter; rendered as a 400 with the message."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Bad parameter."
    default_code = "bad_parameter"
