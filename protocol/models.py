"""Every request and response of the sync API (docs/sync-protocol.md) as msgspec Structs.

Central validates requests with them (``protocol.codec.convert``), builds its answers as
instances of them and serves their JSON Schema as OpenAPI; the kiosk validates central's
answers with them and builds its requests from them. Why msgspec: docs/sync-protocol.md,
"One definition" (measured by bench/protocol_libs.py).

Two directions, two policies:

- kiosk -> central (``EnrollRequest``, ``Rating``, ``RatingsRequest``, ``HeartbeatRequest``):
  strict. Unknown fields are refused; every listed field is required unless it has a
  default (nullable fields must be present, as ``null``); strings refuse control
  characters (multi-line texts allow tab, newline and CR) and lone surrogates, which
  PostgreSQL cannot store.
- central -> kiosk (``Catalogue`` and the other answers): exactly as wide as what central
  can produce (its models' and admin forms' limits, e.g. a counter without an English
  name, a step numbered 0), and unknown fields are ignored, so a newer central can add a
  field without cutting off the kiosks already installed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from protocol import constants as c
from protocol.rules import (
    FEE_AMOUNT_PATTERN,
    HTTP_URL_PATTERN,
    LINE_PATTERN,
    NOT_BLANK_PATTERN,
    PATTERN_TEXT,
    RFC3339_PATTERN,
    TEXT_PATTERN,
    UUID_PATTERN,
    check_uuid,
    parse_time,
)

# ---------------------------------------------------------------------------------------
# String shapes
# ---------------------------------------------------------------------------------------


def _line(max_length: int, min_length: int = 0, description: str = "") -> Meta:
    return Meta(
        max_length=max_length,
        min_length=min_length,
        pattern=LINE_PATTERN,
        **({"description": description} if description else {}),
    )


def _text(max_length: int | None = None, description: str = "") -> Meta:
    extra: dict[str, Any] = {"description": description} if description else {}
    if max_length is not None:
        extra["max_length"] = max_length
    return Meta(pattern=TEXT_PATTERN, **extra)


def _out(max_length: int | None = None, description: str = "", **kw: Any) -> Meta:
    """A string central sends: only its model's length limit."""
    if max_length is not None:
        kw["max_length"] = max_length
    if description:
        kw["description"] = description
    return Meta(**kw)


Uuid = Annotated[
    str,
    Meta(
        pattern=UUID_PATTERN,
        extra_json_schema={"format": "uuid"},
        description="Canonical 8-4-4-4-12 hex UUID with the RFC 4122 variant.",
    ),
]
DateTimeText = Annotated[
    str,
    Meta(
        max_length=40,
        pattern=RFC3339_PATTERN,
        extra_json_schema={"format": "date-time"},
        description="RFC 3339 date-time with an offset (years 1900-2999).",
    ),
]
ServiceCode = Annotated[
    str, Meta(max_length=c.SERVICE_CODE_MAX_CHARS, pattern=c.SERVICE_CODE_PATTERN)
]
Dimension = Literal["staff", "waiting_time", "steps", "documents", "facilities", "outcome"]
ResultStatus = Literal["accepted", "duplicate", "rejected"]
CopyStatus = Literal["copy_required", "no_copy"]
SmallInt = Annotated[int, Meta(ge=0, le=c.SMALL_INT_MAX)]
PositiveInt = Annotated[int, Meta(ge=0, le=c.INT_MAX)]
BigInt = Annotated[int, Meta(ge=0, le=c.MAX_SEQ)]


