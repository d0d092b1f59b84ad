"""The sync path's statements as fixed SQL, built once per process, run without the ORM.

Every kiosk sync call (heartbeat, catalogue delta, ratings batch) starts by finding the
kiosk by its credential and ends by recording that it was seen. Built with the ORM, the
SQL compiler alone was a third to a half of the request's Python CPU time
(bench/central_cpu.py, docs/operations.md "Capacity"); these statements are the same
queries written once, with one statement per need:

- heartbeat: ONE ``UPDATE ... WHERE credential_hash = %s AND revoked_at IS NULL`` that
  authenticates and records the heartbeat together; only when it matches no row does a
  second query tell an unknown credential (401) from a revoked kiosk (403);
- catalogue: one SELECT of the kiosk, its counter, its service point and the catalogue
  change sequence (one snapshot: the sequence is read before any catalogue row), then the
  counter's service codes;
- ratings: one SELECT of the kiosk with its service point's agency and province (what
  the rollups need), then the service codes of the batch.

On PostgreSQL these statements are prepared once per connection (server-side binding for
these statements only; the ORM's queries keep Django's client-side binding) unless
``CP_DB_PREPARED=0`` (a transaction-pooling pgbouncer in front of PostgreSQL cannot keep
prepared statements). They still go through Django's cursor wrapper: query counting,
``execute_wrapper`` hooks and the translation of driver errors are unchanged.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connection

from central.catalogue.models import ChangeCounter, Offering, Service
from central.directory.models import Counter, ServicePoint
from central.fleet.models import Kiosk
from central.fleet.services import hash_secret

# Kiosk columns every sync call needs (the attributes of SyncKiosk, in this order).
KIOSK_COLUMNS = (
    "id",
    "counter_id",
    "revoked_at",
    "skew_flag",
    "last_seen",
    "last_ip",
    "catalogue_refused_reason",
    "catalogue_refused_at",
)
SERVICE_POINT_COLUMNS = (
    "id",
    "agency_id",
    "name_th",
    "name_en",
    "address_th",
    "address_en",
    "lat",
    "lon",
    "province_code",
    "district_code",
    "subdistrict_code",
    "hours_th",
    "hours_en",
    "phone",
)


class SyncKiosk:
    """What a sync call knows about the calling kiosk (a row, not a model instance)."""

    __slots__ = (*KIOSK_COLUMNS, "service_point_id", "agency_id", "province_code")

    id: int
    counter_id: int
    revoked_at: datetime | None
    skew_flag: bool
    last_seen: datetime | None
    last_ip: str | None
    catalogue_refused_reason: str
    catalogue_refused_at: datetime | None
    service_point_id: int
    agency_id: int | None
    province_code: str | None

    @property
    def pk(self) -> int:
        return self.id


def _aware(value):
    """SQLite hands back naive UTC datetimes from a raw cursor (the ORM adds the zone)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _kiosk(row, service_point_id, agency_id=None, province_code=None) -> SyncKiosk:
    kiosk = SyncKiosk()
    for name, value in zip(KIOSK_COLUMNS, row, strict=False):
        setattr(kiosk, name, value)
    kiosk.revoked_at = _aware(kiosk.revoked_at)
    kiosk.last_seen = _aware(kiosk.last_seen)
    kiosk.catalogue_refused_at = _aware(kiosk.catalogue_refused_at)
    kiosk.skew_flag = bool(kiosk.skew_flag)
    kiosk.service_point_id = service_point_id
    kiosk.agency_id = agency_id
    kiosk.province_code = province_code
    return kiosk


# --- running a fixed statement ---------------------------------------------------------

_prepared_cursor_class = None


def _prepared_cursor():
    """A Django cursor wrapper around a psycopg cursor that prepares what it runs."""
    global _prepared_cursor_class
    if _prepared_cursor_class is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True, binary=binary)

            def _send_query_prepared(self, name, pgq, *, binary=None):
                # psycopg records the query it sends (what Django's query log shows, e.g.
                # CaptureQueriesContext) only when it is not prepared: record it here too.
                self._query = pgq
                return super()._send_query_prepared(name, pgq, binary=binary)

        _prepared_cursor_class = PreparingCursor
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:  # Django turns automatic preparing off; we ask
        raw.prepare_threshold = 5  # explicitly (prepare=True), the ORM's cursors never do
    return connection._prepare_cursor(_prepared_cursor_class(raw))


def prepared() -> bool:
    return connection.vendor == "postgresql" and settings.CP_DB_PREPARED


def cursor():
    """A cursor for this module's statements (prepared on PostgreSQL, see the module doc)."""
    return _prepared_cursor() if prepared() else connection.cursor()


