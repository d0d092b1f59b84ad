"""Sentiment of comments written without Thai script (in practice English: citizens who
switch the kiosk to English type English), from VADER (Hutto & Gilbert, ICWSM 2014: a
published English sentiment lexicon and rules; PyPI ``vaderSentiment``, MIT).

The shipped model (:mod:`central.comments.sentiment`) is trained on Thai only and calls
every English comment neutral. VADER's ``compound`` score is read with VADER's *published*
thresholds, ``>= 0.05`` positive, ``<= -0.05`` negative, neutral between; they were not tuned
on the project's government-service set, which stays an evaluation set (docs/comments.md).

Which comments: those with a Latin letter and no Thai consonant, once the masking tokens
(``[เบอร์โทร]`` …, Thai words themselves) are taken out. A comment mixing Thai and English
keeps the Thai model; one with neither script (``555``, emoji only) too: it was trained on
Thai social media, where those are common.

VADER's lexicon is read on the first English comment a process analyses (about 10 ms of
CPU), then kept; importing this module imports nothing of VADER's.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from central.comments.sentiment import Sentiment
from protocol.pii import EMAIL_TOKEN, ID_TOKEN, PHONE_TOKEN

POSITIVE = 0.05  # VADER's published thresholds on ``compound`` (its README and paper)
NEGATIVE = -0.05

_THAI = re.compile(r"[\u0e01-\u0e2e]")  # Thai consonants: every Thai word has one
_LATIN = re.compile(r"[A-Za-z]")
_MASKS = re.compile("|".join(re.escape(t) for t in (ID_TOKEN, PHONE_TOKEN, EMAIL_TOKEN)))
_LOCK = threading.Lock()
_ANALYSER: Any = None


def _unmasked(text: str) -> str:
    return _MASKS.sub(" ", text)


def is_english(text: str) -> bool:
    """Written without Thai script: a Latin letter and no Thai consonant, masking tokens
    aside."""
    bare = _unmasked(text)
    return _THAI.search(bare) is None and _LATIN.search(bare) is not None


def analyser():
    """VADER's analyser, its lexicon read once per process (thread-safe)."""
    global _ANALYSER
    if _ANALYSER is None:
        with _LOCK:
            if _ANALYSER is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                _ANALYSER = SentimentIntensityAnalyzer()
    return _ANALYSER


def classify(text: str) -> Sentiment:
    """VADER's label of ``text`` (as typed: VADER reads capitals and ``!``), with its
    ``compound`` score (-1..1) as the polarity. No question rule here: the pipeline adds it
    (``central.comments.analysis.comment_sentiment``)."""
    compound = float(analyser().polarity_scores(_unmasked(text).strip())["compound"])
    if compound >= POSITIVE:
        label = "pos"
    elif compound <= NEGATIVE:
        label = "neg"
    else:
        label = "neu"
    return Sentiment(label, round(compound, 3))
