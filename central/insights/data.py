"""What the insights pages show, computed from the rollups (never from raw rows, except
for one service point's counters and hours, which its index makes cheap). Every function
takes the user's :class:`~central.scope.Scope` and the page's
:class:`~central.insights.filters.Filters`; every rollup query starts from
``Model.objects.scoped(scope)``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Q, Sum

from central.catalogue.models import Offering, Service
from central.directory.models import Agency, Counter, ServicePoint
from central.insights import sql, stats
from central.insights.filters import Filters
from central.insights.models import DIMS, HIST, LOW_DIMS, AgencyDay, AgencyHour, PointMonth
from central.ratings.models import DIMENSIONS, Rating
from central.scope import Scope

SUMS = {c: Sum(c) for c in (*HIST, "copy_yes", "copy_no")}
CONTRADICTION_SHARE = 0.10  # lower bound of the "asked for a copy" share above this: flagged
CONTRADICTION_MIN_ANSWERS = 10
CONTRADICTIONS_SHOWN = 50


def hist_of(row: dict) -> list[int]:
    return [row.get(c) or 0 for c in HIST]


def summary(row: dict) -> dict:
    hist = hist_of(row)
    n = stats.n_of(hist)
    yes, no = row.get("copy_yes") or 0, row.get("copy_no") or 0
    mean = stats.mean_of(hist)
    satisfied = stats.satisfied_share(hist)
    return {
        "n": n,
        "hist": hist,
        "mean": round(mean, 2) if mean is not None else None,
        "satisfied_pct": round(100 * satisfied, 1) if satisfied is not None else None,
        "copy_yes": yes,
        "copy_answers": yes + no,
        "copy_pct": round(100 * yes / (yes + no), 1) if yes + no else None,
    }


# -- querysets -------------------------------------------------------------------------------


def uses_point_rollup(f: Filters) -> bool:
    """Province and service point filters exist on the monthly point rollup only."""
    return bool(f.province or f.point)


def point_months(scope: Scope, f: Filters, *, national: bool = False):
    start, end = f.months
    qs = (PointMonth.unscoped.all() if national else PointMonth.objects.scoped(scope)).filter(
        month__gte=start, month__lte=end
    )
    if national:
        return qs if f.service is None else qs.filter(service_key=f.service.pk)
    if f.agency is not None:
        qs = qs.filter(agency_id__in=f.agency_ids)
    if f.province:
        qs = qs.filter(province_code=f.province)
    if f.point is not None:
        qs = qs.filter(service_point_id=f.point.pk)
    if f.service is not None:
        qs = qs.filter(service_key=f.service.pk)
    return qs


def agency_days(scope: Scope, f: Filters):
    qs = AgencyDay.objects.scoped(scope).filter(day__gte=f.start, day__lte=f.end)
    if f.agency is not None:
        qs = qs.filter(agency_id__in=f.agency_ids)
    if f.service is not None:
        qs = qs.filter(service_key=f.service.pk)
    return qs


def point_ratings(scope: Scope, f: Filters):
    """Raw ratings of the one chosen service point (its index makes this cheap)."""
    from datetime import datetime, time

    from central.insights.rollups import local_zone

    zone = local_zone()
    qs = scope.filter(Rating.objects.all()).filter(
        service_point_id=f.point.pk,
        rated_at__gte=datetime.combine(f.start, time.min, zone),
        rated_at__lt=datetime.combine(f.end + timedelta(days=1), time.min, zone),
    )
    if f.service is not None:
        qs = qs.filter(service_id=f.service.pk)
    return qs


def _rollup(scope: Scope, f: Filters):
    return point_months(scope, f) if uses_point_rollup(f) else agency_days(scope, f)


# -- dashboard -------------------------------------------------------------------------------


def headline(scope: Scope, f: Filters) -> dict:
    return summary(_rollup(scope, f).aggregate(**SUMS))


def _period(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return date(day.year, day.month, 1)
    return day


def trend(scope: Scope, f: Filters) -> tuple[str, list[dict]]:
    """(grain actually used, rows per period)."""
    grain = f.grain
    if uses_point_rollup(f):
        grain = "month"
        rows = point_months(scope, f).values("month").annotate(**SUMS).order_by("month")
        keyed = [(r["month"], r) for r in rows]
    else:
        rows = agency_days(scope, f).values("day").annotate(**SUMS).order_by("day")
        keyed = [(r["day"], r) for r in rows]
    periods: dict[date, dict] = {}
    for day, row in keyed:
        bucket = periods.setdefault(_period(day, grain), defaultdict(int))
        for key in SUMS:
            bucket[key] += row[key] or 0
    return grain, [{"period": p, **summary(b)} for p, b in sorted(periods.items())]


def by_service(scope: Scope, f: Filters) -> list[dict]:
    rows = _rollup(scope, f).values("service_key").annotate(**SUMS)
    names = Service.objects.in_bulk([r["service_key"] for r in rows if r["service_key"]])
    out = []
    for row in rows:
        service = names.get(row["service_key"])
        out.append({"service": service, "key": row["service_key"], **summary(row)})
    return sorted(out, key=lambda r: -r["n"])


def breakdown(scope: Scope, f: Filters) -> tuple[str, list[dict]]:
    """One level down from the current filters: agency -> province -> point -> counter."""
    if f.point is not None:
        rows = (
            point_ratings(scope, f)
            .values("counter_id")
            .annotate(
                **{f"n{i}": Count("id", filter=Q(score=i)) for i in range(1, 6)},
                copy_yes=Count("id", filter=Q(asked_for_copy=True)),
                copy_no=Count("id", filter=Q(asked_for_copy=False)),
            )
        )
        counters = Counter.objects.in_bulk([r["counter_id"] for r in rows])
        return "counter", [
            {"label": counters[r["counter_id"]], "obj": counters[r["counter_id"]], **summary(r)}
            for r in sorted(rows, key=lambda r: counters[r["counter_id"]].number)
        ]
    if f.province:
        rows = list(point_months(scope, f).values("service_point_id").annotate(**SUMS))
        rows.sort(key=lambda r: -sum(r[c] or 0 for c in HIST))
        rows = rows[:100]
        points = ServicePoint.objects.in_bulk([r["service_point_id"] for r in rows])
        return "point", [
            {"obj": points[r["service_point_id"]], "link": {"point": r["service_point_id"]},
             **summary(r)}
            for r in rows
        ]  # fmt: skip
    if f.agency is not None:
        rows = point_months(scope, f).values("province_code").annotate(**SUMS)
        import geothai

        return "province", sorted(
            (
                {"province": r["province_code"], "obj": geothai.province(r["province_code"]),
                 "link": {"province": r["province_code"]}, **summary(r)}
                for r in rows
            ),
            key=lambda r: -r["n"],
        )  # fmt: skip
    rows = agency_days(scope, f).values("agency_id").annotate(**SUMS)
    agencies = Agency.objects.in_bulk([r["agency_id"] for r in rows])
    return "agency", sorted(
        (
            {"obj": agencies[r["agency_id"]], "link": {"agency": r["agency_id"]}, **summary(r)}
            for r in rows
        ),
        key=lambda r: -r["n"],
    )


def heatmap(scope: Scope, f: Filters) -> list[list[dict]]:
    """7 weekdays (Monday first) x 24 hours: count and mean score."""
    cells = [[{"n": 0, "sum": 0} for _ in range(24)] for _ in range(7)]
    if f.point is not None:
        from central.insights.rollups import local_zone

        zone = local_zone()
        for rated_at, score in point_ratings(scope, f).values_list("rated_at", "score"):
            local = rated_at.astimezone(zone)
            cell = cells[local.weekday()][local.hour]
            cell["n"] += 1
            cell["sum"] += score
    else:
        qs = AgencyHour.objects.scoped(scope).filter(day__gte=f.start, day__lte=f.end)
        if f.agency is not None:
            qs = qs.filter(agency_id__in=f.agency_ids)
        for row in qs.values("day", "hour").annotate(n=Sum("n"), s=Sum("score_sum")):
            cell = cells[row["day"].weekday()][row["hour"]]
            cell["n"] += row["n"]
            cell["sum"] += row["s"]
    for day in cells:
        for cell in day:
            cell["mean"] = round(cell["sum"] / cell["n"], 2) if cell["n"] else None
    return cells


def dimensions(scope: Scope, f: Filters) -> dict:
    sums = _rollup(scope, f).aggregate(
        **SUMS, **{c: Sum(c) for c in DIMS}, **{c: Sum(c) for c in LOW_DIMS}
    )
    hist = hist_of(sums)
    n, low_n = sum(hist), hist[0] + hist[1]
    rows = []
    for name, dim in zip(DIMENSIONS, DIMS, strict=True):
        all_count, low_count = sums[dim] or 0, sums["l" + dim] or 0
        rows.append(
            {
                "name": name,
                "all": all_count,
                "all_pct": round(100 * all_count / n, 1) if n else None,
                "low": low_count,
                "low_pct": round(100 * low_count / low_n, 1) if low_n else None,
            }
        )
    return {"n": n, "low_n": low_n, "rows": rows}


# -- rankings --------------------------------------------------------------------------------


def priors(f: Filters) -> dict[int, stats.Prior]:
    """Per service, its national prior over the filter's months (every agency: the
    national mean is the yardstick; only this aggregate crosses agencies)."""
    return sql.priors(f)


def _fair_source(scope: Scope, f: Filters, entity: str, live: bool = False):
    """(SQL, params, snapshot or None) of the fair rows for these filters: with a
    snapshot (a standard window), the WHERE clause selecting its rows under the scope and
    filters; else the live SELECT over the rollups."""
    from central.insights import snapshots

    snap = None if live else snapshots.current(f)
    service_key = f.service.pk if f.service else -1
    if snap is not None:
        clause, params = sql.where_rows(scope, f, "x")
        where = f"x.snapshot_id = %s AND x.service_key = %s AND {clause}"
        return where, [snap.pk, service_key, *params], snap
    prior = priors(f)
    if not prior:
        return None, [], None
    clause, params = sql.where(scope, f)
    source, params = sql.fair_rows(entity, clause, params, prior, "service" if f.service else "all")
    return source, params, None


def rank(scope: Scope, f: Filters, entity: str = "point", live: bool = False) -> dict:
    """Best, lowest and clearly-worst service points (or counters) by fair score (from
    the window's snapshot when there is one, unless ``live``)."""
    empty = {"best": [], "worst": [], "clearly_worst": [], "ranked": 0, "below_min": 0}
    source, params, snap = _fair_source(scope, f, entity, live)
    empty["snapshot"] = snap
    if source is None:
        return empty
    id_col = "service_point_id" if entity == "point" else "counter_id"
    if snap is not None:
        table = "insights_snapshotpoint" if entity == "point" else "insights_snapshotcounter"
        national = None
        if scope.is_central and not (f.agency or f.province or f.point):
            national = (snap.pk, entity, f.service.pk if f.service else -1)
        rows = sql.rank_rows_snapshot(table, id_col, source, params, f.min_n, national)
        if not rows:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table} x WHERE {source}", params)
                return {**empty, "below_min": int(cursor.fetchone()[0])}
    else:
        rows = sql.rank_rows(source, params, id_col, f.min_n)
        if not rows:
            return {**empty, "below_min": sql.below_min(source, params, f.min_n)}
    if entity == "point":
        objs = ServicePoint.objects.select_related("agency").in_bulk([r[0] for r in rows])
    else:
        objs = Counter.objects.select_related("service_point__agency").in_bulk([r[0] for r in rows])
    best, worst, clearly = [], [], []
    for pk, n, t, prior_mean, w, score, half, rb, rw, rc, _ranked, _below in rows:
        fair = stats.Fair(
            int(n), float(t) / float(n), float(score), float(score) - float(half),
            float(score) + float(half), float(prior_mean), float(w),
        )  # fmt: skip
        item = {"obj": objs[pk], "fair": fair}
        if rb <= sql.TOP:
            best.append((rb, item))
        if rw <= sql.TOP:
            worst.append((rw, item))
        if rc is not None and rc <= sql.TOP:
            clearly.append((rc, item))
    return {
        "best": [i for _, i in sorted(best, key=lambda t: t[0])],
        "worst": [i for _, i in sorted(worst, key=lambda t: t[0])],
        "clearly_worst": [i for _, i in sorted(clearly, key=lambda t: t[0])],
        "ranked": int(rows[0][10]),
        "below_min": int(rows[0][11]),
        "snapshot": snap,
    }


