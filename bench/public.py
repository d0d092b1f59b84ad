"""Benchmark of the public directory on a real gunicorn + PostgreSQL.

    python bench/public.py [--points 40000] [--rate 200] [--duration 20] [--workers 4]

1. creates a fresh PostgreSQL database ``counterpoint_bench_public`` (dropped at the end,
   even on failure; ``--reuse-db`` keeps it for the next run), migrates it, loads ``python -m central demo`` (agencies, catalogue)
   and generates ``--points`` service points (bench/public_data.py: 4 services each, copy
   statuses, 90 days of ratings at ``--rated-points`` of them);
2. times the two directory queries in-process (server time, no HTTP): "near me" (the 10
   nearest points offering a random service, from a random place) and search (name
   substring / province / province + service / name + service, page 3);
3. starts gunicorn (``central.wsgi``) on a free loopback port and measures over HTTP:
   a service point page, first request per page (not in the server cache: full render,
   published results from the ratings); ``If-None-Match`` revalidation (304); search and
   near-me pages; then ``--rate`` requests/s paced for ``--duration`` s over the
   ``--paced-pages`` most visited offices after warming each process's page cache
   (latency from each request's scheduled time, so a server that falls behind shows it).
   The machine's load average is printed with the figures: other work on the same cores
   slows every number.

The load generator runs on the same 2 cores as gunicorn and PostgreSQL (threads in
``--load-procs`` processes, loopback only, bounded in time and count). Last line: one JSON
object, units in the keys.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from bench_support import central, free_port, log, pg_admin, pg_admin_url, quantile

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "counterpoint_bench_public"


def pg_exists(server_url: str) -> bool:
    import psycopg

    with psycopg.connect(pg_admin_url(server_url), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
    return row is not None


class Client:
    """A loopback HTTP client. ``Connection: close`` on every request: what gunicorn sees
    behind nginx (HTTP/1.0 to the upstream by default), and with gunicorn 27.0.1 kept-alive
    connections stalled here under load (requests left unread while every worker waited)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        headers = {"Connection": "close", **(headers or {})}
        for attempt in (1, 2):
            try:
                self.conn.request("GET", path, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.conn.close()
                self.last_headers = dict(response.getheaders())
                return response.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # a kept-alive connection the server had closed: retry once
                if attempt == 2:
                    raise
            except BaseException:
                self.conn.close()  # never leave the connection half-used
                raise
        raise AssertionError("unreachable")


def timed(client: Client, paths: list[str], expect: int = 200, headers=None) -> list[float]:
    out = []
    for path in paths:
        t0 = time.perf_counter()
        status, data = client.get(path, headers)
        out.append(time.perf_counter() - t0)
        if status != expect:
            raise RuntimeError(f"GET {path}: HTTP {status} {data[:200]!r}")
    return out


def _paced_worker(port, paths, interval, phase, deadline_in, max_requests, start, conn):
    """Threads sending one request every ``interval`` s each (latency from schedule)."""
    try:
        start.wait(timeout=120)
        deadline = time.perf_counter() + deadline_in
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def work(index: int) -> None:
            client = Client(port)
            mine = []
            scheduled = time.perf_counter() + interval * phase[index]
            n = 0
            while scheduled < deadline and n < max_requests:
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                path = paths[(index * 7919 + n) % len(paths)]
                status, data = client.get(path)
                mine.append(time.perf_counter() - scheduled)
                if status != 200:
                    errors.append(f"{path}: HTTP {status}")
                    break
                scheduled += interval
                n += 1
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(phase))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        conn.send({"latencies": latencies, "errors": errors})
    except BaseException:
        start.abort()
        raise


def paced(
    port: int,
    paths: list[str],
    rate: float,
    duration: float,
    clients: int,
    procs: int,
    max_requests: int | None = 10**6,
):
    """``rate`` requests/s from ``clients`` threads for ``duration`` s; with
    ``max_requests=None`` each path once, as fast as the server answers (a warm-up)."""
    if max_requests is None:
        per = -(-len(paths) // clients)
        groups = [paths[i * per : (i + 1) * per] for i in range(clients)]
        return _closed_loop(port, groups)
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(procs + 1)
    interval = clients / rate
    workers = []
    for p in range(procs):
        mine = [i / clients for i in range(clients) if i % procs == p]
        parent_end, child_end = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_paced_worker,
            args=(port, paths, interval, mine, duration, max_requests, start, child_end),
        )
        proc.start()
        child_end.close()
        workers.append((proc, parent_end))
    try:
        start.wait(timeout=120)
        t0 = time.perf_counter()
        reports = [conn.recv() for _, conn in workers]
        elapsed = time.perf_counter() - t0
    finally:
        for proc, _ in workers:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
    errors = [e for r in reports for e in r["errors"]]
    if errors:
        raise RuntimeError(f"paced run failed: {errors[0]}")
    lat = [x for r in reports for x in r["latencies"]]
    return {
        "requests": len(lat),
        "req_per_s": len(lat) / elapsed,
        "ms_p50": 1000 * statistics.median(lat),
        "ms_p99": 1000 * quantile(lat, 0.99),
        "ms_max": 1000 * max(lat),
    }


