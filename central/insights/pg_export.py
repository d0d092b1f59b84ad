"""PostgreSQL fast path of the ratings exports: the database formats every value (local
times, public ids, 1/0, the spreadsheet-formula guard) and either writes the CSV itself
(``COPY (SELECT ...) TO STDOUT WITH (FORMAT csv)``, streamed chunk by chunk) or hands text
rows to the XLSX writer from a server-side cursor. Same columns and scope as
``central.insights.exports`` (whose queryset decides which ratings)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from central.ratings.models import DIMENSIONS

GUARD = "CASE WHEN {c} ~ '^[-=+@\t\r]' THEN chr(39) || {c} ELSE {c} END"
BOOL = "CASE WHEN {c} THEN 1 WHEN NOT {c} THEN 0 END"


def _timestamp(column: str) -> str:
    zone = settings.TIME_ZONE
    return (
        f"to_char({column} AT TIME ZONE '{zone}', 'YYYY-MM-DD" + '"T"' + "HH24:MI:SS') || '+07:00'"
    )


def select(queryset) -> tuple[str, list]:
    cols = [
        "r.uuid::text",
        _timestamp("r.rated_at"),
        _timestamp("r.received_at"),
        "'sp-' || lpad(r.service_point_id::text, 6, '0')",
        "sp.code",
        GUARD.format(c="sp.name_th"),
        "sp.province_code",
        "ag.code",
        "ct.number",
        "'ks-' || lpad(r.kiosk_id::text, 6, '0')",
        "sv.code",
        GUARD.format(c="r.unknown_service_code"),
        "r.score",
        *[BOOL.format(c=f"r.{field}") for field in DIMENSIONS.values()],
        BOOL.format(c="r.asked_for_copy"),
        GUARD.format(c="r.comment"),
        BOOL.format(c="r.skew_flag"),
        BOOL.format(c="r.interval_flag"),
    ]
    inner, params = queryset.values("id").query.sql_with_params()
    sql = (
        f"SELECT {', '.join(cols)} FROM ratings_rating r "
        "JOIN directory_servicepoint sp ON sp.id = r.service_point_id "
        "JOIN directory_agency ag ON ag.id = sp.agency_id "
        "JOIN directory_counter ct ON ct.id = r.counter_id "
        "LEFT JOIN catalogue_service sv ON sv.id = r.service_id "
        f"WHERE r.id IN ({inner})"
    )
    return sql, list(params)


def csv_chunks(queryset, header: list[str]):
    sql, params = select(queryset)
    yield ("\ufeff" + ",".join(header) + "\r\n").encode()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        # COPY takes no server-side parameters: bind them client-side (psycopg quoting).
        query = raw.mogrify(sql, params)
        with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
            for chunk in copy:
                yield bytes(chunk)


def rows(queryset, chunk: int = 5000):
    sql, params = select(queryset)
    connection.ensure_connection()
    with transaction.atomic():
        named = connection.connection.cursor(name="cp_export")
        try:
            named.itersize = chunk
            named.execute(sql, params)
            while batch := named.fetchmany(chunk):
                yield from batch
        finally:
            named.close()
