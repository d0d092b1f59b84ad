"""Decoding and validating protocol messages, with errors that say where and why.

- ``loads(body)``: strict JSON for request bodies: UTF-8 only, no NaN/Infinity, no
  duplicate keys (msgspec's decoder keeps the last of two equal keys, so requests are
  parsed by the standard library with a duplicate check, then validated by msgspec).
- ``convert(value, Model)``: validate parsed JSON against a model, strictly (``true`` is
  not an integer, ``1.0`` is not an integer, ``"5"`` is not a number). Raises
  ``ProtocolError`` whose text is ``path: reason`` (``ratings[3].score: must be at most 5``).
- ``decode(body, Model)``: bytes from the other side (central's answers on the kiosk).
- ``catalogue_from(value)``: a ``Catalogue`` with every service entry validated.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

import msgspec

from protocol.models import Catalogue, DeletedService, Service
from protocol.rules import PATTERN_TEXT

T = TypeVar("T")


class ProtocolError(ValueError):
    """A message does not match the protocol. ``path`` is where (``ratings[3].score``,
    "" for the whole message); ``reason`` is why. ``str()`` is ``path: reason``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


def _join(path: str, key: str) -> str:
    if not path:
        return key
    if key.startswith("["):
        return path + key
    return f"{path}.{key}"


_AT = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<at>[^`]*)`)?$", re.S)
_FIELD_MSG = re.compile(r"^(?P<field>[A-Za-z_][A-Za-z0-9_]*): (?P<msg>.*)$", re.S)
_NAMES = {
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "bool": "true or false",
    "array": "an array",
    "object": "an object",
    "null": "null",
    "datetime": "a date-time",
    "date": "a date like 2021-10-01",
}


def _type_text(text: str) -> str:
    return " or ".join(_NAMES.get(part.strip(), part.strip()) for part in text.split("|"))


def _reason(msg: str) -> str:
    """msgspec's wording -> ours."""
    if m := re.fullmatch(r"Expected `(.+?)`, got `(.+?)`", msg):
        return f"must be {_type_text(m.group(1))}"
    if m := re.fullmatch(r"Expected `str` matching regex '(.*)'", msg, re.S):
        pattern = m.group(1).encode("latin-1", "backslashreplace").decode("unicode_escape")
        return PATTERN_TEXT.get(pattern) or PATTERN_TEXT.get(m.group(1)) or "has a bad format"
    if m := re.fullmatch(r"Expected `str` of length <= (\d+)", msg):
        return f"must be at most {m.group(1)} characters"
    if m := re.fullmatch(r"Expected `str` of length >= (\d+)", msg):
        return (
            "must not be empty"
            if m.group(1) == "1"
            else f"must be at least {m.group(1)} characters"
        )
    if m := re.fullmatch(r"Expected `array` of length <= (\d+)", msg):
        return f"must have at most {m.group(1)} items"
    if m := re.fullmatch(r"Expected `(?:int|float)` >= (\S+)", msg):
        return f"must be at least {m.group(1)}"
    if m := re.fullmatch(r"Expected `(?:int|float)` <= (\S+)", msg):
        return f"must be at most {m.group(1)}"
    if m := re.fullmatch(r"Invalid enum value (.*)", msg):
        return f"{m.group(1)} is not an allowed value"
    if msg.startswith("Invalid RFC3339 encoded date"):
        return "must be a date like 2021-10-01"
    if msg.startswith("Integer value out of range"):
        return "is out of range"
    return msg


def describe(exc: msgspec.ValidationError, prefix: str = "") -> ProtocolError:
    """A msgspec validation error as ``ProtocolError`` (path under ``prefix``)."""
    m = _AT.match(str(exc))
    msg, at = (m.group("msg"), m.group("at") or "") if m else (str(exc), "")
    path = _join(prefix, at.lstrip(".")) if at else prefix
    if fm := re.fullmatch(r"Object missing required field `(.+)`", msg):
        return ProtocolError(_join(path, fm.group(1)), "is required")
    if fm := re.fullmatch(r"Object contains unknown field `(.+)`", msg):
        return ProtocolError(_join(path, fm.group(1)[:40]), "is not an allowed field")
    if fm := _FIELD_MSG.match(msg):  # from a model's __post_init__ (models.Invalid)
        return ProtocolError(_join(path, fm.group("field")), fm.group("msg"))
    return ProtocolError(path, _reason(msg))


def convert(value: Any, model: type[T], *, path: str = "") -> T:
    """Validate parsed JSON ``value`` as ``model`` (strict types). Raises ``ProtocolError``."""
    try:
        return msgspec.convert(value, model, strict=True)
    except msgspec.ValidationError as exc:
        raise describe(exc, path) from None


def decode(body: bytes, model: type[T]) -> T:
    """Parse and validate ``body`` (UTF-8 JSON) as ``model``. Raises ``ProtocolError``."""
    try:
        return msgspec.json.decode(body, type=model, strict=True)
    except msgspec.ValidationError as exc:
        raise describe(exc) from None
    except msgspec.DecodeError as exc:
        raise ProtocolError("", f"not valid JSON: {str(exc)[:200]}") from None


def catalogue_from(value: Any) -> Catalogue:
    """A ``Catalogue`` whose every service entry is a validated ``Service`` or
    ``DeletedService`` (by its ``deleted`` flag), listing each code once. ``value`` is
    parsed JSON or a ``Catalogue`` fresh from ``decode``. Raises ``ProtocolError``."""
    cat = value if isinstance(value, Catalogue) else convert(value, Catalogue)
    entries: list[Service | DeletedService] = []
    seen: set[str] = set()
    for i, entry in enumerate(cat.services):
        where = f"services[{i}]"
        if isinstance(entry, Service | DeletedService):
            item = entry
        elif isinstance(entry, dict):
            model = DeletedService if entry.get("deleted") is True else Service
            item = convert(entry, model, path=where)
        else:
            raise ProtocolError(where, "must be an object")
        if item.code in seen:
            raise ProtocolError("services", f"lists the service {item.code!r} twice")
        seen.add(item.code)
        entries.append(item)
    cat.services = entries
    return cat


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


def encode(value: Any) -> bytes:
    """A model (or builtins) as compact UTF-8 JSON."""
    return msgspec.json.encode(value)


def to_builtins(value: Any) -> Any:
    """A model as plain dicts/lists/str (dates as ISO strings)."""
    return msgspec.to_builtins(value)
