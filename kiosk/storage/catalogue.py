"""Validation of catalogue payloads (docs/sync-protocol.md) and Thai name ordering.

``validate_catalogue`` checks a whole payload before anything is written and returns a
normalised copy; a bad payload raises ``ValueError`` naming the offending field, e.g.
``services[3].documents[1].copy_status: must be one of 'no_copy', 'copy_required'``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from kiosk.storage.models import COPY_STATUSES

_THAI_TONE_MARKS = re.compile("[\u0e47-\u0e4e]")
_THAI_LEADING_VOWEL = re.compile("([\u0e40-\u0e44])([\u0e01-\u0e2e])")


def thai_sort_key(text: str) -> tuple[str, str]:
    """Thai dictionary order: a leading vowel (เ แ โ ใ ไ) sorts after the consonant it
    precedes, and tone marks only break ties. Plain code-point order would put every
    word starting with เ after every word starting with a consonant."""
    base = _THAI_LEADING_VOWEL.sub(r"\2\1", _THAI_TONE_MARKS.sub("", text))
    return base.casefold(), text


class _Checker:
    """Collects the path of the value being checked, for clear error messages."""

    def __init__(self, obj: Any, where: str) -> None:
        self.obj = obj
        self.where = where

    def fail(self, key: str | None, message: str) -> None:
        path = self.where if key is None else (f"{self.where}.{key}" if self.where else key)
        raise ValueError(f"invalid catalogue: {path}: {message}")

    def get(self, key: str, *, required: bool = True) -> Any:
        if key not in self.obj:
            if required:
                self.fail(key, "is missing")
            return None
        return self.obj[key]

    def text(self, key: str, *, blank_ok: bool = False, required: bool = True) -> str:
        value = self.get(key, required=required)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.fail(key, f"must be a string, got {type(value).__name__}")
        if not blank_ok and not value.strip():
            self.fail(key, "must not be blank")
        return value

    def optional_text(self, key: str) -> str:
        """A string that may be absent, null or empty (normalised to "")."""
        value = self.obj.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(key, f"must be a string or null, got {type(value).__name__}")
        return value

    def integer(self, key: str, *, minimum: int = 0) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"must be an integer, got {value!r}")
        if value < minimum:
            self.fail(key, f"must be at least {minimum}, got {value}")
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        if key not in self.obj and default is not None:
            return default
        value = self.get(key)
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, got {value!r}")
        return value

    def coordinate(self, key: str, limit: float) -> float | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, f"must be a number or null, got {value!r}")
        if not math.isfinite(value) or abs(value) > limit:
            self.fail(key, f"must be between -{limit:g} and {limit:g}, got {value!r}")
        return float(value)

    def obj_list(self, key: str) -> list:
        value = self.get(key)
        if not isinstance(value, list):
            self.fail(key, f"must be a list, got {type(value).__name__}")
        return value

    def child(self, key: str, value: Any) -> _Checker:
        if not isinstance(value, dict):
            self.fail(key, f"must be an object, got {type(value).__name__}")
        return _Checker(value, f"{self.where}.{key}" if self.where else key)


def _validate_service_point(c: _Checker) -> dict:
    sp = {
        "id": c.text("id"),
        "name_th": c.text("name_th"),
        "name_en": c.text("name_en"),
        "address_th": c.text("address_th", blank_ok=True),
        "address_en": c.text("address_en", blank_ok=True),
        "lat": c.coordinate("lat", 90),
        "lon": c.coordinate("lon", 180),
        "province_code": c.optional_text("province_code"),
        "district_code": c.optional_text("district_code"),
        "subdistrict_code": c.optional_text("subdistrict_code"),
        "hours_th": c.text("hours_th", blank_ok=True),
        "hours_en": c.text("hours_en", blank_ok=True),
        "phone": c.optional_text("phone"),
        "map_url": c.optional_text("map_url"),
    }
    return sp


def _validate_counter(c: _Checker) -> dict:
    codes = c.obj_list("service_codes")
    for i, code in enumerate(codes):
        if not isinstance(code, str) or not code.strip():
            c.fail(f"service_codes[{i}]", f"must be a non-blank string, got {code!r}")
    if len(set(codes)) != len(codes):
        c.fail("service_codes", "lists a code twice")
    return {
        "id": c.text("id"),
        "name_th": c.text("name_th"),
        "name_en": c.text("name_en"),
        "service_codes": list(codes),
    }


def _validate_step(c: _Checker) -> dict:
    return {
        "order": c.integer("order", minimum=1),
        "title_th": c.text("title_th"),
        "title_en": c.text("title_en"),
        "minutes": c.integer("minutes"),
    }


def _validate_document(c: _Checker) -> dict:
    # reason_* / verify_* may be blank: a missing explanation must not cost the kiosk the
    # whole catalogue (the badge itself says what to bring); central fills them normally.
    status = c.get("copy_status")
    if status not in COPY_STATUSES:
        c.fail("copy_status", f"must be one of {', '.join(map(repr, COPY_STATUSES))}")
    doc = {
        "code": c.text("code"),
        "name_th": c.text("name_th"),
        "name_en": c.text("name_en"),
        "originals": c.integer("originals"),
        "copies": c.integer("copies"),
        "copy_status": status,
        "no_copy_since": c.obj.get("no_copy_since"),
        "reason_th": c.optional_text("reason_th"),
        "reason_en": c.optional_text("reason_en"),
        "verify_th": c.optional_text("verify_th"),
        "verify_en": c.optional_text("verify_en"),
    }
    since = doc["no_copy_since"]
    if status == "no_copy":
        if doc["copies"] != 0:
            c.fail("copies", "must be 0 when copy_status is 'no_copy'")
        if since is not None:
            if not isinstance(since, str):
                c.fail("no_copy_since", f"must be a date string or null, got {since!r}")
            try:
                dt.date.fromisoformat(since)
            except ValueError:
                c.fail("no_copy_since", f"must be a date like 2021-10-01, got {since!r}")
    else:
        if doc["copies"] < 1:
            c.fail("copies", "must be at least 1 when copy_status is 'copy_required'")
        if since is not None:
            c.fail("no_copy_since", "must be null when copy_status is 'copy_required'")
    return doc


def _validate_service(c: _Checker) -> dict:
    code = c.text("code")
    version = c.integer("version")
    if c.boolean("deleted", default=False):
        return {"code": code, "version": version, "deleted": True}
    fee = c.text("fee_amount")
    try:
        amount = Decimal(fee)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        c.fail("fee_amount", f"must be a decimal string like '20.00', got {fee!r}")
    public_url = c.text("public_url")
    if not public_url.startswith(("https://", "http://")):
        c.fail("public_url", f"must be an http(s) URL, got {public_url!r}")
    steps = [_validate_step(c.child(f"steps[{i}]", s)) for i, s in enumerate(c.obj_list("steps"))]
    if len({s["order"] for s in steps}) != len(steps):
        c.fail("steps", "two steps have the same order")
    documents = [
        _validate_document(c.child(f"documents[{i}]", d))
        for i, d in enumerate(c.obj_list("documents"))
    ]
    if len({d["code"] for d in documents}) != len(documents):
        c.fail("documents", "lists the same document code twice")
    return {
        "code": code,
        "version": version,
        "deleted": False,
        "name_th": c.text("name_th"),
        "name_en": c.text("name_en"),
        "agency_th": c.text("agency_th"),
        "agency_en": c.text("agency_en"),
        "fee_amount": fee,
        "fee_th": c.text("fee_th"),
        "fee_en": c.text("fee_en"),
        "total_minutes": c.integer("total_minutes"),
        "legal_basis_th": c.text("legal_basis_th", blank_ok=True),
        "legal_basis_en": c.text("legal_basis_en", blank_ok=True),
        "channels_th": c.text("channels_th", blank_ok=True),
        "channels_en": c.text("channels_en", blank_ok=True),
        "complaint_th": c.text("complaint_th", blank_ok=True),
        "complaint_en": c.text("complaint_en", blank_ok=True),
        "public_url": public_url,
        "demo": c.boolean("demo", default=False),
        "steps": sorted(steps, key=lambda s: s["order"]),
        "documents": documents,
    }


def validate_catalogue(payload: Any) -> dict:
    """Check a catalogue payload of docs/sync-protocol.md; return a normalised copy.

    Raises ``ValueError`` with the path of the first bad field.
    """
    if not isinstance(payload, dict):
        raise ValueError(
            f"invalid catalogue: the payload must be a JSON object, got {type(payload).__name__}"
        )
    top = _Checker(payload, "")
    cursor = top.text("cursor")
    full = top.boolean("full")
    service_point = _validate_service_point(top.child("service_point", top.get("service_point")))
    counter = _validate_counter(top.child("counter", top.get("counter")))
    services = [
        _validate_service(top.child(f"services[{i}]", s))
        for i, s in enumerate(top.obj_list("services"))
    ]
    codes = [s["code"] for s in services]
    if len(set(codes)) != len(codes):
        dup = next(code for code in codes if codes.count(code) > 1)
        top.fail("services", f"lists the service {dup!r} twice")
    return {
        "cursor": cursor,
        "full": full,
        "service_point": service_point,
        "counter": counter,
        "services": services,
    }
