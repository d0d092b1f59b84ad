"""The heavy aggregates of the rankings and compliance pages, pushed into the database
as one SQL statement each (same SQL on PostgreSQL and SQLite, window functions and SQRT —
which Django registers on SQLite): at 40,000 service points the database aggregates the
point rollup and returns only the rows a page shows, instead of Python looping over
hundreds of thousands of groups.

The WHERE clause is built from the user's :class:`~central.scope.Scope` (its agency ids,
decided by ``central.scope``) and the page's filters; nothing here decides scope."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection

from central.insights import stats
from central.insights.filters import Filters
from central.scope import Scope

PM = "insights_pointmonth"
TOP = 20


def _date(value):
    return connection.ops.adapt_datefield_value(value)


def place_filters(
    scope: Scope, f: Filters, agency: str, province: str, point: str
) -> tuple[list[str], list] | None:
    """The user's scope and the agency, province and service point filters, on the given
    columns; None when the scope holds no agency (nothing may be shown). Shared by the
    rollup queries, the snapshot tables and the PostgreSQL exports."""
    parts: list[str] = []
    params: list = []
    if not scope.is_central:
        ids = sorted(scope.agency_ids)
        if not ids:
            return None
        parts.append(f"{agency} IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    if f.agency is not None:
        ids = sorted(f.agency_ids)
        parts.append(f"{agency} IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    if f.province:
        parts.append(f"{province} = %s")
        params.append(f.province)
    if f.point is not None:
        parts.append(f"{point} = %s")
        params.append(f.point.pk)
    return parts, params


def _place(scope: Scope, f: Filters, alias: str) -> tuple[list[str], list] | None:
    return place_filters(
        scope, f, f"{alias}.agency_id", f"{alias}.province_code", f"{alias}.service_point_id"
    )


def where(scope: Scope | None, f: Filters, alias: str = "pm") -> tuple[str, list]:
    """The filters (and, unless ``scope`` is None — the national prior — the scope)."""
    start, end = f.months
    parts = [f"{alias}.month >= %s", f"{alias}.month <= %s"]
    params: list = [_date(start), _date(end)]
    if scope is not None:
        place = _place(scope, f, alias)
        if place is None:
            return "1 = 0", []
        parts += place[0]
        params += place[1]
    if f.service is not None:
        parts.append(f"{alias}.service_key = %s")
        params.append(f.service.pk)
    return " AND ".join(parts), params


_N = "(pm.n1 + pm.n2 + pm.n3 + pm.n4 + pm.n5)"
_T = "(pm.n1 + 2 * pm.n2 + 3 * pm.n3 + 4 * pm.n4 + 5 * pm.n5)"
_Q = "(pm.n1 + 4 * pm.n2 + 9 * pm.n3 + 16 * pm.n4 + 25 * pm.n5)"


def priors(f: Filters, use_cache: bool = True) -> dict[int, stats.Prior]:
    """Per service, the national prior (mean, weight m, within-point variance) over the
    filter's months, by the method of moments of ``stats.estimate_prior``. Cached for 10
    minutes per month range and service filter: it moves slowly."""
    start, end = f.months
    key = f"insights:priors:v2:{start}:{end}:{f.service.pk if f.service else ''}"
    found = cache.get(key) if use_cache else None
    if found is not None:
        return found
    clause, params = where(None, f)
    sql = f"""
        WITH g AS (
            SELECT pm.service_key AS sk, SUM({_N}) AS n, SUM({_T}) AS t, SUM({_Q}) AS q
            FROM {PM} pm WHERE {clause} AND pm.service_key <> 0
            GROUP BY pm.service_point_id, pm.service_key
        )
        SELECT sk, COUNT(*), SUM(n), SUM(t), SUM(q),
               SUM(CASE WHEN n >= 2 THEN q - 1.0 * t * t / n ELSE 0 END),
               SUM(CASE WHEN n >= 2 THEN n - 1 ELSE 0 END),
               SUM(1.0 * t / n), SUM(1.0 * t * t / (1.0 * n * n)), SUM(1.0 / n)
        FROM g WHERE n > 0 GROUP BY sk
    """
    out: dict[int, stats.Prior] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for sk, k, n, t, q, ss_within, dof, sum_m, sum_m2, inv_n in cursor.fetchall():
            k, n, t, q = int(k), int(n), float(t), float(q)
            mean = t / n
            if dof:
                sigma2 = float(ss_within) / float(dof)
            else:
                sigma2 = (q - t * t / n) / (n - 1) if n > 1 else 1.0
            sigma2 = max(sigma2, 0.05)
            if k < 3:
                out[sk] = stats.Prior(mean, stats.M_MAX / 4, sigma2)
                continue
            between = (float(sum_m2) - float(sum_m) ** 2 / k) / (k - 1)
            harmonic = k / float(inv_n)
            tau2 = between - sigma2 / harmonic
            weight = stats.M_MAX if tau2 <= 0 else min(stats.M_MAX, max(stats.M_MIN, sigma2 / tau2))
            out[sk] = stats.Prior(mean, weight, sigma2)
    cache.set(key, out, 600)
    return out


DECLARED = """
    SELECT o.service_point_id AS sp, o.service_id AS sk
    FROM catalogue_offering o JOIN catalogue_copystatus cs ON cs.offering_id = o.id
    GROUP BY o.id, o.service_point_id, o.service_id
    HAVING SUM(CASE WHEN cs.status = 'no_copy' THEN 0 ELSE 1 END) = 0
