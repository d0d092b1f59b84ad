"""Benchmark of central's sync API on a real gunicorn + PostgreSQL.

    python bench/central.py [--workers 4] [--worker-class gthread] [--threads 2] ...

What it does:

1. creates a fresh PostgreSQL database ``counterpoint_bench`` (dropped at the end, even on
   failure), migrates it and loads ``python -m central demo``;
2. starts gunicorn (``central.wsgi``, ``--workers`` processes; gthread by default, which
   keeps connections alive between a kiosk's calls) on a free loopback port;
3. enrols ``--kiosks`` kiosks through ``POST /api/v1/kiosks/enroll`` (codes issued for the
   demo counters, round robin);
4. ingest: ``--ingest-clients`` threads (one kiosk each) post pre-built batches of 100,
   then of 500, fresh ratings; reports ratings stored per second (every item must come
   back ``accepted``);
5. sync mix (closed loop): ``--clients`` threads (spread over ``--load-procs`` processes,
   so the generator is not GIL-bound), each a kiosk, for ``--duration`` seconds, each looping
   over one kiosk sync pass = heartbeat, ratings batch of ``--mix-batch`` new ratings,
   catalogue delta (``?since=`` its last cursor; mostly empty, as in steady state); reports
   requests per second and p50/p99 latency over all three kinds, and per kind;
6. paced: the same 32 clients sending at a fixed total rate, latency measured from each
   request's scheduled time, so a server that cannot keep up shows it: first at
   ``--paced-fraction`` (0.8) of the flat-out rate just measured (capacity as it is
   quoted: "N req/s at p50/p99"), then at ``--rates`` (default 133 = 40,000 kiosks every 5
   minutes, and 500 = PRODUCT.md's bar).

The scratch database's name can be set with ``CP_BENCH_DB_NAME`` (several people
benchmarking on one PostgreSQL). gunicorn runs with deploy/gunicorn.conf.py (JSON access lines to a file in $TMPDIR or
/tmp), the flags above overriding it. ``--servers N`` starts N gunicorns behind a real
nginx (deploy/nginx/central.conf, TLS with a throw-away certificate, see
tests/deploy/nginx.py) and the clients connect to nginx: what one more application server
buys on the same machine.

The load generator is threads + ``http.client`` (in a few processes) on loopback, bounded in time and request
count. It shares the machine's cores with gunicorn and PostgreSQL, so the numbers are a
floor for a server with the load generated elsewhere. The last line printed is one JSON
object; its keys carry their units.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import signal
import ssl
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench_support import central, free_port, log, pg_admin, quantile

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = os.environ.get("CP_BENCH_DB_NAME") or f"counterpoint_bench_{os.getpid()}"
# Set before the load generator forks: with --servers, requests go to nginx over TLS.
TLS_CA: str | None = None


CLK_TCK = os.sysconf("SC_CLK_TCK")
# Filled by main(): the gunicorn masters and nginx (their process trees are counted) and
# the scratch database (its PostgreSQL backends are counted).
CPU_ROOTS: dict[str, list[int]] = {"app_server": [], "nginx": []}


def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, utime+stime in seconds) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def server_cpu_s() -> dict[str, float]:
    """CPU seconds so far of the app servers' and nginx's process trees, and of the
    PostgreSQL backends connected to the scratch database."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _proc_stat(int(entry))
            if st is not None:
                stats[int(entry)] = st
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    out = {}
    for name, roots in CPU_ROOTS.items():
        if not roots:
            continue
        total, todo = 0.0, list(roots)
        while todo:
            pid = todo.pop()
            total += stats.get(pid, (0, 0.0))[1]
            todo.extend(children.get(pid, []))
        out[name] = total
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            pids = [
                r[0]
                for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME]
                )
            ]
    except psycopg.Error:
        pids = []
    out["postgres"] = sum(stats.get(pid, (0, 0.0))[1] for pid in pids)
    return out


PG_ADMIN_URL = ""


ISSUE_CODES = """
import json
from central.directory.models import Counter
from central.fleet.services import issue_enrolment_code
counters = list(Counter.objects.order_by("id"))
print(json.dumps([issue_enrolment_code(counters[i % len(counters)])[1] for i in range({n})]))
"""


