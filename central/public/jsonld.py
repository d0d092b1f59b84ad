"""schema.org JSON-LD for the public pages: a service point is a ``GovernmentOffice``,
each service offered there a ``GovernmentService`` whose ``availableChannel`` is served
at that office. Only public catalogue data: no ratings' text, no staff, no kiosks."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString

from central.directory.models import ServicePoint
from central.public.common import absolute, json_ld, pick

CONTEXT = "https://schema.org"


def _office_id(request: HttpRequest, sp: ServicePoint) -> str:
    return absolute(request, reverse("public-point", args=[sp.public_id]))


def office_node(request: HttpRequest, sp: ServicePoint, lang: str) -> dict:
    node = {
        "@type": "GovernmentOffice",
        "@id": _office_id(request, sp),
        "url": _office_id(request, sp),
        "identifier": sp.public_id,
        "name": pick(sp, "name", lang),
        "alternateName": pick(sp, "name", "en" if lang == "th" else "th"),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": pick(sp, "address", lang),
            "addressCountry": "TH",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": sp.lat, "longitude": sp.lon},
        "parentOrganization": {
            "@type": "GovernmentOrganization",
            "name": pick(sp.agency, "name", lang),
        },
    }
    if sp.phone:
        node["telephone"] = sp.phone
    hours = pick(sp, "hours", lang)
    if hours:
        node["openingHours"] = hours
    return node


def office(request: HttpRequest, view, lang: str) -> SafeString:
    """A service point page: the office and the services offered there."""
    sp = view.sp
    data = {"@context": CONTEXT, **office_node(request, sp, lang)}
    data["address"]["addressLocality"] = view.area
    office_ref = {"@type": "GovernmentOffice", "@id": _office_id(request, sp)}
    data["makesOffer"] = [
        {
            "@type": "Offer",
            "itemOffered": service_node(request, s.code, s.name, s.agency, s.fee, sp, office_ref),
        }
        for s in view.services
    ]
    return json_ld(data)


def service_node(
    request: HttpRequest, code: str, name: str, agency: str, fee: str, sp, office_ref: dict | None
) -> dict:
    path = reverse("public-service", args=[code])
    if sp is not None:
        path += f"?sp={sp.public_id}"
    node = {
        "@type": "GovernmentService",
        "identifier": code,
        "name": name,
        "url": absolute(request, path),
        "serviceOperator": {"@type": "GovernmentOrganization", "name": agency},
        "offers": {"@type": "Offer", "description": fee, "priceCurrency": "THB"},
    }
    if office_ref is not None:
        node["availableChannel"] = {"@type": "ServiceChannel", "serviceLocation": office_ref}
    return node


def service(request: HttpRequest, service, sp: ServicePoint | None, lang: str) -> SafeString:
    """The service page reached from the kiosk's QR code."""
    office_ref = office_node(request, sp, lang) if sp is not None else None
    node = service_node(
        request,
        service.code,
        pick(service, "name", lang),
        pick(service, "agency", lang),
        pick(service, "fee", lang),
        sp,
        office_ref,
    )
    return json_ld({"@context": CONTEXT, **node})


def office_list(request: HttpRequest, rows: list[dict], lang: str) -> SafeString:
    """Search and "near me" results: an ItemList of GovernmentOffice."""
    return json_ld(
        {
            "@context": CONTEXT,
            "@type": "ItemList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": i,
                    "item": {
                        "@type": "GovernmentOffice",
                        "@id": absolute(request, row["url"].split("?")[0]),
                        "name": row["name"],
                        "geo": {
                            "@type": "GeoCoordinates",
                            "latitude": float(row["lat"]),
                            "longitude": float(row["lon"]),
                        },
                    },
                }
                for i, row in enumerate(rows, start=1)
            ],
        }
    )
