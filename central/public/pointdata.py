"""What a service point's public page shows, loaded in a fixed handful of queries
(whatever the number of services): the office, its published services with steps, time,
fee, documents and per-document copy status (as the kiosk shows them), and the published
results. Also the page's cache key (``fingerprint``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max

from central.catalogue.models import CopyStatus, Offering, ServiceDocument, ServiceStep
from central.directory.models import ServicePoint
from central.public import results
from central.public.common import active_points, pick
from central.web import geo
from central.web.public import DocumentRow, document_row
from central.web.safe_input import ascii_int


def point_by_public_id(raw: str) -> ServicePoint | None:
    """``sp-000123`` (or ``sp-123``) of an *active* point; None otherwise."""
    raw = (raw or "").strip().lower()
    pk = ascii_int(raw[3:], 12) if raw.startswith("sp-") else None  # "sp-" + 12 digits at most
    if pk is None:
        return None
    return active_points().select_related("agency").filter(pk=pk).first()


def fingerprint(sp: ServicePoint) -> str:
    """Changes whenever anything the page shows from the catalogue changes: the point or
    its agency saved, an offering added/removed/changed, a copy status or a service (its
    steps, documents, publication) changed (``change_seq``, see catalogue.changes)."""
    agg = Offering.objects.filter(service_point=sp).aggregate(
        o=Max("change_seq"), s=Max("service__change_seq"), n=Count("id")
    )
    return (
        f"{sp.pk}:{sp.updated_at.timestamp()}:{sp.agency.updated_at.timestamp()}:"
        f"{agg['o']}:{agg['s']}:{agg['n']}"
    )


@dataclass
class ServiceView:
    code: str
    name: str
    agency: str
    fee: str
    total_minutes: int | None
    is_demo: bool
    steps: list[tuple[int, str, int]]
    documents: list[DocumentRow]
    figures: results.Figures | None = None

    @property
    def no_copy_all(self) -> bool:
        """No photocopy of any document is expected here."""
        return all(doc.no_copy for doc in self.documents)


@dataclass
class PointView:
    sp: ServicePoint
    name: str
    agency: str
    address: str
    area: str
    hours: str
    services: list[ServiceView] = field(default_factory=list)
    results: results.PointResults | None = None

    @property
    def lat(self) -> str:
        return f"{self.sp.lat:.6f}"

    @property
    def lon(self) -> str:
        return f"{self.sp.lon:.6f}"


def load(sp: ServicePoint, lang: str) -> PointView:
    from django.utils import translation

    address = pick(sp, "address", lang)
    with translation.override(lang):
        area = geo.area_names(sp.province_code, sp.district_code, sp.subdistrict_code)
        province = geo.province_name(sp.province_code)
    if province and province in address:
        area = ""  # the address already names the area
    view = PointView(
        sp=sp,
        name=pick(sp, "name", lang),
        agency=pick(sp.agency, "name", lang),
        address=address,
        area=area,
        hours=pick(sp, "hours", lang),
    )
    offerings = list(
        Offering.objects.filter(service_point=sp, service__is_published=True).select_related(
            "service"
        )
    )
    service_ids = [o.service_id for o in offerings]
    steps: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for step in ServiceStep.objects.filter(service_id__in=service_ids).order_by(
        "service_id", "order"
    ):
        steps[step.service_id].append((step.order, pick(step, "title", lang), step.minutes))
    docs: dict[int, list[ServiceDocument]] = defaultdict(list)
    for sd in (
        ServiceDocument.objects.filter(service_id__in=service_ids)
        .select_related("document")
        .order_by("service_id", "order", "id")
    ):
        docs[sd.service_id].append(sd)
    statuses = {
        (cs.offering_id, cs.document_id): cs
        for cs in CopyStatus.objects.filter(offering__in=offerings)
    }
    for offering in offerings:
        service = offering.service
        rows = [
            document_row(sd, statuses.get((offering.pk, sd.document_id)), lang)
            for sd in docs[service.pk]
        ]
        total = service.total_minutes
        if total is None:
            total = sum(minutes for _, _, minutes in steps[service.pk])
        view.services.append(
            ServiceView(
                code=service.code,
                name=pick(service, "name", lang),
                agency=pick(service, "agency", lang),
                fee=pick(service, "fee", lang),
                total_minutes=total,
                is_demo=service.is_demo,
                steps=steps[service.pk],
                documents=rows,
            )
        )
    view.services.sort(key=lambda s: s.name)
    by_code = {o.service.code: o.service_id for o in offerings}
    no_copy = [by_code[s.code] for s in view.services if s.no_copy_all]
    view.results = results.point_results(sp.pk, service_ids, no_copy, lang)
    for s in view.services:
        s.figures = view.results.services.get(by_code[s.code])
    return view
