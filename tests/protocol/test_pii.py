"""protocol.pii: every ID (valid check digit), phone and e-mail masked in every written
form; reference numbers, times, dates, amounts, licence plates and deed numbers kept."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.pii import (
    EMAIL_TOKEN,
    ID_TOKEN,
    PHONE_TOKEN,
    find,
    id_check_digit,
    is_valid_id,
    mask,
    mask_optional,
)

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
THAI_WORDS = [
    "บัตร",
    "เลข",
    "ครับ",
    "ค่ะ",
    "โทร",
    "ติดต่อ",
    "เจ้าหน้าที่",
    "บริการดีมาก",
    "รอนาน",
    "นะคะ",
    "เบอร์",
    "ของผม",
]


def valid_id(rng: random.Random) -> str:
    first = str(rng.randint(1, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    return first + str(id_check_digit(first))


def wrong_id(rng: random.Random) -> str:
    good = valid_id(rng)
    bad = (int(good[12]) + rng.randint(1, 9)) % 10
    return good[:12] + str(bad)


def group(digits: str, sizes: list[int], sep: str) -> str:
    parts, pos = [], 0
    for size in sizes:
        parts.append(digits[pos : pos + size])
        pos += size
    if pos < len(digits):
        parts.append(digits[pos:])
    return sep.join(p for p in parts if p)


ID_GROUPINGS = [[13], [1, 4, 5, 2, 1], [3, 3, 3, 4], [4, 4, 5], [1, 12], [6, 7]]
SEPARATORS = ["", " ", "-", "  ", " - ", "."]


def id_forms(digits: str) -> list[str]:
    forms = []
    for sizes in ID_GROUPINGS:
        for sep in SEPARATORS:
            text = group(digits, sizes, sep)
            forms.extend([text, text.translate(THAI_DIGITS)])
    return forms


def mobile(rng: random.Random) -> str:
    return "0" + rng.choice("689") + "".join(str(rng.randint(0, 9)) for _ in range(8))


def landline(rng: random.Random) -> str:
    return "0" + rng.choice("23457") + "".join(str(rng.randint(0, 9)) for _ in range(7))


def phone_forms(national: str) -> list[str]:
    rest = national[1:]
    if len(national) == 10:
        groupings = [[10], [3, 3, 4], [3, 7], [2, 4, 4], [3, 4, 3]]
        intl = [
            f"+66{rest}",
            f"+66 {rest[:2]} {rest[2:5]} {rest[5:]}",
            f"+66-{rest[:2]}-{rest[2:]}",
        ]
    else:
        groupings = [[9], [2, 3, 4], [2, 7], [3, 3, 3], [3, 6]]
        intl = [
            f"+66{rest}",
            f"+66 {rest[0]} {rest[1:4]} {rest[4:]}",
            f"+66 (0){rest[0]} {rest[1:]}",
        ]
    intl += [f"0066{rest}", f"66{rest}"]
    forms = list(intl)
    for sizes in groupings:
        for sep in SEPARATORS:
            forms.append(group(national, sizes, sep))
    if len(national) == 9:
        forms.append(f"({national[:2]}) {national[2:5]} {national[5:]}")
    return forms + [f.translate(THAI_DIGITS) for f in forms]


def assert_no_digits_left_of(original: str, masked: str) -> None:
    """No run of 7+ digits from the secret survives (in either script)."""
    plain = masked.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    digits_only = re.sub(r"[^0-9]", "", plain)
    assert original[-7:] not in digits_only, (original, masked)


# --- IDs ---------------------------------------------------------------------------------


def test_check_digit_of_a_known_valid_id() -> None:
    assert id_check_digit("110170023070") == 8
    assert is_valid_id("1101700230708")
    assert not is_valid_id("1101700230701")
    assert not is_valid_id("๑๑๐๑๗๐๐๒๓๐๗๐๘")  # is_valid_id takes Arabic digits only


@pytest.mark.parametrize("seed", range(40))
def test_every_id_form_is_masked_glued_or_spaced(seed: int) -> None:
    rng = random.Random(seed)
    digits = valid_id(rng)
    for form in id_forms(digits):
        for left, right in [("", ""), ("บัตร", "ครับ"), ("เลข ", " นะ"), ("ID:", "."), ("(", ")")]:
            text = f"{rng.choice(THAI_WORDS)} {left}{form}{right} {rng.choice(THAI_WORDS)}"
            out = mask(text)
            assert out.count(ID_TOKEN) == 1, (text, out)
            assert_no_digits_left_of(digits, out)
            assert left in out and right in out


@pytest.mark.parametrize("seed", range(40))
def test_thirteen_digits_with_a_wrong_check_digit_are_a_reference_number(seed: int) -> None:
    rng = random.Random(1000 + seed)
    digits = wrong_id(rng)
    for form in id_forms(digits):
        text = f"เลขที่อ้างอิง {form} ครับ"
        assert mask(text) == text


def test_fourteen_digits_are_not_cut_into_an_id() -> None:
    rng = random.Random(5)
    for _ in range(50):
        digits = valid_id(rng)
        for text in (digits + "7", "9" + digits):
            assert mask(f"เลขพัสดุ {text}") == f"เลขพัสดุ {text}"


@settings(max_examples=300, deadline=None)
@given(
    body=st.lists(st.integers(0, 9), min_size=12, max_size=12),
    sizes=st.sampled_from(ID_GROUPINGS),
    sep=st.sampled_from(SEPARATORS),
    thai=st.booleans(),
    left=st.text(alphabet="กขคงจฉชซญดตถทนบปผพฟมยรลวสหอะาิีึืุูเแโใไ่้๊๋ ", max_size=8),
    right=st.text(alphabet="กขคงจฉชซญดตถทนบปผพฟมยรลวสหอะาิีึืุูเแโใไ่้๊๋ ", max_size=8),
)
def test_hypothesis_ids(body, sizes, sep, thai, left, right) -> None:
    first = "".join(map(str, body))
    good = first + str(id_check_digit(first))
    bad = first + str((id_check_digit(first) + 3) % 10)
    for digits, expect in ((good, 1), (bad, 0)):
        form = group(digits, sizes, sep)
        if thai:
            form = form.translate(THAI_DIGITS)
        text = f"{left}{form}{right}"
        out = mask(text)
        assert out.count(ID_TOKEN) == expect, (text, out)
        if expect:
            assert out == f"{left}{ID_TOKEN}{right}"
        else:
            assert out == text


# --- phones ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(30))
def test_every_phone_form_is_masked(seed: int) -> None:
    rng = random.Random(2000 + seed)
    for national in (mobile(rng), landline(rng)):
        for form in phone_forms(national):
            for left, right in [("โทร", "ครับ"), ("เบอร์ ", " นะคะ"), ("call ", ""), ("", "")]:
                text = f"{left}{form}{right}"
                out = mask(text)
                assert out.count(PHONE_TOKEN) == 1, (text, out)
                assert out == f"{left}{PHONE_TOKEN}{right}", (text, out)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from("689234557"),
    body=st.lists(st.integers(0, 9), min_size=8, max_size=8),
    cut=st.lists(st.integers(1, 4), min_size=0, max_size=3),
    sep=st.sampled_from(SEPARATORS),
    thai=st.booleans(),
    left=st.sampled_from(["", "โทร", "เบอร์ ", "ติดต่อกลับที่ ", "tel: "]),
)
def test_hypothesis_phones(kind, body, cut, sep, thai, left) -> None:
    digits = "0" + kind + "".join(map(str, body))
    if kind not in "689":
        digits = digits[:9]
    form = group(digits, cut + [len(digits)], sep)
    if thai:
        form = form.translate(THAI_DIGITS)
    out = mask(f"{left}{form} ขอบคุณ")
    assert out == f"{left}{PHONE_TOKEN} ขอบคุณ", (form, out)


def test_two_numbers_side_by_side_are_both_masked() -> None:
    text = "โทร 0812345678 บัตร 1101700230708 mail a@b.co"
    assert mask(text) == f"โทร {PHONE_TOKEN} บัตร {ID_TOKEN} mail {EMAIL_TOKEN}"
    assert mask("0812345678 1101700230708") == f"{PHONE_TOKEN} {ID_TOKEN}"


# --- e-mail ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "somchai@gmail.com",
        "somchai.j+kiosk@mail.go.th",
        "A_B-c@sub.domain.co.th",
        "x1@y.io",
        "nong.ploy2540@hotmail.co.th",
    ],
)
def test_email_addresses_are_masked_glued_or_spaced(address: str) -> None:
    for text in (f"ส่งมาที่{address}ค่ะ", f"email: {address}.", f"({address})"):
        out = mask(text)
        assert EMAIL_TOKEN in out and "@" not in out, (text, out)


@settings(max_examples=200, deadline=None)
@given(
    user=st.from_regex(r"[a-z][a-z0-9._]{0,15}[a-z0-9]", fullmatch=True),
    domain=st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True),
    tld=st.sampled_from(["com", "co.th", "go.th", "ac.th", "net", "org"]),
)
def test_hypothesis_emails(user, domain, tld) -> None:
    out = mask(f"ติดต่อ {user}@{domain}.{tld} ได้เลย")
    assert out == f"ติดต่อ {EMAIL_TOKEN} ได้เลย"


# --- decoys ------------------------------------------------------------------------------

DECOYS = [
    "มาถึง 08.30 น. ได้คิว 10:45 เสร็จ 11.20 น.",
    "เปิด 08.30-16.30 น. ทุกวัน",
    "วันที่ 12/05/2567 และ 2024-05-12 และ 1 ม.ค. 2567",
    "วันที่ 09 12 2567 รอบบ่าย",
    "ค่าธรรมเนียม 1,500 บาท รวม 25,000.50 บาท",
    "จ่ายไป 100 บาท ทอน 20 บาท",
    "ทะเบียนรถ 1กข 1234 กรุงเทพมหานคร",
    "ป้ายทะเบียน กท 1234 และ 7กศ 9999",
    "โฉนดเลขที่ 12345 เล่ม 124 หน้า 45 ระวาง 5136 IV 6620-04",
    "โฉนดที่ดินเลขที่ 987654 เลขที่ดิน 321",
    "คิวที่ 105 รอ 45 นาที",
    "สายด่วน 1555 และ 1111",
    "เลขพัสดุ TH1234567890123",
    "ปี 2566 ถึง 2567 มาแล้ว 3 ครั้ง",
    "รหัสไปรษณีย์ 10200",
    "เลขที่ 99/123 หมู่ 4 ตำบลบางรัก",
    "0.5 ชั่วโมง 12.5%",
    "เลขที่คำขอ 2567-000123",
    "queue A023 at 9:05",
    "มี @ ตรงนี้ แต่ไม่ใช่อีเมล user@ และ @gmail",
]


@pytest.mark.parametrize("text", DECOYS)
def test_decoys_are_kept(text: str) -> None:
    assert mask(text) == text
    assert mask(text.translate(THAI_DIGITS)) == text.translate(THAI_DIGITS)


def test_mask_is_idempotent_and_keeps_none() -> None:
    text = "บัตร 1-1017-00230-70-8 โทร +66 81 234 5678 เมล a@b.com"
    once = mask(text)
    assert mask(once) == once
    assert mask_optional(None) is None
    assert mask_optional("") == ""


def test_find_reports_kinds_and_spans() -> None:
    text = "โทร 02-123-4567 หรือ a@b.co"
    kinds = [(f.kind, text[f.start : f.end]) for f in find(text)]
    assert kinds == [("phone", "02-123-4567"), ("email", "a@b.co")]


def test_pii_imports_nothing_of_kiosk_or_central() -> None:
    import ast
    from pathlib import Path

    import protocol.pii

    tree = ast.parse(Path(protocol.pii.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "re", "dataclasses"}, imported
