"""The directory as Human Services Data Specification (HSDS) 3.0 objects.

Mapping (docs/public-directory.md):

- ``Agency`` -> organization; ``parent`` -> ``parent_organization_id``;
- active ``ServicePoint`` -> location (``physical``), with one address, phone, schedule;
- published ``Service`` -> service (Citizen's Manual: steps -> ``application_process``,
  fee -> ``fees_description``, time -> ``wait_time``); its ``ServiceDocument`` rows ->
  ``required_documents`` with the manual's copy count in words;
- ``Offering`` (a published service at an active point) -> service_at_location; its
  nested service carries that office's ``required_documents``, each saying whether a copy
  is needed *there* (the office's copy status, or the manual's count).

Identifiers are UUIDs that encode the row (version 8, RFC 9562 "custom"):
``c0de00TT-0000-8000-8000-<pk as 12 hex digits>`` with ``TT`` the kind, so an id can be
resolved without a lookup table and stays stable across exports. Thai goes in ``name``,
English in ``alternate_name``. Nothing of ratings, kiosks, counters or staff is exported.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable

import geothai
from django.http import HttpRequest
from django.urls import reverse

from central.catalogue.models import CopyStatus, Offering, Service, ServiceDocument, ServiceStep
from central.directory.models import Agency, ServicePoint
from central.public.common import absolute

KINDS = {
    "organization": 1,
    "location": 2,
    "service": 3,
    "service_at_location": 4,
    "required_document": 5,
    "address": 6,
    "phone": 7,
    "schedule": 8,
    "sal_document": 9,  # a required document as asked at one office
}


def make_id(kind: str, pk: int) -> str:
    return f"c0de00{KINDS[kind]:02x}-0000-8000-8000-{pk:012x}"


def sal_document_id(offering_pk: int, document_pk: int) -> str:
    """Documents of one offering: offering pk in the high digits, document in the low 4."""
    return make_id("sal_document", (offering_pk << 16) | (document_pk & 0xFFFF))


def parse_id(kind: str, raw: str) -> int | None:
    """The pk in an id of ``kind``; None for anything else (malformed, other kind)."""
    try:
        value = uuid.UUID(raw)
    except (ValueError, AttributeError, TypeError):
        return None
    text = str(value)
    prefix = f"c0de00{KINDS[kind]:02x}-0000-8000-8000-"
    if not text.startswith(prefix) or raw.lower() != text:
        return None
    return int(text[len(prefix) :], 16)


def _pair(th: str, en: str) -> str:
    return f"{th} / {en}" if en and en != th else th


# -- organizations ---------------------------------------------------------------------


def organization(agency: Agency) -> dict:
    data = {
        "id": make_id("organization", agency.pk),
        "name": agency.name_th,
        "alternate_name": agency.name_en,
        "description": _pair(
            f"หน่วยงานภาครัฐ ({agency.code})", f"Thai government agency ({agency.code})"
        ),
    }
    if agency.parent_id:
        data["parent_organization_id"] = make_id("organization", agency.parent_id)
    return data


def organization_full(request: HttpRequest, agency: Agency) -> dict:
    data = organization(agency)
    services = Service.objects.filter(is_published=True, agency=agency).order_by("code")
    data["services"] = services_full(request, list(services))
    return data


# -- services --------------------------------------------------------------------------


def _minutes(service: Service, steps: list[ServiceStep]) -> int:
    return (
        service.total_minutes
        if service.total_minutes is not None
        else sum(s.minutes for s in steps)
    )


def service_basic(request: HttpRequest, service: Service, steps: list[ServiceStep]) -> dict:
    data = {
        "id": make_id("service", service.pk),
        "name": service.name_th,
        "alternate_name": service.name_en,
        "description": _pair(service.agency_th, service.agency_en)
        + (" (ข้อมูลตัวอย่าง / demo values)" if service.is_demo else ""),
        "url": absolute(request, reverse("public-service", args=[service.code])),
        "status": "active",
        "application_process": "\n".join(
            f"{s.order}. {_pair(s.title_th, s.title_en)} ({s.minutes} นาที / min)" for s in steps
        ),
        "fees_description": _pair(service.fee_th, service.fee_en),
        "wait_time": f"{_minutes(service, steps)} นาที / minutes",
        "last_modified": service.updated_at.isoformat(),
    }
    if service.legal_basis_th or service.legal_basis_en:
        data["licenses"] = _pair(service.legal_basis_th, service.legal_basis_en)
    if service.agency_id:
        data["organization_id"] = make_id("organization", service.agency_id)
    return data


def manual_document(sd: ServiceDocument) -> dict:
    copies = (
        f"สำเนา {sd.copies} ฉบับ ตามคู่มือ / {sd.copies} "
        f"{'copy' if sd.copies == 1 else 'copies'} per the Citizen's Manual"
        if sd.copies
        else "ไม่ต้องใช้สำเนา / no copy needed"
    )
    return {
        "id": make_id("required_document", sd.pk),
        "service_id": make_id("service", sd.service_id),
        "document": f"{_pair(sd.document.name_th, sd.document.name_en)}: "
        f"ฉบับจริง {sd.originals} / {sd.originals} original; {copies}",
    }


def office_document(offering: Offering, sd: ServiceDocument, status: CopyStatus | None) -> dict:
    """A required document as this office asks for it: copy needed there, or not."""
    name = _pair(sd.document.name_th, sd.document.name_en)
    if status is None:
        text = manual_document(sd)["document"] + " (ไม่มีสถานะของสำนักงาน / no office status)"
    elif status.status == CopyStatus.NO_COPY:
        how = _pair(status.verify_th, status.verify_en)
        since = status.no_copy_since.isoformat() if status.no_copy_since else ""
        text = (
            f"{name}: ฉบับจริง {sd.originals} / {sd.originals} original; "
            f"ไม่ต้องใช้สำเนาที่สำนักงานนี้ / no copy needed at this office"
            + (f" (ตั้งแต่ / since {since})" if since else "")
            + (f"; {how}" if how else "")
        )
    else:
        why = _pair(status.reason_th, status.reason_en)
        text = (
            f"{name}: ฉบับจริง {sd.originals} / {sd.originals} original; "
            f"สำเนา {status.copies} ฉบับที่สำนักงานนี้ / {status.copies} "
            f"{'copy' if status.copies == 1 else 'copies'} needed at this office"
            + (f"; {why}" if why else "")
        )
    return {
        "id": sal_document_id(offering.pk, sd.document_id),
        "service_id": make_id("service", offering.service_id),
        "document": text,
    }


def _steps_and_docs(service_ids: Iterable[int]):
    ids = list(service_ids)
    steps: dict[int, list[ServiceStep]] = defaultdict(list)
    for step in ServiceStep.objects.filter(service_id__in=ids).order_by("service_id", "order"):
        steps[step.service_id].append(step)
    docs: dict[int, list[ServiceDocument]] = defaultdict(list)
    for sd in (
        ServiceDocument.objects.filter(service_id__in=ids)
        .select_related("document")
        .order_by("service_id", "order", "id")
    ):
        docs[sd.service_id].append(sd)
    return steps, docs


def services_basic(request: HttpRequest, services: list[Service]) -> list[dict]:
    steps, _ = _steps_and_docs(s.pk for s in services)
    return [service_basic(request, s, steps[s.pk]) for s in services]


def services_full(request: HttpRequest, services: list[Service]) -> list[dict]:
    steps, docs = _steps_and_docs(s.pk for s in services)
    out = []
    for s in services:
        data = service_basic(request, s, steps[s.pk])
        data["required_documents"] = [manual_document(sd) for sd in docs[s.pk]]
        if s.agency is not None:
            data["organization"] = organization(s.agency)
        out.append(data)
    return out


# -- locations -------------------------------------------------------------------------


def location(request: HttpRequest, sp: ServicePoint) -> dict:
    sub = geothai.subdistrict(sp.subdistrict_code)
    district = geothai.district(sp.district_code)
    province = geothai.province(sp.province_code)
    data = {
        "id": make_id("location", sp.pk),
        "location_type": "physical",
        "url": absolute(request, reverse("public-point", args=[sp.public_id])),
        "organization_id": make_id("organization", sp.agency_id),
        "name": sp.name_th,
        "alternate_name": sp.name_en,
        "latitude": sp.lat,
        "longitude": sp.lon,
        "external_identifier": sp.public_id,
        "external_identifier_type": "CounterPoint service point id",
        "addresses": [
            {
                "id": make_id("address", sp.pk),
                "location_id": make_id("location", sp.pk),
                "address_1": sp.address_th,
                "address_2": sp.address_en,
                "city": district.name_th if district else sp.district_code,
                "region": sub.name_th if sub else sp.subdistrict_code,
                "state_province": province.name_th if province else sp.province_code,
                "postal_code": sub.postal_codes[0] if sub and sub.postal_codes else "",
                "country": "TH",
                "address_type": "physical",
            }
        ],
        "phones": [],
        "schedules": [],
    }
    if sp.phone:
        data["phones"].append(
            {"id": make_id("phone", sp.pk), "location_id": data["id"], "number": sp.phone}
        )
    if sp.hours_th or sp.hours_en:
        data["schedules"].append(
            {
                "id": make_id("schedule", sp.pk),
                "location_id": data["id"],
                "description": _pair(sp.hours_th, sp.hours_en),
            }
        )
    return data


# -- service at location ---------------------------------------------------------------


def public_sal_queryset():
    from central.public.common import public_offerings

    return public_offerings().select_related("service", "service__agency", "service_point")


def _needs_copy(sd: ServiceDocument, status: CopyStatus | None) -> bool:
    return sd.copies > 0 if status is None else status.status == CopyStatus.COPY_REQUIRED


def _sal_description(sp: ServicePoint, service: Service, any_copy: bool) -> str:
    words = (
        "ดูเอกสารที่ต้องใช้ / see the required documents"
        if any_copy
        else "ไม่ต้องใช้สำเนาเอกสารใด ๆ ที่สำนักงานนี้ / no photocopies needed at this office"
    )
    return f"{_pair(service.name_th, service.name_en)} @ {_pair(sp.name_th, sp.name_en)}: {words}"


def service_at_locations(
    request: HttpRequest, offerings: list[Offering], *, full: bool
) -> list[dict]:
    """``offerings`` with ``service`` and ``service_point`` loaded."""
    steps, docs = _steps_and_docs({o.service_id for o in offerings})
    statuses: dict[tuple[int, int], CopyStatus] = {}
    for cs in CopyStatus.objects.filter(offering__in=[o.pk for o in offerings]):
        statuses[(cs.offering_id, cs.document_id)] = cs
    out = []
    for o in offerings:
        office_docs = [
            office_document(o, sd, statuses.get((o.pk, sd.document_id)))
            for sd in docs[o.service_id]
        ]
        service = service_basic(request, o.service, steps[o.service_id])
        service["url"] = absolute(
            request,
            reverse("public-service", args=[o.service.code]) + f"?sp={o.service_point.public_id}",
        )
        data = {
            "id": make_id("service_at_location", o.pk),
            "service_id": make_id("service", o.service_id),
            "location_id": make_id("location", o.service_point_id),
            "description": _sal_description(
                o.service_point,
                o.service,
                any(
                    _needs_copy(sd, statuses.get((o.pk, sd.document_id)))
                    for sd in docs[o.service_id]
                ),
            ),
        }
        loc = location(request, o.service_point)
        if full:
            service["required_documents"] = office_docs
            data["phones"], data["schedules"] = loc["phones"], loc["schedules"]
            data["location"] = loc
        else:
            data["location"] = {k: v for k, v in loc.items() if not isinstance(v, list)}
        data["service"] = service
        out.append(data)
    return out
