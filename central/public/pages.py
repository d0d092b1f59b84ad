"""The citizens' directory (no login, no cookies, Thai by default, ``?lang=en``):

- ``GET /directory/``: search service points by name, province/district and service;
  results list first, a map of the results second;
- ``GET /directory/near``: the nearest points offering a chosen service, from the phone's
  location (``lat``/``lon``, filled in by the page's script) or a typed place;
- ``GET /directory/sp-000123``: one service point: address, hours, phone, route link,
  its services with steps, time, fee, documents and copy status, published results.

Malformed parameters get a 400 page saying which one; unknown or inactive points a 404.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_safe

from central.public import jsonld, pointdata, search
from central.public.common import cached_page, lang_of, pick, published_services, with_validators
from central.web.safe_input import ascii_int

NEAR_LIMIT = 10


class BadParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(name)
        self.name, self.message = name, message


def _int(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    number = ascii_int(raw, 6)
    if number is None or not 1 <= number <= maximum:
        raise BadParameter(name, gettext("must be a number 1–%(max)s") % {"max": maximum})
    return number


def _float(request: HttpRequest, name: str, low: float, high: float) -> float | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw) if len(raw) <= 20 and raw.isascii() else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise BadParameter(
            name, gettext("must be a coordinate %(low)s–%(high)s") % {"low": low, "high": high}
        )
    return value


def _area_codes(request: HttpRequest) -> tuple[str, str]:
    province = request.GET.get("province", "").strip()
    district = request.GET.get("district", "").strip()
    if province and province not in dict(search.provinces("th")):
        raise BadParameter("province", gettext("unknown province"))
    if district and (not province or district not in dict(search.districts(province, "th"))):
        raise BadParameter("district", gettext("unknown district"))
    return province, district


def _service(request: HttpRequest):
    code = request.GET.get("service", "").strip()
    if not code:
        return None
    service = search.service_by_code(code)
    if service is None:
        raise BadParameter("service", pgettext("public search", "unknown service"))
    return service


def _services(lang: str) -> list[tuple[str, str]]:
    rows = [(s.code, pick(s, "name", lang)) for s in published_services()]
    return sorted(rows, key=lambda r: r[1])


def _switch_url(request: HttpRequest, lang: str) -> str:
    params = [(k, v) for k, v in request.GET.items() if k != "lang"]
    params.append(("lang", "th" if lang == "en" else "en"))
    return f"{request.path}?{urlencode(params)}"


def _base(request: HttpRequest, lang: str) -> dict:
    return {
        "lang": lang,
        "other_lang": "th" if lang == "en" else "en",
        "switch_url": _switch_url(request, lang),
        "en": "&lang=en" if lang == "en" else "",
        "lang_q": "?lang=en" if lang == "en" else "",
        "min_ratings": getattr(settings, "CP_PUBLIC_MIN_RATINGS", 20),
    }


def _bad_request(request: HttpRequest, lang: str, error: BadParameter) -> HttpResponse:
    context = {**_base(request, lang), "error": error, "status": 400}
    response = render(request, "public/error.html", context, status=400)
    response["Content-Language"] = lang
    return response


def _not_found(request: HttpRequest, lang: str) -> HttpResponse:
    context = {**_base(request, lang), "status": 404}
    response = render(request, "public/error.html", context, status=404)
    response["Content-Language"] = lang
    return response


def _point_url(sp, lang: str) -> str:
    url = reverse("public-point", args=[sp.public_id])
    return f"{url}?lang=en" if lang == "en" else url


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    lang = lang_of(request)
    with translation.override(lang):
        try:
            return _directory(request, lang)
        except BadParameter as error:
            return _bad_request(request, lang, error)


def _directory(request: HttpRequest, lang: str) -> HttpResponse:
    text = search.clean_text(request.GET.get("q"))
    province, district = _area_codes(request)
    service = _service(request)
    page = _int(request, "page", 1, 100000)
    searched = bool(text or province or district or service)
    found = None
    if searched:
        found = search.search_points(
            text=text,
            province=province,
            district=district,
            service_id=service.pk if service else None,
            page=page,
            lang=lang,
        )
    rows = [
        {
            "url": _point_url(sp, lang),
            "name": pick(sp, "name", lang),
            "agency": pick(sp.agency, "name", lang),
            "area": search.area_label(sp, lang),
            "lat": f"{sp.lat:.6f}",
            "lon": f"{sp.lon:.6f}",
        }
        for sp in (found.points if found else [])
    ]
    params = [("q", text), ("province", province), ("district", district)]
    params += [("service", service.code if service else "")]
    params = [(k, v) for k, v in params if v] + ([("lang", "en")] if lang == "en" else [])
    context = {
        **_base(request, lang),
        "q": text,
        "province": province,
        "district": district,
        "service": service.code if service else "",
        "provinces": search.provinces(lang),
        "districts": search.districts(province, lang),
        "services": _services(lang),
        "searched": searched,
        "found": found,
        "rows": rows,
        "prev_url": _page_url(request.path, params, found.page - 1) if found else "",
        "next_url": _page_url(request.path, params, found.page + 1) if found else "",
        "jsonld": jsonld.office_list(request, rows, lang),
    }
    response = render(request, "public/directory.html", context)
    response["Content-Language"] = lang
    return with_validators(request, response, max_age=60)


def _page_url(path: str, params: list[tuple[str, str]], page: int) -> str:
    return f"{path}?{urlencode([*params, ('page', str(page))])}"


@require_safe
def near(request: HttpRequest) -> HttpResponse:
    lang = lang_of(request)
    with translation.override(lang):
        try:
            return _near(request, lang)
        except BadParameter as error:
            return _bad_request(request, lang, error)


def _near(request: HttpRequest, lang: str) -> HttpResponse:
    service = _service(request)
    lat = _float(request, "lat", -90, 90)
    lon = _float(request, "lon", -180, 180)
    place_text = search.clean_text(request.GET.get("place"))
    if (lat is None) != (lon is None):
        raise BadParameter("lat", gettext("give both lat and lon"))
    origin = None
    place_unknown = False
    if lat is not None and lon is not None:
        origin = search.Place(lat, lon, "")
    elif place_text:
        origin = search.resolve_place(place_text, lang)
        place_unknown = origin is None
    nearest = []
    if origin is not None:
        nearest = search.nearest(
            origin.lat, origin.lon, service.pk if service else None, NEAR_LIMIT
        )
    rows = [
        {
            "url": _point_url(n.point, lang),
            "name": pick(n.point, "name", lang),
            "agency": pick(n.point.agency, "name", lang),
            "area": search.area_label(n.point, lang),
            "km": f"{n.km:.1f}" if n.km < 10 else f"{n.km:.0f}",
            "lat": f"{n.point.lat:.6f}",
            "lon": f"{n.point.lon:.6f}",
        }
        for n in nearest
    ]
    context = {
        **_base(request, lang),
        "services": _services(lang),
        "service": service.code if service else "",
        "service_name": pick(service, "name", lang) if service else "",
        "place": place_text,
        "origin": origin,
        "from_location": lat is not None,
        "place_unknown": place_unknown,
        "rows": rows,
        "jsonld": jsonld.office_list(request, rows, lang),
    }
    response = render(request, "public/near.html", context)
    response["Content-Language"] = lang
    # Results depend on where the citizen is: no shared caches.
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_safe
def point_page(request: HttpRequest, public_id: str) -> HttpResponse:
    lang = lang_of(request)
    sp = pointdata.point_by_public_id(public_id)
    if sp is None:
        with translation.override(lang):
            return _not_found(request, lang)
    key = f"point:{lang}:{pointdata.fingerprint(sp)}"

    def build() -> HttpResponse:
        with translation.override(lang):
            view = pointdata.load(sp, lang)
            context = {
                **_base(request, lang),
                "p": view,
                "jsonld": jsonld.office(request, view, lang),
            }
            response = render(request, "public/point.html", context)
            response["Content-Language"] = lang
            return response

    return cached_page(request, key, build)
