"""Masking personal data in citizens' comments: one module for the kiosk and central.

The kiosk masks a comment before its row is written; central masks again on ingest (for
kiosks running an older version) and in a data migration for comments stored before.
Pure standard library, no I/O, nothing imported from ``kiosk`` or ``central``.

What is masked (replaced so the sentence stays readable):

- a Thai national ID number, 13 digits whose check digit is right, in any grouping
  (``1101700230701``, ``1 1017 00230 70 1``, ``1-1017-00230-70-1``, spaces, dots), glued to
  Thai letters or not, in Arabic or Thai digits (๐-๙) -> ``[เลขบัตรประชาชน]``;
- a Thai phone number: mobile ``06``/``08``/``09`` + 8 digits, Bangkok ``02`` + 7 digits,
  provincial landlines ``03``/``04``/``05``/``07`` + 7 digits, in any grouping, also as
  ``+66 81 234 5678``, ``+66 (0)2 123 4567``, ``0066...``, ``66812345678``, in either digit
  script -> ``[เบอร์โทร]``;
- an e-mail address -> ``[อีเมล]``.

What is kept: a 13-digit number whose check digit is wrong (a reference number), times,
dates, amounts, licence plates, deed and queue numbers, short hotlines (1555) — none of
them has the digit count and prefix of a phone or the check digit of an ID.

How numbers are found: maximal runs of digits (after mapping Thai digits to Arabic ones,
which keeps positions) are *groups*; two groups belong to one written number when only 1-3
of space, ``-``, ``.``, ``(``, ``)`` lie between them. Inside such a chain the longest run
of consecutive groups that forms an ID or a phone number is masked, left to right; 13
digits with a wrong check digit are kept whole (no phone number is looked for inside a
reference number). A digit sequence is never cut inside a group, so a 14-digit run is
never read as an ID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ID_TOKEN = "[เลขบัตรประชาชน]"
PHONE_TOKEN = "[เบอร์โทร]"
EMAIL_TOKEN = "[อีเมล]"

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_GROUP = re.compile(r"[0-9]+")
_JOINER = re.compile(r"[ \t\u00a0\-.()]{1,3}")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9])"
)
_MOBILE = re.compile(r"0[689][0-9]{8}")
_LANDLINE = re.compile(r"0[2-57][0-9]{7}")
_MAX_GROUPS = 8  # a written number has at most this many groups (1-4-5-2-1 has five)


@dataclass(frozen=True)
class Found:
    """One piece of personal data: ``kind`` is ``"id"``, ``"phone"`` or ``"email"``;
    ``start``/``end`` index the original text."""

    kind: str
    start: int
    end: int


def id_check_digit(first12: str) -> int:
    """The check digit of a Thai national ID from its first 12 digits."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def is_valid_id(digits: str) -> bool:
    """13 Arabic digits whose last digit is the right check digit."""
    return (
        len(digits) == 13
        and digits.isascii()
        and digits.isdigit()
        and id_check_digit(digits[:12]) == int(digits[12])
    )


def _phone_digits(digits: str, plus: bool) -> str | None:
    """The national form (leading 0) of a phone number written as ``digits``, else None."""
    candidates = [digits]
    for prefix in ("0066", "66"):
        if digits.startswith(prefix):
            rest = digits[len(prefix) :]
            candidates.append(rest if rest.startswith("0") else "0" + rest)
    if plus and not digits.startswith("66"):
        return None
    for cand in candidates[1:] if plus else candidates:
        if _MOBILE.fullmatch(cand) or _LANDLINE.fullmatch(cand):
            return cand
    return None


def find(text: str) -> list[Found]:
    """Every ID, phone number and e-mail address in ``text``, in order, not overlapping."""
    if not text:
        return []
    found = [Found("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    taken = [(f.start, f.end) for f in found]
    plain = text.translate(_THAI_DIGITS)
    groups = [m for m in _GROUP.finditer(plain) if not any(s <= m.start() < e for s, e in taken)]
    i = 0
    while i < len(groups):
        # The chain of groups joined by separators, starting at group i.
        chain = [groups[i]]
        while len(chain) < _MAX_GROUPS and i + len(chain) < len(groups):
            nxt = groups[i + len(chain)]
            if not _JOINER.fullmatch(plain, chain[-1].end(), nxt.start()):
                break
            chain.append(nxt)
        plus = chain[0].start() > 0 and plain[chain[0].start() - 1] == "+"
        hit = None
        for size in range(len(chain), 0, -1):
            digits = "".join(g.group() for g in chain[:size])
            if _phone_digits(digits, plus):
                start = chain[0].start() - 1 if plus else chain[0].start()
                after = plain[chain[0].end() : chain[0].end() + 1]
                if start > 0 and plain[start - 1] == "(" and after == ")":
                    start -= 1
                hit = Found("phone", start, chain[size - 1].end())
            elif is_valid_id(digits):
                hit = Found("id", chain[0].start(), chain[size - 1].end())
            elif len(digits) == 13:
                i += size  # a reference number: keep it whole
                break
            if hit:
                found.append(hit)
                i += size
                break
        else:
            i += 1
    found.sort(key=lambda f: f.start)
    return found


_TOKENS = {"id": ID_TOKEN, "phone": PHONE_TOKEN, "email": EMAIL_TOKEN}


def mask(text: str) -> str:
    """``text`` with every ID number, phone number and e-mail address replaced by
    ``[เลขบัตรประชาชน]``, ``[เบอร์โทร]`` or ``[อีเมล]``. Idempotent."""
    spans = find(text)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for span in spans:
        out.append(text[pos : span.start])
        out.append(_TOKENS[span.kind])
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def mask_optional(text: str | None) -> str | None:
    """:func:`mask` for a comment that may be missing (None stays None)."""
    return None if text is None else mask(text)
