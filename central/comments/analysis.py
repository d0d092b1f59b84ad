"""One comment in, its analysis out: sentiment, topics, junk, No Copy evidence, words.

Pure functions (no database): used on ingest (:mod:`central.comments.store`), by the
``classify-comments`` and ``analyse-comments`` commands, and by the bench.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from central.comments import english, sentiment
from central.comments.features import normalise, tokens
from central.comments.junk import junk_reason
from central.comments.topics import mentions_copy_asked, topics

# Stored on each analysis; "+vader": comments without Thai script read by VADER (english.py).
MODEL_VERSION = "wisesight-nbsvm-1+vader"
_WORD = re.compile(r"[ก-๙a-z]")
_MASK_TOKENS = {"[", "]", "เลขบัตรประชาชน", "เบอร์โทร", "อีเมล"}


@dataclass(frozen=True)
class Analysis:
    sentiment: str  # pos | neu | neg | q
    polarity: float  # -1 (negative) .. 1 (positive)
    topics: list[str]
    junk: bool
    junk_reason: str  # "" when not junk
    mentions_copy_asked: bool
    words: list[str]  # content words (stopwords removed) for the word counts

    def as_json(self) -> dict:
        return {
            "sentiment": self.sentiment,
            "score": self.polarity,
            "topics": self.topics,
            "junk": self.junk,
        }


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    english = {
        "the", "a", "an", "and", "or", "to", "of", "in", "on", "at", "for", "is", "was",
        "it", "i", "my", "me", "we", "you", "they", "be", "are", "were", "with", "this",
        "that", "but", "so", "very", "too", "had", "have", "has", "did", "do", "not", "no",
    }  # fmt: skip
    polite = {"ครับ", "ค่ะ", "คะ", "คับ", "นะ", "จ้า", "ค่า"}
    # question particles and "do": frequent in counter comments, saying nothing of a topic
    polite |= {"ไหม", "มั้ย", "เปล่า", "ทำ", "กี่"}
    return frozenset(thai_stopwords()) | english | polite


def content_words(toks: list[str]) -> list[str]:
    stop = _stopwords()
    return [
        t
        for t in toks
        if t not in stop and t not in _MASK_TOKENS and len(t) > 1 and _WORD.search(t)
    ]


def comment_sentiment(
    text: str, norm: str | None = None, toks: list[str] | None = None, model=None
) -> sentiment.Sentiment:
    """The product's sentiment of a counter comment: VADER's for a comment written without
    Thai script (:mod:`central.comments.english`; the Thai model has no English), the
    shipped Thai model's (or ``model``'s: the bench's freshly trained one) otherwise; then a
    comment called neutral but phrased as a question is a question (``q``).

    Why the question rule: on the project's own government-service comments the Thai model
    called every question neutral; with the rule q's F1 there went from 0 to 0.94. On
    Wisesight's valid split it costs 1.2 points of accuracy (its annotators label many
    product questions neutral), so the benchmark reports the model alone
    (docs/comments.md)."""
    norm = normalise(text) if norm is None else norm
    if english.is_english(text):
        mood = english.classify(text)
    else:
        mood = (sentiment.model() if model is None else model).predict(text, norm, toks)
    if mood.label == "neu" and sentiment.is_question(norm):
        return sentiment.Sentiment("q", mood.polarity)
    return mood


def analyse(text: str, chips: list[str] | tuple[str, ...] = ()) -> Analysis:
    """Analyse one (already masked) comment; ``chips`` are the rating's dimensions."""
    norm = normalise(text)
    toks = tokens(norm)
    reason = junk_reason(text, toks)
    mood = comment_sentiment(text, norm, toks)
    return Analysis(
        sentiment=mood.label,
        polarity=mood.polarity,
        topics=topics(norm, toks, list(chips)),
        junk=reason is not None,
        junk_reason=reason or "",
        # a question ("ต้องใช้สำเนาไหม") asks about copies; it is no evidence one was asked for
        mentions_copy_asked=mentions_copy_asked(norm) and not sentiment.is_question(norm),
        words=content_words(toks),
    )