def rank_points(scope: Scope, f: Filters) -> dict:
    return rank(scope, f, "point")


def rank_counters(scope: Scope, f: Filters) -> dict:
    return rank(scope, f, "counter")


def prior_mean_of(fair: stats.Fair) -> float:
    return fair.prior_mean


def rank_services(scope: Scope, f: Filters, live: bool = False) -> list[dict]:
    from central.insights import snapshots

    snap = None if live else snapshots.current(f)
    if snap is not None:
        prior = {int(k): stats.Prior(*v) for k, v in snap.priors.items()}
        clause, params = sql.where_rows(scope, f, "x")
        query = (
            "SELECT x.service_key, SUM(x.n), SUM(x.total) FROM insights_snapshotpoint x "
            f"WHERE x.snapshot_id = %s AND x.service_key > 0 AND {clause}"
        )
        params = [snap.pk, *params]
        if f.service is not None:
            query += " AND x.service_key = %s"
            params.append(f.service.pk)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(query + " GROUP BY x.service_key", params)
            totals = [(sk, int(n), float(t)) for sk, n, t in cursor.fetchall()]
    else:
        prior = priors(f)
        rows = point_months(scope, f).values("service_key").annotate(**{c: Sum(c) for c in HIST})
        totals = []
        for row in rows:
            hist = hist_of(row)
            totals.append(
                (
                    row["service_key"],
                    stats.n_of(hist),
                    float(sum((i + 1) * c for i, c in enumerate(hist))),
                )
            )
    services = Service.objects.in_bulk([sk for sk, _, _ in totals if sk])
    out = []
    for sk, n, t in totals:
        p = prior.get(sk)
        if p is None or sk not in services or n < f.min_n or not n:
            continue
        mean = t / n
        half = 1.96 * (p.sigma2 / n) ** 0.5
        out.append(
            {"obj": services[sk], "n": n, "mean": mean, "low": mean - half,
             "high": mean + half, "national": p.mean}
        )  # fmt: skip
    return sorted(out, key=lambda r: (-r["mean"], r["obj"].pk))