# --- many rows as ONE parameter (PostgreSQL) -------------------------------------------
# A fixed statement that writes any number of rows takes them as one JSON array of rows
# (``json_rows``) and reads them back with ``json_rows_sql``. One ``json.dumps`` (C) per
# statement instead of one psycopg array per column: psycopg adapts a list element by
# element in Python to find its type, which cost more than the multi-row VALUES it
# replaced. Exact: integers, text, booleans, dates, ``timestamptz`` (ISO text with its
# offset, microseconds kept), UUIDs, and floats (shortest repr, read back exactly).


def _json_default(value):
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_rows(rows: Sequence[Sequence]) -> str:
    return json.dumps(rows, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def json_rows_sql(types: Sequence[str]) -> tuple[str, str]:
    """(select list, FROM item) reading a ``json_rows`` parameter: column i of row j as
    ``(j.e->>i)::types[i]``; ``j.i`` is the row's position (for an ORDER BY)."""
    columns = ", ".join(f"(j.e->>{i})::{t}" for i, t in enumerate(types))
    return columns, "json_array_elements(%s::json) WITH ORDINALITY AS j(e, i)"


# --- the statements, built once per vendor ----------------------------------------------

_SQL: dict[str, dict[str, str]] = {}


def sql() -> dict[str, str]:
    vendor = connection.vendor
    built = _SQL.get(vendor)
    if built is None:
        built = _SQL[vendor] = _build(vendor)
    return built


def _build(vendor: str) -> dict[str, str]:
    q = connection.ops.quote_name
    kiosk = q(Kiosk._meta.db_table)
    counter = q(Counter._meta.db_table)
    point = q(ServicePoint._meta.db_table)
    change = q(ChangeCounter._meta.db_table)
    offering = q(Offering._meta.db_table)
    service = q(Service._meta.db_table)
    through = Offering.counters.through._meta
    links = q(through.db_table)
    inet = "CAST(%s AS inet)" if vendor == "postgresql" else "%s"
    k_cols = ", ".join(f"k.{q(c)}" for c in KIOSK_COLUMNS)
    sp_cols = ", ".join(f"sp.{q(c)}" for c in SERVICE_POINT_COLUMNS)
    heartbeat_set = (
        f"{q('last_seen')} = %s, {q('last_ip')} = {inet}, {q('app_version')} = %s, "
        f"{q('queue_depth')} = %s, {q('last_kiosk_time')} = %s, "
        f"{q('clock_skew_seconds')} = %s, {q('skew_flag')} = %s, "
    )
    return {
        # Authenticate and record in one statement; no catalogue refusal reported.
        "heartbeat": (
            f"UPDATE {kiosk} SET {heartbeat_set}"
            f"{q('catalogue_refused_reason')} = '', {q('catalogue_refused_at')} = NULL "
            f"WHERE {q('credential_hash')} = %s AND {q('revoked_at')} IS NULL"
        ),
        # The same with a refusal: a new reason is stamped now, the same one keeps its time.
        "heartbeat_refused": (
            f"UPDATE {kiosk} SET {heartbeat_set}"
            f"{q('catalogue_refused_at')} = CASE WHEN {q('catalogue_refused_reason')} = %s "
            f"AND {q('catalogue_refused_at')} IS NOT NULL THEN {q('catalogue_refused_at')} "
            f"ELSE %s END, {q('catalogue_refused_reason')} = %s "
            f"WHERE {q('credential_hash')} = %s AND {q('revoked_at')} IS NULL"
        ),
        "revoked": f"SELECT {q('revoked_at')} FROM {kiosk} WHERE {q('credential_hash')} = %s",
        "kiosk_for_ratings": (
            f"SELECT {k_cols}, c.{q('service_point_id')}, sp.{q('agency_id')}, "
            f"sp.{q('province_code')} FROM {kiosk} k "
            f"JOIN {counter} c ON c.{q('id')} = k.{q('counter_id')} "
            f"JOIN {point} sp ON sp.{q('id')} = c.{q('service_point_id')} "
            f"WHERE k.{q('credential_hash')} = %s"
        ),
        "kiosk_for_catalogue": (
            f"SELECT {k_cols}, c.{q('name_th')}, c.{q('name_en')}, {sp_cols}, "
            f"cc.{q('epoch')}, cc.{q('value')} FROM {kiosk} k "
            f"JOIN {counter} c ON c.{q('id')} = k.{q('counter_id')} "
            f"JOIN {point} sp ON sp.{q('id')} = c.{q('service_point_id')} "
            f"LEFT JOIN {change} cc ON cc.{q('id')} = 1 "
            f"WHERE k.{q('credential_hash')} = %s"
        ),
        "counter_codes": (
            f"SELECT s.{q('code')} FROM {offering} o "
            f"JOIN {links} l ON l.{q(through.get_field('offering').column)} = o.{q('id')} "
            f"JOIN {service} s ON s.{q('id')} = o.{q('service_id')} "
            f"WHERE o.{q('service_point_id')} = %s "
            f"AND l.{q(through.get_field('counter').column)} = %s "
            f"AND s.{q('is_published')} ORDER BY s.{q('code')}"  # drafts stay off kiosks
        ),
        "seen": (
            f"UPDATE {kiosk} SET {q('last_seen')} = %s, {q('last_ip')} = {inet} "
            f"WHERE {q('id')} = %s"
        ),
        "skew_flag": f"UPDATE {kiosk} SET {q('skew_flag')} = %s WHERE {q('id')} = %s",
        # Codes of one batch: PostgreSQL takes the list as one array parameter (one
        # prepared statement whatever the batch); SQLite gets one placeholder per code.
        "service_codes": (
            f"SELECT s.{q('code')}, o.{q('service_id')} FROM {offering} o "
            f"JOIN {service} s ON s.{q('id')} = o.{q('service_id')} "
            f"WHERE o.{q('service_point_id')} = %s AND s.{q('code')} "
            + ("= ANY(%s)" if vendor == "postgresql" else "IN ({})")
        ),
    }


# --- the operations the views call ------------------------------------------------------


def _dt(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _ip(value: str | None):
    return value  # CAST(... AS inet) on PostgreSQL; text on SQLite


def heartbeat(
    credential: str,
    now: datetime,
    ip: str | None,
    *,
    app_version: str,
    queue_depth: int,
    kiosk_time: datetime,
    skew_seconds: float,
    skew_flag: bool,
    refused_reason: str,
) -> bool:
    """Record a heartbeat for the live kiosk holding ``credential``; False if there is
    none (unknown credential or revoked kiosk: see :func:`revoked`)."""
    common = [_dt(now), _ip(ip), app_version, queue_depth, _dt(kiosk_time), skew_seconds, skew_flag]
    if refused_reason:
        statement = sql()["heartbeat_refused"]
        params = [*common, refused_reason, _dt(now), refused_reason, hash_secret(credential)]
    else:
        statement = sql()["heartbeat"]
        params = [*common, hash_secret(credential)]
    with cursor() as c:
        c.execute(statement, params)
        return c.rowcount == 1


def revoked(credential: str) -> bool | None:
    """None: no kiosk holds ``credential``; else whether that kiosk is revoked."""
    with cursor() as c:
        c.execute(sql()["revoked"], [hash_secret(credential)])
        row = c.fetchone()
    return None if row is None else row[0] is not None


def kiosk_for_ratings(credential: str) -> SyncKiosk | None:
    with cursor() as c:
        c.execute(sql()["kiosk_for_ratings"], [hash_secret(credential)])
        row = c.fetchone()
    if row is None:
        return None
    n = len(KIOSK_COLUMNS)
    return _kiosk(row, row[n], row[n + 1], row[n + 2])


def kiosk_for_catalogue(
    credential: str,
) -> tuple[SyncKiosk, Counter, tuple[str, int] | None] | None:
    """(kiosk, its counter with ``service_point`` loaded, (epoch, seq) or None when the
    change counter row does not exist yet), or None for an unknown credential."""
    with cursor() as c:
        c.execute(sql()["kiosk_for_catalogue"], [hash_secret(credential)])
        row = c.fetchone()
    if row is None:
        return None
    n = len(KIOSK_COLUMNS)
    counter_name_th, counter_name_en = row[n], row[n + 1]
    sp_values = row[n + 2 : n + 2 + len(SERVICE_POINT_COLUMNS)]
    epoch, seq = row[-2], row[-1]
    point = ServicePoint(**dict(zip(SERVICE_POINT_COLUMNS, sp_values, strict=True)))
    kiosk = _kiosk(row[:n], point.pk)
    counter = Counter(
        id=kiosk.counter_id,
        service_point_id=point.pk,
        name_th=counter_name_th,
        name_en=counter_name_en,
    )
    counter.service_point = point
    return kiosk, counter, (None if epoch is None else (epoch, seq))


def counter_codes(counter: Counter) -> list[str]:
    with cursor() as c:
        c.execute(sql()["counter_codes"], [counter.service_point_id, counter.pk])
        return [row[0] for row in c.fetchall()]


def seen(kiosk_id: int, now: datetime, ip: str | None) -> None:
    with cursor() as c:
        c.execute(sql()["seen"], [_dt(now), _ip(ip), kiosk_id])


def set_skew_flag(kiosk_id: int) -> None:
    with cursor() as c:
        c.execute(sql()["skew_flag"], [True, kiosk_id])


def service_codes(service_point_id: int, codes: set[str]) -> dict[str, int]:
    """code -> service id, for ``codes`` offered at this service point now."""
    statement = sql()["service_codes"]
    ordered = sorted(codes)
    if connection.vendor == "postgresql":
        params: list = [service_point_id, ordered]
    else:
        statement = statement.format(", ".join(["%s"] * len(ordered)))
        params = [service_point_id, *ordered]
    with cursor() as c:
        c.execute(statement, params)
        return dict(c.fetchall())
