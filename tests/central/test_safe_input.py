"""``ascii_int``: the one check every id or number from a URL goes through."""

from __future__ import annotations

import pytest

from central.web.safe_input import ascii_int, valid_ints


@pytest.mark.parametrize(
    ("text", "max_digits", "expected"),
    [
        ("12", 2, 12),
        ("007", 3, 7),
        ("123", 2, None),  # longer than the bound
        ("", 5, None),
        ("²", 5, None),  # isdigit() accepts it, int() refuses it
        ("๑๒", 5, None),  # Thai digits: int() would read 12
        ("١٢", 5, None),  # Arabic-Indic digits
        ("-1", 5, None),
        ("+1", 5, None),
        (" 1", 5, None),
        ("1\x00", 5, None),
        ("1e3", 5, None),
    ],
)
def test_ascii_int(text, max_digits, expected):
    assert ascii_int(text, max_digits) == expected


def test_valid_ints_keeps_what_fits_a_64_bit_key():
    assert valid_ints(["1", "²", "9" * 18, "9" * 19, "x", 5]) == [1, int("9" * 18), 5]
