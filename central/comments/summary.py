"""Per-topic figures for the comments page: how many comments, the share of negative
ones and the most frequent content words (PyThaiNLP tokens, stopwords removed, stored per
comment at analysis time so the page never tokenises)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from central.comments.models import TOPIC_FIELDS

WORDS_SAMPLE = 3000  # the latest comments per topic whose words are counted
TOP_WORDS = 8


@dataclass
class TopicFigures:
    topic: str
    comments: int
    negative: int
    words: list[tuple[str, int]]

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.comments if self.comments else None


def by_topic(queryset: QuerySet) -> list[TopicFigures]:
    """Figures per topic over ``queryset`` (CommentAnalysis, scoped and filtered)."""
    counts = {}
    for name, field in TOPIC_FIELDS.items():
        counts[f"{name}_n"] = Count("pk", filter=Q(**{field: True}))
        counts[f"{name}_neg"] = Count("pk", filter=Q(**{field: True, "sentiment": "neg"}))
    totals = queryset.aggregate(**counts)
    out = []
    for name, field in TOPIC_FIELDS.items():
        n = totals[f"{name}_n"] or 0
        words: Counter[str] = Counter()
        if n:
            latest = (
                queryset.filter(**{field: True})
                .order_by("-rating__rated_at")
                .values_list("words", flat=True)[:WORDS_SAMPLE]
            )
            for text in latest:
                words.update(text.split())
        out.append(TopicFigures(name, n, totals[f"{name}_neg"] or 0, words.most_common(TOP_WORDS)))
    return out


def by_sentiment(queryset: QuerySet) -> dict[str, int]:
    rows = queryset.values_list("sentiment").annotate(n=Count("pk")).order_by()
    return dict(rows)
