"""Writing analyses: for the ratings a sync request just stored (called by ingest, inside
its transaction) and for a backfill of ratings stored before (``analyse-comments``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from central.api import sync_sql
from central.comments.analysis import MODEL_VERSION, analyse
from central.comments.models import TOPIC_FIELDS, CommentAnalysis
from central.ratings.models import DIMENSIONS, Rating

log = logging.getLogger(__name__)


def _fields(comment: str, chips: list[str], now, cleared: bool = False) -> dict:
    """The stored fields (all but ``rating``) of the analysis of ``comment``."""
    result = analyse(comment, chips)
    return dict(
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


def _row(rating_id: int, comment: str, chips: list[str], now, cleared: bool = False):
    return CommentAnalysis(rating_id=rating_id, **_fields(comment, chips, now, cleared))


_PG_TYPES = {
    "CharField": "text",
    "TextField": "text",
    "FloatField": "float8",
    "BooleanField": "bool",
    "DateTimeField": "timestamptz",
}
_COLUMNS = [f for f in CommentAnalysis._meta.concrete_fields if not f.primary_key]
_PG_INSERT: str | None = None


def _pg_insert() -> str:
    """PostgreSQL: ONE fixed statement stores the analyses of a batch keyed by the ratings'
    UUIDs (the rows as one JSON parameter, ``sync_sql.json_rows``): the ratings were
    written with ``COPY``, which returns no ids, and the join finds them in the same
    statement (by ``uuid`` and ``rated_at``, the partition key: one partition probed)
    instead of a SELECT of the ids first. A LATERAL lookup with LIMIT 1, so that no plan
    (the prepared statement's generic one included) can turn it into a hash join over
    every partition of the ratings."""
    global _PG_INSERT
    if _PG_INSERT is None:
        q = connection.ops.quote_name
        names = ", ".join(q(f.column) for f in _COLUMNS)
        values = ", ".join("v." + q(f.column) for f in _COLUMNS)
        types = ["uuid", "timestamptz"] + [_PG_TYPES[f.get_internal_type()] for f in _COLUMNS]
        select, source = sync_sql.json_rows_sql(types)
        _PG_INSERT = (
            f"INSERT INTO {q(CommentAnalysis._meta.db_table)} (rating_id, {names}) "
            f"SELECT r.id, {values} FROM (SELECT {select} FROM {source}) "
            f"AS v(uuid, rated_at, {names}) "
            f"JOIN LATERAL (SELECT id FROM {q(Rating._meta.db_table)} "
            "WHERE uuid = v.uuid AND rated_at = v.rated_at LIMIT 1) r ON true "
            "ON CONFLICT (rating_id) DO NOTHING"
        )
    return _PG_INSERT


def _store_pg(rows: list[Rating], now) -> int:
    out = []
    for row in rows:
        fields = _fields(row.comment, row.dimensions, now)
        out.append([row.uuid, row.rated_at, *(fields[f.attname] for f in _COLUMNS)])
    with sync_sql.cursor() as cursor:
        cursor.execute(_pg_insert(), [sync_sql.json_rows(out)])
    return len(out)


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
    """Analyse the comments of ``rows``, the ratings a sync request has just stored, with
    one INSERT. PostgreSQL (ratings written by ``COPY``, no ``pk``): keyed by their UUIDs,
    see :func:`_pg_insert`. SQLite: by the ``pk`` that ``bulk_create`` set (otherwise one
    query by the indexed ``uuid`` finds it). Nothing to do, and no query, for rows without
    a comment.

    Called by ``central.api.ingest`` inside its transaction, after the ratings are stored.
    A failure of the analyser never fails the sync: it is logged (without the comment)
    and the comments are left for ``analyse-comments`` to pick up."""
    with_comment = [row for row in rows if row.comment]
    if not with_comment:
        return 0
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                return _store_pg(with_comment, timezone.now())
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
