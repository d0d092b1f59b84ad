"""Text -> feature strings, the same for training (central/comments/train.py) and inference
(central/comments/sentiment.py), so the shipped vocabulary always matches what is looked up.

Features of one comment:

- ``w:<token>``: word unigrams, ``b:<t1> <t2>``: word bigrams, on PyThaiNLP tokens (the
  ``nlpo3`` engine when installed, else ``newmm``; both work offline);
- ``c:<gram>``: character 2- to 4-grams of the normalised text (word boundaries padded with
  a space), which carry misspellings, elongations and English words the tokenizer splits.

Normalisation: lower case, Thai digits -> Arabic digits, runs of 3+ same characters cut to 3
(``ดีมากกกกกก`` and ``ดีมากกก`` look alike), URLs and @handles replaced by markers, digits
collapsed to ``0``.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{3,}")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_CHAR_N = (2, 3, 4)


def normalise(text: str) -> str:
    text = text.lower().translate(_THAI_DIGITS)
    text = _URL.sub(" url ", text)
    text = _HANDLE.sub(" @user ", text)
    text = _REPEAT.sub(r"\1\1\1", text)
    text = _DIGITS.sub("0", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1)
def _engine() -> str:
    try:
        import nlpo3  # noqa: F401
    except ImportError:
        return "newmm"
    return "nlpo3"


def tokens(text: str) -> list[str]:
    """PyThaiNLP word tokens of already-normalised ``text``, whitespace dropped."""
    if not text:
        return []
    from pythainlp.tokenize import word_tokenize

    return [t for t in word_tokenize(text, engine=_engine(), keep_whitespace=False) if t.strip()]


def parts(
    text: str, norm: str | None = None, toks: list[str] | None = None
) -> tuple[list[str], list[str], list[str]]:
    """Word unigrams, word bigrams and character n-grams of one raw comment, without
    their type prefixes (inference looks each kind up in its own table). ``norm`` and
    ``toks``: the normalised text and its tokens, when the caller has them already."""
    norm = normalise(text) if norm is None else norm
    toks = tokens(norm) if toks is None else toks
    bigrams = [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
    padded = f" {norm} "
    size = len(padded)
    grams = [padded[i : i + n] for n in _CHAR_N for i in range(size - n + 1)]
    return toks, bigrams, grams


PREFIXES = ("w:", "b:", "c:")


def features(text: str) -> list[str]:
    """The feature strings of one raw comment (repeats kept: counts matter)."""
    out: list[str] = []
    for prefix, items in zip(PREFIXES, parts(text), strict=True):
        out.extend(prefix + item for item in items)
    return out