class Client:
    """One keep-alive loopback HTTP connection (reconnects when the server closes it)."""

    def __init__(self, port: int, credential: str | None = None):
        self.port = port
        if TLS_CA is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        else:
            context = ssl.create_default_context(cafile=TLS_CA)
            self.conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
        self.headers = {"Content-Type": "application/json"}
        if credential:
            self.headers["Authorization"] = f"Bearer {credential}"

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=self.headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.conn.close()
                return response.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # a kept-alive connection the server had closed: retry once
                if attempt == 2:
                    raise
            except BaseException:
                self.conn.close()
                raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, payload=None, expect: int = 200):
        body = None if payload is None else json.dumps(payload).encode()
        status, data = self.request(method, path, body)
        if status != expect:
            raise RuntimeError(f"{method} {path}: HTTP {status} {data[:300]!r}")
        return json.loads(data)


def ratings_body(codes: list[str], n: int, seq0: int) -> tuple[bytes, int]:
    """A ratings request of ``n`` fresh ratings (every fourth without a service)."""
    now = datetime.now(UTC).isoformat()
    items = [
        {
            "uuid": str(uuid.uuid4()),
            "seq": seq0 + i,
            "kiosk_time": now,
            "score": 1 + (seq0 + i) % 5,
            "service_code": codes[(seq0 + i) % len(codes)] if (seq0 + i) % 4 else None,
            "dimensions": ["staff", "waiting_time"] if i % 3 == 0 else [],
            "asked_for_copy": [None, True, False][i % 3],
            "comment": "บริการรวดเร็ว ขอบคุณครับ" if i % 10 == 0 else None,
            "interval_flag": False,
        }
        for i in range(n)
    ]
    return json.dumps({"ratings": items}).encode(), n


class Kiosk:
    def __init__(self, port: int, enrolled: dict):
        self.credential = enrolled["credential"]
        # Every demo counter has services; rate them (and sometimes no service at all).
        self.codes = enrolled["counter"]["service_codes"]
        self.client = Client(port, self.credential)
        self.seq = 0
        self.cursor: str | None = None


def run_ingest(port: int, kiosks: list[Kiosk], batch: int, total: int, clients: int) -> dict:
    """``total`` ratings in batches of ``batch`` from ``clients`` kiosks in parallel."""
    per_client = total // batch // clients
    bodies = []
    for k in kiosks[:clients]:
        mine = []
        for _ in range(per_client):
            mine.append(ratings_body(k.codes, batch, k.seq)[0])
            k.seq += batch
        bodies.append(mine)
    latencies: list[float] = []
    accepted = [0] * clients
    errors: list[str] = []
    start_gate = threading.Barrier(clients + 1)

    def work(i: int) -> None:
        client = Client(port, kiosks[i].credential)
        start_gate.wait()
        for body in bodies[i]:
            t0 = time.perf_counter()
            status, data = client.request("POST", "/api/v1/kiosk/ratings", body)
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(f"HTTP {status}: {data[:200]!r}")
                return
            results = json.loads(data)["results"]
            accepted[i] += sum(r["status"] == "accepted" for r in results)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"ingest failed: {errors[0]}")
    sent = per_client * clients * batch
    if sum(accepted) != sent:
        raise RuntimeError(f"ingest: {sum(accepted)} accepted of {sent}")
    return {
        "ratings": sent,
        "seconds": elapsed,
        "ratings_per_s": sent / elapsed,
        "ms_p50": 1000 * statistics.median(latencies),
        "ms_p99": 1000 * quantile(latencies, 0.99),
    }


def _mix_worker(port, group, duration, batch, max_requests, interval, seq_base, start, conn):
    """One load-generator process: a thread per kiosk in ``group`` (credential, codes,
    cursor), looping over sync passes until the shared deadline; sends back latencies.

    ``interval`` None: closed loop (next request as soon as the answer is in). Otherwise
    each client sends one request every ``interval`` seconds and latency is measured from
    the *scheduled* send time, so a server that falls behind shows it (no coordinated
    omission)."""
    try:
        _mix_run(port, group, duration, batch, max_requests, interval, seq_base, start, conn)
    except BaseException:
        start.abort()  # never leave the parent waiting on the barrier
        raise


