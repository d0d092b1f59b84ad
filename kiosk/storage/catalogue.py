"""Catalogue payloads (docs/sync-protocol.md): validated with the protocol's own model
(``protocol.models.Catalogue``, exactly what central can produce), and Thai name ordering.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from protocol.models import Catalogue

_THAI_TONE_MARKS = re.compile("[\u0e47-\u0e4e]")
_THAI_LEADING_VOWEL = re.compile("([\u0e40-\u0e44])([\u0e01-\u0e2e])")


def thai_sort_key(text: str) -> tuple[str, str]:
    """Thai dictionary order: a leading vowel (เ แ โ ใ ไ) sorts after the consonant it
    precedes, and tone marks only break ties. Plain code-point order would put every
    word starting with เ after every word starting with a consonant."""
    base = _THAI_LEADING_VOWEL.sub(r"\2\1", _THAI_TONE_MARKS.sub("", text))
    return base.casefold(), text


def validate_catalogue(payload: Any) -> Catalogue:
    """Check a catalogue payload against the protocol's ``Catalogue`` model (the one
    central builds its answers with); return it with every service entry validated.

    Raises ``ValueError`` naming the first bad field, e.g.
    ``invalid catalogue: services[3].documents[1].copy_status: 'maybe' is not an allowed
    value``.
    """
    from protocol import codec  # msgspec: not on the kiosk's cold-start path

    try:
        return codec.catalogue_from(payload)
    except codec.ProtocolError as exc:
        raise ValueError(f"invalid catalogue: {exc}") from None
