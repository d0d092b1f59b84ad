"""Finding service points: by name, area and service, and "near me".

Only active service points, and only published services, are ever returned.

Search (``search_points``): name substring (Thai or English, case-insensitive, on the
generated ``search_name`` column with a trigram index on PostgreSQL), province
and district codes (index ``sp_area``), and "offers service X" as an ``EXISTS`` on the
offering's unique (service_point, service) index. One COUNT and one page of rows.

Near me (``nearest``): a bounding box on the ``sp_lat_lon`` index, then the exact
haversine distance computed by the database for the rows in the box, ``ORDER BY`` it,
``LIMIT 10``. The box starts at 5 km around the citizen and grows (x4) until ``limit``
points offering the service lie *within the box's inscribed circle*: every point outside
the box is farther than the circle's radius, so the ``limit`` nearest inside the circle
are the true nearest. Each step is one query returning at most ``limit`` rows; the last
step (the whole country) is reached only when fewer than ``limit`` points offer the
service within 1,280 km.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass

import geothai
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

from central.directory.models import ServicePoint
from central.public.common import active_points, offering_exists, published_services

EARTH_KM = 6371.0088
KM_PER_DEGREE = 111.19  # a hair under 2*pi*R/360 = 111.195: boxes err on the large side
PER_PAGE = 20
MAX_RESULTS = 1000  # a search lists at most this many offices (50 pages)
MAX_QUERY = 100
RADII_KM = [5.0, 20.0, 80.0, 320.0, 1280.0]
LATLON_RE = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[, ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def clean_text(raw: str | None) -> str:
    """A search box's text: trimmed, control characters dropped, at most 100 chars."""
    text = "".join(ch for ch in (raw or "") if ch.isprintable())
    return " ".join(text.split())[:MAX_QUERY]


def service_by_code(code: str | None):
    code = (code or "").strip().upper()
    if not code or not re.fullmatch(r"[A-Z][A-Z0-9_]{1,39}", code):
        return None
    return published_services().filter(code=code).first()


@dataclass
class SearchResult:
    points: list[ServicePoint]
    total: int  # at most MAX_RESULTS
    page: int
    pages: int
    more: bool = False  # more than MAX_RESULTS matched: the citizen should narrow it down


def search_points(
    *,
    text: str = "",
    province: str = "",
    district: str = "",
    service_id: int | None = None,
    page: int = 1,
    lang: str = "th",
    per_page: int = PER_PAGE,
) -> SearchResult:
    qs = active_points()
    if text:
        # ``search_name`` is both names in lower case (a generated column with a trigram
        # index on PostgreSQL): no per-row UPPER(), and the index finds the rows.
        qs = qs.filter(search_name__contains=text.lower())
    if province:
        qs = qs.filter(province_code=province)
    if district:
        qs = qs.filter(district_code=district)
    if service_id is not None:
        qs = qs.filter(offering_exists(service_id))
    order = ["name_en", "id"] if lang == "en" else ["name_th", "id"]
    with _prefer_indexes(bool(text)):
        if text:
            # The name match first (trigram index), at most MAX_RESULTS of it, then that
            # set in name order: a name that matches thousands of offices ("สำนักงาน")
            # costs no more than one that matches a few.
            ids = list(qs.values_list("id", flat=True)[: MAX_RESULTS + 1])
            total = len(ids)
            qs = ServicePoint.objects.filter(pk__in=ids[:MAX_RESULTS])
        else:
            total = qs[: MAX_RESULTS + 1].count()
        shown = min(total, MAX_RESULTS)
        pages = max(1, math.ceil(shown / per_page))
        page = min(max(1, page), pages)
        rows = list(
            qs.select_related("agency").order_by(*order)[(page - 1) * per_page : page * per_page]
        )
    return SearchResult(rows, min(total, MAX_RESULTS), page, pages, total > MAX_RESULTS)


@contextmanager
def _prefer_indexes(name_search: bool):
    """PostgreSQL underestimates ``LIKE '%...%'`` on multibyte (Thai) text by far: it picks
    a sequential scan (about 130 ms over 40,000 points here) over the trigram index (about
    3 ms). For a name search, tell it not to, for this transaction only."""
    if not name_search or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        yield


