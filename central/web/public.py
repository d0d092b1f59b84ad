"""The citizens' public page: ``GET /services/<CODE>?sp=sp-000123[&lang=en]``.

It is what the QR code on a kiosk's Documents screen opens (the catalogue API's
``public_url``): one service as offered at one service point (documents with their copy
status in words, steps with times, fee) and that service point's map pin. No login, no
cookies, nothing personal; Thai by default, English with ``?lang=en``.

- ``sp`` is the service point's public id (``sp-000123``, as the API sends it) or its
  number; without ``sp`` the page shows the service as its Citizen's Manual describes it;
- an unknown service, an unknown service point, or a service not offered there: 404 page
  (so are a draft service, `Service.is_published` off, and an inactive point).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from central.catalogue.models import CopyStatus, Offering, Service, ServiceDocument
from central.directory.models import ServicePoint
from central.public import jsonld
from central.web import geo

SP_RE = re.compile(r"^(?:sp-)?0*(\d{1,12})$")


@dataclass
class DocumentRow:
    name: str
    note: str
    originals: int
    copies: int
    no_copy: bool
    detail: str  # why a copy is needed, or how the office checks instead
    since: str  # when the office stopped asking for copies, in words
    from_manual: bool  # no per-office status: the manual's number applies
    lang: str = "th"

    @property
    def copy_words(self) -> str:
        n = self.copies
        return ngettext("Bring %(n)s copy", "Bring %(n)s copies", n) % {"n": n}


THAI_MONTHS = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]
ENGLISH_MONTHS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]


def _pick(obj, name: str, lang: str, *, fallback: bool = True) -> str:
    """The Thai or English text of ``obj.<name>_th/_en``; the other language when this
    one is blank (unless ``fallback`` is off: a note is better left out than shown in the
    other language)."""
    th = getattr(obj, f"{name}_th", "") or ""
    en = getattr(obj, f"{name}_en", "") or ""
    if not fallback:
        return en if lang == "en" else th
    return (en or th) if lang == "en" else (th or en)


def format_date(value, lang: str) -> str:
    """1 ต.ค. 2564 (Buddhist era, as Thai readers expect) / 1 Oct 2021."""
    if value is None:
        return ""
    if lang == "en":
        return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {THAI_MONTHS[value.month - 1]} {value.year + 543}"


def document_row(sd: ServiceDocument, status: CopyStatus | None, lang: str) -> DocumentRow:
    """One document as the kiosk shows it: the office's copy status, or the manual's."""
    if status is None:
        return DocumentRow(
            name=_pick(sd.document, "name", lang),
            note=_pick(sd.document, "note", lang, fallback=False),
            originals=sd.originals,
            copies=sd.copies,
            no_copy=sd.copies == 0,
            detail="",
            since="",
            from_manual=True,
            lang=lang,
        )
    no_copy = status.status == CopyStatus.NO_COPY
    return DocumentRow(
        name=_pick(sd.document, "name", lang),
        note=_pick(sd.document, "note", lang, fallback=False),
        originals=sd.originals,
        copies=status.copies,
        no_copy=no_copy,
        detail=_pick(status, "verify" if no_copy else "reason", lang),
        since=format_date(status.no_copy_since, lang),
        from_manual=False,
        lang=lang,
    )


def _lang(request) -> str:
    return "en" if request.GET.get("lang", "").lower().startswith("en") else "th"


def _service_point(raw: str | None) -> ServicePoint | None:
    if not raw:
        return None
    match = SP_RE.match(raw.strip().lower())
    if match is None:
        raise Http404("Unknown service point.")
    sp = ServicePoint.objects.filter(pk=int(match.group(1)), is_active=True).first()
    if sp is None:
        raise Http404("Unknown service point.")
    return sp


@require_safe
@cache_control(public=True, max_age=300)
def service_page(request, code: str):
    lang = _lang(request)
    with translation.override(lang):
        return _render(request, code, lang)


def _render(request, code: str, lang: str):
    service = Service.objects.filter(code=code.upper(), is_published=True).first()
    if service is None:
        return _not_found(request, lang)
    try:
        sp = _service_point(request.GET.get("sp"))
    except Http404:
        return _not_found(request, lang)
    statuses = {}
    if sp is not None:
        offering = Offering.objects.filter(service_point=sp, service=service).first()
        if offering is None:
            return _not_found(request, lang, sp=sp)
        statuses = {cs.document_id: cs for cs in offering.copy_statuses.all()}
    documents = []
    for sd in (
        ServiceDocument.objects.filter(service=service)
        .select_related("document")
        .order_by("order", "id")
    ):
        documents.append(document_row(sd, statuses.get(sd.document_id), lang))
    steps = list(service.steps.order_by("order"))
    total = service.total_minutes
    if total is None:
        total = sum(step.minutes for step in steps)
    sp_id = f"?sp={sp.public_id}" if sp is not None else ""
    context = {
        "lang": lang,
        "other_lang": "th" if lang == "en" else "en",
        "switch_url": f"{request.path}{sp_id}{'&' if sp_id else '?'}lang="
        + ("th" if lang == "en" else "en"),
        "service": service,
        "service_name": _pick(service, "name", lang),
        "agency_name": _pick(service, "agency", lang),
        "fee": _pick(service, "fee", lang),
        "total_minutes": total,
        "legal_basis": _pick(service, "legal_basis", lang),
        "channels": _pick(service, "channels", lang),
        "complaint": _pick(service, "complaint", lang),
        "steps": [(step.order, _pick(step, "title", lang), step.minutes) for step in steps],
        "documents": documents,
        "sp": sp,
        "jsonld": jsonld.service(request, service, sp, lang),
    }
    if sp is not None:
        context.update(
            sp_name=_pick(sp, "name", lang),
            sp_address=_pick(sp, "address", lang),
            sp_area=_area(sp, lang, _pick(sp, "address", lang)),
            sp_hours=_pick(sp, "hours", lang),
            sp_lat=f"{sp.lat:.6f}",
            sp_lon=f"{sp.lon:.6f}",
        )
    response = render(request, "web/public_service.html", context)
    response["Content-Language"] = lang
    return response


def _area(sp: ServicePoint, lang: str, address: str) -> str:
    """Subdistrict, district, province, unless the address already names the province."""
    with translation.override(lang):
        area = geo.area_names(sp.province_code, sp.district_code, sp.subdistrict_code)
        province = geo.province_name(sp.province_code)
    return "" if province and province in address else area


def _not_found(request, lang: str, sp: ServicePoint | None = None):
    context = {
        "lang": lang,
        "sp": sp,
        "sp_name": _pick(sp, "name", lang) if sp is not None else "",
    }
    response = render(request, "web/public_not_found.html", context, status=404)
    response["Content-Language"] = lang
    return response
