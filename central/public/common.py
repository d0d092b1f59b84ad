"""Small pieces the public pages and the open data share: the language of a request,
Thai/English field picking, what counts as published, JSON-LD embedding, and the page
cache with HTTP validators (ETag / Last-Modified / Cache-Control)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe

from central.catalogue.models import Offering, Service
from central.directory.models import ServicePoint

# Browsers and proxies may keep a public page this long; the server-side copy is keyed by
# what the page shows (see ``cached_page``), so an edit is visible on the next request.
MAX_AGE = 300
SERVER_CACHE_SECONDS = 120


def lang_of(request: HttpRequest) -> str:
    """``?lang=en`` gives English; anything else Thai (no cookies on public pages)."""
    return "en" if request.GET.get("lang", "").lower().startswith("en") else "th"


def pick(obj: Any, name: str, lang: str, *, fallback: bool = True) -> str:
    """``obj.<name>_th`` or ``_en`` for ``lang``; the other language when blank."""
    th = getattr(obj, f"{name}_th", "") or ""
    en = getattr(obj, f"{name}_en", "") or ""
    if not fallback:
        return en if lang == "en" else th
    return (en or th) if lang == "en" else (th or en)


# -- what citizens may see -------------------------------------------------------------


def published_services() -> QuerySet[Service]:
    return Service.objects.filter(is_published=True)


def active_points() -> QuerySet[ServicePoint]:
    return ServicePoint.objects.filter(is_active=True)


def public_offerings() -> QuerySet[Offering]:
    """Offerings of a published service at an active service point."""
    return Offering.objects.filter(service__is_published=True, service_point__is_active=True)


def offering_exists(service_id: int) -> Exists:
    """For a ServicePoint queryset: "offers this (published) service"."""
    return Exists(
        Offering.objects.filter(service_point=OuterRef("pk"), service_id=service_id).values("pk")
    )


# -- JSON-LD ---------------------------------------------------------------------------


def json_ld(data: dict) -> SafeString:
    """JSON for ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped so
    no text from the database can close the script element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above


# -- caching ---------------------------------------------------------------------------


def cached_page(
    request: HttpRequest,
    key: str,
    build: Callable[[], HttpResponse],
    *,
    max_age: int = MAX_AGE,
) -> HttpResponse:
    """Serve a public page from the server-side cache, with validators.

    ``key`` must change whenever the catalogue data on the page changes (callers build it
    from the rows' ``updated_at``/``change_seq``); the published figures move with every
    rating, so a cached copy lives at most ``SERVER_CACHE_SECONDS``. ``ETag`` is a hash of
    the body; ``Last-Modified`` is when this exact body was first served (so a changed
    body always has a later date); ``If-None-Match`` / ``If-Modified-Since`` get a 304.
    Only 200 responses are cached."""
    cache = caches["default"]
    key = f"{request.get_host()}|{key}"  # absolute links in the JSON-LD name the host
    cache_key = "cp-public:" + hashlib.sha1(key.encode()).hexdigest()
    hit = cache.get(cache_key)
    if hit is None:
        response = build()
        if response.status_code != 200:
            return response
        body = response.content
        digest = hashlib.sha1(body).hexdigest()[:20]
        first_seen = cache.get_or_set(f"cp-public-lm:{digest}", int(time.time()), 86400)
        hit = (body, response["Content-Type"], response.get("Content-Language", ""))
        hit += (f'"{digest}"', first_seen)
        cache.set(cache_key, hit, SERVER_CACHE_SECONDS)
    body, content_type, language, etag, stamp = hit
    not_modified = get_conditional_response(request, etag=etag, last_modified=stamp)
    response = not_modified or HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stamp)
    if language:
        response["Content-Language"] = language
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def with_validators(request: HttpRequest, response: HttpResponse, *, max_age: int) -> HttpResponse:
    """ETag (hash of the body) and Cache-Control for a page built on every request; a
    matching ``If-None-Match`` gets a 304 without the body."""
    if response.status_code != 200:
        return response
    etag = '"' + hashlib.sha1(response.content).hexdigest()[:20] + '"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["Content-Language"] = response.get("Content-Language", "")
        response = not_modified
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def absolute(request: HttpRequest, path: str) -> str:
    """``CP_PUBLIC_URL`` + path, or the request's own scheme and host."""
    from django.conf import settings

    base = getattr(settings, "CP_PUBLIC_URL", "")
    return f"{base}{path}" if base else request.build_absolute_uri(path)
