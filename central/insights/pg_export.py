"""PostgreSQL fast path of the ratings exports: the database does the work.

- CSV: ``COPY (SELECT ...) TO STDOUT WITH (FORMAT csv)`` through psycopg 3's ``copy``,
  streamed chunk by chunk; PostgreSQL formats every value (local times, public ids, 1/0,
  the spreadsheet-formula guard).
- XLSX: the same SELECT makes each sheet row's XML (``<row><c>...</c></row>``, values
  escaped in SQL) and a server-side cursor hands the ready text to the ZIP writer, so
  Python does no per-cell work.

The WHERE clause is written from the filters and the user's
:class:`~central.scope.Scope` (its agency ids, decided by ``central.scope``) directly on
``ratings_rating``, so PostgreSQL prunes the month partitions outside the range. The same
columns, rows and guard as the portable path in ``central.insights.exports`` (a test
compares both on the same data)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction

from central.insights.filters import Filters
from central.insights.sql import place_filters
from central.ratings.models import DIMENSIONS
from central.scope import Scope

GUARD = "CASE WHEN {c} ~ '^[-=+@\t\r]' THEN chr(39) || {c} ELSE {c} END"
BOOL = "CASE WHEN {c} THEN 1 WHEN NOT {c} THEN 0 END"
# Text cells: XML-escaped, characters XML 1.0 forbids removed.
XML_TEXT = (
    "replace(replace(replace(regexp_replace({c}, '[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f]', '', 'g'),"
    " '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
)


def _timestamp(column: str) -> str:
    zone = settings.TIME_ZONE
    return (
        f"to_char({column} AT TIME ZONE '{zone}', 'YYYY-MM-DD" + '"T"' + "HH24:MI:SS') || '+07:00'"
    )


# (SQL of the value, kind: "text" or "number")
def _columns() -> list[tuple[str, str]]:
    return [
        ("r.uuid::text", "text"),
        (_timestamp("r.rated_at"), "text"),
        (_timestamp("r.received_at"), "text"),
        ("'sp-' || lpad(r.service_point_id::text, 6, '0')", "text"),
        ("sp.code", "text"),
        (GUARD.format(c="sp.name_th"), "text"),
        ("sp.province_code", "text"),
        ("ag.code", "text"),
        ("ct.number", "number"),
        ("'ks-' || lpad(r.kiosk_id::text, 6, '0')", "text"),
        ("sv.code", "text"),
        (GUARD.format(c="NULLIF(r.unknown_service_code, '')"), "text"),
        ("r.score", "number"),
        *[(BOOL.format(c=f"r.{field}"), "number") for field in DIMENSIONS.values()],
        (BOOL.format(c="r.asked_for_copy"), "number"),
        (GUARD.format(c="NULLIF(r.comment, '')"), "text"),
        (BOOL.format(c="r.skew_flag"), "number"),
        (BOOL.format(c="r.interval_flag"), "number"),
    ]


FROM = (
    "FROM ratings_rating r "
    "JOIN directory_servicepoint sp ON sp.id = r.service_point_id "
    "JOIN directory_agency ag ON ag.id = sp.agency_id "
    "JOIN directory_counter ct ON ct.id = r.counter_id "
    "LEFT JOIN catalogue_service sv ON sv.id = r.service_id"
)


def where(scope: Scope, f: Filters) -> tuple[str, list]:
    from central.insights.rollups import local_zone

    zone = local_zone()
    parts = ["r.rated_at >= %s", "r.rated_at < %s"]
    params: list = [
        datetime.combine(f.start, time.min, zone),
        datetime.combine(f.end + timedelta(days=1), time.min, zone),
    ]
    place = place_filters(scope, f, "sp.agency_id", "sp.province_code", "r.service_point_id")
    if place is None:
        return "FALSE", []
    parts += place[0]
    params += place[1]
    if f.service is not None:
        parts.append("r.service_id = %s")
        params.append(f.service.pk)
    return " AND ".join(parts), params


def select(scope: Scope, f: Filters) -> tuple[str, list]:
    clause, params = where(scope, f)
    cols = ", ".join(sql for sql, _ in _columns())
    return f"SELECT {cols} {FROM} WHERE {clause}", params


def select_xml_rows(scope: Scope, f: Filters) -> tuple[str, list]:
    """One text column: the sheet row's XML."""
    cells = []
    for sql, kind in _columns():
        if kind == "number":
            cells.append(f"COALESCE('<c><v>' || ({sql})::text || '</v></c>', '<c/>')")
        else:
            cells.append(
                f'COALESCE(\'<c t="inlineStr"><is><t xml:space="preserve">\' || '
                f"{XML_TEXT.format(c=f'left({sql}, 32767)')} || '</t></is></c>', '<c/>')"
            )
    clause, params = where(scope, f)
    return f"SELECT '<row>' || {' || '.join(cells)} || '</row>' {FROM} WHERE {clause}", params


def csv_chunks(scope: Scope, f: Filters, header: list[str]):
    sql, params = select(scope, f)
    yield ("\ufeff" + ",".join(header) + "\r\n").encode()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        # COPY takes no server-side parameters: bind them client-side (psycopg quoting).
        query = raw.mogrify(sql, params)
        with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
            for chunk in copy:
                yield bytes(chunk)


def xml_rows(scope: Scope, f: Filters, chunk: int = 5000):
    sql, params = select_xml_rows(scope, f)
    connection.ensure_connection()
    with transaction.atomic():
        named = connection.connection.cursor(name="cp_export")
        try:
            named.itersize = chunk
            named.execute(sql, params)
            while batch := named.fetchmany(chunk):
                for (row,) in batch:
                    yield row
        finally:
            named.close()
