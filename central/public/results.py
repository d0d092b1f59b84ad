"""Published results of a service point, as government services publish user
satisfaction: over the last 90 days, per service and for the whole office, the number of
ratings per face, the satisfaction score, and No Copy compliance.

- **Satisfaction score**: the share of ratings that are 4 or 5 ("satisfied" or "very
  satisfied"), with the mean on the 1-5 scale next to it.
- **No Copy compliance**: for services that, at this office, need no photocopy of any
  document, the share of citizens who answered "yes" to "Were you asked for a photocopy?"
  (only answers count; a skipped question is not a "no").
- A figure is published only when it rests on at least ``CP_PUBLIC_MIN_RATINGS`` ratings
  (answers, for compliance); below that the page says "not enough ratings yet".
- Bursts (``interval_flag``: tapped inside the kiosk's minimum interval) are left out.
  Nothing else of a rating is read: never a comment, a kiosk, a counter or a time.

``read_counts`` is the one function that reads ratings: one grouped query over
``ratings.Rating`` on its (service_point, rated_at) index (on PostgreSQL the table is
partitioned by month of ``rated_at``, so only the last four months' partitions are read).
It does not use the insights rollups (``central.insights.models.PointMonth``): they are per
*month*, which cannot give an exact 90-day window, and they count bursts. A point's page
reads it at most once per ``SERVER_CACHE_SECONDS`` per server process (the page cache),
and a busy office has a few hundred ratings in 90 days. Should a daily per-point rollup
with histograms and without bursts appear, only this function changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from central.ratings.models import Rating

WINDOW_DAYS = 90
# The kiosk's words for its five faces (kiosk/ui/i18n.py), score 1..5.
FACE_WORDS_TH = ["ไม่พอใจมาก", "ไม่พอใจ", "เฉยๆ", "พอใจ", "พอใจมาก"]
FACE_WORDS_EN = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]


def minimum() -> int:
    return int(getattr(settings, "CP_PUBLIC_MIN_RATINGS", 20))


@dataclass
class Figures:
    faces: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])  # score 1..5
    copy_yes: int = 0
    copy_answers: int = 0
    no_copy_expected: bool = False  # compliance applies (no copy of anything expected)
    lang: str = "th"

    @property
    def total(self) -> int:
        return sum(self.faces)

    @property
    def enough(self) -> bool:
        return self.total >= minimum()

    @property
    def satisfied_pct(self) -> int:
        return round(100 * (self.faces[3] + self.faces[4]) / self.total) if self.total else 0

    @property
    def mean(self) -> float:
        if not self.total:
            return 0.0
        return sum((i + 1) * n for i, n in enumerate(self.faces)) / self.total

    @property
    def compliance_enough(self) -> bool:
        return self.no_copy_expected and self.copy_answers >= minimum()

    @property
    def asked_pct(self) -> int:
        """Share of answers saying a copy was asked for, where none should be."""
        return round(100 * self.copy_yes / self.copy_answers) if self.copy_answers else 0

    def faces_desc(self) -> list[tuple[int, int]]:
        """(score, count) from 5 down to 1, for tables."""
        return [(score, self.faces[score - 1]) for score in range(5, 0, -1)]

    @property
    def rows(self) -> list[tuple[int, str, int]]:
        """(score, the face's word as the kiosk shows it, count), 5 down to 1."""
        words = FACE_WORDS_EN if self.lang == "en" else FACE_WORDS_TH
        return [(score, words[score - 1], n) for score, n in self.faces_desc()]

    def add(self, other: Figures) -> None:
        self.faces = [a + b for a, b in zip(self.faces, other.faces, strict=True)]
        if other.no_copy_expected:
            self.copy_yes += other.copy_yes
            self.copy_answers += other.copy_answers


@dataclass
class CountRow:
    service_id: int | None
    score: int
    n: int
    copy_yes: int
    copy_answers: int


def read_counts(service_point_id: int, days: int = WINDOW_DAYS) -> list[CountRow]:
    """Ratings of one service point over the last ``days`` days, counted per service and
    score (bursts left out). The only place this module reads ratings."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Rating.objects.filter(
            service_point_id=service_point_id, rated_at__gte=since, interval_flag=False
        )
        .values("service_id", "score")
        .annotate(
            n=Count("id"),
            yes=Count("id", filter=Q(asked_for_copy=True)),
            answers=Count("id", filter=Q(asked_for_copy__isnull=False)),
        )
        .order_by()
    )
    return [CountRow(r["service_id"], r["score"], r["n"], r["yes"], r["answers"]) for r in rows]


@dataclass
class PointResults:
    overall: Figures
    services: dict[int, Figures]
    minimum: int
    days: int = WINDOW_DAYS


def point_results(
    service_point_id: int,
    service_ids: Iterable[int],
    no_copy_service_ids: Iterable[int],
    lang: str = "th",
) -> PointResults:
    """Figures for the office and for each of ``service_ids`` (its published services);
    ``no_copy_service_ids`` are those that need no photocopy at this office."""
    no_copy = set(no_copy_service_ids)
    services = {sid: Figures(no_copy_expected=sid in no_copy, lang=lang) for sid in service_ids}
    overall = Figures(no_copy_expected=bool(no_copy), lang=lang)
    for row in read_counts(service_point_id):
        if not 1 <= row.score <= 5:
            continue
        part = Figures(no_copy_expected=row.service_id in no_copy)
        part.faces[row.score - 1] = row.n
        part.copy_yes, part.copy_answers = row.copy_yes, row.copy_answers
        overall.add(part)
        if row.service_id in services:
            services[row.service_id].add(part)
    return PointResults(overall=overall, services=services, minimum=minimum())
