"""Junk comments: flagged and hidden by default on the comments page (an admin may show
them and unflag one). :func:`junk_reason` returns why a comment is junk, or None:

- ``empty``: nothing left after punctuation, digits, emoji and polite particles, or a
  known empty answer ("ไม่มี", "-", "no comment", "test", "555" ...);
- ``repeated``: one or two characters repeated (``ดดดดดดด``, ``!!!!!!``, ``55555555``);
- ``mashing``: keyboard mashing — a run of 5+ keys along one row of the Thai Kedmanee or
  English QWERTY keyboard, or Thai text that breaks Thai spelling (a vowel or tone mark
  with no consonant before it, two tone marks in a row) in most of its words;
- ``profanity``: a word of PyThaiNLP's Thai profanity list (less ``ตาย``, ``บ้า`` and
  ``เวร``, which citizens use in earnest: "รอแทบตาย"), or a few English ones.
"""

from __future__ import annotations

import re
from functools import lru_cache

_KEY_ROWS = (
    "ๅ/-ภถุึคตจขช",
    "ๆไำพะัีรนยบลฃ",
    "ฟหกดเ้่าสวง",
    "ผปแอิืทมใฝ",
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
)
# Rows for the one-row test: the Thai letter rows and the English home row (a top-row
# English word like "pretty" is real).
_ONE_ROW = _KEY_ROWS[:4] + ("asdfghjkl",)
_MARKS = "ัิีึืุู็่้๊๋์ํ"
_TONES = "่้๊๋"
_BAD_SPELLING = re.compile(rf"(?:^|[^ก-ฮ{_MARKS}])[{_MARKS}]|[{_TONES}][{_TONES}]")
_WORDISH = re.compile(r"[ก-๛a-z]+")
_PARTICLES = re.compile(r"(ครับ|คับ|ค่ะ|คะ|ค่า|นะ|จ้า|จ้ะ|ฮะ|จ๊ะ|krub|ka)")
_EMPTY_ANSWERS = {
    "",
    "ไม่มี",
    "ไม่มีอะไร",
    "ไม่มีความคิดเห็น",
    "ไม่มีข้อเสนอแนะ",
    "ทดสอบ",
    "เทส",
    "test",
    "testing",
    "no",
    "none",
    "nothing",
    "no comment",
    "no comments",
    "nil",
    "na",
    "n a",
    "อิอิ",
    "ฮ่าๆ",
    "ฮาฮา",
    "haha",
    "lol",
}
_ENGLISH_PROFANITY = {"fuck", "fucking", "shit", "bitch", "asshole", "bastard", "cunt"}
_KEPT = {"ตาย", "บ้า", "เวร"}


@lru_cache(maxsize=1)
def _profanity() -> frozenset[str]:
    from pythainlp.corpus import thai_profanity_words

    return frozenset(set(thai_profanity_words()) - _KEPT) | _ENGLISH_PROFANITY


def _one_row_words(text: str) -> bool:
    """A word of 6+ characters typed on one keyboard row only (``ฟหกดฟหกด``, ``asdfasdf``);
    Thai words of the dictionary are spared."""
    from pythainlp.corpus import thai_words

    for word in _WORDISH.findall(text):
        word = re.sub(r"(.)\1+", r"\1", word)  # "บัยยยย" is an elongated word
        if len(word) < 6 or len(set(word)) < 3:
            continue
        for row in _ONE_ROW:
            if all(ch in row for ch in word) and word not in thai_words():
                return True
    return False


_KEY_AT = {ch: (r, i) for r, row in enumerate(_KEY_ROWS) for i, ch in enumerate(row)}


def _row_runs(text: str) -> bool:
    """A run of 5+ characters that are neighbouring keys on one keyboard row, going one
    way, e.g. ``ฟหกดเ``, ``asdfg``, ``lkjhg`` (4 is too few: ``่าสว`` is in ``น่าสวย``)."""
    run, step, prev = 1, 0, None
    for ch in text:
        here = _KEY_AT.get(ch)
        d = 0
        if here is not None and prev is not None and here[0] == prev[0]:
            d = here[1] - prev[1]
        if abs(d) == 1 and (run == 1 or d == step):
            run, step = run + 1, d
            if run >= 5:
                return True
        else:
            run, step = (2, d) if abs(d) == 1 else (1, 0)
        prev = here
    return False


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def junk_reason(text: str, tokens: list[str]) -> str | None:
    """Why the comment ``text`` is junk, else None. ``tokens``: its PyThaiNLP tokens."""
    norm = re.sub(r"\s+", " ", text.lower().translate(_THAI_DIGITS)).strip()
    words = " ".join(_WORDISH.findall(norm))
    bare = _PARTICLES.sub("", words).strip()
    if bare in _EMPTY_ANSWERS or (not bare and not re.search(r"[0-9]{2,}", norm)):
        return "empty"
    squeezed = re.sub(r"\s+", "", norm)
    if len(squeezed) >= 4 and len(set(squeezed)) <= 2:
        return "repeated"
    if re.fullmatch(r"5{3,}\+?", squeezed):
        return "repeated"
    profane = _profanity()
    if any(t in profane for t in tokens):
        return "profanity"
    if _row_runs(norm) or _one_row_words(norm):
        return "mashing"
    thai_words = re.findall(r"[ก-๛]+", norm)
    if thai_words:
        broken = sum(1 for w in thai_words if _BAD_SPELLING.search(w))
        if broken * 2 > len(thai_words):
            return "mashing"
    return None
