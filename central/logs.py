"""Structured logs: one JSON object per line on standard error, each carrying the request
id of the request it was written for.

- ``RequestIdMiddleware`` takes the caller's ``X-Request-ID`` (nginx sets one with
  ``$request_id``; a kiosk may send its own) when it is 1-128 characters of
  ``A-Z a-z 0-9 . _ : -``, else makes one (32 hex digits); it is returned in the
  response's ``X-Request-ID`` and added to every log record written while the request
  runs. It also writes one access line per request (logger ``central.request``: method,
  path, status, duration), unless ``CP_ACCESS_LOG=0``.
- ``JsonFormatter`` formats records as JSON (``time``, ``level``, ``logger``, ``message``,
  ``request_id`` and any ``extra=`` fields), used by ``LOGGING`` in central/settings.py
  and by gunicorn (deploy/gunicorn.conf.py).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.conf import settings

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
_VALID_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
access_log = logging.getLogger("central.request")

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            out["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def request_id_from(header: str | None) -> str:
    if header and _VALID_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.access = getattr(settings, "CP_ACCESS_LOG", True)

    def __call__(self, request):
        rid = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        token = request_id_var.set(rid)
        request.request_id = rid
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            if self.access:
                access_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "request_id": rid,
                        "method": request.method,
                        "path": request.path[:300],
                        "status": response.status_code,
                        "duration_ms": round(1000 * (time.perf_counter() - started), 2),
                    },
                )
            return response
        finally:
            request_id_var.reset(token)
