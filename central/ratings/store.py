"""Writing ratings fast, the same result on both databases (used by ingest and the demo).

- :func:`claim_keys`: insert the UUIDs into ``ratings_ratingkey`` unless already there and
  return the ones this call inserted. PostgreSQL: one ``INSERT ... SELECT unnest(...) ON
  CONFLICT DO NOTHING RETURNING uuid``; SQLite: ``bulk_create(ignore_conflicts=True)`` and
  a SELECT by batch id.
- :func:`insert`: the Rating rows. PostgreSQL: ``COPY`` (no per-row SQL compiling, the
  partitioned table routes each row to its month); SQLite: ``bulk_create``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import connection

from central.ratings.models import Rating, RatingKey


def claim_keys(uuids: Sequence[uuid.UUID], batch_id: uuid.UUID) -> set[uuid.UUID]:
    ordered = sorted(uuids)  # one lock order for every request: no deadlocks
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {RatingKey._meta.db_table} (uuid, batch_id) "
                "SELECT u, %s::uuid FROM unnest(%s::uuid[]) AS u "
                "ON CONFLICT (uuid) DO NOTHING RETURNING uuid",
                [batch_id, ordered],
            )
            return {row[0] for row in cursor.fetchall()}
    RatingKey.objects.bulk_create(
        [RatingKey(uuid=u, batch_id=batch_id) for u in ordered], ignore_conflicts=True
    )
    return set(
        RatingKey.objects.filter(uuid__in=ordered, batch_id=batch_id).values_list("uuid", flat=True)
    )


_FIELDS = [f for f in Rating._meta.concrete_fields if not f.primary_key]


def insert(rows: list[Rating]) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        Rating.objects.bulk_create(rows)
        return
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _FIELDS)
    attnames = [f.attname for f in _FIELDS]
    sql = f"COPY {Rating._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([getattr(row, name) for name in attnames])
