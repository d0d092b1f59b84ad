"""Sync figure from PRODUCT.md: drain 100,000 queued ratings into central on loopback.

    .venv/bin/python bench/sync.py [--ratings 100000] [--batch 500] [--workers 2]
        [--database-url postgres://postgres@127.0.0.1:5432/counterpoint]

Starts a real central (gunicorn, PostgreSQL: a database of its own, created and dropped
here; ``--database-url ''`` for SQLite), enrols a fresh kiosk, queues the ratings in the
kiosk's SQLite outbox (not timed), then times one ``python -m kiosk sync --once``-style
pass (``SyncEngine.run``) that pushes them all in batches. Where the time goes:

- ``kiosk_store_read_s``: ``pending_ratings`` (SQLite reads of the outbox);
- ``kiosk_store_mark_s``: ``mark_sync_results`` (SQLite writes, WAL + synchronous=FULL);
- ``http_s``: the ratings requests as the kiosk saw them (JSON, loopback, central);
- ``central_s``: the same requests as gunicorn timed them (access log ``%(L)s``);
- ``http_overhead_s``: ``http_s - central_s`` (kiosk JSON encoding, requests, sockets).

Prints one line per figure, then (last line) one JSON object with units in its keys.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/counterpoint"


def central_request_seconds(access_log: Path, path: str) -> tuple[float, int]:
    total, n = 0.0, 0
    for line in access_log.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] == path:
            total += float(parts[3])
            n += 1
    return total, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ratings", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_PG,
        help="PostgreSQL server to create the bench database on ('' = SQLite)",
    )
    args = ap.parse_args()

    from kiosk import APP_VERSION
    from kiosk.storage import KioskStore
    from kiosk.sync.client import CentralClient
    from kiosk.sync.engine import SyncConfig, SyncEngine
    from kiosk.sync.enrol import enrol
    from tests.e2e.central_server import CentralCtl, CentralServer

    work = Path(tempfile.mkdtemp(prefix="cp-bench-sync-"))
    access_log = work / "access.log"
    server = CentralServer(
        work / "central",
        database_url=args.database_url or None,
        workers=args.workers,
        access_log=access_log,
    )
    ctl = None
    try:
        t0 = time.perf_counter()
        demo = server.prepare()
        server.start()
        ctl = CentralCtl(server)
        print(f"central: gunicorn x{args.workers} on {server.engine}, ready in "
              f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
        code = demo["service_points"][0]["counters"][0]["enrolment_code"]

        store = KioskStore.open(work / "kiosk")
        store.set_setting("followup_hold_s", 0)
        store.set_setting("min_rating_interval_s", 0)
        result = enrol(store, server.url, code)
        codes = [s.code for s in store.all_services()]
        t0 = time.perf_counter()
        for i in range(args.ratings):
            ref = store.record_rating(i % 5 + 1, codes[i % len(codes)] if i % 3 else None)
            if i % 4 == 0:
                store.update_followup(ref.uuid, dimensions=["staff"], asked_for_copy=False)
        seed_s = time.perf_counter() - t0
        print(f"queued {store.queue_depth()} ratings in the kiosk outbox in {seed_s:.1f} s")
        access_log.write_text("")  # only the drain below counts

        rec = store.enrolment()
        client = CentralClient(rec["server_url"], rec["credential"], timeout=(10, 120))
        engine = SyncEngine(
            store,
            client,
            kiosk_id=rec["kiosk_id"],
            config=SyncConfig(batch_size=args.batch),
            app_version=APP_VERSION,
        )
        t0 = time.perf_counter()
        res = engine.run()
        drain_s = time.perf_counter() - t0
        client.close()
        if not res.ok:
            raise SystemExit(f"sync failed: {res.error}")
        time.sleep(0.5)  # let gunicorn flush its access log
        central_s, n_req = central_request_seconds(access_log, "/api/v1/kiosk/ratings")
        counted = ctl("count", kiosk=result.kiosk_id)
        assert counted["count"] == args.ratings == counted["distinct"], counted
        assert store.queue_depth() == 0
        store.close()
        t = res.timings
        http_s = t.http_ratings_s
        figures = {
            "ratings": args.ratings,
            "batch_size": args.batch,
            "batches": res.batches,
            "database": server.engine,
            "gunicorn_workers": args.workers,
            "drain_s": round(drain_s, 2),
            "drain_100k_s": round(drain_s * 100_000 / args.ratings, 2),
            "ratings_per_s": round(args.ratings / drain_s),
            "kiosk_store_read_s": round(t.store_read_s, 2),
            "kiosk_store_mark_s": round(t.store_mark_s, 2),
            "http_s": round(http_s, 2),
            "central_s": round(central_s, 2),
            "http_overhead_s": round(http_s - central_s, 2),
            "central_ms_per_batch": round(1000 * central_s / max(1, n_req), 1),
            "other_s": round(drain_s - t.store_read_s - t.store_mark_s - http_s, 2),
            "seed_s": round(seed_s, 1),
        }
        print(f"drained {args.ratings} ratings in {drain_s:.1f} s "
              f"({figures['ratings_per_s']} ratings/s, {res.batches} requests)")  # fmt: skip
        print(f"  kiosk SQLite reads   {t.store_read_s:6.2f} s")
        print(f"  kiosk SQLite marks   {t.store_mark_s:6.2f} s")
        print(f"  HTTP (kiosk view)    {http_s:6.2f} s, of which central (gunicorn) "
              f"{central_s:.2f} s = {figures['central_ms_per_batch']} ms per batch")  # fmt: skip
        parts = {
            "central": central_s,
            "HTTP/JSON overhead": http_s - central_s,
            "kiosk SQLite": t.store_read_s + t.store_mark_s,
        }
        bound = max(parts, key=parts.get)
        print(f"  bound by: {bound} ({100 * parts[bound] / drain_s:.0f}% of the drain)")
        figures["bound_by"] = bound
        print(json.dumps(figures))
    finally:
        if ctl is not None:
            ctl.close()
        server.close()


if __name__ == "__main__":
    main()
