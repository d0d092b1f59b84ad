"""The protocol's ratings and catalogue models written with pydantic 2, rule for rule as
``protocol/models.py`` (strict types, the same patterns, lengths and cross-field checks),
for bench/protocol_libs.py only. Not used by the project."""

from __future__ import annotations

import uuid as uuidlib
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from protocol.constants import SERVICE_CODE_PATTERN
from protocol.rules import (
    FEE_AMOUNT_PATTERN,
    HTTP_URL_PATTERN,
    NOT_BLANK_PATTERN,
    RFC3339_PATTERN,
    TEXT_PATTERN,
    UUID_PATTERN,
    parse_time,
)

STRICT = ConfigDict(strict=True, extra="forbid", regex_engine="python-re")
LOOSE = ConfigDict(strict=True, extra="ignore", regex_engine="python-re")
Code = Annotated[str, Field(max_length=40, pattern=SERVICE_CODE_PATTERN)]
Small = Annotated[int, Field(ge=0, le=32767)]


class Rating(BaseModel):
    model_config = STRICT
    uuid: Annotated[str, Field(pattern=UUID_PATTERN)]
    seq: Annotated[int, Field(ge=0, le=2**63 - 1)]
    kiosk_time: Annotated[str, Field(max_length=40, pattern=RFC3339_PATTERN)]
    score: Annotated[int, Field(ge=1, le=5)]
    service_code: Code | None
    dimensions: Annotated[
        list[Literal["staff", "waiting_time", "steps", "documents", "facilities", "outcome"]],
        Field(max_length=6),
    ]
    asked_for_copy: bool | None
    comment: Annotated[str, Field(max_length=500, pattern=TEXT_PATTERN)] | None
    interval_flag: bool

    @field_validator("uuid")
    @classmethod
    def _uuid(cls, v: str) -> str:
        parsed = uuidlib.UUID(v)
        if parsed.variant != uuidlib.RFC_4122 or parsed.int in (0, (1 << 128) - 1):
            raise ValueError("must be an RFC 4122 UUID")
        return v

    @field_validator("kiosk_time")
    @classmethod
    def _time(cls, v: str) -> str:
        parse_time(v)
        return v

    @field_validator("dimensions")
    @classmethod
    def _dims(cls, v: list) -> list:
        if len(set(v)) != len(v):
            raise ValueError("must not repeat an item")
        return v


class RatingsRequest(BaseModel):
    model_config = STRICT
    ratings: Annotated[list[Rating], Field(max_length=500)]


class ServicePoint(BaseModel):
    model_config = LOOSE
    id: Annotated[str, Field(max_length=40, pattern=r"^sp-[0-9a-z][0-9a-z-]*$")]
    name_th: Annotated[str, Field(max_length=200)]
    name_en: Annotated[str, Field(max_length=200)]
    address_th: Annotated[str, Field(max_length=500)]
    address_en: Annotated[str, Field(max_length=500)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    province_code: Annotated[str, Field(pattern=r"^\d{2}$")]
    district_code: Annotated[str, Field(pattern=r"^\d{4}$")]
    subdistrict_code: Annotated[str, Field(pattern=r"^\d{6}$")]
    hours_th: Annotated[str, Field(max_length=300)]
    hours_en: Annotated[str, Field(max_length=300)]
    phone: Annotated[str, Field(max_length=40)]
    map_url: str


class Counter(BaseModel):
    model_config = LOOSE
    id: Annotated[str, Field(max_length=40, pattern=r"^ct-[0-9a-z][0-9a-z-]*$")]
    name_th: Annotated[str, Field(max_length=200)]
    name_en: Annotated[str, Field(max_length=200)]
    service_codes: list[Code]


class Step(BaseModel):
    model_config = LOOSE
    order: Small
    title_th: Annotated[str, Field(max_length=300)]
    title_en: Annotated[str, Field(max_length=300)]
    minutes: Annotated[int, Field(ge=0, le=2**31 - 1)]


class Document(BaseModel):
    model_config = LOOSE
    code: Code
    name_th: Annotated[str, Field(max_length=200)]
    name_en: Annotated[str, Field(max_length=200)]
    originals: Small
    copies: Small
    copy_status: Literal["copy_required", "no_copy"]
    no_copy_since: Annotated[date | None, Field(strict=False)]
    reason_th: str
    reason_en: str
    verify_th: str
    verify_en: str

    @model_validator(mode="after")
    def _consistent(self) -> Document:
        if self.copy_status == "no_copy" and self.copies != 0:
            raise ValueError("copies must be 0 when no_copy")
        if self.copy_status == "copy_required" and (
            self.copies < 1 or self.no_copy_since is not None
        ):
            raise ValueError("copy_required needs copies >= 1 and no since date")
        return self


class Service(BaseModel):
    model_config = LOOSE
    code: Code
    version: Annotated[int, Field(ge=0)]
    deleted: Literal[False]
    name_th: Annotated[str, Field(max_length=300)]
    name_en: Annotated[str, Field(max_length=300)]
    agency_th: Annotated[str, Field(max_length=300)]
    agency_en: Annotated[str, Field(max_length=300)]
    fee_amount: Annotated[str, Field(max_length=20, pattern=FEE_AMOUNT_PATTERN)]
    fee_th: Annotated[str, Field(max_length=300, pattern=NOT_BLANK_PATTERN)]
    fee_en: Annotated[str, Field(max_length=300, pattern=NOT_BLANK_PATTERN)]
    total_minutes: Annotated[int, Field(ge=0)]
    legal_basis_th: str
    legal_basis_en: str
    channels_th: str
    channels_en: str
    complaint_th: str
    complaint_en: str
    public_url: Annotated[str, Field(pattern=HTTP_URL_PATTERN)]
    demo: bool
    steps: list[Step]
    documents: list[Document]

    @model_validator(mode="after")
    def _unique(self) -> Service:
        if len({s.order for s in self.steps}) != len(self.steps):
            raise ValueError("two steps have the same order")
        if len({d.code for d in self.documents}) != len(self.documents):
            raise ValueError("a document code twice")
        return self


class DeletedService(BaseModel):
    model_config = LOOSE
    code: Code
    version: Annotated[int, Field(ge=0)]
    deleted: Literal[True]


class Catalogue(BaseModel):
    model_config = LOOSE
    cursor: Annotated[str, Field(min_length=1, max_length=100)]
    full: bool
    service_point: ServicePoint
    counter: Counter
    services: list[Annotated[Service | DeletedService, Field(discriminator="deleted")]]

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        codes = [s.code for s in self.services]
        if len(set(codes)) != len(codes):
            raise ValueError("a service twice")
        return self


def validate_rating(value: Any) -> Rating:
    return Rating.model_validate(value)
