"""Every JSON shape of the kiosk sync API (docs/sync-protocol.md), in one place.

The same objects validate requests (``SCHEMA.validate(value)`` returns the cleaned value or
raises ``Invalid``), produce the OpenAPI document (``SCHEMA.json_schema()``, served at
/api/v1/openapi.json) and check responses in the tests.

The validator is deliberately small and strict, plain Python instead of a dependency
(jsonschema/pydantic would be one more thing to pin for ~150 lines of code, and neither
gives us "bool is not int" and the string hygiene below without the same amount of glue):

- objects: unknown keys are rejected; every listed key is required unless named in
  ``optional`` (nullable keys must still be present, as ``null``);
- types are exact: ``true`` is not an integer, ``1.0`` is not an integer, ``"5"`` is not
  a number;
- strings have a maximum length (in characters) and may not contain NUL, other control
  characters (single-line strings: none at all; multi-line: tab/newline/CR only) or lone
  surrogates (which PostgreSQL cannot store);
- UUIDs are canonical 8-4-4-4-12 hex with the RFC 4122 variant (nil and max refused);
- date-times are RFC 3339 with an explicit offset (``Z`` or ``+07:00``).

``loads`` parses request bodies strictly: UTF-8 only, no NaN/Infinity, no duplicate keys.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

MAX_RATINGS_PER_REQUEST = 500
# Request body limits. 500 ratings whose 500-character comments are JSON-escaped as
# \uXXXX surrogate pairs (the worst case) stay under 3.5 MB: a valid batch always fits.
SMALL_BODY_BYTES = 8 * 1024
RATINGS_BODY_BYTES = 4 * 1024 * 1024
COMMENT_MAX_CHARS = 500
DIMENSIONS = ("staff", "waiting_time", "steps", "documents", "facilities", "outcome")
RESULT_STATUSES = ("accepted", "duplicate", "rejected")
SERVICE_CODE_PATTERN = r"^[A-Z][A-Z0-9_]{1,39}$"


class Invalid(ValueError):
    """A value does not match its schema. ``path`` is where (``ratings[3].score``)."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Schema:
    """Base: handles ``nullable`` and ``description``; subclasses check one JSON type."""

    json_type: str | None = None

    def __init__(self, *, nullable: bool = False, description: str = ""):
        self.nullable = nullable
        self.description = description

    def validate(self, value: Any, path: str = "") -> Any:
        if value is None:
            if self.nullable:
                return None
            raise Invalid(path, "must not be null")
        return self.check(value, path)

    def check(self, value: Any, path: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def schema(self) -> dict:
        return {"type": self.json_type}

    def json_schema(self) -> dict:
        out = self.schema()
        if self.nullable:
            if isinstance(out.get("type"), str):
                out["type"] = [out["type"], "null"]
            else:
                out = {"anyOf": [out, {"type": "null"}]}
        if self.description:
            out["description"] = self.description
        return out


_BAD_CHARS_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_BAD_CHARS_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class String(Schema):
    json_type = "string"

    def __init__(
        self,
        max_length: int | None = None,
        *,
        min_length: int = 0,
        pattern: str | None = None,
        enum: tuple[str, ...] | None = None,
        multiline: bool = False,
        fmt: str | None = None,
        **kw,
    ):
        super().__init__(**kw)
        self.max_length = max_length
        self.min_length = min_length
        self.pattern = re.compile(pattern) if pattern else None
        self.enum = enum
        self.multiline = multiline
        self.fmt = fmt

    def check(self, value: Any, path: str) -> Any:
        if type(value) is not str:
            raise Invalid(path, "must be a string")
        if self.max_length is not None and len(value) > self.max_length:
            raise Invalid(path, f"must be at most {self.max_length} characters")
        if len(value) < self.min_length:
            raise Invalid(path, f"must be at least {self.min_length} characters")
        bad = (_BAD_CHARS_TEXT if self.multiline else _BAD_CHARS_LINE).search(value)
        if bad:
            raise Invalid(path, f"must not contain the character U+{ord(bad.group()):04X}")
        if self.enum is not None and value not in self.enum:
            raise Invalid(path, f"must be one of {', '.join(self.enum)}")
        if self.pattern is not None and not self.pattern.match(value):
            raise Invalid(path, f"must match {self.pattern.pattern}")
        return value

    def schema(self) -> dict:
        out: dict[str, Any] = {"type": "string"}
        if self.max_length is not None:
            out["maxLength"] = self.max_length
        if self.min_length:
            out["minLength"] = self.min_length
        if self.pattern is not None:
            out["pattern"] = self.pattern.pattern
        if self.enum is not None:
            out["enum"] = list(self.enum)
        if self.fmt:
            out["format"] = self.fmt
        return out


_UUID_RE = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class Uuid(String):
    """Canonical UUID string with the RFC 4122 variant -> ``uuid.UUID``."""

    def __init__(self, **kw):
        super().__init__(36, pattern=_UUID_RE, fmt="uuid", **kw)

    def check(self, value: Any, path: str) -> Any:
        if type(value) is not str or len(value) != 36 or not self.pattern.match(value):
            raise Invalid(path, "must be a UUID like 0b1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d")
        parsed = uuid.UUID(value)
        if parsed.variant != uuid.RFC_4122 or parsed.int in (0, (1 << 128) - 1):
            raise Invalid(path, "must be an RFC 4122 UUID (e.g. a random UUID4)")
        return parsed


_RFC3339_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$"
)


