"""Every API error is JSON `{"success": false, "error": "<message>"}` (CONTRACTS.md §2)."""
from rest_framework import status
from rest_framework.exceptions import APIException, Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler


def _message(detail):
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_message(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_message(item) for item in detail)
    return str(detail)


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None  # unexpected errors propagate (and are logged) as 500s
    body = {"success": False, "error": _message(response.data.get("detail", response.data)
                                                if isinstance(response.data, dict) else response.data)}
    if isinstance(exc, Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return Response(body, status=response.status_code, headers=dict(response.items()))


class ApiError(APIException):
    """Raised by views for a bad parameter; rendered as a 400 with the message."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Bad parameter."
    default_code = "bad_parameter"
