"""Hypothesis strategies for central data anywhere inside what central's models and admin
forms allow (tests/central/test_contract_*.py): blank optional fields, zero and maximum
values, maximum lengths, Thai with stacked marks, emoji, every other character central
can store (no NUL, no lone surrogate: PostgreSQL stores neither)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

# Thai consonants, vowels and the marks that stack above/below them (tone marks on top of
# upper vowels: ปั้, กุ๊, กํ่), emoji with joiners, skin tones and flags: multi-code-point
# pieces a plain character strategy rarely builds.
PIECES = [
    "ก", "ข", "ฃ", "ญ", "ฐ", "ฤ", "ฤๅ", "ฦ", "ปั้", "กุ๊", "ก๋", "กํ่", "น้ำ", "เจ้าหน้าที่",
    "ไม้โท", "ฯ", "๑๒๓", "\u0e31", "\u0e48", "\u0e4c",
    "😀", "👨\u200d👩\u200d👧", "👍🏽", "🇹🇭", "✍️", "\u200b", "\u00a0", " ", "\n", "\t",
    "A", "z", "0", "é", "ß", "中", "\U0010fffd",
]  # fmt: skip
ANY_CHAR = st.characters(codec="utf-8", exclude_characters="\x00")
PIECE = st.one_of(st.sampled_from(PIECES), ANY_CHAR)

# Sub-districts that geothai knows (the form checks the DOPA codes).
SUBDISTRICTS = ["100701", "103004", "501301", "100101"]


def text(max_size: int | None = None, *, required: bool = False) -> st.SearchStrategy[str]:
    """Text up to ``max_size`` characters (None: a TextField), sometimes exactly the
    maximum; ``required``: not blank (the admin form refuses a blank one)."""
    cap = 600 if max_size is None else max_size
    built = st.lists(PIECE, max_size=min(cap, 30)).map(lambda parts: "".join(parts)[:cap])
    longest = st.sampled_from(PIECES).map(lambda p: (p * cap)[:cap])
    out = st.one_of(built, longest, st.just("")) if not required else st.one_of(built, longest)
    if required:
        out = out.map(lambda s: s if s.strip() else ("ก" + s)[:cap])
    return out


def small_int(lo: int = 0, hi: int = 32767) -> st.SearchStrategy[int]:
    return st.one_of(st.just(lo), st.just(hi), st.integers(lo, hi))


codes = st.from_regex(r"\A[A-Z][A-Z0-9_]{1,39}\Z")
fees = st.one_of(
    st.just(Decimal("0")),
    st.just(Decimal("99999999.99")),
    st.decimals(Decimal("0"), Decimal("99999999.99"), places=2, allow_nan=False),
)
dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@st.composite
def step(draw, order: int) -> dict:
    return {
        "order": order,
        "title_th": draw(text(300, required=True)),
        "title_en": draw(text(300)),
        "minutes": draw(small_int(0, 2**31 - 1)),
    }


@st.composite
def service(draw, code: str) -> dict:
    orders = draw(st.lists(small_int(), max_size=4, unique=True))
    return {
        "code": code,
        "name_th": draw(text(300, required=True)),
        "name_en": draw(text(300, required=True)),
        "agency_th": draw(text(300, required=True)),
        "agency_en": draw(text(300)),
        "fee_amount": draw(fees),
        "fee_th": draw(text(300)),
        "fee_en": draw(text(300)),
        "total_minutes": draw(st.one_of(st.none(), small_int(0, 2**31 - 1))),
        "legal_basis_th": draw(text()),
        "legal_basis_en": draw(text()),
        "channels_th": draw(text()),
        "channels_en": draw(text()),
        "complaint_th": draw(text()),
        "complaint_en": draw(text()),
        "is_demo": draw(st.booleans()),
        "steps": [draw(step(order)) for order in orders],
        "documents": draw(
            st.lists(
                st.tuples(st.integers(0, 2), small_int(), small_int()),
                max_size=3,
                unique_by=lambda t: t[0],
            )
        ),  # (document index, originals, copies)
    }


@st.composite
def copy_status(draw) -> dict | None:
    kind = draw(st.sampled_from(["none", "copy_required", "no_copy"]))
    if kind == "none":
        return None
    if kind == "copy_required":
        return {
            "status": kind,
            "copies": draw(small_int(1)),
            "no_copy_since": None,
            "reason_th": draw(text(required=True)),
            "reason_en": draw(text()),
            "verify_th": draw(text()),
            "verify_en": draw(text()),
        }
    return {
        "status": kind,
        "copies": 0,
        "no_copy_since": draw(dates),
        "reason_th": draw(text()),
        "reason_en": draw(text()),
        "verify_th": draw(text(required=True)),
        "verify_en": draw(text()),
    }


@st.composite
def world(draw) -> dict:
    """A service point with two counters, up to four services offered there (each on a
    subset of the counters, with copy statuses), and what changes before the next sync
    (offerings withdrawn, a service renamed)."""
    service_codes = draw(st.lists(codes, max_size=4, unique=True))
    document_codes = draw(st.lists(codes, min_size=3, max_size=3, unique=True))
    services = [draw(service(code)) for code in service_codes]
    return {
        "point": {
            "name_th": draw(text(200, required=True)),
            "name_en": draw(text(200, required=True)),
            "address_th": draw(text(500, required=True)),
            "address_en": draw(text(500)),
            "lat": draw(st.floats(-90, 90, allow_nan=False)),
            "lon": draw(st.floats(-180, 180, allow_nan=False)),
            "sub": draw(st.sampled_from(SUBDISTRICTS)),
            "hours_th": draw(text(300)),
            "hours_en": draw(text(300)),
            "phone": draw(text(40)),
        },
        "counters": [
            {
                "number": draw(small_int()),
                "name_th": draw(text(200, required=True)),
                "name_en": draw(text(200)),
            }
        ],
        "documents": [
            {
                "code": code,
                "name_th": draw(text(200, required=True)),
                "name_en": draw(text(200, required=True)),
            }
            for code in document_codes
        ],
        "services": services,
        "on_counter": [draw(st.booleans()) for _ in services],
        "statuses": [[draw(copy_status()) for _ in s["documents"]] for s in services],
        "withdrawn": [draw(st.booleans()) for _ in services],
        "renamed": [draw(st.one_of(st.none(), text(300, required=True))) for _ in services],
    }