"""


def contradictions(scope: Scope, f: Filters, min_answers: int, share: float) -> list[dict]:
    """(point, service) pairs declared No Copy whose citizens' "asked for a copy" share
    may be above ``share`` (the Wilson test is done by the caller on these few rows)."""
    clause, params = where(scope, f)
    sql = f"""
        WITH d AS ({DECLARED})
        SELECT pm.service_point_id, pm.service_key, SUM(pm.copy_yes), SUM(pm.copy_no)
        FROM {PM} pm JOIN d ON d.sp = pm.service_point_id AND d.sk = pm.service_key
        WHERE {clause}
        GROUP BY pm.service_point_id, pm.service_key
        HAVING SUM(pm.copy_yes) + SUM(pm.copy_no) >= %s
           AND SUM(pm.copy_yes) > %s * (SUM(pm.copy_yes) + SUM(pm.copy_no))
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params + [min_answers, share])
        return [
            {"service_point_id": sp, "service_key": sk, "yes": int(yes), "no": int(no)}
            for sp, sk, yes, no in cursor.fetchall()
        ]


# -- fair rows: one SELECT for the live pages and for the snapshots ---------------------------

CM = "insights_countermonth"
# entity -> (rollup table, its columns carried into the rows; the first one is the id)
ENTITIES = {
    "point": (PM, ["service_point_id", "agency_id", "province_code"]),
    "counter": (CM, ["counter_id", "service_point_id", "agency_id", "province_code"]),
}


def _prior_values(prior: dict[int, stats.Prior]) -> tuple[str, list]:
    one = ("(%s, CAST(%s AS DOUBLE PRECISION), CAST(%s AS DOUBLE PRECISION), "
           "CAST(%s AS DOUBLE PRECISION))")  # fmt: skip
    values = ", ".join([one] * len(prior))
    return values, [v for sk, p in prior.items() for v in (sk, p.mean, p.weight, p.sigma2)]