def cpu_seconds(pids: list[int]) -> float:
    """user + system CPU seconds used so far by ``pids`` (Linux /proc)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(server_pid: int, pg: str) -> list[int]:
    """gunicorn's workers and the PostgreSQL backends serving the bench database."""
    import psycopg

    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    parts = urlsplit(pg)
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME]
        ).fetchall()
    return [int(c) for c in children] + [r[0] for r in rows]


def _closed_loop(port: int, groups: list[list[str]]) -> dict:
    latencies: list[float] = []
    lock = threading.Lock()

    def work(group: list[str]) -> None:
        mine = timed(Client(port), group)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(g,)) for g in groups if g]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests": len(latencies), "ms_p50": 1000 * statistics.median(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg",
        default=os.environ.get("CP_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL (database part ignored)",
    )
    parser.add_argument("--points", type=int, default=40_000)
    parser.add_argument("--rated-points", type=int, default=200)
    parser.add_argument("--ratings-per-point", type=int, default=300)
    parser.add_argument("--rate", type=float, default=200.0, help="paced page requests/s")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--load-procs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=["sync", "gthread"],
        help="sync by default: with gunicorn 27.0.1 gthread keep-alive connections stalled "
        "here under load (requests unread in the socket queue, every worker idle in epoll)",
    )
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="keep the bench database between runs (generate it only when missing)",
    )
    parser.add_argument("--samples", type=int, default=400, help="in-process query samples")
    parser.add_argument("--paced-pages", type=int, default=50, help="distinct pages, paced")
    parser.add_argument("--warm-rounds", type=int, default=8, help="warm-up passes over them")
    args = parser.parse_args()

    parts = urlsplit(args.pg)
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(("postgres", parts.netloc, "/" + DB_NAME, "", "")),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CP_DB_CONN_MAX_AGE": "600",
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        # collected static files (the production storage needs its manifest) go here
        "CP_DATA_DIR": tempfile.mkdtemp(prefix="cp-bench-public-"),
    }
    env.pop("PYTEST_VERSION", None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))
    port = free_port()
    server = None
    existing = args.reuse_db and pg_exists(args.pg)
    if not existing:
        pg_admin(args.pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        pg_admin(args.pg, f"CREATE DATABASE {DB_NAME}")
    try:
        if existing:
            script = (
                "import sys; sys.path.insert(0, 'bench'); import public_data; public_data.summary()"
            )
            log(f"database {DB_NAME}: reused")
            central(env, "migrate", "-v0")
        else:
            log(f"database {DB_NAME}: migrate + demo + {args.points} points")
            central(env, "migrate", "-v0")
            central(env, "demo")
            script = (
                "import sys; sys.path.insert(0, 'bench'); import public_data; "
                f"public_data.main({args.points}, {args.rated_points}, {args.ratings_per_point})"
            )
        t0 = time.perf_counter()
        data = json.loads(central(env, "shell", "-v0", "-c", script).strip().splitlines()[-1])
        log(
            f"{data['points']} points ({data['active']} active), "
            f"{data['offerings']} offerings, ready in {time.perf_counter() - t0:.0f} s"
        )
        script = (
            "import sys; sys.path.insert(0, 'bench'); import public_data; "
            f"public_data.time_queries({args.samples})"
        )
        queries = json.loads(central(env, "shell", "-v0", "-c", script).strip().splitlines()[-1])
        log("in-process:", json.dumps(queries))

        central(env, "collectstatic", "--noinput", "-v0")
        cmd = [
            sys.executable, "-m", "gunicorn", "central.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
            "--worker-class", args.worker_class, "--threads", str(args.threads),
            "--backlog", "2048", "--keep-alive", "5", "--log-level", "warning",
        ]  # fmt: skip
        log(" ".join(cmd[2:]))
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        probe = Client(port)
        for _ in range(1200):  # a loaded 2-core machine can take a while to import Django
            with contextlib.suppress(OSError, http.client.HTTPException):
                if probe.get("/hsds/")[0] == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not come up")

        client = Client(port)
        pages = [f"/directory/{sp}" for sp in data["rated_points"]]
        pages += [f"{p}?lang=en" for p in pages]
        # Each worker has its own server cache: "cold" = the first request for a page in
        # the whole server (most land on a worker that has not rendered it).
        cold = timed(client, pages)
        log(f"cold page p50 {1000 * statistics.median(cold):.1f} ms")
        client.get(pages[0])
        etag = client.last_headers["ETag"]
        revalidate = timed(client, [pages[0]] * 200, expect=304, headers={"If-None-Match": etag})

        rng = random.Random(3)
        searches = []
        for i in range(120):
            kind = i % 4
            if kind == 0:
                q = quote(rng.choice(["สำนักงาน", "office", "บาง", "Mueang"]))
                searches.append(f"/directory/?q={q}")
            elif kind == 1:
                searches.append(f"/directory/?province={rng.choice(data['province_codes'])}")
            elif kind == 2:
                p, s = rng.choice(data["province_codes"]), rng.choice(data["services"])
                searches.append(f"/directory/?province={p}&service={s}")
            else:
                searches.append(f"/directory/?q={quote('เมือง')}&service={data['services'][0]}")
        search_http = timed(client, searches)
        nears = [
            f"/directory/near?lat={rng.uniform(6, 20):.4f}&lon={rng.uniform(98, 105):.4f}"
            f"&service={rng.choice(data['services'])}"
            for _ in range(120)
        ]
        near_http = timed(client, nears)
        log(
            f"search page p50 {1000 * statistics.median(search_http):.1f} ms, "
            f"near page p50 {1000 * statistics.median(near_http):.1f} ms"
        )

        # The paced phase: the --paced-pages most visited offices (Thai), each gunicorn
        # process's page cache warmed first (each process has its own cache).
        hot = pages[: args.paced_pages]
        warm = paced(port, hot * args.warm_rounds, 1000.0, 1.0, 8, 1, max_requests=None)
        log(f"warm-up: {warm['requests']} requests, p50 {warm['ms_p50']:.0f} ms")
        log(f"paced: {args.rate:.0f} req/s over {len(hot)} pages for {args.duration:.0f} s")
        pids = server_pids(server.pid, args.pg)
        cpu0 = cpu_seconds(pids)
        load = paced(port, hot, args.rate, args.duration, args.clients, args.load_procs)
        server_cpu_ms = 1000 * (cpu_seconds(pids) - cpu0) / load["requests"]
        log(f"server CPU (gunicorn + PostgreSQL) per paced request: {server_cpu_ms:.2f} ms")
        log(json.dumps(load))
        summary = {
            "server": f"gunicorn {args.worker_class} x{args.workers}"
            + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
            + ", PostgreSQL, loopback",
            "cpu_cores": os.cpu_count(),
            "load_avg_1min_at_end": round(os.getloadavg()[0], 1),
            "points": data["points"],
            "offerings": data["offerings"],
            "rated_points": len(data["rated_points"]),
            "ratings_per_point_90d": args.ratings_per_point,
            "near_server_ms_p50": round(queries["near_ms_p50"], 2),
            "near_server_ms_p99": round(queries["near_ms_p99"], 2),
            "search_server_ms_p50": round(queries["search_ms_p50"], 2),
            "search_server_ms_p99": round(queries["search_ms_p99"], 2),
            "search_page_http_ms_p50": round(1000 * statistics.median(search_http), 1),
            "search_page_http_ms_p99": round(1000 * quantile(search_http, 0.99), 1),
            "near_page_http_ms_p50": round(1000 * statistics.median(near_http), 1),
            "near_page_http_ms_p99": round(1000 * quantile(near_http, 0.99), 1),
            "point_page_cold_ms_p50": round(1000 * statistics.median(cold), 1),
            "point_page_cold_ms_p99": round(1000 * quantile(cold, 0.99), 1),
            "point_page_304_ms_p50": round(1000 * statistics.median(revalidate), 2),
            "paced_pages": len(hot),
            "paced_cache": f"warmed: {args.warm_rounds} passes over the paced pages",
            "paced_target_req_per_s": args.rate,
            "paced_achieved_req_per_s": round(load["req_per_s"], 1),
            "paced_requests": load["requests"],
            "paced_ms_p50": round(load["ms_p50"], 1),
            "paced_ms_p99": round(load["ms_p99"], 1),
            "paced_ms_max": round(load["ms_max"], 1),
            "paced_server_cpu_ms_per_request": round(server_cpu_ms, 2),
            "paced_capacity_2_free_cores_req_per_s_est": round(2000 / server_cpu_ms),
        }
        print(json.dumps(summary))
    finally:
        if server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        if not args.reuse_db:
            pg_admin(args.pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        shutil.rmtree(env["CP_DATA_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