# -- No Copy compliance ----------------------------------------------------------------------


def _contradiction_rows(scope: Scope, f: Filters, snap) -> list[dict]:
    if snap is None:
        return sql.contradictions(scope, f, CONTRADICTION_MIN_ANSWERS, CONTRADICTION_SHARE)
    from django.db import connection

    clause, params = sql.where_rows(scope, f, "x")
    # The Wilson lower bound is stored: the index on it gives the strongest evidence
    # first; the exact test is repeated by the caller (a hair of slack for rounding).
    query = (
        "SELECT x.service_point_id, x.service_key, x.copy_yes, x.copy_no "
        "FROM insights_snapshotpoint x WHERE x.snapshot_id = %s AND x.declared "
        f"AND x.copy_low >= %s AND {clause} AND x.copy_yes + x.copy_no >= %s"
    )
    params = [snap.pk, CONTRADICTION_SHARE - 1e-9, *params, CONTRADICTION_MIN_ANSWERS]
    if f.service is not None:
        query += " AND x.service_key = %s"
        params.append(f.service.pk)
    query += f" ORDER BY x.copy_low DESC LIMIT {4 * CONTRADICTIONS_SHOWN}"
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [
            {"service_point_id": sp, "service_key": sk, "yes": int(yes), "no": int(no)}
            for sp, sk, yes, no in cursor.fetchall()
        ]