def fair_rows(entity: str, clause: str, params: list, prior, level: str) -> tuple[str, list]:
    """SELECT of one row per entity (``level="all"``: over all its services, service
    key -1) or per entity x service (``level="service"``) of the rollup rows matching
    ``clause``, with n, the sum of scores, the prior (mean, weight, sigma2), the fair
    score and the half-width of its 95 % interval; for points also the photocopy answers
    and whether the pair is declared No Copy today. Ratings of a service without a prior
    (unknown service) do not count, as in the fair score's definition."""
    table, cols = ENTITIES[entity]
    values, prior_params = _prior_values(prior)
    point = entity == "point"
    keys = ", ".join(f"pm.{c}" for c in cols)
    copy = ", SUM(pm.copy_yes) AS y, SUM(pm.copy_no) AS no" if point else ""
    g = (
        f"SELECT {keys}, pm.service_key AS sk, SUM({_N}) AS n, SUM({_T}) AS t{copy} "
        f"FROM {table} pm WHERE {clause} GROUP BY {keys}, pm.service_key"
    )
    outer = ", ".join(f"g.{c}" for c in cols)
    if level == "service":
        declared = ", CASE WHEN d.sp IS NULL THEN 0 ELSE 1 END AS declared" if point else ""
        join = " LEFT JOIN d ON d.sp = g.service_point_id AND d.sk = g.sk" if point else ""
        inner = (
            f"SELECT {outer}, g.sk AS sk, g.n AS n, g.t AS t, pr.mean AS prior_mean, "
            f"pr.w AS w, pr.s2 AS s2{', g.y AS y, g.no AS no' if point else ''}{declared} "
            f"FROM g JOIN pr ON pr.sk = g.sk{join} WHERE g.n > 0"
        )
    else:
        declared = ", 0 AS declared" if point else ""
        inner = (
            f"SELECT {outer}, -1 AS sk, SUM(g.n) AS n, SUM(g.t) AS t, "
            f"SUM(g.n * pr.mean) / SUM(g.n) AS prior_mean, SUM(g.n * pr.w) / SUM(g.n) AS w, "
            f"SUM(g.n * pr.s2) / SUM(g.n) AS s2"
            f"{', SUM(g.y) AS y, SUM(g.no) AS no' if point else ''}{declared} "
            f"FROM g JOIN pr ON pr.sk = g.sk WHERE g.n > 0 GROUP BY {outer}"
        )
    names = ", ".join(cols)
    extra = ", y, no, declared" if point else ""
    sql = (
        f"WITH pr(sk, mean, w, s2) AS (VALUES {values}), g AS ({g})"
        f"{f', d AS ({DECLARED})' if point and level == 'service' else ''} "
        f"SELECT {names}, sk, n, t, prior_mean, w, s2, "
        f"(t + w * prior_mean) / (n + w) AS score, 1.96 * SQRT(s2 / (n + w)) AS half{extra} "
        f"FROM ({inner}) i"
    )
    return sql, prior_params + params


