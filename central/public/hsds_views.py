"""HSDS 3.0 API under ``/hsds/`` (read-only, no login) and the bulk download.

``GET /hsds/services``, ``/organizations``, ``/service_at_locations``: pages of the list
form (``?page=1&per_page=50``, at most 200 a page), HSDS's ``Page`` envelope
(``total_items``, ``total_pages``, ``page_number``, ``size``, ``first_page``,
``last_page``, ``empty``, ``contents``). Filters: ``search`` and ``organization_id`` on
services; ``service_id``, ``location_id``, ``organization_id`` on service_at_locations.
``GET .../{id}``: one fully nested object. ``GET /hsds/bulk.zip``: everything, as four
JSON files. Errors are JSON: 400 with a reason, 404.
"""

from __future__ import annotations

import math

from django.db.models import Q
from django.http import FileResponse, HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from central.directory.models import Agency
from central.public import bulk as hsds_bulk
from central.public import hsds
from central.public.common import published_services, with_validators
from central.web.safe_input import ascii_int

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50


class Invalid(Exception):
    pass


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _json(request: HttpRequest, data) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return with_validators(request, response, max_age=300)


def _positive(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    number = ascii_int(raw, 7)
    if number is None or not 1 <= number <= maximum:
        raise Invalid(f"{name} must be a whole number from 1 to {maximum}")
    return number


def _id_filter(request: HttpRequest, name: str, kind: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    own = ascii_int(raw[3:], 12) if kind == "location" and raw.lower().startswith("sp-") else None
    if own is not None:
        return own  # the directory's own id is accepted too
    pk = hsds.parse_id(kind, raw)
    if pk is None:
        raise Invalid(f"{name} is not a {kind} id of this directory")
    return pk


def _page(request: HttpRequest, qs, serialise) -> JsonResponse:
    page = _positive(request, "page", 1, 10_000_000)
    per_page = _positive(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    total = qs.count()
    pages = max(1, math.ceil(total / per_page))
    rows = list(qs[(page - 1) * per_page : page * per_page])
    contents = serialise(rows)
    return _json(
        request,
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": page,
            "size": len(contents),
            "first_page": page == 1,
            "last_page": page >= pages,
            "empty": not contents,
            "contents": contents,
        },
    )


def _api(view):
    @require_safe
    def wrapped(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Invalid as exc:
            return _error(400, str(exc))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_api
def root(request: HttpRequest) -> JsonResponse:
    return _json(
        request,
        {
            "version": "3.0",
            "profile": "https://docs.openreferral.org/en/latest/hsds/",
            "description": "CounterPoint public directory of Thai government service points",
            "paths": [
                "/hsds/services",
                "/hsds/organizations",
                "/hsds/service_at_locations",
                "/hsds/bulk.zip",
            ],
        },
    )


@_api
def services(request: HttpRequest) -> JsonResponse:
    qs = published_services().select_related("agency").order_by("code")
    text = request.GET.get("search", "").strip()[:100]
    if text:
        qs = qs.filter(Q(name_th__icontains=text) | Q(name_en__icontains=text) | Q(code=text))
    org = _id_filter(request, "organization_id", "organization")
    if org is not None:
        qs = qs.filter(agency_id=org)
    return _page(request, qs, lambda rows: hsds.services_basic(request, rows))


@_api
def service(request: HttpRequest, id: str) -> JsonResponse:
    pk = hsds.parse_id("service", id)
    obj = published_services().select_related("agency").filter(pk=pk).first() if pk else None
    if obj is None:
        return _error(404, "no such service")
    return _json(request, hsds.services_full(request, [obj])[0])


@_api
def organizations(request: HttpRequest) -> JsonResponse:
    qs = Agency.objects.order_by("code")
    return _page(request, qs, lambda rows: [hsds.organization(a) for a in rows])


@_api
def organization(request: HttpRequest, id: str) -> JsonResponse:
    pk = hsds.parse_id("organization", id)
    agency = Agency.objects.filter(pk=pk).first() if pk else None
    if agency is None:
        return _error(404, "no such organization")
    return _json(request, hsds.organization_full(request, agency))


def _sal_queryset():
    return hsds.public_sal_queryset()


@_api
def service_at_locations(request: HttpRequest) -> JsonResponse:
    qs = _sal_queryset().order_by("pk")
    service_pk = _id_filter(request, "service_id", "service")
    if service_pk is not None:
        qs = qs.filter(service_id=service_pk)
    location_pk = _id_filter(request, "location_id", "location")
    if location_pk is not None:
        qs = qs.filter(service_point_id=location_pk)
    org = _id_filter(request, "organization_id", "organization")
    if org is not None:
        qs = qs.filter(service_point__agency_id=org)
    return _page(request, qs, lambda rows: hsds.service_at_locations(request, rows, full=False))


@_api
def service_at_location(request: HttpRequest, id: str) -> JsonResponse:
    pk = hsds.parse_id("service_at_location", id)
    offering = _sal_queryset().filter(pk=pk).first() if pk else None
    if offering is None:
        return _error(404, "no such service_at_location")
    return _json(request, hsds.service_at_locations(request, [offering], full=True)[0])


# -- bulk download ---------------------------------------------------------------------


@_api
def bulk(request: HttpRequest) -> FileResponse:
    """The whole open data set (central/public/bulk.py). The file for the current data
    version when it exists; else the previous one while a new one is built in the
    background (``X-Data-Stale: 1``); only the very first download builds in the request
    (``python -m central hsds_bulk`` after a deployment avoids even that)."""
    base = request.build_absolute_uri("/").rstrip("/")
    path = hsds_bulk.current_path()
    stale = False
    handle = None
    if not path.exists():
        previous = hsds_bulk.latest()
        if previous is not None:
            # Opened first: the new build removes old files, an open one stays readable.
            try:
                handle = open(previous, "rb")  # noqa: SIM115 - FileResponse closes it
                path, stale = previous, True
                hsds_bulk.build_in_background(base)
            except FileNotFoundError:  # removed by a build that just finished
                path = hsds_bulk.build(base)
        else:
            path = hsds_bulk.build(base)
    if handle is None:
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it when sent
    response = FileResponse(handle, as_attachment=True, filename="counterpoint-hsds.zip")
    response["Cache-Control"] = "public, max-age=600"
    response["ETag"] = f'"{path.stem}"'
    if stale:
        response["X-Data-Stale"] = "1"
    return response
