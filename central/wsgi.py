"""WSGI entry point: ``gunicorn central.wsgi``.

Two Django handlers share one process, the URL configuration and the database
connections; they differ only in their middleware:

- the kiosk sync API (``/api/``) and ``/health`` go through ``settings.API_MIDDLEWARE``:
  security headers, request id and access log, host check. A bearer-token JSON API has no
  use for sessions, CSRF, the logged-in user, messages, language negotiation or
  clickjacking headers, and at hundreds of requests per second their cost shows (see
  bench/central_cpu.py and docs/operations.md);
- everything else (the admin, the public pages) goes through ``settings.MIDDLEWARE``.

The choice is made on the path prefix alone, before Django parses the request.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "central.settings")
full_application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (after Django is set up)
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402


class LeanWSGIHandler(WSGIHandler):
    """A Django handler whose middleware chain is ``settings.API_MIDDLEWARE``."""

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware reads settings.MIDDLEWARE; point it at the API's list
        # while the chain is built (once, at import, before any request is served).
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


lean_application = LeanWSGIHandler()
LEAN_PREFIXES = ("/api/", "/health")


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith(LEAN_PREFIXES):
        return lean_application(environ, start_response)
    return full_application(environ, start_response)