class Invalid(ValueError):
    """A value broke a rule a type cannot express. ``field`` is where, under the object."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# ---------------------------------------------------------------------------------------
# Errors (both directions)
# ---------------------------------------------------------------------------------------


class Error(Struct):
    """Every error answer: ``{"error": code, "detail": reason}``."""

    error: Annotated[
        str, Meta(max_length=64, pattern=r"^[a-z_]+$", description="Machine-readable code.")
    ]
    detail: Annotated[str, Meta(description="Why, for people.")]


# ---------------------------------------------------------------------------------------
# Kiosk -> central
# ---------------------------------------------------------------------------------------


class EnrollRequest(Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Trade a one-time enrolment code for a credential."""

    code: Annotated[
        str,
        _line(c.ENROLMENT_CODE_MAX_CHARS, 1, "One-time enrolment code from central."),
    ]
    app_version: Annotated[str, _line(c.APP_VERSION_MAX_CHARS, 1, "Kiosk app version.")]
    request_id: (
        Annotated[
            str,
            Meta(
                pattern=UUID_PATTERN,
                extra_json_schema={"format": "uuid"},
                description="Kiosk-generated id of this enrolment attempt, kept until it "
                "succeeds. If central's answer is lost, the same kiosk sends the same code "
                "and id again (before the code expires) and gets a fresh credential for "
                "the same kiosk instead of 'code used'.",
            ),
        ]
        | UnsetType
    ) = UNSET

    def __post_init__(self) -> None:
        if self.request_id is not UNSET:
            try:
                check_uuid(self.request_id)
            except ValueError as exc:
                raise Invalid("request_id", str(exc)) from None


class Rating(Struct, forbid_unknown_fields=True):
    """One citizen's rating, as the kiosk stored it."""

    uuid: Annotated[Uuid, Meta(description="Client-generated UUID, the idempotency key.")]
    seq: Annotated[int, Meta(ge=0, le=c.MAX_SEQ, description="Kiosk's monotonic sequence number.")]
    kiosk_time: Annotated[DateTimeText, Meta(description="Kiosk wall clock at the tap.")]
    score: Annotated[int, Meta(ge=1, le=5, description="1 very dissatisfied ... 5 very satisfied.")]
    service_code: Annotated[
        ServiceCode | None,
        Meta(description="A service of the kiosk's catalogue, or null (none picked)."),
    ]
    dimensions: Annotated[
        list[Dimension],
        Meta(max_length=len(c.DIMENSIONS), extra_json_schema={"uniqueItems": True}),
    ]
    asked_for_copy: Annotated[bool | None, Meta(description="null: not answered.")]
    comment: Annotated[str, _text(c.COMMENT_MAX_CHARS)] | None
    interval_flag: Annotated[bool, Meta(description="Tapped inside the kiosk's minimum interval.")]

    def __post_init__(self) -> None:
        try:
            check_uuid(self.uuid)
        except ValueError as exc:
            raise Invalid("uuid", str(exc)) from None
        if self.service_code is not None and self.service_code.endswith("\n"):
            # The one string Python's "$" lets through and JSON Schema's does not.
            raise Invalid("service_code", PATTERN_TEXT[c.SERVICE_CODE_PATTERN])
        if len(set(self.dimensions)) != len(self.dimensions):
            raise Invalid("dimensions", "must not repeat an item")
        try:
            parse_time(self.kiosk_time)
        except ValueError as exc:
            raise Invalid("kiosk_time", str(exc)) from None


class RatingsRequest(Struct, forbid_unknown_fields=True):
    """Up to 500 ratings. Anything wrong inside one item rejects that item only."""

    ratings: Annotated[list[Rating], Meta(max_length=c.MAX_RATINGS_PER_REQUEST)]


class RatingsEnvelope(Struct, forbid_unknown_fields=True):
    """What central checks of a ratings request as a whole (400 if wrong); each item is
    then checked on its own as a ``Rating``."""

    ratings: Annotated[list[dict[str, Any]], Meta(max_length=c.MAX_RATINGS_PER_REQUEST)]


class HeartbeatRequest(Struct, forbid_unknown_fields=True):
    """The kiosk's health."""

    app_version: Annotated[str, _line(c.APP_VERSION_MAX_CHARS, 1)]
    queue_depth: Annotated[
        int, Meta(ge=0, le=c.MAX_QUEUE_DEPTH, description="Ratings waiting to be synced.")
    ]
    kiosk_time: Annotated[DateTimeText, Meta(description="Kiosk wall clock now.")]
    catalogue_refused: (
        Annotated[
            str,
            _text(
                c.CATALOGUE_REFUSED_MAX_CHARS,
                "Why the kiosk could not apply central's last catalogue (it keeps its "
                "previous one); null or absent: the last catalogue applied.",
            ),
        ]
        | None
    ) = None

    def __post_init__(self) -> None:
        try:
            parse_time(self.kiosk_time)
        except ValueError as exc:
            raise Invalid("kiosk_time", str(exc)) from None


# ---------------------------------------------------------------------------------------
# Central -> kiosk
# ---------------------------------------------------------------------------------------


