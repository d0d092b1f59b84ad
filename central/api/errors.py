"""JSON errors for the kiosk API: every error body is ``{"error": code, "detail": text}``."""

from __future__ import annotations

from django.http import HttpResponse
from django.views import defaults

from protocol import codec, models


class ApiError(Exception):
    """Raise anywhere below an API view to answer ``status`` with a JSON error."""

    def __init__(self, status: int, code: str, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}


def json_response(data, status: int = 200, headers: dict | None = None) -> HttpResponse:
    """``data``: a protocol model (``protocol.models``) or plain JSON values."""
    response = HttpResponse(codec.encode(data), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def error_response(status: int, code: str, detail: str, headers: dict | None = None):
    return json_response(models.Error(error=code, detail=detail), status=status, headers=headers)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler400(request, exception=None):
    if _is_api(request):
        return error_response(400, "bad_request", "The request could not be understood.")
    return defaults.bad_request(request, exception)


def handler403(request, exception=None):
    if _is_api(request):
        return error_response(403, "forbidden", "Not allowed.")
    return defaults.permission_denied(request, exception)


def handler404(request, exception=None):
    if _is_api(request):
        return error_response(404, "not_found", f"No API endpoint at {request.path[:200]}.")
    return defaults.page_not_found(request, exception)


def handler500(request):
    if _is_api(request):
        return error_response(500, "internal_error", "Central failed; try again later.")
    return defaults.server_error(request)