class DateTime(String):
    """RFC 3339 date-time with an offset -> aware ``datetime`` in UTC. Years outside
    1900-2999 are refused (they cannot be a kiosk clock, even a badly wrong one)."""

    def __init__(self, **kw):
        super().__init__(40, fmt="date-time", **kw)

    def check(self, value: Any, path: str) -> Any:
        if type(value) is not str or len(value) > 40 or not _RFC3339_RE.match(value):
            raise Invalid(
                path, "must be an RFC 3339 date-time with offset, e.g. 2026-11-23T10:15:00+07:00"
            )
        text = value.upper().replace("Z", "+00:00")
        # fromisoformat takes at most 6 fraction digits: cut nanoseconds to microseconds.
        text = re.sub(r"(\.\d{6})\d+", r"\1", text)
        try:
            parsed = datetime.fromisoformat(text)
            if not 1900 <= parsed.year <= 2999:
                raise ValueError("year out of range")
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            raise Invalid(path, "is not a valid date-time (years 1900-2999)") from None

    def schema(self) -> dict:
        return {"type": "string", "format": "date-time"}


class Date(String):
    """``YYYY-MM-DD`` -> ``datetime.date``."""

    def __init__(self, **kw):
        super().__init__(10, pattern=r"^\d{4}-\d{2}-\d{2}$", fmt="date", **kw)

    def check(self, value: Any, path: str) -> Any:
        super().check(value, path)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise Invalid(path, "is not a valid date") from None

    def schema(self) -> dict:
        return {"type": "string", "format": "date"}


class Integer(Schema):
    json_type = "integer"

    def __init__(self, minimum: int | None = None, maximum: int | None = None, **kw):
        super().__init__(**kw)
        self.minimum = minimum
        self.maximum = maximum

    def check(self, value: Any, path: str) -> Any:
        if type(value) is not int:
            raise Invalid(path, "must be an integer")
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            if self.maximum is None:
                raise Invalid(path, f"must be an integer of at least {self.minimum}")
            if self.minimum is None:
                raise Invalid(path, f"must be an integer of at most {self.maximum}")
            raise Invalid(path, f"must be an integer from {self.minimum} to {self.maximum}")
        return value

    def schema(self) -> dict:
        out: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


class Number(Schema):
    json_type = "number"

    def check(self, value: Any, path: str) -> Any:
        if type(value) not in (int, float) or not math.isfinite(value):
            raise Invalid(path, "must be a finite number")
        return value