class ServicePoint(Struct, kw_only=True):
    """The office the kiosk stands in."""

    id: Annotated[str, _out(40, pattern=r"^sp-[0-9a-z][0-9a-z-]*$")]
    name_th: Annotated[str, _out(c.SERVICE_POINT_NAME_MAX)]
    name_en: Annotated[str, _out(c.SERVICE_POINT_NAME_MAX)]
    address_th: Annotated[str, _out(c.SERVICE_POINT_ADDRESS_MAX)]
    address_en: Annotated[str, _out(c.SERVICE_POINT_ADDRESS_MAX)]
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    province_code: Annotated[str, Meta(pattern=r"^\d{2}$")]
    district_code: Annotated[str, Meta(pattern=r"^\d{4}$")]
    subdistrict_code: Annotated[str, Meta(pattern=r"^\d{6}$")]
    hours_th: Annotated[str, _out(c.SERVICE_POINT_HOURS_MAX)]
    hours_en: Annotated[str, _out(c.SERVICE_POINT_HOURS_MAX)]
    phone: Annotated[str, _out(c.SERVICE_POINT_PHONE_MAX)]
    map_url: Annotated[str, _out(extra_json_schema={"format": "uri"})]


class Counter(Struct, kw_only=True):
    """The counter the kiosk is enrolled to. ``name_en`` may be blank."""

    id: Annotated[str, _out(40, pattern=r"^ct-[0-9a-z][0-9a-z-]*$")]
    name_th: Annotated[str, _out(c.COUNTER_NAME_MAX)]
    name_en: Annotated[str, _out(c.COUNTER_NAME_MAX)]
    service_codes: Annotated[
        list[ServiceCode],
        Meta(description="Central's default list of this counter's services."),
    ]

    def __post_init__(self) -> None:
        if len(set(self.service_codes)) != len(self.service_codes):
            raise Invalid("service_codes", "lists a code twice")


class Step(Struct, kw_only=True):
    """One step of a service. Numbered from 0 or 1; ``title_en`` may be blank."""

    order: SmallInt
    title_th: Annotated[str, _out(c.STEP_TITLE_MAX)]
    title_en: Annotated[str, _out(c.STEP_TITLE_MAX)]
    minutes: PositiveInt


class Document(Struct, kw_only=True):
    """A document a service needs, and whether this office still asks for a copy."""

    code: ServiceCode
    name_th: Annotated[str, _out(c.DOCUMENT_NAME_MAX)]
    name_en: Annotated[str, _out(c.DOCUMENT_NAME_MAX)]
    originals: SmallInt
    copies: SmallInt
    copy_status: CopyStatus
    no_copy_since: Annotated[date | None, Meta(description="null when copy_required")]
    reason_th: Annotated[str, _out(description="Why copies are still needed.")]
    reason_en: str
    verify_th: Annotated[str, _out(description="How the office checks instead (no_copy).")]
    verify_en: str

    def __post_init__(self) -> None:
        if self.copy_status == "no_copy":
            if self.copies != 0:
                raise Invalid("copies", "must be 0 when copy_status is 'no_copy'")
        else:
            if self.copies < 1:
                raise Invalid("copies", "must be at least 1 when copy_status is 'copy_required'")
            if self.no_copy_since is not None:
                raise Invalid("no_copy_since", "must be null when copy_status is 'copy_required'")


class Service(Struct, kw_only=True):
    """A service as its Citizen's Manual describes it, with this office's copy statuses."""

    code: ServiceCode
    version: BigInt
    deleted: Annotated[bool, Meta(extra_json_schema={"const": False})]
    name_th: Annotated[str, _out(c.SERVICE_NAME_MAX)]
    name_en: Annotated[str, _out(c.SERVICE_NAME_MAX)]
    agency_th: Annotated[str, _out(c.SERVICE_AGENCY_MAX)]
    agency_en: Annotated[str, _out(c.SERVICE_AGENCY_MAX)]
    fee_amount: Annotated[str, _out(20, pattern=FEE_AMOUNT_PATTERN, description='"0.00" = no fee')]
    fee_th: Annotated[str, _out(c.SERVICE_FEE_TEXT_MAX, pattern=NOT_BLANK_PATTERN)]
    fee_en: Annotated[str, _out(c.SERVICE_FEE_TEXT_MAX, pattern=NOT_BLANK_PATTERN)]
    total_minutes: Annotated[int, Meta(ge=0, le=c.MAX_SEQ)]
    legal_basis_th: str
    legal_basis_en: str
    channels_th: str
    channels_en: str
    complaint_th: str
    complaint_en: str
    public_url: Annotated[str, _out(pattern=HTTP_URL_PATTERN, extra_json_schema={"format": "uri"})]
    demo: Annotated[bool, Meta(description="Demo values, not the official Citizen's Manual.")]
    steps: list[Step]
    documents: list[Document]

    def __post_init__(self) -> None:
        if self.deleted:
            raise Invalid("deleted", "must be false for a service with its fields")
        if len({s.order for s in self.steps}) != len(self.steps):
            raise Invalid("steps", "two steps have the same order")
        if len({d.code for d in self.documents}) != len(self.documents):
            raise Invalid("documents", "lists the same document code twice")


