"""Thai administrative areas (DOPA province / district / subdistrict codes) from
``geothai``, as choices for the service point form and as two small JSON endpoints the
form's selects load from when the province or district changes (admin login required)."""

from __future__ import annotations

import geothai
from django.http import JsonResponse

from central.web.labels import is_english
from central.web.safe_input import ascii_int

CODE_DIGITS = 8  # province codes have 2 digits, districts 4, subdistricts 6


def _label(area) -> str:
    if is_english():
        return f"{area.name_en} ({area.name_th})"
    return f"{area.name_th} ({area.name_en})"


def province_choices() -> list[tuple[str, str]]:
    return [(p.code, _label(p)) for p in sorted(geothai.provinces(), key=_sort_key)]


def district_choices(province_code: str | None) -> list[tuple[str, str]]:
    if not province_code or ascii_int(province_code, CODE_DIGITS) is None:
        return []
    return [(d.code, _label(d)) for d in sorted(geothai.districts(province_code), key=_sort_key)]


def subdistrict_choices(district_code: str | None) -> list[tuple[str, str]]:
    if not district_code or ascii_int(district_code, CODE_DIGITS) is None:
        return []
    out = []
    for s in sorted(geothai.subdistricts(district_code), key=_sort_key):
        postal = f" {', '.join(s.postal_codes)}" if s.postal_codes else ""
        out.append((s.code, f"{_label(s)}{postal}"))
    return out


def _sort_key(area) -> str:
    return area.name_en.lower() if is_english() else area.name_th


def area_names(province: str, district: str, subdistrict: str) -> str:
    """ "ตำบล, อำเภอ, จังหวัด" (or English) for a service point's codes; codes that are
    not known are shown as they are."""
    parts = []
    for code, lookup in (
        (subdistrict, geothai.subdistrict),
        (district, geothai.district),
        (province, geothai.province),
    ):
        area = lookup(code) if code else None
        if area is not None:
            parts.append(area.name_en if is_english() else area.name_th)
        elif code:
            parts.append(code)
    return ", ".join(parts)


def province_name(code: str) -> str:
    area = geothai.province(code) if code else None
    if area is None:
        return code or ""
    return area.name_en if is_english() else area.name_th


def _json(choices) -> JsonResponse:
    response = JsonResponse({"choices": [{"code": c, "label": label} for c, label in choices]})
    response["Cache-Control"] = "private, max-age=3600"
    return response


def districts(request):
    """GET ?province=10 -> {"choices": [{"code": "1001", "label": "..."}]}."""
    return _json(district_choices(request.GET.get("province", "")[:2]))


def subdistricts(request):
    """GET ?district=1001 -> {"choices": [{"code": "100101", "label": "... 10200"}]}."""
    return _json(subdistrict_choices(request.GET.get("district", "")[:4]))
