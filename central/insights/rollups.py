"""Keeping the rollups current: :func:`add` is called by the ratings ingest inside the
transaction that stores the ratings, with exactly the rows it inserted (never a
duplicate), so a rating and its rollup contributions commit or roll back together.

ONE statement per rollup table per batch: the batch is aggregated in Python, then a
single upsert ``... ON CONFLICT (key) DO UPDATE SET n = n + excluded.n`` writes every key
of that table; keys in sorted order so concurrent batches lock rollup rows in the same
order and cannot deadlock. A batch of 500 ratings of one kiosk touches a handful of keys
per table, so the rollups cost four statements per batch.

- PostgreSQL: one FIXED statement per table, ``INSERT ... SELECT (e->>0)::int, ... FROM
  json_array_elements(%s::json) ... ON CONFLICT ... DO UPDATE``: the rows as ONE JSON
  parameter whatever their number (``central.api.sync_sql.json_rows``). Built once per
  process and prepared once per connection like the rest of the sync path
  (``sync_sql.cursor``, ``CP_DB_PREPARED``): no SQL text to build and one value to bind
  per statement.
- SQLite: the portable multi-row ``INSERT ... VALUES (...), (...)`` with the same
  ``ON CONFLICT`` (SQLite >= 3.24), built per call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from central.api import sync_sql
from central.insights.models import COUNTS, HIST, AgencyDay, AgencyHour, CounterMonth, PointMonth

_DIM_FIELDS = (
    ("dim_staff", "d_staff"),
    ("dim_waiting_time", "d_waiting_time"),
    ("dim_steps", "d_steps"),
    ("dim_documents", "d_documents"),
    ("dim_facilities", "d_facilities"),
    ("dim_outcome", "d_outcome"),
)
_INDEX = {name: i for i, name in enumerate(COUNTS)}


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _counts(rating) -> list[int]:
    out = [0] * len(COUNTS)
    out[rating.score - 1] = 1
    if rating.asked_for_copy is True:
        out[_INDEX["copy_yes"]] = 1
    elif rating.asked_for_copy is False:
        out[_INDEX["copy_no"]] = 1
    low = rating.score <= 2
    for field, name in _DIM_FIELDS:
        if getattr(rating, field):
            out[_INDEX[name]] = 1
            if low:
                out[_INDEX["l" + name]] = 1
    return out


def _upsert(
    cursor,
    table: str,
    key_cols: list[str],
    count_cols: list[str],
    rows: list[tuple],
    conflict: int = 0,
) -> None:
    """Upsert ``rows`` (key values then counts) with ``cursor``; the first ``conflict`` key
    columns (all when 0) are the unique key, the others are copied on insert only."""
    if not rows:
        return
    rows = sorted(rows)
    if connection.vendor == "postgresql":
        sql = _pg_sql(table, key_cols, count_cols, conflict)
        cursor.execute(sql, [sync_sql.json_rows(rows)])
        return
    cols = key_cols + count_cols
    conflict_cols = key_cols[:conflict] if conflict else key_cols
    q = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    updates = ", ".join(f"{q(c)} = {q(table)}.{q(c)} + excluded.{q(c)}" for c in count_cols)
    # SQLite allows 32,766 parameters per statement; a batch of 500 stays far below.
    per = max(1, 30000 // len(cols))
    for start in range(0, len(rows), per):
        part = rows[start : start + per]
        sql = (
            f"INSERT INTO {q(table)} ({', '.join(q(c) for c in cols)}) "
            f"VALUES {', '.join([one] * len(part))} "
            f"ON CONFLICT ({', '.join(q(c) for c in conflict_cols)}) DO UPDATE SET {updates}"
        )
        cursor.execute(sql, [v for row in part for v in row])


_PG_SQL: dict[str, str] = {}


def _pg_type(table: str, column: str) -> str:
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    kind = field.get_internal_type()
    if kind == "DateField":
        return "date"
    if kind == "CharField":
        return "text"
    return "int"


def _pg_sql(table: str, key_cols: list[str], count_cols: list[str], conflict: int) -> str:
    """The fixed PostgreSQL upsert of ``table`` (built once per process): its rows as ONE
    JSON parameter (``sync_sql.json_rows``), written in their order."""
    sql = _PG_SQL.get(table)
    if sql is None:
        q = connection.ops.quote_name
        conflict_cols = key_cols[:conflict] if conflict else key_cols
        types = [_pg_type(table, c) for c in key_cols] + ["int"] * len(count_cols)
        select, source = sync_sql.json_rows_sql(types)
        updates = ", ".join(f"{q(c)} = {q(table)}.{q(c)} + excluded.{q(c)}" for c in count_cols)
        sql = (
            f"INSERT INTO {q(table)} ({', '.join(q(c) for c in key_cols + count_cols)}) "
            f"SELECT {select} FROM {source} ORDER BY j.i "
            f"ON CONFLICT ({', '.join(q(c) for c in conflict_cols)}) DO UPDATE SET {updates}"
        )
        _PG_SQL[table] = sql
    return sql


_PM_KEYS = ["service_point_id", "month", "service_key", "agency_id", "province_code"]
_CM_KEYS = ["counter_id", "month", "service_key", "service_point_id", "agency_id", "province_code"]


def aggregate(ratings: Iterable, agency_id: int, province_code: str) -> dict[str, list[tuple]]:
    """What ``ratings`` (of ONE service point) add to each rollup table: table ->
    rows of (key columns..., counts...), in the column order :func:`add` writes."""
    zone = local_zone()
    point_month: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    agency_day: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    agency_hour: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    counter_month: dict[tuple, list[int]] = defaultdict(lambda: [0] * 5)
    for rating in ratings:
        local = rating.rated_at.astimezone(zone)
        day = local.date()
        month = date(day.year, day.month, 1)
        service_key = rating.service_id or 0
        counts = _counts(rating)
        for target in (
            point_month[(rating.service_point_id, month, service_key)],
            agency_day[(agency_id, day, service_key)],
        ):
            for i, value in enumerate(counts):
                target[i] += value
        counter_month[(rating.counter_id, month, service_key, rating.service_point_id)][
            rating.score - 1
        ] += 1
        hour = agency_hour[(agency_id, day, local.hour)]
        hour[0] += 1
        hour[1] += rating.score
    return {
        "pointmonth": [(*k, agency_id, province_code, *v) for k, v in point_month.items()],
        "agencyday": [(*k, *v) for k, v in agency_day.items()],
        "agencyhour": [(*k, *v) for k, v in agency_hour.items()],
        "countermonth": [(*k, agency_id, province_code, *v) for k, v in counter_month.items()],
    }


def add(ratings: Iterable, agency_id: int, province_code: str) -> None:
    """Add ``ratings`` (new ``Rating`` objects of ONE service point, not yet or just
    inserted) to every rollup: one statement per table. Call inside the transaction that
    inserts them."""
    rows = aggregate(ratings, agency_id, province_code)
    counts = list(COUNTS)
    with sync_sql.cursor() as cursor:  # one (prepared on PostgreSQL) cursor for the four
        _upsert(cursor, PointMonth._meta.db_table, _PM_KEYS, counts, rows["pointmonth"], 3)
        _upsert(
            cursor,
            AgencyDay._meta.db_table,
            ["agency_id", "day", "service_key"],
            counts,
            rows["agencyday"],
        )
        _upsert(
            cursor,
            AgencyHour._meta.db_table,
            ["agency_id", "day", "hour"],
            ["n", "score_sum"],
            rows["agencyhour"],
        )
        _upsert(cursor, CounterMonth._meta.db_table, _CM_KEYS, list(HIST), rows["countermonth"], 3)


ROLLUP_TABLES = ("pointmonth", "agencyday", "agencyhour", "countermonth")


def rebuild(tables=ROLLUP_TABLES) -> None:
    """Recompute the rollups (all, or those named in ``tables``) from the raw ratings
    (after a bulk load such as the bench's COPY, or to repair). One
    INSERT ... SELECT ... GROUP BY per table."""
    from central.ratings.models import Rating

    q = connection.ops.quote_name
    rating = q(Rating._meta.db_table)
    vendor = connection.vendor
    if vendor == "postgresql":
        local = f"(r.rated_at AT TIME ZONE '{settings.TIME_ZONE}')"
        day = f"CAST({local} AS date)"
        month = f"CAST(date_trunc('month', {local}) AS date)"
        hour = f"CAST(EXTRACT(hour FROM {local}) AS integer)"
        true = "true"
    else:  # SQLite stores UTC text; Bangkok has no daylight saving (+07:00 all year).
        offset = "'+7 hours'"
        day = f"date(r.rated_at, {offset})"
        month = f"date(r.rated_at, {offset}, 'start of month')"
        hour = f"CAST(strftime('%H', r.rated_at, {offset}) AS integer)"
        true = "1"
    sums = [f"SUM(CASE WHEN r.score = {i} THEN 1 ELSE 0 END)" for i in range(1, 6)]
    sums += [
        f"SUM(CASE WHEN r.asked_for_copy = {true} THEN 1 ELSE 0 END)",
        f"SUM(CASE WHEN r.asked_for_copy = {'false' if true == 'true' else '0'} THEN 1 ELSE 0 END)",
    ]
    sums += [f"SUM(CASE WHEN r.{f} = {true} THEN 1 ELSE 0 END)" for f, _ in _DIM_FIELDS]
    sums += [
        f"SUM(CASE WHEN r.{f} = {true} AND r.score <= 2 THEN 1 ELSE 0 END)" for f, _ in _DIM_FIELDS
    ]
    counts = ", ".join(q(c) for c in COUNTS)
    sp = q("directory_servicepoint")
    statements = [
        f"DELETE FROM {q(PointMonth._meta.db_table)}",
        f"DELETE FROM {q(AgencyDay._meta.db_table)}",
        f"DELETE FROM {q(AgencyHour._meta.db_table)}",
        f"DELETE FROM {q(CounterMonth._meta.db_table)}",
        f"INSERT INTO {q(PointMonth._meta.db_table)} (service_point_id, month, service_key, "
        f"agency_id, province_code, {counts}) SELECT r.service_point_id, {month}, "
        f"COALESCE(r.service_id, 0), sp.agency_id, sp.province_code, {', '.join(sums)} "
        f"FROM {rating} r JOIN {sp} sp ON sp.id = r.service_point_id "
        f"GROUP BY r.service_point_id, {month}, COALESCE(r.service_id, 0), sp.agency_id, "
        f"sp.province_code",
        f"INSERT INTO {q(AgencyDay._meta.db_table)} (agency_id, day, service_key, {counts}) "
        f"SELECT sp.agency_id, {day}, COALESCE(r.service_id, 0), {', '.join(sums)} "
        f"FROM {rating} r JOIN {sp} sp ON sp.id = r.service_point_id "
        f"GROUP BY sp.agency_id, {day}, COALESCE(r.service_id, 0)",
        f"INSERT INTO {q(AgencyHour._meta.db_table)} (agency_id, day, hour, n, score_sum) "
        f"SELECT sp.agency_id, {day}, {hour}, COUNT(*), SUM(r.score) "
        f"FROM {rating} r JOIN {sp} sp ON sp.id = r.service_point_id "
        f"GROUP BY sp.agency_id, {day}, {hour}",
        f"INSERT INTO {q(CounterMonth._meta.db_table)} (counter_id, month, service_key, "
        f"service_point_id, agency_id, province_code, n1, n2, n3, n4, n5) "
        f"SELECT r.counter_id, {month}, COALESCE(r.service_id, 0), MIN(r.service_point_id), "
        f"MIN(sp.agency_id), MIN(sp.province_code), {', '.join(sums[:5])} "
        f"FROM {rating} r JOIN {sp} sp ON sp.id = r.service_point_id "
        f"GROUP BY r.counter_id, {month}, COALESCE(r.service_id, 0)",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            if any(f"insights_{t}" in sql.split("(")[0] for t in tables):
                cursor.execute(sql)


def add_for_point(ratings: list, service_point_id: int) -> None:
    """:func:`add` for ratings of one service point, looking up its agency and province."""
    from central.directory.models import ServicePoint

    agency_id, province_code = ServicePoint.objects.values_list("agency_id", "province_code").get(
        pk=service_point_id
    )
    add(ratings, agency_id, province_code)
