"""Writing analyses: for the ratings a sync request just stored (called by ingest, inside
its transaction) and for a backfill of ratings stored before (``analyse-comments``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from central.comments.analysis import MODEL_VERSION, analyse
from central.comments.models import TOPIC_FIELDS, CommentAnalysis
from central.ratings.models import DIMENSIONS, Rating

log = logging.getLogger(__name__)


def _row(rating_id: int, comment: str, chips: list[str], now, cleared: bool = False):
    result = analyse(comment, chips)
    return CommentAnalysis(
        rating_id=rating_id,
        sentiment=result.sentiment,
        polarity=result.polarity,
        junk=result.junk and not cleared,
        junk_reason=result.junk_reason,
        junk_cleared=cleared,
        mentions_copy_asked=result.mentions_copy_asked,
        words=" ".join(result.words)[:4000],
        model_version=MODEL_VERSION,
        analysed_at=now,
        **{field: name in result.topics for name, field in TOPIC_FIELDS.items()},
    )


def _has_comment() -> Q:
    return Q(comment__isnull=False) & ~Q(comment="")


def _rows(ratings: Iterable[tuple]) -> list[CommentAnalysis]:
    now = timezone.now()
    dims = list(DIMENSIONS.items())
    out = []
    for pk, comment, *flags in ratings:
        chips = [name for (name, _), on in zip(dims, flags, strict=True) if on]
        out.append(_row(pk, comment, chips, now))
    return out


def _values(queryset):
    return queryset.values_list("pk", "comment", *DIMENSIONS.values())


def analyse_stored(rows: list[Rating]) -> int:
    """Analyse the comments of ``rows``, the ratings a sync request has just stored (their
    ``pk`` is set by ``bulk_create`` on PostgreSQL and SQLite; otherwise one query by the
    indexed ``uuid`` finds it). Nothing to do, and no query, for rows without a comment.

    Called by ``central.api.ingest`` inside its transaction, after the ratings are stored.
    A failure of the analyser never fails the sync: it is logged (without the comment)
    and the comments are left for ``analyse-comments`` to pick up."""
    with_comment = [row for row in rows if row.comment]
    if not with_comment:
        return 0
    try:
        with transaction.atomic():
            missing = [row.uuid for row in with_comment if row.pk is None]
            pks = (
                dict(Rating.objects.filter(uuid__in=missing).values_list("uuid", "pk"))
                if missing
                else {}
            )
            now = timezone.now()
            out = [
                _row(row.pk or pks[row.uuid], row.comment, row.dimensions, now)
                for row in with_comment
                if row.pk is not None or row.uuid in pks
            ]
            CommentAnalysis.objects.bulk_create(out, ignore_conflicts=True)
            return len(out)
    except Exception as exc:  # noqa: BLE001 - never fail a sync over the analysis
        log.error("comment analysis failed: %s", type(exc).__name__)
        return 0


def backfill(*, redo: bool = False, chunk: int = 1000) -> int:
    """Analyse every rating comment that has no analysis (``redo``: every comment again,
    keeping the admins' unflag decisions). Returns the number analysed."""
    done = 0
    last = 0
    while True:
        qs = Rating.objects.filter(_has_comment(), pk__gt=last).order_by("pk")
        if not redo:
            qs = qs.filter(comment_analysis__isnull=True)
        batch = list(_values(qs[:chunk]))
        if not batch:
            return done
        last = batch[-1][0]
        rows = _rows(batch)
        with transaction.atomic():
            if redo:
                cleared = set(
                    CommentAnalysis.objects.filter(
                        rating_id__in=[r.rating_id for r in rows], junk_cleared=True
                    ).values_list("rating_id", flat=True)
                )
                for row in rows:
                    if row.rating_id in cleared:
                        row.junk_cleared, row.junk = True, False
                CommentAnalysis.objects.filter(rating_id__in=[r.rating_id for r in rows]).delete()
            CommentAnalysis.objects.bulk_create(rows, ignore_conflicts=True)
        done += len(rows)