class Boolean(Schema):
    json_type = "boolean"

    def check(self, value: Any, path: str) -> Any:
        if type(value) is not bool:
            raise Invalid(path, "must be true or false")
        return value


class Const(Schema):
    """Exactly this JSON value (type included: ``True`` is not ``1``)."""

    def __init__(self, value: Any, **kw):
        super().__init__(**kw)
        self.value = value

    def check(self, value: Any, path: str) -> Any:
        if type(value) is not type(self.value) or value != self.value:
            raise Invalid(path, f"must be {json.dumps(self.value)}")
        return value

    def schema(self) -> dict:
        return {"const": self.value}


class Array(Schema):
    json_type = "array"

    def __init__(self, items: Schema, *, max_items: int, unique: bool = False, **kw):
        super().__init__(**kw)
        self.items = items
        self.max_items = max_items
        self.unique = unique

    def check(self, value: Any, path: str) -> Any:
        if type(value) is not list:
            raise Invalid(path, "must be an array")
        if len(value) > self.max_items:
            raise Invalid(path, f"must have at most {self.max_items} items")
        out = [self.items.validate(item, _join(path, i)) for i, item in enumerate(value)]
        if self.unique and len(set(map(json.dumps, value))) != len(value):
            raise Invalid(path, "must not repeat an item")
        return out

    def schema(self) -> dict:
        out = {"type": "array", "items": self.items.json_schema(), "maxItems": self.max_items}
        if self.unique:
            out["uniqueItems"] = True
        return out


class Object(Schema):
    """A JSON object with exactly these ``properties``; keys in ``optional`` may be absent.
    ``open=True`` accepts any object unchanged (used for the ratings envelope, whose items
    are validated one by one)."""

    json_type = "object"

    def __init__(
        self,
        properties: dict[str, Schema] | None = None,
        *,
        optional: tuple[str, ...] = (),
        open: bool = False,
        title: str = "",
        **kw,
    ):
        super().__init__(**kw)
        self.properties = properties or {}
        self.optional = set(optional)
        self.open = open
        self.title = title

    def check(self, value: Any, path: str) -> Any:
        if type(value) is not dict:
            raise Invalid(path, "must be an object")
        if self.open:
            return value
        for key in value:
            if key not in self.properties:
                raise Invalid(_join(path, str(key)[:40]), "is not an allowed field")
        out = {}
        for key, sub in self.properties.items():
            if key not in value:
                if key in self.optional:
                    continue
                raise Invalid(_join(path, key), "is required")
            out[key] = sub.validate(value[key], _join(path, key))
        return out

    def schema(self) -> dict:
        if self.open:
            return {"type": "object"}
        out: dict[str, Any] = {
            "type": "object",
            "properties": {k: v.json_schema() for k, v in self.properties.items()},
            "required": [k for k in self.properties if k not in self.optional],
            "additionalProperties": False,
        }
        if self.title:
            out["title"] = self.title
        return out


class OneOf(Schema):
    """The first of ``choices`` that validates (``choices`` should be mutually exclusive)."""

    def __init__(self, *choices: Schema, **kw):
        super().__init__(**kw)
        self.choices = choices

    def check(self, value: Any, path: str) -> Any:
        errors = []
        for choice in self.choices:
            try:
                return choice.validate(value, path)
            except Invalid as exc:
                errors.append(str(exc))
        raise Invalid(path, "matches none of the allowed shapes: " + " / ".join(errors))

    def schema(self) -> dict:
        return {"oneOf": [c.json_schema() for c in self.choices]}