def copy_shares(scope: Scope, f: Filters, snap) -> list[tuple]:
    """(month, agency id, declared No Copy in that month?, yes, no) over the filters."""
    from datetime import date as date_type

    from django.db import connection
    from django.utils import timezone

    if snap is not None:
        clause, params = sql.where_rows(scope, f, "x")
        query = (
            "SELECT x.month, x.agency_id, x.declared, SUM(x.yes), SUM(x.no) "
            f"FROM insights_snapshotcopy x WHERE x.snapshot_id = %s AND {clause}"
        )
        params = [snap.pk, *params]
        if f.service is not None:
            query += " AND x.service_key = %s"
            params.append(f.service.pk)
        query += " GROUP BY x.month, x.agency_id, x.declared"
    else:
        clause, params = sql.where(scope, f)
        start, end = f.months
        inner, params = sql.copy_shares_by_service(clause, params, start, end, timezone.now())
        query = (
            f"SELECT month, agency_id, declared, SUM(yes), SUM(no) FROM ({inner}) s "
            "GROUP BY month, agency_id, declared"
        )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    out = []
    for month, agency_id, declared, yes, no in rows:
        if isinstance(month, str):
            month = date_type.fromisoformat(month)
        out.append((month, agency_id, bool(declared), int(yes or 0), int(no or 0)))
    return out


