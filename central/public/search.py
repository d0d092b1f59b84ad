"""Finding service points: by name, area and service, and "near me".

Only active service points, and only published services, are ever returned.

Search (``search_points``): name substring (Thai or English, case-insensitive, on the
generated ``search_name`` column with a trigram index on PostgreSQL), province
and district codes (index ``sp_area``), and "offers service X" as an ``EXISTS`` on the
offering's unique (service_point, service) index. One COUNT and one page of rows.

Near me (``nearest``): a bounding box on the ``sp_lat_lon`` index, then exact haversine
distances in Python. The box starts at 5 km around the citizen and grows (x4) until it
holds ``limit`` points offering the service *within the box's inscribed circle*: every
point outside the box is farther than the circle's radius, so the ``limit`` nearest inside
the circle are the true nearest. Each step reads only the (id, lat, lon) of the points in
the box (a few hundred at most in a town), so it stays at a few milliseconds over 40,000
points; the last step (the whole country) is reached only when fewer than ``limit`` points
offer the service at all.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass

import geothai
from django.db import connection, transaction
from django.db.models import Avg, Count

from central.directory.models import ServicePoint
from central.public.common import active_points, offering_exists, published_services

EARTH_KM = 6371.0088
KM_PER_DEGREE = 111.19  # a hair under 2*pi*R/360 = 111.195: boxes err on the large side
PER_PAGE = 20
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
    total: int
    page: int
    pages: int


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
    with _prefer_indexes(bool(text)):
        total = qs.count()
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        order = ["name_en", "id"] if lang == "en" else ["name_th", "id"]
        rows = list(
            qs.select_related("agency").order_by(*order)[(page - 1) * per_page : page * per_page]
        )
    return SearchResult(rows, total, page, pages)


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


def nearest(lat: float, lon: float, service_id: int | None, limit: int = 10) -> list[Near]:
    """The ``limit`` active points nearest to (lat, lon) offering ``service_id`` (any
    service when None), nearest first, with their distance in km."""
    base = active_points()
    if service_id is not None:
        base = base.filter(offering_exists(service_id))
    found: list[tuple[float, int]] = []
    for radius in RADII_KM:
        dlat = radius / KM_PER_DEGREE
        # cos() at the box's edge farthest from the equator: the box holds the whole circle.
        coslat = max(0.01, math.cos(math.radians(min(89.9, abs(lat) + dlat))))
        dlon = min(180.0, radius / (KM_PER_DEGREE * coslat))
        rows = base.filter(
            lat__gte=lat - dlat, lat__lte=lat + dlat, lon__gte=lon - dlon, lon__lte=lon + dlon
        ).values_list("id", "lat", "lon")
        found = sorted((haversine_km(lat, lon, la, lo), pk) for pk, la, lo in rows)
        if sum(1 for km, _ in found if km <= radius) >= limit:
            break
    else:
        # The largest box did not hold enough: whatever offers the service, anywhere.
        rows = base.values_list("id", "lat", "lon")
        found = sorted((haversine_km(lat, lon, la, lo), pk) for pk, la, lo in rows)
    top = found[:limit]
    points = ServicePoint.objects.select_related("agency").in_bulk([pk for _, pk in top])
    return [Near(points[pk], km) for km, pk in top if pk in points]


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
