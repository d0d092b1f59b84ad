"""Snapshots of the rankings and compliance figures for the standard windows (the last
90, 180 and 365 days; like every page, as whole local months), so the default rankings
and compliance pages read ~40,000 ready rows per window instead of aggregating every
point-month rollup row of a year at request time.

A snapshot holds, per service point (all its services, and per service) and per counter:
n, the sum of scores, the prior, the fair score and its interval, the photocopy answers
and whether the pair is declared No Copy; and the photocopy answers per month x agency x
service split by the status declared *in that month*. It is made by the same SQL as the
live pages (``central.insights.sql.fair_rows`` / ``copy_shares_by_service``), run once
for everyone; pages then apply the user's scope and filters to its rows
(``sql.where_rows``), so a snapshot shows exactly what the live SQL shows on the same data.

Refreshed by ``python -m central insights_worker`` (every ``CP_SNAPSHOT_EVERY`` seconds,
default 600), after ``python -m central demo``, and by a page itself when the window's
snapshot is missing or older than ``CP_SNAPSHOT_MAX_AGE`` (default 3600 s). A custom
range that is not a standard window is computed live. Pages say how fresh the figures
are."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from central.insights import sql
from central.insights.filters import Filters
from central.insights.models import (
    Snapshot,
    SnapshotCopy,
    SnapshotCount,
    SnapshotCounter,
    SnapshotPoint,
)
from central.scope import Scope

WINDOWS = (90, 180, 365)


def max_age() -> float:
    return float(getattr(settings, "CP_SNAPSHOT_MAX_AGE", 3600))


def refresh_every() -> float:
    return float(getattr(settings, "CP_SNAPSHOT_EVERY", 600))


def months_of(days: int, today: date) -> tuple[date, date]:
    start = today - timedelta(days=days - 1)
    return date(start.year, start.month, 1), date(today.year, today.month, 1)


def window_for(f: Filters, today: date | None = None) -> int | None:
    """The standard window whose months are the filter's months (or None: live SQL)."""
    today = today or timezone.localdate()
    for days in WINDOWS:
        if months_of(days, today) == f.months:
            return days
    return None


def current(f: Filters, *, compliance: bool = False) -> Snapshot | None:
    """The snapshot to read for these filters, refreshed first when missing or stale;
    None when the filters need the live SQL (a custom range; for compliance also a
    province or service point filter, which the monthly copy table does not carry)."""
    if compliance and (f.province or f.point):
        return None
    days = window_for(f)
    if days is None:
        return None
    start, end = f.months
    snap = (
        Snapshot.objects.filter(days=days, start_month=start, end_month=end)
        .order_by("-refreshed_at")
        .first()
    )
    if snap is None or (timezone.now() - snap.refreshed_at).total_seconds() > max_age():
        snap = _refresh_once(days, start, end)
    return snap


def _refresh_once(days: int, start: date, end: date) -> Snapshot:
    """Refresh a stale window from a page; on PostgreSQL concurrent pages wait for one
    refresh (an advisory lock) instead of each computing their own."""
    if connection.vendor != "postgresql":
        return refresh(days)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5C0FE, days])
        snap = (
            Snapshot.objects.filter(days=days, start_month=start, end_month=end)
            .order_by("-refreshed_at")
            .first()
        )
        if snap is not None and (timezone.now() - snap.refreshed_at).total_seconds() <= max_age():
            return snap  # another request refreshed it while we waited
        return refresh(days)


def _insert(table: str, columns: list[str], select: str, params: list, snap_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (snapshot_id, {', '.join(columns)}) "
            f"SELECT %s, {', '.join(columns_from(columns))} FROM ({select}) x",
            [snap_id, *params],
        )


_FROM = {
    "total": "t",
    "prior_weight": "w",
    "sigma2": "s2",
    "low": "score - half",
    "high": "score + half",
    "copy_yes": "y",
    "copy_no": "no",
    "declared": "(declared = 1)",
    # 95 % Wilson interval's lower end of yes / (yes + no), as stats.wilson computes it
    "copy_low": (
        "CASE WHEN y + no > 0 THEN (1.0 * y / (y + no) + 1.9208 / (y + no) - 1.96 * SQRT("
        "(1.0 * y / (y + no)) * (1 - 1.0 * y / (y + no)) / (y + no) "
        "+ 0.9604 / (1.0 * (y + no) * (y + no)))) / (1 + 3.8416 / (y + no)) END"
    ),
    "service_key": "sk",
}


