"""Request guards that apply to every URL of central (installed by central/settings.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

NUL = "\x00"


def _has_nul(querydict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in querydict.lists())


class RejectNulBytes:
    """Answer 400 to a request with a NUL character in its path, query string or form
    fields (in JSON under /api/ and /hsds/). No page or API of central takes one;
    PostgreSQL refuses them in text (a search, an autocomplete term or a code in the URL
    would end in a 500), and SQLite would store them. JSON bodies of the kiosk API are
    checked by its own schemas."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = NUL in request.path or _has_nul(request.GET)
        if not bad and request.method == "POST" and request.content_type in FORM_TYPES:
            bad = _has_nul(request.POST)
        if bad and request.path.startswith(JSON_PATHS):
            return JsonResponse({"error": "A NUL character is not allowed here."}, status=400)
        if bad:
            return HttpResponseBadRequest(
                "Bad request: a NUL character is not allowed in a URL or form field.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
JSON_PATHS = ("/api/", "/hsds/")


class ThaiFirstLocaleMiddleware:
    """The language of a request: the one the user chose with the ไทย | English switch
    (Django's language cookie, set by ``/i18n/setlang/``), else Thai (LANGUAGE_CODE). The
    browser's Accept-Language is not consulted: central is Thai-first, and a Thai officer's
    browser in English must not turn the admin English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Cookie",))
        return response
