"""Benchmark of central's insights side at national scale, on PostgreSQL.

    python bench/insights.py [--ratings 10000000] [--points 40000] [--days 730] [--keep]
    python bench/insights.py --load-only            # load and keep, measure nothing
    python bench/insights.py --reuse [--repeat 8]   # measure a kept database again

1. creates a fresh database ``cp_insights_bench`` (``--db``; dropped at the end unless
   ``--keep`` or ``--load-only``), migrates it (ratings partitioned by month);
2. loads with COPY: 40,000 service points over 77 provinces and 15 agencies (5 parents,
   10 children), two counters and a kiosk per counter, 30 services, three offerings per
   point (a third of them declared No Copy), then N ratings over two years (office hours,
   few at weekends, each point with its own quality, some No Copy offices whose citizens
   still report copies). The ratings' indexes, keys and foreign keys are dropped for the
   COPY and built once after it (and the same for ``ratings_ratingkey``); the rollups are
   then computed set-based in SQL from the raw rows (``rollups.rebuild``), checked
   against what the ingest's own aggregation (``rollups.aggregate``) makes of the raw
   ratings of 8 random service points (and the totals of every rollup), and the standard
   windows' snapshots are refreshed (timed);
3. pages, warm, through the real Django views (test client, a central admin): the
   national dashboard, a filtered dashboard (one agency, one quarter), the rankings page
   and the No Copy compliance page; ``--repeat`` requests each after two warm-ups; p50/p95;
4. exports through the real views of about 1,000,000 rows (the newest days adding up to
   at least 1M): CSV and XLSX, each in its own process, time and peak RSS of that process;
5. ingest through the real API (``POST /api/v1/kiosk/ratings``, batches of 500, rollups
   on), ``--ingest-procs`` processes in parallel, fresh ratings; ratings stored per second
   and the CPU time per rating (the client process and its PostgreSQL backend, from
   /proc: comparable on a loaded machine).

The last line printed is one JSON object; its keys carry their units.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench_support import log, pg_admin

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "central.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("CP_EXPORT_INLINE_MAX_ROWS", "100000000")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# -- loading ---------------------------------------------------------------------------------

AGENCIES = [(f"ag{i}", None) for i in range(5)] + [(f"ag{i}-{j}", f"ag{i}") for i in range(5)
                                                   for j in range(2)]  # fmt: skip
SERVICES = 30
HOURS = [8, 9, 9, 10, 10, 10, 11, 11, 13, 13, 14, 14, 15, 16]


def _copy(cursor, table: str, columns: list[str], lines) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = []
        for line in lines:
            buffer.append(line)
            count += 1
            if len(buffer) >= 20000:
                copy.write("".join(buffer))
                buffer = []
        if buffer:
            copy.write("".join(buffer))
    return count


def _strip(cur, table: str) -> list[str]:
    """Drop ``table``'s primary key, foreign keys and indexes before a bulk COPY (building
    an index once is much cheaper than keeping it current row by row, and deferred FK
    checks would queue one trigger event per row); returns the statements that restore
    them."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'f', 'u')",
        [table],
    )
    constraints = cur.fetchall()
    names = {name for name, _ in constraints}
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
    indexes = [(n, d) for n, d in cur.fetchall() if n not in names]
    for name, _ in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    restore = [d.replace(" ON ONLY ", " ON ") for _, d in indexes]
    restore += [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, d in constraints]
    return restore