def _mix_run(port, group, duration, batch, max_requests, interval, seq_base, start, conn):
    kinds = ("heartbeat", "ratings", "catalogue")
    passes = max(1, int(duration * 40))
    # Pre-build the ratings bodies so JSON encoding is not measured.
    bodies = [[ratings_body(codes, batch, seq_base + i * batch)[0] for i in range(passes)]
              for _, codes, _, _ in group]  # fmt: skip
    latencies: dict[str, list[float]] = {kind: [] for kind in kinds}
    errors: list[str] = []
    lock = threading.Lock()

    def work(index: int, deadline: float) -> None:
        credential, _codes, cursor, phase = group[index]
        client = Client(port, credential)
        mine: dict[str, list[float]] = {kind: [] for kind in kinds}
        n = 0
        scheduled = time.perf_counter() + (interval or 0) * phase  # spread over one interval
        try:
            while time.time() < deadline and n < max_requests:
                heartbeat = json.dumps(
                    {"app_version": "bench", "queue_depth": batch,
                     "kiosk_time": datetime.now(UTC).isoformat()}
                ).encode()  # fmt: skip
                steps = (
                    ("heartbeat", "POST", "/api/v1/kiosk/heartbeat", heartbeat),
                    ("ratings", "POST", "/api/v1/kiosk/ratings", bodies[index][n // 3 % passes]),
                    ("catalogue", "GET", f"/api/v1/kiosk/catalogue?since={cursor}", None),
                )
                for kind, method, url, payload in steps:
                    if interval is None:
                        t0 = time.perf_counter()
                    else:
                        t0 = scheduled
                        scheduled += interval
                        delay = t0 - time.perf_counter()
                        if delay > 0:
                            time.sleep(delay)
                    status, data = client.request(method, url, payload)
                    mine[kind].append(time.perf_counter() - t0)
                    n += 1
                    if status != 200:
                        errors.append(f"{kind}: HTTP {status} {data[:200]!r}")
                        return
                    if kind == "catalogue":
                        cursor = json.loads(data)["cursor"]
        except Exception as exc:  # reported to the parent
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            with lock:
                for kind in kinds:
                    latencies[kind].extend(mine[kind])

    start.wait(timeout=120)  # every process is ready: go
    cpu0 = time.process_time()
    deadline = time.time() + duration
    threads = [threading.Thread(target=work, args=(i, deadline)) for i in range(len(group))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = time.process_time() - cpu0
    conn.send({"latencies": latencies, "errors": errors, "cpu_s": cpu})
    conn.close()


def run_mix(
    port: int,
    kiosks: list[Kiosk],
    duration: float,
    batch: int,
    max_requests: int,
    procs: int,
    rate: float | None = None,
    seq_base: int = 10**9,
) -> dict:
    """``len(kiosks)`` concurrent clients, spread over ``procs`` processes (Python threads
    in one process cannot keep 32 connections busy: the GIL, not the server, would be
    measured). ``rate``: total requests per second to pace at (None: closed loop)."""
    interval = None if rate is None else len(kiosks) / rate
    import multiprocessing

    ctx = multiprocessing.get_context("fork")  # only the main thread exists at this point
    start = ctx.Barrier(procs + 1)
    groups = [
        [
            (k.credential, k.codes, k.cursor, index / len(kiosks))
            for index, k in enumerate(kiosks)
            if index % procs == i
        ]
        for i in range(procs)
    ]
    workers = []
    for group in groups:
        parent_end, child_end = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=_mix_worker,
            args=(port, group, duration, batch, max_requests, interval, seq_base, start, child_end),
        )
        proc.start()
        child_end.close()
        workers.append((proc, parent_end))
    try:
        start.wait(timeout=120)
        cpu0 = server_cpu_s()
        t0 = time.perf_counter()
        reports = []
        for proc, conn in workers:
            if not conn.poll(duration + 120):
                raise RuntimeError(f"load generator {proc.pid} did not report")
            reports.append(conn.recv())
        elapsed = time.perf_counter() - t0
        cpu1 = server_cpu_s()
    except (EOFError, threading.BrokenBarrierError):
        raise RuntimeError("a load-generator process failed (see its traceback above)") from None
    finally:
        for proc, _ in workers:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join()
    errors = [e for r in reports for e in r["errors"]]
    if errors:
        raise RuntimeError(f"sync mix failed: {errors[0]}")
    kinds = ("heartbeat", "ratings", "catalogue")
    latencies = {kind: [x for r in reports for x in r["latencies"][kind]] for kind in kinds}
    everything = [x for kind in kinds for x in latencies[kind]]
    out = {
        "requests": len(everything),
        "seconds": elapsed,
        "req_per_s": len(everything) / elapsed,
        "ms_p50": 1000 * statistics.median(everything),
        "ms_p99": 1000 * quantile(everything, 0.99),
    }
    # CPU per request by component (utime+stime from /proc over the phase): what the
    # capacity is made of, much less dependent on the machine's other load than latency.
    n = max(1, len(everything))
    for name in cpu1:
        out[f"cpu_ms_per_req_{name}"] = 1000 * (cpu1[name] - cpu0.get(name, 0.0)) / n
    out["cpu_ms_per_req_load_generator"] = 1000 * sum(r["cpu_s"] for r in reports) / n
    for kind in kinds:
        out[f"{kind}_ms_p50"] = 1000 * statistics.median(latencies[kind])
        out[f"{kind}_ms_p99"] = 1000 * quantile(latencies[kind], 0.99)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg",
        default=os.environ.get("CP_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL (database part ignored)",
    )
    parser.add_argument("--workers", type=int, default=4, help="per app server")
    parser.add_argument(
        "--servers",
        type=int,
        default=0,
        help="0: one gunicorn, clients connect to it directly; N >= 1: N gunicorns behind "
        "nginx (deploy/nginx/central.conf, TLS) as deployed",
    )
    parser.add_argument(
        "--paced-fraction",
        type=float,
        default=0.8,
        help="also pace at this fraction of the flat-out rate (capacity as quoted)",
    )
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--kiosks", type=int, default=40)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--mix-batch", type=int, default=5, help="ratings per sync-pass batch")
    parser.add_argument("--ingest-clients", type=int, default=4)
    parser.add_argument("--ingest-ratings", type=int, default=40_000)
    parser.add_argument("--max-requests", type=int, default=100_000, help="per client")
    parser.add_argument(
        "--rates",
        type=lambda text: [int(r) for r in text.split(",") if r],
        default=[133, 500],
        help="paced phases, total req/s (133 = 40,000 kiosks syncing every 5 min)",
    )
    parser.add_argument(
        "--load-procs", type=int, default=4, help="load-generator processes for the sync mix"
    )
    args = parser.parse_args()
    if args.clients > args.kiosks:
        parser.error("--clients must not exceed --kiosks")

    parts = urlsplit(args.pg)
    global PG_ADMIN_URL
    PG_ADMIN_URL = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    db_url = urlunsplit(("postgres", parts.netloc, "/" + DB_NAME, "", ""))
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CP_DB_CONN_MAX_AGE": "600",
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    env.pop("PYTEST_VERSION", None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))  # run the cleanup
    global TLS_CA
    ports = [free_port() for _ in range(max(1, args.servers))]
    port = ports[0]
    servers: list[subprocess.Popen] = []
    proxy = None
    server_log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"{DB_NAME}.log", "wb")  # noqa: SIM115
    load_at_start = os.getloadavg()[0]
    pg_admin(args.pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    pg_admin(args.pg, f"CREATE DATABASE {DB_NAME}")
    try:
        log(f"database {DB_NAME}: migrate + demo")
        central(env, "migrate", "-v0", capture=False, timeout=600)
        central(env, "demo", "--json", timeout=600)
        codes = json.loads(
            central(env, "shell", "-v0", "-c", ISSUE_CODES.format(n=args.kiosks), timeout=600)
        )
        for p in ports:
            cmd = [
                sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                "central.wsgi:application", "--bind", f"127.0.0.1:{p}", "--workers", str(args.workers),
                "--worker-class", args.worker_class, "--threads", str(args.threads),
                "--backlog", "2048", "--keep-alive", "75", "--log-level", "warning",
            ]  # fmt: skip
            log(" ".join(cmd[2:]))
            # Access lines (JSON, as deployed) go to a file, not the terminal.
            servers.append(subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                                            stdout=server_log, stderr=server_log))  # fmt: skip
            CPU_ROOTS["app_server"].append(servers[-1].pid)
            probe = Client(p)
            for _ in range(300):
                with contextlib.suppress(OSError, http.client.HTTPException):
                    if probe.request("GET", "/api/v1/openapi.json")[0] == 200:
                        break
                time.sleep(0.1)
            else:
                raise RuntimeError("gunicorn did not come up")
        if args.servers:
            sys.path.insert(0, str(ROOT))
            import tempfile

            from tests.deploy.nginx import Nginx

            proxy = Nginx(Path(tempfile.mkdtemp(prefix="cp-bench-nginx-")), ports)
            proxy.start()
            CPU_ROOTS["nginx"].append(proxy.proc.pid)
            log(f"nginx (TLS) on {proxy.https_port} -> gunicorn on {ports}")
            TLS_CA, port = str(proxy.cert), proxy.https_port

        log(f"enrolling {args.kiosks} kiosks")
        kiosks = [
            Kiosk(
                port,
                Client(port).json(
                    "POST", "/api/v1/kiosks/enroll", {"code": code, "app_version": "bench"}, 201
                ),
            )
            for code in codes
        ]
        for k in kiosks:  # full catalogue once, as a fresh kiosk would
            k.cursor = k.client.json("GET", "/api/v1/kiosk/catalogue")["cursor"]

        results = {}
        for batch in (100, 500) if args.ingest_ratings else ():
            log(f"ingest: batches of {batch}")
            results[batch] = run_ingest(
                port, kiosks, batch, args.ingest_ratings, args.ingest_clients
            )
            log(json.dumps(results[batch]))
        log(f"sync mix: {args.clients} clients for {args.duration:.0f} s")
        clients = kiosks[: args.clients]
        mix = run_mix(
            port, clients, args.duration, args.mix_batch, args.max_requests, args.load_procs
        )
        log(json.dumps(mix))
        mix_cpu = sum(v for k, v in mix.items() if k.startswith("cpu_ms_per_req_"))
        paced = {}
        quoted = round(args.paced_fraction * mix["req_per_s"])
        for i, rate in enumerate([quoted, *[r for r in args.rates if r != quoted]]):
            log(f"paced: {rate} req/s from {args.clients} clients for {args.duration:.0f} s")
            paced[rate] = run_mix(
                port, clients, args.duration, args.mix_batch, args.max_requests,
                args.load_procs, rate=rate, seq_base=2 * 10**9 + i * 10**8,
            )  # fmt: skip
            log(json.dumps(paced[rate]))
        summary = {
            "server": (f"{args.servers} x " if args.servers else "")
            + f"gunicorn {args.worker_class} x{args.workers}"
            + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
            + (" behind nginx (TLS)" if args.servers else "")
            + ", PostgreSQL, loopback",
            "load_avg_1min_at_start": round(load_at_start, 2),
            "cpu_cores": os.cpu_count(),
            "ingest_clients": args.ingest_clients,
            **{
                f"ingest_{batch}_{key}": round(result[k], 1)
                for batch, result in results.items()
                for key, k in (("ratings_per_s", "ratings_per_s"), ("batch_ms_p50", "ms_p50"))
            },
            "sync_clients": args.clients,
            "sync_load_procs": args.load_procs,
            "sync_mix": f"per kiosk pass: heartbeat + ratings batch of {args.mix_batch} "
            "+ catalogue delta",
            "sync_duration_s": round(mix["seconds"], 1),
            "sync_requests": mix["requests"],
            "sync_req_per_s": round(mix["req_per_s"]),
            "sync_ms_p50": round(mix["ms_p50"], 1),
            "sync_ms_p99": round(mix["ms_p99"], 1),
            **{
                f"sync_{kind}_ms_{q}": round(mix[f"{kind}_ms_{q}"], 1)
                for kind in ("heartbeat", "ratings", "catalogue")
                for q in ("p50", "p99")
            },
            **{
                f"sync_{key}": round(value, 3)
                for key, value in mix.items()
                if key.startswith("cpu_ms_per_req_")
            },
            # 2 cores' worth of CPU divided by what one request costs the whole machine
            # (servers, PostgreSQL, load generator): the rate the CPU allows at best.
            "sync_cpu_ms_per_req_total": round(mix_cpu, 3),
            "cpu_bound_req_per_s": round(1000 * (os.cpu_count() or 1) / mix_cpu),
            "flat_out_req_per_s": round(mix["req_per_s"]),
            "quoted_paced_fraction": args.paced_fraction,
            "quoted_paced_req_per_s": quoted,
            "quoted_paced_achieved_req_per_s": round(paced[quoted]["req_per_s"], 1),
            "quoted_paced_ms_p50": round(paced[quoted]["ms_p50"], 1),
            "quoted_paced_ms_p99": round(paced[quoted]["ms_p99"], 1),
            "load_avg_1min_at_end": round(os.getloadavg()[0], 2),
            **{
                f"paced_{rate}_{key}": round(result[k], 1)
                for rate, result in paced.items()
                for key, k in (
                    ("achieved_req_per_s", "req_per_s"),
                    ("ms_p50", "ms_p50"),
                    ("ms_p99", "ms_p99"),
                )
            },
        }
        print(json.dumps(summary))
    finally:
        if proxy is not None:
            proxy.stop()
            import shutil

            shutil.rmtree(proxy.dir, ignore_errors=True)
        for server in servers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        server_log.close()
        pg_admin(args.pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
