"""The catalogue payload for one kiosk (docs/sync-protocol.md, "Catalogue payload").

Cursor: ``v1.<epoch>.<seq>``, where ``seq`` is the global catalogue change sequence read
*before* the rows (see ``central.catalogue.changes``). With ``?since=``:

- no cursor or an empty one: the full catalogue (``full: true``);
- a well-formed cursor from another database (``epoch`` differs, e.g. after a restore or a
  ``demo --reset``) or from the future: the full catalogue, so the kiosk heals itself;
- a malformed cursor: ``400 bad_cursor`` (the kiosk only ever stores what we sent it, so
  this is a client bug worth seeing);
- otherwise a delta (``full: false``): every service whose offering at this service point,
  copy statuses, service fields, steps or documents changed after ``seq``, plus
  ``{"code", "version", "deleted": true}`` for services no longer offered here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q

from central.api import sync_sql
from central.api.errors import ApiError
from central.catalogue import changes
from central.catalogue.models import (
    CopyStatus,
    Offering,
    OfferingTombstone,
    ServiceDocument,
    ServiceStep,
)
from central.directory.models import Counter, ServicePoint
from protocol import models as wire

CURSOR_RE = re.compile(r"^v1\.([0-9a-f]{8})\.(\d{1,18})$")


def make_cursor(epoch: str, seq: int) -> str:
    return f"v1.{epoch}.{seq}"


def parse_since(text: str | None, epoch: str, now_seq: int) -> int | None:
    """The sequence number to send changes after, or None for a full catalogue."""
    if not text:
        return None
    match = CURSOR_RE.match(text)
    if match is None:
        raise ApiError(
            400,
            "bad_cursor",
            "since= must be a cursor returned by this endpoint (v1.<epoch>.<seq>); "
            "omit it to get the full catalogue",
        )
    if match.group(1) != epoch:
        return None
    seq = int(match.group(2))
    return seq if seq <= now_seq else None


def service_point_json(sp: ServicePoint) -> wire.ServicePoint:
    return wire.ServicePoint(
        id=sp.public_id,
        name_th=sp.name_th,
        name_en=sp.name_en,
        address_th=sp.address_th,
        address_en=sp.address_en,
        lat=sp.lat,
        lon=sp.lon,
        province_code=sp.province_code,
        district_code=sp.district_code,
        subdistrict_code=sp.subdistrict_code,
        hours_th=sp.hours_th,
        hours_en=sp.hours_en,
        phone=sp.phone,
        map_url=sp.map_url,
    )


def counter_json(counter: Counter) -> wire.Counter:
    return wire.Counter(
        id=counter.public_id,
        name_th=counter.name_th,
        name_en=counter.name_en,
        service_codes=sync_sql.counter_codes(counter),
    )


def public_base_url(request) -> str:
    return settings.CP_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")


def build(
    counter: Counter, since_text: str | None, request, current: tuple[str, int] | None = None
) -> wire.Catalogue:
    """The payload for a kiosk at ``counter``. Reads the sequence first, then the rows;
    ``current``: ``(epoch, seq)`` already read (with the kiosk, in one statement)."""
    epoch, now_seq = current or changes.current()
    since = parse_since(since_text, epoch, now_seq)
    sp = counter.service_point
    services: list[wire.Service | wire.DeletedService] = []
    if since != now_seq:  # the usual steady state: nothing changed anywhere, nothing to read
        offerings = Offering.objects.filter(service_point=sp).select_related("service")
        if since is not None:
            offerings = offerings.filter(Q(change_seq__gt=since) | Q(service__change_seq__gt=since))
        offerings = list(offerings.order_by("service__code"))
        # A draft service (not published) is not shown to citizens, on the kiosk either:
        # left out of a full catalogue, and sent as a deletion in a delta when it changed
        # (unpublished) since the kiosk's cursor; publishing it bumps it, so it comes back.
        live = [o for o in offerings if o.service.is_published]
        if live:
            services = _services(live, sp, public_base_url(request))
        if since is not None:
            services.extend(_drafts(o for o in offerings if not o.service.is_published))
            services.extend(_deletions(sp, since))
    return wire.Catalogue(
        cursor=make_cursor(epoch, now_seq),
        full=since is None,
        service_point=service_point_json(sp),
        counter=counter_json(counter),
        services=services,
    )


def _services(
    offerings: list[Offering], sp: ServicePoint, base_url: str
) -> list[wire.Service | wire.DeletedService]:
    service_ids = [o.service_id for o in offerings]
    steps = defaultdict(list)
    for step in ServiceStep.objects.filter(service_id__in=service_ids).order_by("order"):
        steps[step.service_id].append(step)
    documents = defaultdict(list)
    for sd in (
        ServiceDocument.objects.filter(service_id__in=service_ids)
        .select_related("document")
        .order_by("order", "id")
    ):
        documents[sd.service_id].append(sd)
    statuses = {
        (cs.offering_id, cs.document_id): cs
        for cs in CopyStatus.objects.filter(offering__in=offerings)
    }
    out = []
    for offering in offerings:
        service = offering.service
        service_steps = steps[service.pk]
        total = service.total_minutes
        if total is None:
            total = sum(step.minutes for step in service_steps)
        out.append(
            wire.Service(
                code=service.code,
                version=max(offering.change_seq, service.change_seq),
                deleted=False,
                name_th=service.name_th,
                name_en=service.name_en,
                agency_th=service.agency_th,
                agency_en=service.agency_en,
                fee_amount=f"{service.fee_amount:.2f}",
                fee_th=service.fee_th,
                fee_en=service.fee_en,
                total_minutes=total,
                legal_basis_th=service.legal_basis_th,
                legal_basis_en=service.legal_basis_en,
                channels_th=service.channels_th,
                channels_en=service.channels_en,
                complaint_th=service.complaint_th,
                complaint_en=service.complaint_en,
                public_url=f"{base_url}/services/{service.code}?sp={sp.public_id}",
                demo=service.is_demo,
                steps=[
                    wire.Step(
                        order=step.order,
                        title_th=step.title_th,
                        title_en=step.title_en,
                        minutes=step.minutes,
                    )
                    for step in service_steps
                ],
                documents=[
                    _document_json(sd, statuses.get((offering.pk, sd.document_id)))
                    for sd in documents[service.pk]
                ],
            )
        )
    return out


# What a kiosk shows when an office has not set a copy status for a document.
MANUAL_REASON_TH = "ตามคู่มือสำหรับประชาชนของบริการนี้"
MANUAL_REASON_EN = "As the Citizen's Manual for this service asks"
ORIGINAL_ONLY_TH = "เจ้าหน้าที่ตรวจดูจากฉบับจริง"
ORIGINAL_ONLY_EN = "Staff look at the original"


def _document_json(sd: ServiceDocument, status: CopyStatus | None) -> wire.Document:
    doc = sd.document
    common = {
        "code": doc.code,
        "name_th": doc.name_th,
        "name_en": doc.name_en,
        "originals": sd.originals,
    }
    if status is None:
        # No per-office status: the manual's copy count applies, and says so.
        return wire.Document(
            **common,
            copies=sd.copies,
            copy_status=CopyStatus.COPY_REQUIRED if sd.copies else CopyStatus.NO_COPY,
            no_copy_since=None,
            reason_th=MANUAL_REASON_TH if sd.copies else "",
            reason_en=MANUAL_REASON_EN if sd.copies else "",
            verify_th="" if sd.copies else ORIGINAL_ONLY_TH,
            verify_en="" if sd.copies else ORIGINAL_ONLY_EN,
        )
    return wire.Document(
        **common,
        copies=status.copies,
        copy_status=status.status,
        no_copy_since=status.no_copy_since,
        reason_th=status.reason_th,
        reason_en=status.reason_en,
        verify_th=status.verify_th,
        verify_en=status.verify_en,
    )


def _drafts(offerings: Iterable[Offering]) -> list[wire.DeletedService]:
    return [
        wire.DeletedService(
            code=o.service.code, version=max(o.change_seq, o.service.change_seq), deleted=True
        )
        for o in offerings
    ]


def _deletions(sp: ServicePoint, since: int) -> list[wire.DeletedService]:
    latest: dict[str, int] = {}
    for code, seq in OfferingTombstone.objects.filter(
        service_point_id=sp.pk, change_seq__gt=since
    ).values_list("service_code", "change_seq"):
        latest[code] = max(seq, latest.get(code, 0))
    if not latest:
        return []
    live = set(
        Offering.objects.filter(service_point=sp, service__code__in=latest).values_list(
            "service__code", flat=True
        )
    )
    return [
        wire.DeletedService(code=code, version=seq, deleted=True)
        for code, seq in sorted(latest.items())
        if code not in live
    ]
