"""The protocol's rules that are plain Python (no msgspec): string patterns and the
checks a type cannot express. ``protocol.models`` uses them."""

from __future__ import annotations

import re
import uuid as uuidlib
from datetime import UTC, datetime

from protocol import constants as c

# Single-line: no control character at all, no lone surrogate. Written as "no bad
# character anywhere" (a lookahead) rather than "^[^...]*$": Python's "$" also matches
# before a final newline, JSON Schema's (ECMA 262) does not; this form means the same in
# both.
LINE_PATTERN = r"^(?![\s\S]*[\x00-\x1f\x7f\ud800-\udfff])"
# Multi-line text: tab, newline and CR allowed.
TEXT_PATTERN = r"^(?![\s\S]*[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff])"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
RFC3339_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$"
NOT_BLANK_PATTERN = r"\S"
FEE_AMOUNT_PATTERN = r"^\d+\.\d{2}$"
HTTP_URL_PATTERN = r"^https?://"

# How a pattern is explained in an error message.
PATTERN_TEXT = {
    LINE_PATTERN: "must not contain control characters or lone surrogates",
    TEXT_PATTERN: "must not contain control characters (other than tab and newline) "
    "or lone surrogates",
    UUID_PATTERN: "must be a UUID like 0b1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d",
    RFC3339_PATTERN: "must be an RFC 3339 date-time with offset, e.g. 2026-11-23T10:15:00+07:00",
    NOT_BLANK_PATTERN: "must not be blank",
    FEE_AMOUNT_PATTERN: "must be a decimal string like '20.00'",
    HTTP_URL_PATTERN: "must be an http(s) URL",
    c.SERVICE_CODE_PATTERN: "must be 2-40 upper-case letters, digits and underscores, "
    "starting with a letter",
}


def parse_time(text: str) -> datetime:
    """An RFC 3339 string of ``DateTimeText`` -> aware ``datetime`` in UTC. Raises
    ``ValueError`` for an impossible date or a year outside 1900-2999 (no kiosk clock,
    even a badly wrong one)."""
    text = text.upper().replace("Z", "+00:00")
    dot = text.find(".")
    if dot != -1:  # fromisoformat takes at most 6 fraction digits
        end = dot + 1
        while end < len(text) and text[end].isdigit():
            end += 1
        text = text[: min(end, dot + 7)] + text[end:]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("is not a valid date-time") from None
    if not 1900 <= parsed.year <= 2999:
        raise ValueError("must be a date-time in the years 1900-2999")
    return parsed.astimezone(UTC)


def check_uuid(text: str) -> uuidlib.UUID:
    parsed = uuidlib.UUID(text)
    if parsed.variant != uuidlib.RFC_4122 or parsed.int in (0, (1 << 128) - 1):
        raise ValueError("must be an RFC 4122 UUID (e.g. a random UUID4)")
    return parsed


_TEXT_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without the characters a multi-line protocol text may not hold (control
    characters other than tab/newline/CR, lone surrogates)."""
    return _TEXT_BAD.sub("", text)
