"""The comments page's filters: the insights dashboards' shared filters
(``central.insights.filters``: date range, agency and below, province, service point,
service — checked against the user's scope, a bad or foreign value refused with 400/404)
plus three of its own: sentiment, topic and "show junk"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from central.comments.models import SENTIMENTS, TOPIC_FIELDS
from central.insights.filters import BadFilter, Filters

SENTIMENT_WORDS = {
    "pos": _("positive"),
    "neu": pgettext_lazy("sentiment", "neutral"),
    "neg": _("negative"),
    "q": _("question"),
}
TOPIC_WORDS = {
    "process": _("process and steps"),
    "staff": _("staff"),
    "facilities": _("facilities"),
    "outcome": _("outcome"),
    "waiting": pgettext_lazy("comment topic", "waiting"),
    "documents": _("documents and copies"),
}


@dataclass(frozen=True)
class CommentFilters:
    sentiment: str = ""
    topic: str = ""
    junk: bool = False

    def query(self) -> dict[str, str]:
        out = {"sentiment": self.sentiment, "topic": self.topic, "junk": "on" if self.junk else ""}
        return {k: v for k, v in out.items() if v}


def parse_extra(params) -> CommentFilters:
    """sentiment, topic and junk from the URL; a value that is not one of the choices is
    refused (``BadFilter`` 400), like the shared filters."""
    sentiment = params.get("sentiment", "").strip()
    if sentiment and sentiment not in SENTIMENTS:
        raise BadFilter(400, f"sentiment: one of {', '.join(SENTIMENTS)}")
    topic = params.get("topic", "").strip()
    if topic and topic not in TOPIC_FIELDS:
        raise BadFilter(400, f"topic: one of {', '.join(TOPIC_FIELDS)}")
    junk = params.get("junk", "").strip()
    if junk not in ("", "on", "1"):
        raise BadFilter(400, "junk: on or nothing")
    return CommentFilters(sentiment, topic, bool(junk))


def rating_q(f: Filters, prefix: str = "rating__") -> Q:
    """The shared filters as a condition on the rating."""
    tz = timezone.get_current_timezone()
    q = Q(
        **{
            f"{prefix}rated_at__gte": datetime.combine(f.start, time(), tz),
            f"{prefix}rated_at__lt": datetime.combine(f.end + timedelta(days=1), time(), tz),
        }
    )
    if f.agency is not None:
        q &= Q(**{f"{prefix}service_point__agency__in": f.agency_ids})
    if f.province:
        q &= Q(**{f"{prefix}service_point__province_code": f.province})
    if f.point is not None:
        q &= Q(**{f"{prefix}service_point": f.point})
    if f.service is not None:
        q &= Q(**{f"{prefix}service": f.service})
    return q


def apply(queryset: QuerySet, f: Filters, extra: CommentFilters) -> QuerySet:
    """``queryset`` of CommentAnalysis (already scoped) under every filter."""
    queryset = queryset.filter(rating_q(f))
    if not extra.junk:
        queryset = queryset.filter(junk=False)
    if extra.sentiment:
        queryset = queryset.filter(sentiment=extra.sentiment)
    if extra.topic:
        queryset = queryset.filter(**{TOPIC_FIELDS[extra.topic]: True})
    return queryset
