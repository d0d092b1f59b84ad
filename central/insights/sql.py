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


def where(scope: Scope | None, f: Filters, alias: str = "pm") -> tuple[str, list]:
    """The filters (and, unless ``scope`` is None — the national prior — the scope)."""
    start, end = f.months
    parts = [f"{alias}.month >= %s", f"{alias}.month <= %s"]
    params: list = [_date(start), _date(end)]
    if scope is not None and not scope.is_central:
        ids = sorted(scope.agency_ids)
        if not ids:
            return "1 = 0", []
        parts.append(f"{alias}.agency_id IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    if scope is not None:
        if f.agency is not None:
            ids = sorted(f.agency_ids)
            parts.append(f"{alias}.agency_id IN ({', '.join(['%s'] * len(ids))})")
            params += ids
        if f.province:
            parts.append(f"{alias}.province_code = %s")
            params.append(f.province)
        if f.point is not None:
            parts.append(f"{alias}.service_point_id = %s")
            params.append(f.point.pk)
    if f.service is not None:
        parts.append(f"{alias}.service_key = %s")
        params.append(f.service.pk)
    return " AND ".join(parts), params


_N = "(pm.n1 + pm.n2 + pm.n3 + pm.n4 + pm.n5)"
_T = "(pm.n1 + 2 * pm.n2 + 3 * pm.n3 + 4 * pm.n4 + 5 * pm.n5)"
_Q = "(pm.n1 + 4 * pm.n2 + 9 * pm.n3 + 16 * pm.n4 + 25 * pm.n5)"


def priors(f: Filters) -> dict[int, stats.Prior]:
    """Per service, the national prior (mean, weight m, within-point variance) over the
    filter's months, by the method of moments of ``stats.estimate_prior``. Cached for 10
    minutes per month range and service filter: it moves slowly."""
    start, end = f.months
    key = f"insights:priors:v2:{start}:{end}:{f.service.pk if f.service else ''}"
    found = cache.get(key)
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


def rank_points(scope: Scope, f: Filters) -> dict:
    """Best, lowest and clearly-worst service points by fair score (see ``stats``)."""
    prior = priors(f)
    empty = {"best": [], "worst": [], "clearly_worst": [], "ranked": 0, "below_min": 0}
    if not prior:
        return empty
    clause, params = where(scope, f)
    values = ", ".join(["(%s, CAST(%s AS DOUBLE PRECISION), CAST(%s AS DOUBLE PRECISION), "
                        "CAST(%s AS DOUBLE PRECISION))"] * len(prior))  # fmt: skip
    prior_params = [v for sk, p in prior.items() for v in (sk, p.mean, p.weight, p.sigma2)]
    sql = f"""
        WITH pr(sk, mean, w, s2) AS (VALUES {values}),
        g AS (
            SELECT pm.service_point_id AS sp, pm.service_key AS sk,
                   SUM({_N}) AS n, SUM({_T}) AS t
            FROM {PM} pm WHERE {clause} GROUP BY pm.service_point_id, pm.service_key
        ),
        p AS (
            SELECT g.sp AS sp, SUM(g.n) AS n, SUM(g.t) AS t,
                   SUM(g.n * pr.mean) / SUM(g.n) AS prior_mean,
                   SUM(g.n * pr.w) / SUM(g.n) AS w,
                   SUM(g.n * pr.s2) / SUM(g.n) AS s2
            FROM g JOIN pr ON pr.sk = g.sk WHERE g.n > 0 GROUP BY g.sp
        ),
        s AS (
            SELECT sp, n, t, prior_mean, w, s2, (t + w * prior_mean) / (n + w) AS score,
                   1.96 * SQRT(s2 / (n + w)) AS half
            FROM p WHERE n >= %s
        ),
        r AS (
            SELECT s.*,
                   ROW_NUMBER() OVER (ORDER BY score DESC, sp) AS rb,
                   ROW_NUMBER() OVER (ORDER BY score ASC, sp) AS rw,
                   ROW_NUMBER() OVER (
                       ORDER BY CASE WHEN score + half < prior_mean THEN 0 ELSE 1 END,
                                score + half, sp) AS rc,
                   COUNT(*) OVER () AS ranked
            FROM s
        )
        SELECT sp, n, t, prior_mean, w, score, half, rb, rw,
               CASE WHEN score + half < prior_mean THEN rc END, ranked,
               (SELECT COUNT(*) FROM p WHERE n < %s)
        FROM r WHERE rb <= {TOP} OR rw <= {TOP} OR (rc <= {TOP} AND score + half < prior_mean)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, prior_params + params + [f.min_n, f.min_n])
        rows = cursor.fetchall()
    if not rows:
        below = _below_min(scope, f, prior)
        return {**empty, "below_min": below}
    from central.directory.models import ServicePoint

    points = ServicePoint.objects.select_related("agency").in_bulk([r[0] for r in rows])
    best, worst, clearly = [], [], []
    for sp, n, t, prior_mean, w, score, half, rb, rw, rc, _ranked, _below in rows:
        fair = stats.Fair(
            int(n), float(t) / float(n), float(score), float(score) - float(half),
            float(score) + float(half), float(prior_mean), float(w),
        )  # fmt: skip
        item = {"obj": points[sp], "fair": fair}
        if rb <= TOP:
            best.append((rb, item))
        if rw <= TOP:
            worst.append((rw, item))
        if rc is not None and rc <= TOP:
            clearly.append((rc, item))
    return {
        "best": [i for _, i in sorted(best, key=lambda t: t[0])],
        "worst": [i for _, i in sorted(worst, key=lambda t: t[0])],
        "clearly_worst": [i for _, i in sorted(clearly, key=lambda t: t[0])],
        "ranked": int(rows[0][10]),
        "below_min": int(rows[0][11]),
    }


def _below_min(scope: Scope, f: Filters, prior) -> int:
    clause, params = where(scope, f)
    sql = f"""SELECT COUNT(*) FROM (SELECT pm.service_point_id FROM {PM} pm WHERE {clause}
              GROUP BY pm.service_point_id HAVING SUM({_N}) < %s) x"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params + [f.min_n])
        return int(cursor.fetchone()[0])


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


def copy_shares(scope: Scope, f: Filters) -> list[tuple]:
    """(month, agency id, declared No Copy?, yes, no) over the filters."""
    clause, params = where(scope, f)
    sql = f"""
        WITH d AS ({DECLARED})
        SELECT pm.month, pm.agency_id, CASE WHEN d.sp IS NULL THEN 0 ELSE 1 END,
               SUM(pm.copy_yes), SUM(pm.copy_no)
        FROM {PM} pm LEFT JOIN d ON d.sp = pm.service_point_id AND d.sk = pm.service_key
        WHERE {clause} AND pm.service_key <> 0
        GROUP BY pm.month, pm.agency_id, CASE WHEN d.sp IS NULL THEN 0 ELSE 1 END
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    for month, agency_id, declared, yes, no in rows:
        if isinstance(month, str):
            from datetime import date

            month = date.fromisoformat(month)
        out.append((month, agency_id, bool(declared), int(yes or 0), int(no or 0)))
    return out