# ---------------------------------------------------------------------------------------
# Strict JSON decoding
# ---------------------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key[:40]!r}")
            seen.add(key)
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads(body: bytes) -> Any:
    """Parse a request body: strict UTF-8 and JSON. Raises ``ValueError`` with a reason
    (also for nesting too deep to parse, and integers over 4300 digits)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    except ValueError as exc:
        raise ValueError(f"the body is not valid JSON: {str(exc)[:200]}") from None


# ---------------------------------------------------------------------------------------
# The protocol's shapes
# ---------------------------------------------------------------------------------------

ERROR = Object(
    {
        "error": String(64, pattern=r"^[a-z_]+$", description="Machine-readable error code."),
        "detail": String(multiline=True, description="Why, for people."),
    },
    title="Error",
)

# Kiosk -> central --------------------------------------------------------------------

ENROLL_REQUEST = Object(
    {
        "code": String(64, min_length=1, description="One-time enrolment code from central."),
        "app_version": String(40, min_length=1, description="Kiosk app version."),
        "request_id": Uuid(
            description="Kiosk-generated id of this enrolment attempt, kept until it "
            "succeeds. If central's answer is lost, the same kiosk sends the same code and "
            "id again (before the code expires) and gets a fresh credential for the same "
            "kiosk instead of 'code used'."
        ),
    },
    optional=("request_id",),
    title="EnrollRequest",
)

RATING_ITEM = Object(
    {
        "uuid": Uuid(description="Client-generated UUID, the idempotency key."),
        "seq": Integer(0, 2**63 - 1, description="Kiosk's monotonic sequence number."),
        "kiosk_time": DateTime(description="Kiosk wall clock at the tap (may lie)."),
        "score": Integer(1, 5, description="1 very dissatisfied ... 5 very satisfied."),
        "service_code": String(
            40,
            pattern=SERVICE_CODE_PATTERN,
            nullable=True,
            description="A service offered at the kiosk's service point, or null.",
        ),
        "dimensions": Array(String(20, enum=DIMENSIONS), max_items=len(DIMENSIONS), unique=True),
        "asked_for_copy": Boolean(nullable=True, description="null: not answered."),
        "comment": String(COMMENT_MAX_CHARS, multiline=True, nullable=True),
        "interval_flag": Boolean(description="Tapped inside the kiosk's minimum interval."),
    },
    title="Rating",
)

RATINGS_REQUEST = Object(
    {"ratings": Array(RATING_ITEM, max_items=MAX_RATINGS_PER_REQUEST)}, title="RatingsRequest"
)
# What is checked for the whole request; each item is then checked on its own with
# RATING_ITEM, so one bad item is rejected alone (see docs/data-model.md).
RATINGS_ENVELOPE = Object({"ratings": Array(Object(open=True), max_items=MAX_RATINGS_PER_REQUEST)})

HEARTBEAT_REQUEST = Object(
    {
        "app_version": String(40, min_length=1),
        "queue_depth": Integer(0, 10**9, description="Ratings waiting to be synced."),
        "kiosk_time": DateTime(description="Kiosk wall clock now."),
    },
    title="HeartbeatRequest",
)

# Central -> kiosk --------------------------------------------------------------------

_TEXT = {"multiline": True}

SERVICE_POINT = Object(
    {
        "id": String(20, pattern=r"^sp-\d{6,}$"),
        "name_th": String(200),
        "name_en": String(200),
        "address_th": String(500),
        "address_en": String(500),
        "lat": Number(),
        "lon": Number(),
        "province_code": String(2, pattern=r"^\d{2}$"),
        "district_code": String(4, pattern=r"^\d{4}$"),
        "subdistrict_code": String(6, pattern=r"^\d{6}$"),
        "hours_th": String(300),
        "hours_en": String(300),
        "phone": String(40),
        "map_url": String(300, fmt="uri"),
    },
    title="ServicePoint",
)

COUNTER = Object(
    {
        "id": String(20, pattern=r"^ct-\d{6,}$"),
        "name_th": String(200),
        "name_en": String(200),
        "service_codes": Array(String(40, pattern=SERVICE_CODE_PATTERN), max_items=10_000),
    },
    title="Counter",
)

STEP = Object(
    {
        "order": Integer(0, 32767),
        "title_th": String(300),
        "title_en": String(300),
        "minutes": Integer(0),
    },
    title="Step",
)

DOCUMENT = Object(
    {
        "code": String(40, pattern=SERVICE_CODE_PATTERN),
        "name_th": String(200),
        "name_en": String(200),
        "originals": Integer(0, 32767),
        "copies": Integer(0, 32767),
        "copy_status": String(enum=("copy_required", "no_copy")),
        "no_copy_since": Date(nullable=True, description="null when copy_required"),
        "reason_th": String(**_TEXT, description="Why copies are still needed."),
        "reason_en": String(**_TEXT),
        "verify_th": String(**_TEXT, description="How the office checks instead (no_copy)."),
        "verify_en": String(**_TEXT),
    },
    title="Document",
)

SERVICE = Object(
    {
        "code": String(40, pattern=SERVICE_CODE_PATTERN),
        "version": Integer(0),
        "deleted": Const(False),
        "name_th": String(300),
        "name_en": String(300),
        "agency_th": String(300),
        "agency_en": String(300),
        "fee_amount": String(20, pattern=r"^\d+\.\d{2}$", description='"0.00" = no fee'),
        "fee_th": String(300, min_length=1),
        "fee_en": String(300, min_length=1),
        "total_minutes": Integer(0),
        "legal_basis_th": String(**_TEXT),
        "legal_basis_en": String(**_TEXT),
        "channels_th": String(**_TEXT),
        "channels_en": String(**_TEXT),
        "complaint_th": String(**_TEXT),
        "complaint_en": String(**_TEXT),
        "public_url": String(500, fmt="uri"),
        "demo": Boolean(description="Demo values, not the official Citizen's Manual."),
        "steps": Array(STEP, max_items=1000),
        "documents": Array(DOCUMENT, max_items=1000),
    },
    title="Service",
)

DELETED_SERVICE = Object(
    {
        "code": String(40, pattern=SERVICE_CODE_PATTERN),
        "version": Integer(0),
        "deleted": Const(True),
    },
    title="DeletedService",
)

CATALOGUE = Object(
    {
        "cursor": String(64, description="Send back as ?since= for what changed after it."),
        "full": Boolean(description="true: replaces the whole cached catalogue."),
        "service_point": SERVICE_POINT,
        "counter": COUNTER,
        "services": Array(OneOf(SERVICE, DELETED_SERVICE), max_items=100_000),
    },
    title="Catalogue",
)

ENROLL_RESPONSE = Object(
    {
        "kiosk_id": String(20, pattern=r"^ks-\d{6,}$"),
        "credential": String(100, description="Bearer credential; shown only this once."),
        "service_point": SERVICE_POINT,
        "counter": COUNTER,
    },
    title="EnrollResponse",
)

RATING_RESULT = Object(
    {
        "uuid": String(100, nullable=True, description="The item's uuid as sent (null if absent)."),
        "status": String(enum=RESULT_STATUSES),
        "reason": String(300, nullable=True, description="Why, when rejected."),
    },
    title="RatingResult",
)

RATINGS_RESPONSE = Object(
    {
        "results": Array(RATING_RESULT, max_items=MAX_RATINGS_PER_REQUEST),
        "server_time": DateTime(),
    },
    title="RatingsResponse",
)

HEARTBEAT_RESPONSE = Object(
    {
        "server_time": DateTime(),
        "skew_seconds": Number(description="Kiosk clock minus central clock."),
    },
    title="HeartbeatResponse",
)

# Named schemas, for the OpenAPI components section.
COMPONENTS: dict[str, Schema] = {
    "Error": ERROR,
    "EnrollRequest": ENROLL_REQUEST,
    "EnrollResponse": ENROLL_RESPONSE,
    "Catalogue": CATALOGUE,
    "RatingsRequest": RATINGS_REQUEST,
    "RatingsResponse": RATINGS_RESPONSE,
    "HeartbeatRequest": HEARTBEAT_REQUEST,
    "HeartbeatResponse": HEARTBEAT_RESPONSE,
}
