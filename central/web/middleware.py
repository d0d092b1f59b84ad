"""Request guards that apply to every URL of central (installed by central/settings.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

NUL = "\x00"


def _has_nul(querydict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in querydict.lists())


class RejectNulBytes:
    """Answer 400 to a request with a NUL character in its path, query string or form
    fields. No page or API of central takes one; PostgreSQL refuses them in text (a
    search, an autocomplete term or a code in the URL would end in a 500), and SQLite
    would store them. JSON bodies of the kiosk API are checked by its own schemas."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = NUL in request.path or _has_nul(request.GET)
        if not bad and request.method == "POST" and request.content_type in FORM_TYPES:
            bad = _has_nul(request.POST)
        if bad:
            return HttpResponseBadRequest(
                "Bad request: a NUL character is not allowed in a URL or form field.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
