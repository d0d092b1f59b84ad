"""Malformed keys from the browser: tell them apart before they reach the database.

Django's admin hands some request values straight to a query: the rows ticked for an
action (``_selected_action``) and, when a form comes back with errors, the value of an
autocomplete field (its widget looks the value up to show it again). A key that is not a
number (``abc``, ``²``, which ``str.isdigit()`` accepts and ``int()`` refuses), does not fit
the column (40 digits) or holds a NUL byte (PostgreSQL refuses it) then ends in a 500.
``valid_key`` says whether a value can be a key of a field at all.
"""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models


def valid_key(field: models.Field, value) -> bool:
    """Whether ``value`` is a well-formed value of ``field`` (a primary key or the target
    field of a foreign key): converts, fits the column, no NUL byte."""
    if value is None:
        return False
    text = str(value)
    if not text or "\x00" in text:
        return False
    try:
        converted = field.to_python(text)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    if isinstance(converted, int):
        target = field.target_field if field.is_relation else field
        low, high = connection.ops.integer_field_range(target.get_internal_type())
        if (low is not None and converted < low) or (high is not None and converted > high):
            return False
    return True


def ascii_int(text: str, max_digits: int) -> int | None:
    """``text`` as a number if it is 1 to ``max_digits`` ASCII digits, else None.

    ``str.isdigit()`` alone accepts ``²`` and Thai digits, which ``int()`` refuses or reads
    differently; the length bound keeps the value within the column it is compared with."""
    if text and len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None


def valid_ints(values) -> list[int]:
    """The values that are plain ASCII decimal numbers within a 64-bit integer."""
    out = []
    for value in values:
        number = ascii_int(str(value), 18)
        if number is not None:
            out.append(number)
    return out


class _SafeOptgroups:
    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        to_field = opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.name))
        value = [v for v in value if valid_key(to_field, v)]
        return super().optgroups(name, value, attr)


class SafeAutocompleteSelect(_SafeOptgroups, AutocompleteSelect):
    """Django's autocomplete widget, which skips a malformed submitted value when it
    shows the form again (instead of querying with it)."""


class SafeAutocompleteSelectMultiple(_SafeOptgroups, AutocompleteSelectMultiple):
    pass


INT_LOOKUPS = {"exact", "in", "gt", "gte", "lt", "lte", "iexact"}


def lookup_value_fits(model: type[models.Model], lookup: str, value) -> bool:
    """Whether the list filter ``lookup=value`` from a query string (``counter=12``,
    ``service_point__id__exact=3``, ``kiosk__in=1,2``) compares an integer column with
    values that fit it. Only integer keys are checked: Django turns every other bad value
    into its "?e=1" answer, but an integer too large for the column fails at run time."""
    opts, field, rest = model._meta, None, []
    parts = lookup.split(models.constants.LOOKUP_SEP)
    for i, part in enumerate(parts):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            rest = parts[i:]
            break
        if field.is_relation and field.related_model is not None and i < len(parts) - 1:
            opts = field.related_model._meta
    if field is None:
        return True
    if field.is_relation:
        field = getattr(field, "target_field", None) or field.related_model._meta.pk
    if not isinstance(field, models.IntegerField | models.AutoField):
        return True
    if rest and rest[0] not in INT_LOOKUPS:
        return True
    values = str(value).split(",") if rest[:1] == ["in"] else [value]
    return all(valid_key(field, v) for v in values)
