"""Plain, immutable values handed to the UI and the sync layer."""

from __future__ import annotations

from dataclasses import dataclass

# Follow-up dimensions and their survey dimensions, copy statuses: the protocol's.
from protocol.constants import (  # noqa: F401 (re-exported)
    COMMENT_MAX_CHARS,
    COPY_STATUSES,
    DIMENSIONS,
    SURVEY_DIMENSION,
)

MAX_COMMENT_CHARS = COMMENT_MAX_CHARS


@dataclass(frozen=True)
class RatingRef:
    """What ``record_rating`` returns once the rating is durably stored."""

    uuid: str
    seq: int
    interval_flag: bool


@dataclass(frozen=True)
class Step:
    order: int
    title_th: str
    title_en: str
    minutes: int


@dataclass(frozen=True)
class Document:
    code: str
    name_th: str
    name_en: str
    originals: int
    copies: int
    copy_status: str  # "no_copy" | "copy_required"
    no_copy_since: str | None  # ISO date, e.g. "2021-10-01"
    reason_th: str  # why copies are still needed (copy_required)
    reason_en: str
    verify_th: str  # how the office checks instead (no_copy)
    verify_en: str

    @property
    def no_copy(self) -> bool:
        return self.copy_status == "no_copy"


@dataclass(frozen=True)
class Service:
    code: str
    name_th: str
    name_en: str
    agency_th: str
    agency_en: str
    fee_amount: str  # decimal string, "0.00" = no fee
    fee_th: str  # never blank ("ไม่มีค่าธรรมเนียม")
    fee_en: str  # never blank ("No fee")
    total_minutes: int
    public_url: str
    demo: bool  # demo values, not the official Citizen's Manual
    steps: tuple[Step, ...] = ()
    documents: tuple[Document, ...] = ()
    legal_basis_th: str = ""
    legal_basis_en: str = ""
    channels_th: str = ""
    channels_en: str = ""
    complaint_th: str = ""
    complaint_en: str = ""
    version: int = 0


@dataclass(frozen=True)
class ServicePoint:
    id: str
    name_th: str
    name_en: str
    address_th: str
    address_en: str
    lat: float | None
    lon: float | None
    hours_th: str
    hours_en: str
    phone: str
    map_url: str
    counter_id: str
    counter_name_th: str
    counter_name_en: str
    province_code: str = ""
    district_code: str = ""
    subdistrict_code: str = ""