@dataclass
class Near:
    point: ServicePoint
    km: float


def _km_expression(lat: float, lon: float):
    """Haversine distance in km from (lat, lon) to a row's (lat, lon), computed by the
    database (Django provides these functions on SQLite too)."""
    dlat = Radians(F("lat") - Value(lat)) / 2
    dlon = Radians(F("lon") - Value(lon)) / 2
    a = Power(Sin(dlat), 2) + Cos(Value(math.radians(lat))) * Cos(Radians(F("lat"))) * Power(
        Sin(dlon), 2
    )
    return Value(2 * EARTH_KM) * ASin(Sqrt(Least(Value(1.0), a)))


def nearest(lat: float, lon: float, service_id: int | None, limit: int = 10) -> list[Near]:
    """The ``limit`` active points nearest to (lat, lon) offering ``service_id`` (any
    service when None), nearest first, with their distance in km."""
    base = active_points().select_related("agency")
    if service_id is not None:
        base = base.filter(offering_exists(service_id))
    km = _km_expression(lat, lon)
    rows: list[ServicePoint] = []
    for radius in RADII_KM:
        dlat = radius / KM_PER_DEGREE
        # cos() at the box's edge farthest from the equator: the box holds the whole circle.
        coslat = max(0.01, math.cos(math.radians(min(89.9, abs(lat) + dlat))))
        dlon = min(180.0, radius / (KM_PER_DEGREE * coslat))
        box = base.filter(
            lat__gte=lat - dlat, lat__lte=lat + dlat, lon__gte=lon - dlon, lon__lte=lon + dlon
        )
        # Only points inside the circle count: every point outside the box is farther.
        rows = list(box.annotate(km=km).filter(km__lte=radius).order_by("km", "id")[:limit])
        if len(rows) >= limit:
            break
    else:
        # Fewer than ``limit`` within the largest circle: whatever offers it, anywhere.
        rows = list(base.annotate(km=km).order_by("km", "id")[:limit])
    return [Near(sp, sp.km) for sp in rows]


@dataclass
class Place:
    lat: float
    lon: float
    label: str


def resolve_place(text: str, lang: str) -> Place | None:
    """A typed place: ``"13.74, 100.52"``, or a Thai/English province, district or
    subdistrict name (``geothai.search``), placed at the centre of the active service
    points there. None when nothing matches or no office is there."""
    text = clean_text(text)
    if not text:
        return None
    match = LATLON_RE.match(text)
    if match:
        lat, lon = float(match.group(1)), float(match.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return Place(lat, lon, f"{lat:.5f}, {lon:.5f}")
        return None
    for result in geothai.search(text, limit=5):
        area = result.area
        field = {"province": "province_code", "district": "district_code"}.get(
            result.level, "subdistrict_code"
        )
        centre = (
            active_points()
            .filter(**{field: area.code})
            .aggregate(lat=Avg("lat"), lon=Avg("lon"), n=Count("id"))
        )
        if centre["n"]:
            name = area.name_en if lang == "en" else area.name_th
            return Place(centre["lat"], centre["lon"], name)
    return None


def provinces(lang: str) -> list[tuple[str, str]]:
    key = (lambda p: p.name_en) if lang == "en" else (lambda p: p.name_th)
    return [(p.code, key(p)) for p in sorted(geothai.provinces(), key=key)]


def districts(province: str, lang: str) -> list[tuple[str, str]]:
    if not re.fullmatch(r"\d{2}", province or ""):
        return []
    key = (lambda d: d.name_en) if lang == "en" else (lambda d: d.name_th)
    return [(d.code, key(d)) for d in sorted(geothai.districts(province), key=key)]


def area_label(sp: ServicePoint, lang: str) -> str:
    parts = []
    for code, lookup in (
        (sp.district_code, geothai.district),
        (sp.province_code, geothai.province),
    ):
        area = lookup(code) if code else None
        if area is not None:
            parts.append(area.name_en if lang == "en" else area.name_th)
    return ", ".join(parts)
