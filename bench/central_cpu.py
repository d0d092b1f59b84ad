"""Where central's CPU goes on a sync request: in-process, per endpoint.

    python bench/central_cpu.py [-n 2000] [--pg postgres://postgres@127.0.0.1:5432]

On a fresh PostgreSQL database (``counterpoint_cpu_<pid>``, dropped at the end) with the
demo data and enrolled kiosks, it calls the real WSGI entry point (``central.wsgi``) in this
process, ``-n`` times per endpoint, the way gunicorn does (no sockets, no HTTP parsing):

- heartbeat (``POST /api/v1/kiosk/heartbeat``), catalogue delta (``GET
  /api/v1/kiosk/catalogue?since=<current cursor>``, nothing changed: the steady state), and
  a ratings batch of 5 new ratings (``POST /api/v1/kiosk/ratings``; one of them with a
  comment, unless ``--no-comments``), each round robin over the kiosks;
- through ``central.wsgi.application`` (the sync API's lean middleware, as served) and
  through the full admin middleware chain (``settings.MIDDLEWARE``, what every request went
  through before), so the difference is what sessions, CSRF, auth, messages, locale and
  frame options cost the API;
- Python CPU time per request (this process's thread CPU), PostgreSQL CPU per request (the
  backend process's utime+stime from /proc, same machine), SQL queries per request;
- a cProfile run of the lean path, the self time split by where the code lives
  (database driver, ORM, Django request/response, middleware, JSON, central's own code).

``--instructions``: instead of CPU time, count the instructions the Python side executes
per request (valgrind's callgrind, switched on only around each endpoint's requests).
Unlike CPU time, that count does not grow when other processes load the machine, so it is
the figure to compare code changes on a shared machine (PostgreSQL's side is not in it).

The sum Python + PostgreSQL CPU per request is the server's cost; 1 / that is the most
requests per second one core could serve with nothing else on it (gunicorn's own socket
and HTTP work is not included: see bench/central.py for the real server). The last line
printed is one JSON object; its keys carry their units.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import signal
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench_support import log, pg_admin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def environ(method: str, path: str, body: bytes, credential: str) -> dict:
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "HTTP_AUTHORIZATION": f"Bearer {credential}", "HTTP_ACCEPT_ENCODING": "identity",
        "HTTP_USER_AGENT": "python-requests/2.32", "HTTP_ACCEPT": "*/*",
        "HTTP_CONNECTION": "keep-alive",
    }  # fmt: skip
    if body:
        env["CONTENT_LENGTH"] = str(len(body))
        env["CONTENT_TYPE"] = "application/json"
    return env


def call(app, env: dict) -> tuple[int, bytes]:
    status = []

    def start_response(s, headers, exc_info=None):
        status.append(int(s.split()[0]))

    chunks = app(env, start_response)
    data = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return status[0], data


def ratings_body(codes: list[str], seq0: int, n: int = 5, comment: bool = True) -> bytes:
    now = datetime.now(UTC).isoformat()
    items = [
        {"uuid": str(uuid.uuid4()), "seq": seq0 + i, "kiosk_time": now, "score": 1 + i % 5,
         "service_code": codes[(seq0 + i) % len(codes)] if i % 4 else None,
         "dimensions": ["staff"] if i % 3 == 0 else [], "asked_for_copy": [None, True, False][i % 3],
         "comment": "บริการรวดเร็ว ขอบคุณครับ" if i == 0 and comment else None, "interval_flag": False}
        for i in range(n)
    ]  # fmt: skip
    return json.dumps({"ratings": items}).encode()


class Workload:
    """Pre-built requests per endpoint (bodies built before the clock starts)."""

    def __init__(self, kiosks: list[dict], n: int, comments: bool = True):
        self.kiosks = kiosks
        self.n = n
        self.comments = comments
        self.seq = 10**6

    def requests(self, kind: str) -> list[dict]:
        out = []
        for i in range(self.n):
            k = self.kiosks[i % len(self.kiosks)]
            if kind == "heartbeat":
                body = json.dumps({"app_version": "bench", "queue_depth": 3,
                                   "kiosk_time": datetime.now(UTC).isoformat()}).encode()  # fmt: skip
                out.append(environ("POST", "/api/v1/kiosk/heartbeat", body, k["credential"]))
            elif kind == "catalogue":
                path = f"/api/v1/kiosk/catalogue?since={k['cursor']}"
                out.append(environ("GET", path, b"", k["credential"]))
            else:
                self.seq += 5
                body = ratings_body(k["codes"], self.seq, comment=self.comments)
                out.append(environ("POST", "/api/v1/kiosk/ratings", body, k["credential"]))
        return out


def backend_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


BUCKETS = [
    ("database driver (psycopg)", ("/psycopg/", "/psycopg_binary/", "/psycopg_c/")),
    ("ORM and SQL compiler (django.db)", ("/django/db/",)),
    (
        "middleware",
        (
            "/django/middleware/",
            "/django/contrib/sessions/",
            "/django/contrib/auth/",
            "/django/contrib/messages/",
            "/whitenoise/",
            "central/logs.py",
        ),
    ),  # fmt: skip
    (
        "Django request/response, URLs",
        (
            "/django/core/handlers/",
            "/django/http/",
            "/django/urls/",
            "/django/utils/",
            "/django/core/",
        ),
    ),  # fmt: skip
    ("logging", ("/logging/",)),
    ("JSON encode/decode", ("/json/", "_json")),
    ("central's own code", ("/central/",)),
]


def bucket_of(filename: str) -> str:
    for name, needles in BUCKETS:
        if any(n in filename for n in needles):
            return name
    if filename.startswith("~") or filename == "~":
        return "builtins (C calls: str, dict, re, hashlib, ...)"
    return "other Python (stdlib: datetime, uuid, re, ...)"


def profile(app, reqs: list[dict]) -> dict[str, float]:
    prof = cProfile.Profile(time.thread_time)  # CPU, not wall: waiting on PostgreSQL is not ours
    prof.enable()
    for env in reqs:
        call(app, env)
    prof.disable()
    stats = pstats.Stats(prof)
    buckets: dict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        buckets[bucket_of(filename)] += tottime
        total += tottime
    return {k: v / total for k, v in sorted(buckets.items(), key=lambda kv: -kv[1])}


CALLGRIND_ENV = "CP_BENCH_UNDER_CALLGRIND"
CALLGRIND_C = r"""
#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void cg_stop(const char *name) { CALLGRIND_DUMP_STATS_AT(name); CALLGRIND_STOP_INSTRUMENTATION; }
"""


def run_under_callgrind(args) -> int:
    """Run this script again under callgrind (instrumentation off until the measured
    requests) and print instructions per request by endpoint."""
    import re
    import subprocess
    import tempfile

    out = Path(tempfile.mkdtemp(prefix="cp-callgrind-"))
    subprocess.run(
        ["cc", "-O2", "-shared", "-fPIC", "-o", str(out / "cg.so"), "-x", "c", "-"],
        input=CALLGRIND_C.encode(),
        check=True,
    )
    cmd = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no", "--dump-instr=no",
        f"--callgrind-out-file={out}/callgrind.out", sys.executable, *sys.argv,
    ]  # fmt: skip
    env = dict(os.environ, **{CALLGRIND_ENV: str(out)})
    subprocess.run(cmd, env=env, check=True, stderr=subprocess.DEVNULL)
    counts = {}
    for dump in sorted(out.glob("callgrind.out*")):
        text = dump.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (\S+)", text, re.M)
        totals = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
        if trigger and totals:
            counts[trigger.group(1)] = int(totals.group(1)) / args.n
    for kind, ir in counts.items():
        log(f"{kind:<12} {ir / 1e6:8.2f} M instructions per request (Python side, lean chain)")
    print(json.dumps({"requests_per_endpoint": args.n,
                      **{f"{k}_minstr_per_req": round(v / 1e6, 3) for k, v in counts.items()}}))  # fmt: skip
    return 0


def measure_instructions(app, work, kinds) -> None:
    """Under callgrind: each endpoint's ``-n`` requests with instrumentation on, one dump
    each (read by run_under_callgrind)."""
    import ctypes

    lib = ctypes.CDLL(str(Path(os.environ[CALLGRIND_ENV]) / "cg.so"))
    for kind in kinds:
        for env in work.requests(kind)[:20]:  # warm up (caches, prepared statements)
            call(app, env)
        reqs = work.requests(kind)
        lib.cg_start()
        for env in reqs:
            status, data = call(app, env)
            if status != 200:
                raise RuntimeError(f"{kind}: HTTP {status} {data[:300]!r}")
        lib.cg_stop(kind.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="requests per endpoint and chain")
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument(
        "--db-name",
        default=f"counterpoint_cpu_{os.getpid()}",
        help="scratch database to create and drop (default counterpoint_cpu_<pid>)",
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("CP_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument(
        "--no-comments",
        action="store_true",
        help="ratings batches without a comment (default: one of the five has one)",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per request under valgrind --tool=callgrind (lean chain)",
    )
    args = parser.parse_args()
    if args.instructions and not os.environ.get(CALLGRIND_ENV):
        sys.exit(run_under_callgrind(args))
    db_name = args.db_name
    parts = urlsplit(args.pg)
    os.environ.update(
        {
            "DATABASE_URL": urlunsplit(("postgres", parts.netloc, "/" + db_name, "", "")),
            "SECRET_KEY": secrets.token_urlsafe(40),
            "DEBUG": "0",
            "CP_ACCESS_LOG": os.environ.get("CP_ACCESS_LOG", "1"),
            "CP_DB_CONN_MAX_AGE": "86400",  # one backend for the whole run (its CPU is read)
            "DJANGO_SETTINGS_MODULE": "central.settings",
        }
    )
    os.environ.pop("PYTEST_VERSION", None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))  # run the cleanup
    pg_admin(args.pg, f'CREATE DATABASE "{db_name}"')
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        pg_admin(args.pg, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def run(args) -> None:
    import logging

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from central import demo, wsgi
    from central.directory.models import Counter
    from central.fleet import services as fleet

    # Access lines go to /dev/null: their formatting is measured, the terminal is not.
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115

    log("migrate + demo")
    call_command("migrate", verbosity=0)
    demo.seed()
    kiosks = []
    for counter in list(Counter.objects.order_by("id"))[: args.kiosks]:
        _, code = fleet.issue_enrolment_code(counter)
        kiosk, credential = fleet.enrol(code, "bench")
        kiosks.append({"credential": credential})
    apps = {"lean": wsgi.application, "full": wsgi.full_application}
    for k in kiosks:  # full catalogue once (cursor + the service codes it may rate)
        status, data = call(apps["lean"], environ("GET", "/api/v1/kiosk/catalogue", b"",
                                                  k["credential"]))  # fmt: skip
        assert status == 200, data
        payload = json.loads(data)
        k["cursor"] = payload["cursor"]
        k["codes"] = [s["code"] for s in payload["services"]]
    work = Workload(kiosks, args.n, comments=not args.no_comments)
    kinds = ("heartbeat", "catalogue", "ratings")
    if os.environ.get(CALLGRIND_ENV):
        measure_instructions(apps["lean"], work, kinds)
        return
    results: dict[str, dict] = {}
    for chain in ("full", "lean", "full", "lean"):  # twice each, interleaved; keep the best
        app = apps[chain]
        for kind in kinds:
            reqs = work.requests(kind)
            for env in reqs[:50]:  # warm up on throw-away copies (ratings: new uuids below)
                call(app, dict(env, **{"wsgi.input": io.BytesIO(env["wsgi.input"].getvalue())}))
            reqs = work.requests(kind)
            queries = []
            with connection.execute_wrapper(
                lambda ex, sql, *a, q=queries: q.append(1) or ex(sql, *a)
            ):
                backend = connection.cursor().connection.info.backend_pid
                pg0 = backend_cpu_s(backend)
                t0 = time.thread_time()
                w0 = time.perf_counter()
                for env in reqs:
                    status, data = call(app, env)
                    if status != 200:
                        raise RuntimeError(f"{kind}: HTTP {status} {data[:300]!r}")
                py = time.thread_time() - t0
                wall = time.perf_counter() - w0
                pg = backend_cpu_s(backend) - pg0
                if connection.cursor().connection.info.backend_pid != backend:
                    raise RuntimeError("the database connection was replaced during a run")
            row = {
                "python_ms": 1000 * py / args.n,
                "postgres_ms": 1000 * pg / args.n,
                "wall_ms": 1000 * wall / args.n,
                "queries": len(queries) / args.n,
            }
            best = results.get(f"{chain}/{kind}")
            if best is None or row["python_ms"] < best["python_ms"]:
                results[f"{chain}/{kind}"] = row
    log(f"{'endpoint':<12} {'chain':<5} {'python ms':>10} {'postgres ms':>12} "
        f"{'total ms':>9} {'queries':>8}")  # fmt: skip
    for kind in kinds:
        for chain in ("full", "lean"):
            r = results[f"{chain}/{kind}"]
            log(f"{kind:<12} {chain:<5} {r['python_ms']:>10.3f} {r['postgres_ms']:>12.3f} "
                f"{r['python_ms'] + r['postgres_ms']:>9.3f} {r['queries']:>8.1f}")  # fmt: skip
    for kind in kinds:  # the statements of one request of each kind, for the record
        statements: list[str] = []
        with connection.execute_wrapper(
            lambda ex, sql, *a, out=statements: out.append(sql) or ex(sql, *a)
        ):
            call(apps["lean"], work.requests(kind)[0])
        log(f"SQL of one {kind} request ({len(statements)} statements):")
        for sql in statements:
            log(f"  {' '.join(sql.split())[:160]}")
    where: dict[str, dict[str, float]] = {}
    for kind in kinds:
        if os.environ.get("CP_BENCH_PROFILE_DUMP"):
            log(f"top functions by CPU self time, {kind}:")
            prof = cProfile.Profile(time.thread_time)
            prof.enable()
            for env in work.requests(kind)[:300]:
                call(apps["lean"], env)
            prof.disable()
            pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(25)
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        where[kind] = profile(apps["lean"], work.requests(kind)[: min(args.n, 1000)])
        log(f"where the Python time goes, {kind} (lean chain, cProfile self time):")
        for name, share in where[kind].items():
            log(f"  {100 * share:5.1f} %  {name}")
    mix_py = sum(results[f"lean/{k}"]["python_ms"] for k in kinds) / 3
    mix_pg = sum(results[f"lean/{k}"]["postgres_ms"] for k in kinds) / 3
    mix_full = sum(results[f"full/{k}"]["python_ms"] for k in kinds) / 3
    summary = {
        "requests_per_endpoint": args.n,
        **{
            f"{kind}_{chain}_{key}": round(results[f"{chain}/{kind}"][key], 3)
            for kind in kinds
            for chain in ("full", "lean")
            for key in ("python_ms", "postgres_ms", "queries")
        },
        "mix_python_ms_per_req_full": round(mix_full, 3),
        "mix_python_ms_per_req_lean": round(mix_py, 3),
        "mix_postgres_ms_per_req": round(mix_pg, 3),
        "mix_req_per_core_s_ceiling": round(1000 / (mix_py + mix_pg)),
        **{
            f"{kind}_share_pct_{name.split(' ')[0].lower().strip(',').replace(chr(39) + 's', '')}": round(
                100 * share, 1
            )
            for kind in kinds
            for name, share in where[kind].items()
        },
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