def columns_from(columns: list[str]) -> list[str]:
    return [_FROM.get(c, c) for c in columns]


FAIR = ["n", "total", "prior_mean", "prior_weight", "sigma2", "score", "low", "high"]


def refresh(days: int, now=None) -> Snapshot:
    """Compute the snapshot of one standard window (the previous one of that window is
    replaced in the same transaction: readers see the old one until this commits)."""
    from central.catalogue import history

    now = now or timezone.now()
    today = timezone.localdate(now)
    start, end = months_of(days, today)
    f = Filters(start=start, end=today)
    t0 = time.perf_counter()
    prior = sql.priors(f, use_cache=False)
    clause, params = sql.where(Scope(is_central=True), f)
    with transaction.atomic():
        history.sync(now=now)
        snap = Snapshot.objects.create(
            days=days,
            start_month=start,
            end_month=end,
            refreshed_at=now,
            priors={str(k): [p.mean, p.weight, p.sigma2] for k, p in prior.items()},
        )
        if prior:
            for level in ("all", "service"):
                select, p = sql.fair_rows("point", clause, params, prior, level)
                _insert(
                    SnapshotPoint._meta.db_table,
                    ["service_point_id", "agency_id", "province_code", "service_key", *FAIR,
                     "copy_yes", "copy_no", "declared", "copy_low"],
                    select, p, snap.pk,
                )  # fmt: skip
                select, p = sql.fair_rows("counter", clause, params, prior, level)
                _insert(
                    SnapshotCounter._meta.db_table,
                    ["counter_id", "service_point_id", "agency_id", "province_code",
                     "service_key", *FAIR],
                    select, p, snap.pk,
                )  # fmt: skip
        with connection.cursor() as cursor:
            for entity, model in (("point", SnapshotPoint), ("counter", SnapshotCounter)):
                cursor.execute(
                    f"INSERT INTO {SnapshotCount._meta.db_table} (snapshot_id, entity, "
                    f"service_key, n, rows) SELECT %s, %s, service_key, n, COUNT(*) "
                    f"FROM {model._meta.db_table} WHERE snapshot_id = %s GROUP BY service_key, n",
                    [snap.pk, entity, snap.pk],
                )
        select, p = sql.copy_shares_by_service(clause, params, start, end, now)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SnapshotCopy._meta.db_table} (snapshot_id, month, agency_id, "
                f"service_key, declared, yes, no) SELECT %s, month, agency_id, service_key, "
                f"(declared = 1), yes, no FROM ({select}) x",
                [snap.pk, *p],
            )
        # Keep the previous snapshot too: a page that picked it a moment ago still reads
        # its rows; only older ones go.
        old = list(
            Snapshot.objects.filter(days=days)
            .exclude(pk=snap.pk)
            .order_by("-refreshed_at", "-id")
            .values_list("pk", flat=True)[1:]
        )
        if old:
            marks = ", ".join(["%s"] * len(old))
            with connection.cursor() as cursor:
                for model in (
                    SnapshotPoint,
                    SnapshotCounter,
                    SnapshotCopy,
                    SnapshotCount,
                    Snapshot,
                ):
                    column = "id" if model is Snapshot else "snapshot_id"
                    cursor.execute(
                        f"DELETE FROM {model._meta.db_table} WHERE {column} IN ({marks})", old
                    )
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner takes the new rows for an empty table and
            # scans a whole window's rows where an index gives 20 (autovacuum may be off,
            # or not yet around).
            with connection.cursor() as cursor:
                for model in (SnapshotPoint, SnapshotCounter, SnapshotCount, SnapshotCopy):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        snap.seconds = round(time.perf_counter() - t0, 3)
        Snapshot.objects.filter(pk=snap.pk).update(seconds=snap.seconds)
    return snap


def refresh_due(now=None) -> list[int]:
    """Refresh every standard window whose snapshot is older than ``refresh_every()``
    (or of other months); the windows refreshed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = []
    for days in WINDOWS:
        start, end = months_of(days, today)
        snap = (
            Snapshot.objects.filter(days=days, start_month=start, end_month=end)
            .order_by("-refreshed_at")
            .first()
        )
        if snap is None or (now - snap.refreshed_at).total_seconds() >= refresh_every():
            refresh(days, now=now)
            done.append(days)
    return done