def verify_rollups(sample: int = 8, seed: int = 11) -> int:
    """The rollups rebuilt in SQL equal what the ingest's own aggregation
    (``rollups.aggregate``, the code ``rollups.add`` writes with) makes of the same raw
    ratings, for the point and counter rollups of ``sample`` random service points and
    for the national totals of the agency rollups. Returns the ratings compared."""
    from django.db.models import F, Sum

    from central.directory.models import ServicePoint
    from central.insights import rollups
    from central.insights.models import (
        COUNTS,
        HIST,
        AgencyDay,
        AgencyHour,
        CounterMonth,
        PointMonth,
    )
    from central.ratings.models import Rating

    rng = random.Random(seed)
    ids = list(ServicePoint.objects.values_list("pk", flat=True))
    compared = 0
    for sp in rng.sample(ids, min(sample, len(ids))):
        point = ServicePoint.objects.get(pk=sp)
        ratings = list(Rating.objects.filter(service_point_id=sp))
        compared += len(ratings)
        want = rollups.aggregate(ratings, point.agency_id, point.province_code)
        got_pm = set(PointMonth.unscoped.filter(service_point_id=sp).values_list(
            "service_point_id", "month", "service_key", "agency_id", "province_code", *COUNTS))  # fmt: skip
        got_cm = set(CounterMonth.unscoped.filter(service_point_id=sp).values_list(
            "counter_id", "month", "service_key", "service_point_id", "agency_id",
            "province_code", *HIST))  # fmt: skip
        assert got_pm == set(want["pointmonth"]), f"point rollup of {sp} differs"
        assert got_cm == set(want["countermonth"]), f"counter rollup of {sp} differs"
    total = Rating.objects.count()
    n = F("n1") + F("n2") + F("n3") + F("n4") + F("n5")
    assert AgencyDay.unscoped.aggregate(t=Sum(n))["t"] == total
    assert AgencyHour.unscoped.aggregate(t=Sum("n"))["t"] == total
    assert PointMonth.unscoped.aggregate(t=Sum(n))["t"] == total
    assert CounterMonth.unscoped.aggregate(t=Sum(n))["t"] == total
    return compared


def prepare() -> dict:
    """After a load (or on a kept database): the No Copy history, the rollups' check and
    the standard windows' snapshots, timed."""
    from central.catalogue import history
    from central.insights import snapshots
    from central.insights.models import CounterMonth

    out = {}
    if not CounterMonth.unscoped.exists():
        from central.insights import rollups

        t = time.perf_counter()
        rollups.rebuild(tables=("countermonth",))
        log(f"counter rollup: {time.perf_counter() - t:.1f} s")
    history.sync()
    t = time.perf_counter()
    compared = verify_rollups()
    log(f"rollups verified against the ingest's aggregation on {compared} ratings "
        f"({time.perf_counter() - t:.1f} s)")  # fmt: skip
    for days in snapshots.WINDOWS:
        snap = snapshots.refresh(days)
        out[f"snapshot_{days}d_s"] = round(snap.seconds, 1)
        log(f"snapshot {days} days: {snap.seconds:.1f} s")
    return out