def compliance(scope: Scope, f: Filters) -> dict:
    """Declared No Copy vs. what citizens say: contradictions (declared today), the
    shares and the monthly trend (each month with the status declared in that month)."""
    from central.insights import snapshots

    snap = snapshots.current(f, compliance=True)
    contradictions = []
    for row in _contradiction_rows(scope, f, snap):
        answers = row["yes"] + row["no"]
        low, high = stats.wilson(row["yes"], answers)
        if low >= CONTRADICTION_SHARE:
            contradictions.append({**row, "answers": answers, "low": low, "high": high})
    contradictions.sort(key=lambda r: (-r["low"], -r["answers"], r["service_point_id"]))
    contradictions = contradictions[:CONTRADICTIONS_SHOWN]
    points = ServicePoint.objects.select_related("agency").in_bulk(
        {r["service_point_id"] for r in contradictions}
    )
    services = Service.objects.in_bulk({r["service_key"] for r in contradictions})
    offerings = {
        (o.service_point_id, o.service_id): o.pk
        for o in Offering.objects.filter(
            service_point_id__in=list(points), service_id__in=list(services)
        )
    }
    for r in contradictions:
        r["point"] = points[r["service_point_id"]]
        r["service"] = services.get(r["service_key"])
        r["share"] = r["yes"] / r["answers"]
        r["offering_id"] = offerings.get((r["service_point_id"], r["service_key"]))

    shares = copy_shares(scope, f, snap)

    def share(rows, **extra):
        yes = sum(r[3] for r in rows)
        no = sum(r[4] for r in rows)
        return {
            **extra,
            "yes": yes,
            "no": no,
            "answers": yes + no,
            "pct": round(100 * yes / (yes + no), 1) if yes + no else None,
            "ci": stats.wilson(yes, yes + no),
        }

    declared = [r for r in shares if r[2]]
    months = sorted({r[0] for r in declared})
    by_month = [share([r for r in declared if r[0] == m], month=m) for m in months]
    agencies = Agency.objects.in_bulk({r[1] for r in declared})
    by_agency = [
        share([r for r in declared if r[1] == a], agency_id=a, obj=agencies[a]) for a in agencies
    ]
    by_agency.sort(key=lambda r: (-(r["pct"] or 0), r["agency_id"]))
    return {
        "overall": share(declared),
        "required": share([r for r in shares if not r[2]]),
        "by_month": by_month,
        "by_agency": by_agency,
        "contradictions": contradictions,
        "flagged": len(contradictions),
        "snapshot": snap,
    }
