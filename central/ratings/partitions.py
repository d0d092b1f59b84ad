"""Monthly partitions of ``ratings_rating`` on PostgreSQL (declarative RANGE partitioning
on ``rated_at``); a no-op on SQLite.

Migration ``ratings.0005`` turns the table into a partitioned one; :func:`ensure` creates
the monthly partitions for a range of months (idempotent). Ratings outside every monthly
partition land in ``ratings_rating_default`` and are never refused. The insights worker
(``python -m central insights_worker``) keeps the next months' partitions ready.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

TABLE = "ratings_rating"


def _month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def is_partitioned(conn=connection) -> bool:
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s",
            [TABLE],
        )
        return cursor.fetchone() is not None


def ensure(first: date, last: date, conn=connection) -> list[str]:
    """Create the monthly partitions from ``first``'s month to ``last``'s month (both
    included) that do not exist yet; returns the names created."""
    if not is_partitioned(conn):
        return []
    created = []
    month = date(first.year, first.month, 1)
    end = date(last.year, last.month, 1)
    with conn.cursor() as cursor:
        while month <= end:
            name = f"{TABLE}_{month:%Y%m}"
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                upper = _month_add(month, 1)
                # Bounds in UTC: a month is [first day 00:00 UTC, next first day 00:00 UTC).
                cursor.execute(
                    f'CREATE TABLE "{name}" PARTITION OF "{TABLE}" '
                    f"FOR VALUES FROM ('{month.isoformat()} 00:00+00') "
                    f"TO ('{upper.isoformat()} 00:00+00')"
                )
                created.append(name)
            month = _month_add(month, 1)
    return created


def ensure_around_today(months_ahead: int = 3, conn=connection) -> list[str]:
    today = date.today()
    return ensure(_month_add(today, -1), _month_add(today, months_ahead), conn)