def load(n_ratings: int, n_points: int, days: int, seed: int = 7) -> dict:
    import geothai
    from django.db import connection

    from central.directory.models import Agency
    from central.fleet.services import hash_secret
    from central.insights import rollups
    from central.ratings import partitions

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = now.isoformat()
    subs = [
        s
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
        for s in geothai.subdistricts(d.code)
    ]
    rng.shuffle(subs)
    by_code = {}
    for code, parent in AGENCIES:
        by_code[code] = Agency.objects.create(
            code=code, name_th=f"หน่วยงาน {code}", name_en=f"Agency {code}",
            parent_id=by_code.get(parent) if parent else None,
        ).pk  # fmt: skip
    leaf_agencies = [pk for code, pk in by_code.items() if "-" in code]
    with connection.cursor() as c:
        cur = c.cursor  # psycopg cursor
        _copy(cur, "catalogue_document", ["code", "name_th", "name_en", "note_th", "note_en",
              "updated_at"], [f"DOC{i}\tเอกสาร {i}\tDocument {i}\t\t\t{stamp}\n" for i in range(5)])  # fmt: skip
        cur.execute("SELECT id FROM catalogue_document ORDER BY id")
        doc_ids = [r[0] for r in cur.fetchall()]
        _copy(cur, "catalogue_service", ["code", "name_th", "name_en", "agency_th", "agency_en",
              "fee_amount", "fee_th", "fee_en", "legal_basis_th", "legal_basis_en", "channels_th",
              "channels_en", "complaint_th", "complaint_en", "is_demo", "change_seq",
              "created_at", "updated_at", "is_published"],
              [f"SVC{i:02d}\tบริการ {i}\tService {i}\tกรม\tDept\t0\tไม่มีค่าธรรมเนียม\tNo fee"
               f"\t\t\t\t\t\t\ttrue\t0\t{stamp}\t{stamp}\ttrue\n" for i in range(SERVICES)])  # fmt: skip
        cur.execute("SELECT id FROM catalogue_service ORDER BY id")
        service_ids = [r[0] for r in cur.fetchall()]
        points = []

        def point_lines():
            for i in range(n_points):
                sub = subs[i % len(subs)]
                agency = leaf_agencies[i % len(leaf_agencies)]
                yield (f"{agency}\tpt-{i:05d}\tสำนักงาน {i}\tOffice {i}\t13.7\t100.5\tที่อยู่\t"
                       f"Address\t{sub.code[:2]}\t{sub.code[:4]}\t{sub.code}\t\t\t\t{stamp}\t{stamp}\ttrue\n")  # fmt: skip

        _copy(cur, "directory_servicepoint", ["agency_id", "code", "name_th", "name_en", "lat",
              "lon", "address_th", "address_en", "province_code", "district_code",
              "subdistrict_code", "hours_th", "hours_en", "phone", "created_at", "updated_at",
              "is_active"],
              point_lines())  # fmt: skip
        cur.execute("SELECT id FROM directory_servicepoint ORDER BY id")
        points = [r[0] for r in cur.fetchall()]
        _copy(cur, "directory_counter", ["service_point_id", "number", "name_th", "name_en",
              "created_at", "updated_at"],
              (f"{sp}\t{n}\tช่อง {n}\tCounter {n}\t{stamp}\t{stamp}\n" for sp in points
               for n in (1, 2)))  # fmt: skip
        cur.execute("SELECT id, service_point_id FROM directory_counter ORDER BY id")
        counters = cur.fetchall()
        _copy(cur, "fleet_kiosk", ["counter_id", "credential_hash", "enrolled_at", "last_seen",
              "app_version", "queue_depth", "skew_flag", "catalogue_refused_reason"],
              (f"{cid}\t{hash_secret(f'bench-{cid}')}\t{stamp}\t{stamp}\t1.4.2\t0\tfalse\t\n"
               for cid, _ in counters))  # fmt: skip
        cur.execute("SELECT k.id, k.counter_id FROM fleet_kiosk k ORDER BY k.id")
        kiosk_of = {cid: kid for kid, cid in cur.fetchall()}
        offered = {sp: rng.sample(service_ids, 3) for sp in points}
        _copy(cur, "catalogue_offering", ["service_point_id", "service_id", "change_seq",
              "created_at", "updated_at"],
              (f"{sp}\t{s}\t0\t{stamp}\t{stamp}\n" for sp, ss in offered.items() for s in ss))  # fmt: skip
        cur.execute("SELECT id, service_point_id, service_id FROM catalogue_offering")
        offerings = cur.fetchall()
        no_copy = set()
        lines = []
        for oid, sp, s in offerings:
            if rng.random() < 0.33:
                no_copy.add((sp, s))
                lines.append(
                    f"{oid}\t{doc_ids[0]}\tno_copy\t0\t\t\t2022-01-01\tอ่านบัตร\tCard reader\t{stamp}\n"
                )
            else:
                lines.append(
                    f"{oid}\t{doc_ids[0]}\tcopy_required\t1\tเก็บสำเนา\tKept\t\\N\t\t\t{stamp}\n"
                )
        _copy(cur, "catalogue_copystatus", ["offering_id", "document_id", "status", "copies",
              "reason_th", "reason_en", "no_copy_since", "verify_th", "verify_en", "updated_at"],
              lines)  # fmt: skip
        connection.commit() if not connection.get_autocommit() else None
        start_day = (now - timedelta(days=days)).date()
        partitions.ensure(start_day, now.date() + timedelta(days=40))
        quality = {sp: rng.gauss(0, 0.45) for sp in points}
        askers = set(rng.sample(sorted(no_copy), max(1, len(no_copy) // 20)))
        weekday_days = [start_day + timedelta(days=i) for i in range(days)]
        day_weights = [0.06 if d.weekday() >= 5 else 1.0 for d in weekday_days]
        cum = list(_accumulate(day_weights))
        counters_of: dict[int, list[int]] = {}
        for cid, sp in counters:
            counters_of.setdefault(sp, []).append(cid)
        t0 = time.perf_counter()
        batch = str(uuid.uuid4())

        def rating_lines():
            from bisect import bisect

            total = cum[-1]
            for i in range(n_ratings):
                sp = points[rng.randrange(len(points))]
                cid = counters_of[sp][rng.random() < 0.5]
                service = offered[sp][rng.randrange(3)]
                day = weekday_days[bisect(cum, rng.random() * total)]
                at = datetime(day.year, day.month, day.day, HOURS[rng.randrange(len(HOURS))] - 7,
                              rng.randrange(60), rng.randrange(60), tzinfo=UTC)  # fmt: skip
                score = min(5, max(1, round(rng.gauss(4.1 + quality[sp], 0.95))))
                r = rng.random()
                if r < 0.35:
                    copy = "\\N"
                else:
                    share = (
                        0.4
                        if (sp, service) in askers
                        else (0.04 if (sp, service) in no_copy else 0.7)
                    )
                    copy = "t" if rng.random() < share else "f"
                dims = rng.getrandbits(6) if rng.random() < 0.5 else 0
                ts = at.isoformat()
                u = uuid.UUID(int=rng.getrandbits(128), version=4)
                yield (f"{u}\t{kiosk_of[cid]}\t{sp}\t{cid}\t{service}\t\t\t{score}\t"
                       f"{'t' if dims & 1 else 'f'}\t{'t' if dims & 2 else 'f'}\t{'t' if dims & 4 else 'f'}\t"
                       f"{'t' if dims & 8 else 'f'}\t{'t' if dims & 16 else 'f'}\t{'t' if dims & 32 else 'f'}\t"
                       f"{copy}\t\\N\t{ts}\t{i}\t{ts}\t{ts}\t0\tf\tf\t{batch}\n")  # fmt: skip

        restore = _strip(cur, "ratings_rating")
        cols = ["uuid", "kiosk_id", "service_point_id", "counter_id", "service_id",
                "unknown_service_code", "unknown_service_reason", "score", "dim_staff",
                "dim_waiting_time", "dim_steps", "dim_documents", "dim_facilities", "dim_outcome",
                "asked_for_copy", "comment", "kiosk_time", "kiosk_seq", "received_at", "rated_at",
                "skew_seconds", "skew_flag", "interval_flag", "batch_id"]  # fmt: skip
        _copy(cur, "ratings_rating", cols, rating_lines())
        load_s = time.perf_counter() - t0
        log(f"COPY of {n_ratings} ratings: {load_s:.1f} s")
        t1 = time.perf_counter()
        cur.execute("SET maintenance_work_mem = '512MB'")
        for statement in restore:
            cur.execute(statement)
        log(f"indexes and keys of ratings_rating: {time.perf_counter() - t1:.1f} s")
        t2 = time.perf_counter()
        restore = _strip(cur, "ratings_ratingkey")
        cur.execute(
            "INSERT INTO ratings_ratingkey (uuid, batch_id) SELECT uuid, batch_id FROM ratings_rating"
        )
        for statement in restore:
            cur.execute(statement)
        log(f"ratings_ratingkey: {time.perf_counter() - t2:.1f} s")
        t2 = time.perf_counter()
        rollups.rebuild()
        log(f"rollups rebuilt in SQL: {time.perf_counter() - t2:.1f} s")
        cur.execute("ANALYZE")
        rebuild_s = time.perf_counter() - t1
        log(f"indexes + keys + rollups + ANALYZE: {rebuild_s:.1f} s")
    return {"load_s": load_s, "rebuild_s": rebuild_s, "kiosks": kiosk_of, "start_day": start_day,
            "end_day": now.date(), "agency": leaf_agencies[0]}  # fmt: skip


def reuse(args) -> dict:
    """The facts ``load`` returns, read back from a kept database."""
    from django.contrib.auth import get_user_model
    from django.db.models import Max, Min

    from central.directory.models import Agency
    from central.fleet.models import Kiosk
    from central.ratings.models import Rating

    get_user_model().objects.filter(username="bench").delete()
    args.ratings = Rating.objects.count()
    span = Rating.objects.aggregate(lo=Min("rated_at"), hi=Max("rated_at"))
    return {
        "load_s": 0.0,
        "rebuild_s": 0.0,
        "kiosks": dict(Kiosk.objects.values_list("counter_id", "pk")),
        "start_day": span["lo"].date(),
        "end_day": span["hi"].date(),
        "agency": Agency.objects.filter(parent__isnull=False).order_by("pk").first().pk,
    }


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total


# -- pages -----------------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_pages(world: dict, repeat: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from central.directory.models import Membership

    user = get_user_model().objects.create_user("bench", password="x", is_staff=True)
    Membership.objects.create(user=user, is_central=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    end = world["end_day"]
    q_end = date(end.year, ((end.month - 1) // 3) * 3 + 1, 1) - timedelta(days=1)
    q_start = date(q_end.year, ((q_end.month - 1) // 3) * 3 + 1, 1)
    pages = {
        "dashboard": reverse("admin:insights-dashboard"),
        "filtered_dashboard": reverse("admin:insights-dashboard")
        + f"?agency={world['agency']}&from={q_start}&to={q_end}",
        "ranking": reverse("admin:insights-rankings"),
        "compliance": reverse("admin:insights-compliance"),
    }
    out = {}
    for name, url in pages.items():
        times = []
        for i in range(repeat + 2):
            t = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if i >= 2:
                times.append(elapsed)
        out[f"{name}_ms_p50"] = round(statistics.median(times), 1)
        out[f"{name}_ms_p95"] = round(quantile(times, 0.95), 1)
        log(f"{name}: p50 {out[f'{name}_ms_p50']} ms, p95 {out[f'{name}_ms_p95']} ms  {url}")
    return out


# -- exports ---------------------------------------------------------------------------------


def export_range(target: int) -> tuple[date, date, int]:
    """The newest days whose ratings add up to at least ``target`` (from the rollups)."""
    from django.db.models import F, Sum

    from central.insights.models import AgencyDay

    rows = (
        AgencyDay.unscoped.values("day")
        .annotate(n=Sum(F("n1") + F("n2") + F("n3") + F("n4") + F("n5")))
        .order_by("-day")
    )
    total, first, last = 0, None, None
    for row in rows:
        last = last or row["day"]
        first = row["day"]
        total += row["n"]
        if total >= target:
            break
    return first, last, total


def export_child(db_url: str, fmt: str, start: str, end: str, conn) -> None:
    setup_django(db_url)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username="bench"))
    t = time.perf_counter()
    response = client.get(reverse("admin:insights-export", args=[fmt]) + f"?from={start}&to={end}")
    size = 0
    lines = 0
    early = None
    for chunk in response.streaming_content:
        size += len(chunk)
        if early is None and size > 5_000_000:
            early = _vm_kb("VmRSS") / 1024
        if fmt == "csv":
            lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - t
    # VmHWM, the peak RSS of this process image. Not ru_maxrss: Linux keeps that across
    # the fork + exec of a spawned child, so it reports the (big) parent's peak.
    rss_mb = _vm_kb("VmHWM") / 1024
    conn.send({"s": elapsed, "rss_mb": rss_mb, "early_mb": early, "bytes": size, "rows": lines - 1})


def _vm_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def measure_exports(db_url: str, target: int) -> dict:
    start, end, rows = export_range(target)
    log(f"export range {start}..{end}: {rows} ratings")
    out = {"export_rows": rows}
    ctx = multiprocessing.get_context("spawn")
    for fmt in ("csv", "xlsx"):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=export_child, args=(db_url, fmt, str(start), str(end), child))
        proc.start()
        result = parent.recv()
        proc.join()
        out[f"export_{fmt}_1m_s"] = round(result["s"], 2)
        out[f"export_{fmt}_rss_mb"] = round(result["rss_mb"], 1)
        log(f"export {fmt}: {result['s']:.1f} s, {result['bytes'] / 1e6:.0f} MB, "
            f"peak RSS {result['rss_mb']:.0f} MB (after the first 5 MB: {result['early_mb'] or 0:.0f} MB)")  # fmt: skip
    out["export_rss_mb_peak"] = max(out["export_csv_rss_mb"], out["export_xlsx_rss_mb"])
    return out


# -- ingest ----------------------------------------------------------------------------------


def ingest_child(db_url: str, kiosk_ids: list[int], batches: int, conn) -> None:
    setup_django(db_url)
    from django.test import Client

    from central.fleet.models import Kiosk

    client = Client(HTTP_HOST="localhost")
    rng = random.Random(os.getpid())
    codes = {}
    for k in Kiosk.objects.filter(pk__in=kiosk_ids).select_related("counter__service_point"):
        codes[k.pk] = list(
            k.counter.service_point.offerings.values_list("service__code", flat=True)
        )
    bodies = []
    now = datetime.now(UTC)
    for b in range(batches):
        kid = kiosk_ids[b % len(kiosk_ids)]
        items = [
            {"uuid": str(uuid.uuid4()), "seq": b * 500 + i,
             "kiosk_time": (now - timedelta(seconds=rng.randrange(3600))).isoformat(),
             "score": rng.randint(1, 5), "service_code": rng.choice(codes[kid]),
             "dimensions": ["staff"], "asked_for_copy": rng.random() < 0.3, "comment": None,
             "interval_flag": False}
            for i in range(500)
        ]  # fmt: skip
        bodies.append((kid, json.dumps({"ratings": items})))
    # One warm-up batch (URL resolving, first queries) outside the measured time.
    warm = json.loads(bodies[0][1])
    for item in warm["ratings"]:
        item["uuid"] = str(uuid.uuid4())
    client.post("/api/v1/kiosk/ratings", json.dumps(warm), content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer bench-{_counter_of(bodies[0][0])}")  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    conn.send("ready")
    conn.recv()
    t = time.perf_counter()
    cpu0, pg0 = time.process_time(), _proc_cpu(backend)
    accepted = 0
    for kid, body in bodies:
        response = client.post("/api/v1/kiosk/ratings", body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer bench-{_counter_of(kid)}")  # fmt: skip
        assert response.status_code == 200, response.content[:300]
        accepted += sum(r["status"] == "accepted" for r in response.json()["results"])
    conn.send({"s": time.perf_counter() - t, "accepted": accepted,
               "cpu_s": time.process_time() - cpu0 + _proc_cpu(backend) - pg0})  # fmt: skip


def _proc_cpu(pid: int) -> float:
    """utime + stime of a process on this machine (the PostgreSQL backend serving us)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_COUNTERS: dict[int, int] = {}


def _counter_of(kiosk_id: int) -> int:
    if not _COUNTERS:
        from central.fleet.models import Kiosk

        _COUNTERS.update(Kiosk.objects.values_list("pk", "counter_id"))
    return _COUNTERS[kiosk_id]


def measure_ingest(db_url: str, kiosks: dict, procs: int, batches: int) -> dict:
    ctx = multiprocessing.get_context("spawn")
    kiosk_ids = list(kiosks.values())
    random.Random(3).shuffle(kiosk_ids)
    pipes, children = [], []
    for p in range(procs):
        parent, child = ctx.Pipe()
        mine = kiosk_ids[p * 50 : (p + 1) * 50]
        proc = ctx.Process(target=ingest_child, args=(db_url, mine, batches, child))
        proc.start()
        pipes.append(parent)
        children.append(proc)
    for parent in pipes:
        assert parent.recv() == "ready"
    t = time.perf_counter()
    for parent in pipes:
        parent.send("go")
    results = [parent.recv() for parent in pipes]
    wall = time.perf_counter() - t
    for proc in children:
        proc.join()
    accepted = sum(r["accepted"] for r in results)
    assert accepted == procs * batches * 500, accepted
    rate = accepted / wall
    cpu = sum(r["cpu_s"] for r in results)
    log(f"ingest: {accepted} ratings in {wall:.1f} s over {procs} processes: {rate:.0f}/s; "
        f"{1e6 * cpu / accepted:.0f} us of CPU per rating (client + its PostgreSQL backend)")  # fmt: skip
    return {"ingest_ratings_per_s": round(rate), "ingest_procs": procs,
            "ingest_cpu_us_per_rating": round(1e6 * cpu / accepted, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ratings", type=int, default=10_000_000)
    parser.add_argument("--points", type=int, default=40_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--ingest-procs", type=int, default=2)
    parser.add_argument("--ingest-batches", type=int, default=20, help="per process, of 500")
    parser.add_argument("--server", default=os.environ.get("CP_BENCH_POSTGRES", DEFAULT_SERVER))
    parser.add_argument("--db", default="cp_insights_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure an existing --keep database again (no create, migrate or load)",
    )
    parser.add_argument("--load-only", action="store_true", help="load (and keep), measure nothing")
    args = parser.parse_args()
    db_url = args.server.rstrip("/") + "/" + args.db
    if not args.reuse:
        pg_admin(db_url, f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        pg_admin(db_url, f'CREATE DATABASE "{args.db}"')
    try:
        env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "1", "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", "central", "migrate", "-v0"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip
        setup_django(db_url)
        world = reuse(args) if args.reuse else load(args.ratings, args.points, args.days)
        figures = {"ratings": args.ratings, "points": args.points, "days": args.days,
                   "load_copy_s": round(world["load_s"], 1),
                   "rollup_rebuild_s": round(world["rebuild_s"], 1),
                   "load_avg_start": round(os.getloadavg()[0], 2)}  # fmt: skip
        figures.update(prepare())
        if args.load_only:
            print(json.dumps(figures))
            return
        figures.update(measure_pages(world, args.repeat))
        figures.update(measure_exports(db_url, args.export_rows))
        figures.update(
            measure_ingest(db_url, world["kiosks"], args.ingest_procs, args.ingest_batches)
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse or args.load_only):
            pg_admin(db_url, f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    figures["load_avg_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