def rank_rows(source: str, params: list, id_col: str, min_n: int) -> list[tuple]:
    """Best, lowest and clearly-worst (top ``TOP`` each) of the fair rows ``source`` (a
    relation with ``id_col``, n, t, prior_mean, w, score, half): rows of
    (id, n, t, prior_mean, w, score, half, rank best, rank worst, rank clearly worst or
    None, how many ranked, how many below ``min_n``)."""
    sql = f"""
        WITH s AS (SELECT * FROM ({source}) src),
        r AS (
            SELECT s.*,
                   ROW_NUMBER() OVER (ORDER BY score DESC, {id_col}) AS rb,
                   ROW_NUMBER() OVER (ORDER BY score ASC, {id_col}) AS rw,
                   ROW_NUMBER() OVER (
                       ORDER BY CASE WHEN score + half < prior_mean THEN 0 ELSE 1 END,
                                score + half, {id_col}) AS rc,
                   COUNT(*) OVER () AS ranked
            FROM s WHERE n >= %s
        )
        SELECT {id_col}, n, t, prior_mean, w, score, half, rb, rw,
               CASE WHEN score + half < prior_mean THEN rc END, ranked,
               (SELECT COUNT(*) FROM s WHERE n < %s)
        FROM r WHERE rb <= {TOP} OR rw <= {TOP} OR (rc <= {TOP} AND score + half < prior_mean)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params + [min_n, min_n])
        return cursor.fetchall()


def rank_rows_snapshot(
    table: str, id_col: str, where: str, params: list, min_n: int, national=None
) -> list[tuple]:
    """:func:`rank_rows` for a snapshot table (``where`` selects the snapshot, the
    service key and the scope): three ``ORDER BY ... LIMIT`` queries the
    ``(snapshot, service_key, score)`` index answers, and one count, instead of window
    functions over every row. Same rows, same order, same tuple shape. ``national``
    (snapshot id, entity, service key), for a central admin's unfiltered ranking: the
    counts come from ``insights_snapshotcount`` instead of counting every row."""
    cols = f"x.{id_col}, x.n, x.total, x.prior_mean, x.prior_weight, x.score, x.high - x.score"
    base = f"SELECT {cols} FROM {table} x WHERE {where}"
    with connection.cursor() as cursor:
        if national is not None:
            cursor.execute(
                "SELECT SUM(CASE WHEN x.n >= %s THEN x.rows ELSE 0 END), "
                "SUM(CASE WHEN x.n < %s THEN x.rows ELSE 0 END) FROM insights_snapshotcount x "
                "WHERE x.snapshot_id = %s AND x.entity = %s AND x.service_key = %s",
                [min_n, min_n, *national],
            )
        else:
            cursor.execute(
                f"SELECT SUM(CASE WHEN x.n >= %s THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN x.n < %s THEN 1 ELSE 0 END) FROM {table} x WHERE {where}",
                [min_n, min_n, *params],
            )
        ranked, below = (int(v or 0) for v in cursor.fetchone())
        lists = []
        for extra, order in (
            ("", f"x.score DESC, x.{id_col}"),
            ("", f"x.score ASC, x.{id_col}"),
            (" AND x.high < x.prior_mean", f"x.high, x.{id_col}"),
        ):
            cursor.execute(
                f"{base} AND x.n >= %s{extra} ORDER BY {order} LIMIT {TOP}", [*params, min_n]
            )
            lists.append(cursor.fetchall())
    rows: dict = {}
    for index, found in enumerate(lists):
        for rank, row in enumerate(found, start=1):
            entry = rows.setdefault(row[0], [*row, None, None, None])
            entry[7 + index] = rank
    # rank best, rank worst (None when not in that list: never <= TOP), clearly or None
    big = TOP + 1
    return [(*e[:7], e[7] or big, e[8] or big, e[9], ranked, below) for e in rows.values()]


def below_min(source: str, params: list, min_n: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({source}) src WHERE n < %s", params + [min_n])
        return int(cursor.fetchone()[0])


def month_ends(start, end, now) -> list[tuple]:
    """(month, the instant its declared status is read at) for each month start..end:
    the first instant of the next local month, or ``now`` for the current month."""
    from datetime import date, datetime, time

    from central.insights.rollups import local_zone

    zone = local_zone()
    out = []
    month = start
    while month <= end:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        at = datetime.combine(following, time.min, zone)
        out.append((month, min(at, now)))
        month = following
    return out


def _month_values(start, end, now) -> tuple[str, list]:
    pg = connection.vendor == "postgresql"
    one = "(CAST(%s AS DATE), CAST(%s AS TIMESTAMP WITH TIME ZONE))" if pg else "(%s, %s)"
    rows = month_ends(start, end, now)
    params = []
    for month, at in rows:
        params += [_date(month), connection.ops.adapt_datetimefield_value(at)]
    return ", ".join([one] * len(rows)), params


def copy_shares_by_service(clause: str, params: list, start, end, now) -> tuple[str, list]:
    """SELECT (month, agency_id, service_key, declared, yes, no) of the point rollup rows
    matching ``clause``, ``declared`` being the status in force at the end of that month
    (``catalogue_declarednocopy``) — the compliance trend with the status as it was."""
    values, month_params = _month_values(start, end, now)
    sql = f"""
        WITH mv(m, t) AS (VALUES {values})
        SELECT month, agency_id, service_key, declared, SUM(copy_yes) AS yes,
               SUM(copy_no) AS no FROM (
            SELECT pm.month, pm.agency_id, pm.service_key, pm.copy_yes, pm.copy_no,
                   CASE WHEN h.id IS NULL THEN 0 ELSE 1 END AS declared
            FROM {PM} pm JOIN mv ON mv.m = pm.month
            LEFT JOIN catalogue_declarednocopy h
                   ON h.service_point_id = pm.service_point_id AND h.service_id = pm.service_key
                  AND h.valid_from < mv.t AND (h.valid_to IS NULL OR h.valid_to >= mv.t)
            WHERE {clause} AND pm.service_key <> 0
        ) x GROUP BY month, agency_id, service_key, declared
    """
    return sql, month_params + params


def where_rows(scope: Scope, f: Filters, alias: str) -> tuple[str, list]:
    """Scope and filters (agency, province, point) on a snapshot table's columns."""
    place = _place(scope, f, alias)
    if place is None:
        return "1 = 0", []
    return " AND ".join(["1 = 1", *place[0]]), place[1]
