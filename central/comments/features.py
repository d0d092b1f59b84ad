"""Text -> feature strings, the same for training (central/comments/train.py) and inference
(central/comments/sentiment.py), so the shipped vocabulary always matches what is looked up.

A comment is normalised and tokenised once (PyThaiNLP, the ``nlpo3`` engine when installed,
else ``newmm``; both work offline), then read through one or more *views*, each the input of
one linear model of the shipped ensemble:

- ``mixed``: ``w:`` word unigrams, ``b:`` word bigrams, ``c:`` character 2- to 4-grams of
  the normalised text (word boundaries as spaces, the start and end of the comment as
  ``\\x02``/``\\x03``: a question particle at the very end is not one in the middle), and
  ``p:`` the first word, the last word and the last two words (``p:s ...``, ``p:e ...``,
  ``p:f ...``);
- ``words``: ``w:`` unigrams, ``b:`` bigrams and ``t:`` trigrams of words.

Character n-grams carry misspellings, elongations and English words the tokenizer splits;
word trigrams carry short phrases.

Normalisation: lower case, Thai digits -> Arabic digits, runs of 4+ same characters cut to 3
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

VIEWS: dict[str, tuple[str, ...]] = {
    "mixed": ("w:", "b:", "c:", "p:"),
    "words": ("w:", "b:", "t:"),
}


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


def _ngrams(toks: list[str], n: int) -> list[str]:
    return [" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)]


def parts(view: str, norm: str, toks: list[str]) -> tuple[list[str], ...]:
    """The items of each feature kind of ``view`` (in the order of ``VIEWS[view]``),
    without their prefixes: inference looks each kind up in its own table."""
    bigrams = _ngrams(toks, 2)
    if view == "words":
        return toks, bigrams, _ngrams(toks, 3)
    if view != "mixed":
        raise ValueError(f"unknown feature view {view!r}")
    padded = f"\x02{norm}\x03"
    size = len(padded)
    grams = [padded[i : i + n] for n in _CHAR_N for i in range(size - n + 1)]
    edges = [f"s {toks[0]}", f"e {toks[-1]}"] if toks else []
    if len(toks) > 1:
        edges.append(f"f {toks[-2]} {toks[-1]}")
    return toks, bigrams, grams, edges


def features(view: str, norm: str, toks: list[str]) -> list[str]:
    """The feature strings of one normalised, tokenised comment in ``view`` (repeats
    kept: counts matter)."""
    out: list[str] = []
    for prefix, items in zip(VIEWS[view], parts(view, norm, toks), strict=True):
        out.extend(prefix + item for item in items)
    return out