class DeletedService(Struct, kw_only=True):
    """A service no longer offered here (deltas only): drop it."""

    code: ServiceCode
    version: BigInt
    deleted: Annotated[bool, Meta(extra_json_schema={"const": True})]

    def __post_init__(self) -> None:
        if not self.deleted:
            raise Invalid("deleted", "must be true")


SERVICES_SCHEMA = {
    "items": {
        "oneOf": [
            {"$ref": "#/components/schemas/Service"},
            {"$ref": "#/components/schemas/DeletedService"},
        ]
    }
}


class Catalogue(Struct, kw_only=True):
    """The catalogue for one kiosk: full, or what changed after ``?since=``.

    ``services`` holds ``Service`` and ``DeletedService`` entries: use
    ``protocol.codec.catalogue_from`` to validate one (msgspec cannot tell the two apart
    by a boolean, so each entry is checked by its ``deleted`` flag)."""

    cursor: Annotated[
        str,
        _out(
            100,
            min_length=1,
            description="Send back as ?since= for what changed after it.",
        ),
    ]
    full: Annotated[bool, Meta(description="true: replaces the whole cached catalogue.")]
    service_point: ServicePoint
    counter: Counter
    services: Annotated[list[Any], Meta(extra_json_schema=SERVICES_SCHEMA)]


class EnrollResponse(Struct, kw_only=True):
    """Enrolled: the credential (shown only this once), where the kiosk stands, and its
    full catalogue (so an enrolled kiosk never shows the bundled demo services)."""

    kiosk_id: Annotated[str, _out(20, pattern=r"^ks-\d{6,}$")]
    credential: Annotated[str, _out(100, min_length=1, description="Bearer credential.")]
    service_point: ServicePoint
    counter: Counter
    catalogue: Catalogue | None = None


class RatingResult(Struct, kw_only=True):
    """Central's answer for one rating."""

    uuid: Annotated[
        str | None, Meta(description="The item's uuid as sent (null if absent or not text).")
    ]
    status: ResultStatus
    reason: Annotated[str | None, Meta(description="Why, when rejected.")]


class RatingsResponse(Struct, kw_only=True):
    """One result per rating sent, in order."""

    results: Annotated[list[RatingResult], Meta(max_length=c.MAX_RATINGS_PER_REQUEST)]
    server_time: DateTimeText


class HeartbeatResponse(Struct, kw_only=True):
    """Central's clock, and how far off the kiosk's is."""

    server_time: DateTimeText
    skew_seconds: Annotated[float, Meta(description="Kiosk clock minus central clock.")]


# The OpenAPI components, by name.
COMPONENTS: tuple[type[Struct], ...] = (
    Error,
    EnrollRequest,
    EnrollResponse,
    Catalogue,
    Service,
    DeletedService,
    RatingsRequest,
    RatingsResponse,
    HeartbeatRequest,
    HeartbeatResponse,
)

__all__ = [
    "COMPONENTS",
    "UNSET",
    "Catalogue",
    "Counter",
    "DeletedService",
    "Document",
    "EnrollRequest",
    "EnrollResponse",
    "Error",
    "HeartbeatRequest",
    "HeartbeatResponse",
    "Invalid",
    "Rating",
    "RatingResult",
    "RatingsEnvelope",
    "RatingsRequest",
    "RatingsResponse",
    "Service",
    "ServicePoint",
    "Step",
    "check_uuid",
    "msgspec",
    "parse_time",
]
