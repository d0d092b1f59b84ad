"""Data for bench/public.py: ``N`` service points over real DOPA areas, each offering a
few services, some copy statuses, and 90 days of ratings at the benchmarked points.

Run inside central's Django (``python -m central shell -c "..."``, as bench/public.py
does) after ``python -m central demo`` (agencies, catalogue). Coordinates: geothai has no
coordinates, so each district gets a random centre inside Thailand's bounding box and its
points scatter within about 10 km of it (enough for area filters and near-me ranking to
behave as they would on real data: dense towns, empty areas between them).
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, timedelta

import geothai
from django.db import connection, transaction
from django.utils import timezone

from central.catalogue.models import CopyStatus, Offering, Service, ServiceDocument
from central.directory.models import Agency, Counter, ServicePoint
from central.fleet import services as fleet
from central.ratings.models import Rating

LAT, LON = (5.7, 20.3), (97.5, 105.5)


def generate(points: int, rated_points: int, ratings_per_point: int, seed: int = 13) -> dict:
    rng = random.Random(seed)
    agencies = list(Agency.objects.all())
    services = list(Service.objects.filter(is_published=True))
    subdistricts = [s for p in geothai.provinces() for s in _subs(p.code)]
    centres: dict[str, tuple[float, float]] = {}
    batch = []
    with transaction.atomic():
        for i in range(points):
            sub = rng.choice(subdistricts)
            lat0, lon0 = centres.setdefault(
                sub.district_code, (rng.uniform(*LAT), rng.uniform(*LON))
            )
            agency = rng.choice(agencies)
            batch.append(
                ServicePoint(
                    agency=agency,
                    code=f"bench-{i}",
                    name_th=f"สำนักงาน{agency.name_th} {sub.name_th} {i}",
                    name_en=f"{agency.name_en} office {sub.name_en} {i}",
                    lat=lat0 + rng.gauss(0, 0.05),
                    lon=lon0 + rng.gauss(0, 0.05),
                    address_th=f"{i} ถนนบำรุงเมือง ตำบล{sub.name_th}",
                    address_en=f"{i} Bamrung Mueang Road, {sub.name_en}",
                    province_code=sub.province_code,
                    district_code=sub.district_code,
                    subdistrict_code=sub.code,
                    hours_th="จันทร์–ศุกร์ 08:30–16:30 น.",
                    hours_en="Mon–Fri 08:30–16:30",
                    phone="02 000 0000",
                    is_active=rng.random() > 0.01,
                )
            )
        ServicePoint.objects.bulk_create(batch, batch_size=2000)
        created = list(ServicePoint.objects.filter(code__startswith="bench-").order_by("id"))
        offerings = [
            Offering(service_point=sp, service=svc)
            for sp in created
            for svc in rng.sample(services, 4)
        ]
        Offering.objects.bulk_create(offerings, batch_size=5000)
        docs = {}
        for sd in ServiceDocument.objects.all():
            docs.setdefault(sd.service_id, []).append(sd.document_id)
        statuses = []
        for off in Offering.objects.filter(service_point__code__startswith="bench-").only(
            "id", "service_id"
        ):
            for doc_id in docs.get(off.service_id, [])[:1]:
                if rng.random() < 0.5:
                    statuses.append(
                        CopyStatus(
                            offering_id=off.pk,
                            document_id=doc_id,
                            status=CopyStatus.NO_COPY,
                            copies=0,
                            no_copy_since=date(2024, 10, 1),
                            verify_th="ตรวจสอบผ่านระบบเชื่อมโยงข้อมูล",
                            verify_en="Checked through the DOPA Linkage Center",
                        )
                    )
        CopyStatus.objects.bulk_create(statuses, batch_size=5000)
    active = [sp for sp in created if sp.is_active]
    rated = rng.sample(active, min(rated_points, len(active)))
    _ratings(rng, rated, ratings_per_point)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "points": len(created),
        "active": len(active),
        "offerings": len(offerings),
        "copy_statuses": len(statuses),
        "rated_points": [sp.public_id for sp in rated],
        "services": [s.code for s in services],
        "province_codes": sorted({sp.province_code for sp in active}),
        "district_codes": sorted({sp.district_code for sp in active})[:200],
    }


def _subs(province_code: str):
    for d in geothai.districts(province_code):
        yield from geothai.subdistricts(d.code)


def _ratings(rng: random.Random, points: list[ServicePoint], per_point: int) -> None:
    counter0 = Counter.objects.create(service_point=points[0], number=99, name_th="bench")
    _, code = fleet.issue_enrolment_code(counter0)
    kiosk, _ = fleet.enrol(code, "bench")
    now = timezone.now()
    offered = {}
    for off in Offering.objects.filter(service_point__in=points).values_list(
        "service_point_id", "service_id"
    ):
        offered.setdefault(off[0], []).append(off[1])
    rows = []
    for sp in points:
        counter = Counter.objects.create(service_point=sp, number=1, name_th="ช่อง 1")
        for i in range(per_point):
            at = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
            rows.append(
                Rating(
                    uuid=uuid.uuid4(),
                    kiosk=kiosk,
                    service_point=sp,
                    counter=counter,
                    service_id=rng.choice(offered[sp.pk]),
                    score=rng.choices([1, 2, 3, 4, 5], [1, 1, 2, 4, 4])[0],
                    asked_for_copy=rng.choice([None, False, False, True]),
                    comment="ไม่ระบุ" if i % 10 == 0 else None,
                    kiosk_time=at,
                    kiosk_seq=i,
                    received_at=at,
                    rated_at=at,
                    skew_seconds=0,
                    batch_id=uuid.uuid4(),
                )
            )
    Rating.objects.bulk_create(rows, batch_size=5000)


def main(points: int, rated_points: int, ratings_per_point: int) -> None:
    print(json.dumps(generate(points, rated_points, ratings_per_point)))


def time_queries(samples: int, seed: int = 5) -> None:
    """Server-side time of the directory's two queries, in this process (no HTTP): near me
    (nearest 10 offering a service) and search (name / area / service), over the data."""
    import statistics
    import time

    from central.public import search

    rng = random.Random(seed)
    services = list(Service.objects.filter(is_published=True).values_list("id", flat=True))
    provinces = sorted(ServicePoint.objects.values_list("province_code", flat=True).distinct())
    near, found = [], []
    for i in range(samples):
        lat, lon = rng.uniform(*LAT), rng.uniform(*LON)
        service = rng.choice(services)
        t0 = time.perf_counter()
        result = search.nearest(lat, lon, service, 10)
        near.append(time.perf_counter() - t0)
        assert len(result) == 10
        kind = i % 4
        t0 = time.perf_counter()
        if kind == 0:
            search.search_points(text=rng.choice(["สำนักงาน", "office", "บาง", "Mueang"]))
        elif kind == 1:
            search.search_points(province=rng.choice(provinces))
        elif kind == 2:
            search.search_points(province=rng.choice(provinces), service_id=service)
        else:
            search.search_points(text="เมือง", service_id=service, page=3)
        found.append(time.perf_counter() - t0)

    def q(values, p):
        ordered = sorted(values)
        return 1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    print(
        json.dumps(
            {
                "near_ms_p50": 1000 * statistics.median(near),
                "near_ms_p99": q(near, 0.99),
                "search_ms_p50": 1000 * statistics.median(found),
                "search_ms_p99": q(found, 0.99),
            }
        )
    )


def summary() -> None:
    """What ``generate`` printed, read back from an existing bench database."""
    from central.ratings.models import Rating as R

    active = ServicePoint.objects.filter(is_active=True, code__startswith="bench-")
    rated = (
        R.objects.filter(service_point__code__startswith="bench-")
        .values_list("service_point_id", flat=True)
        .distinct()
    )
    print(
        json.dumps(
            {
                "points": ServicePoint.objects.filter(code__startswith="bench-").count(),
                "active": active.count(),
                "offerings": Offering.objects.filter(
                    service_point__code__startswith="bench-"
                ).count(),
                "copy_statuses": CopyStatus.objects.count(),
                "rated_points": [f"sp-{pk:06d}" for pk in sorted(set(rated))],
                "services": list(
                    Service.objects.filter(is_published=True).values_list("code", flat=True)
                ),
                "province_codes": sorted(set(active.values_list("province_code", flat=True))),
            }
        )
    )
