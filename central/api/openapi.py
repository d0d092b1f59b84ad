"""The OpenAPI 3.1 document of the sync API, generated from ``protocol.models`` (the same
models central validates requests with and builds its answers from)."""

from __future__ import annotations

import functools

import msgspec

from protocol.constants import MAX_RATINGS_PER_REQUEST, RATINGS_BODY_BYTES, SMALL_BODY_BYTES
from protocol.models import COMPONENTS

REF_TEMPLATE = "#/components/schemas/{name}"


def component_schemas() -> dict[str, dict]:
    """JSON Schema of every protocol model, by name (nested models included)."""
    _, components = msgspec.json.schema_components(COMPONENTS, ref_template=REF_TEMPLATE)
    return components


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _body(name: str, description: str) -> dict:
    return {"required": True, **_json(name, description)}


def _errors(*codes: int) -> dict:
    text = {
        400: "Not JSON of the right shape (the reason is in `detail`); nothing stored.",
        401: "Missing or unknown credential.",
        403: "The kiosk was revoked.",
        404: "Unknown enrolment code.",
        405: "Wrong method.",
        409: "Enrolment code already used.",
        410: "Enrolment code expired or withdrawn.",
        411: "No Content-Length.",
        413: "Body too large.",
        415: "Not `application/json` (UTF-8).",
    }
    return {str(code): _json("Error", text[code]) for code in codes}


@functools.cache
def openapi_document() -> dict:
    kiosk_auth = [{"kioskCredential": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CounterPoint sync API",
            "version": "1",
            "description": (
                "Kiosk <-> central sync protocol (docs/sync-protocol.md). All bodies are UTF-8 "
                "JSON; times are RFC 3339 with an offset. Every error is "
                '`{"error": code, "detail": reason}`. Request bodies are limited to '
                f"{SMALL_BODY_BYTES} bytes ({RATINGS_BODY_BYTES} for ratings)."
            ),
        },
        "components": {
            "schemas": component_schemas(),
            "securitySchemes": {
                "kioskCredential": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The credential returned once by /kiosks/enroll.",
                }
            },
        },
        "paths": {
            "/api/v1/kiosks/enroll": {
                "post": {
                    "summary": "Enrol a kiosk with a one-time code",
                    "requestBody": _body("EnrollRequest", "The code staff typed or scanned."),
                    "responses": {
                        "201": _json(
                            "EnrollResponse",
                            "Enrolled; keep the credential. Carries the full catalogue.",
                        ),
                        **_errors(400, 404, 405, 409, 410, 411, 413, 415),
                    },
                }
            },
            "/api/v1/kiosk/catalogue": {
                "get": {
                    "summary": "The catalogue for this kiosk's service point, full or delta",
                    "security": kiosk_auth,
                    "parameters": [
                        {
                            "name": "since",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 100},
                            "description": (
                                "A cursor from an earlier answer: only what changed after "
                                "it (full: false). Absent or empty: everything. A cursor "
                                "from another database: everything. Malformed: 400."
                            ),
                        }
                    ],
                    "responses": {
                        "200": _json("Catalogue", "The catalogue payload."),
                        **_errors(400, 401, 403, 405),
                    },
                }
            },
            "/api/v1/kiosk/ratings": {
                "post": {
                    "summary": "Upload ratings (idempotent by uuid)",
                    "description": (
                        f"At most {MAX_RATINGS_PER_REQUEST} items. One result per "
                        "item, in order: accepted (stored now), duplicate (already stored; "
                        "safe to mark synced) or rejected (with reason; never stored). "
                        "A service_code central does not offer at the kiosk's service point "
                        "is accepted and stored with the service marked unknown. "
                        "Anything wrong inside an item rejects that item only; a body that "
                        'is not a JSON object {"ratings": [objects]} of at most '
                        f"{MAX_RATINGS_PER_REQUEST} items is refused whole (400)."
                    ),
                    "security": kiosk_auth,
                    "requestBody": _body("RatingsRequest", "The ratings."),
                    "responses": {
                        "200": _json("RatingsResponse", "Per-item results."),
                        **_errors(400, 401, 403, 405, 411, 413, 415),
                    },
                }
            },
            "/api/v1/kiosk/heartbeat": {
                "post": {
                    "summary": "Report health; learn the clock skew",
                    "security": kiosk_auth,
                    "requestBody": _body("HeartbeatRequest", "Kiosk status."),
                    "responses": {
                        "200": _json("HeartbeatResponse", "Central's clock and the skew."),
                        **_errors(400, 401, 403, 405, 411, 413, 415),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1 document."}},
                }
            },
        },
    }
