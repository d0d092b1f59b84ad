"""Sync subcommands of ``python -m kiosk``: ``enroll``, ``sync --once``, ``status``.

Exit statuses: 0 success; 1 sync/enrolment failed (network, central, refused code);
2 not enrolled / bad arguments; 3 the kiosk's database cannot be opened; 4 central
refuses this kiosk (revoked or unknown credential: enrol again).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.storage import KioskStore

log = logging.getLogger("kiosk.sync")

EXIT_OK, EXIT_FAILED, EXIT_NOT_ENROLLED, EXIT_STORAGE, EXIT_REFUSED = 0, 1, 2, 3, 4


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    enroll = sub.add_parser(
        "enroll",
        parents=[common],
        help="enrol this kiosk with central (server URL + one-time code)",
    )
    enroll.add_argument(
        "--server", required=True, help="central's address, e.g. https://cp.example"
    )
    enroll.add_argument("--code", required=True, help="the one-time enrolment code from central")
    enroll.add_argument(
        "--ca-file", type=Path, help="CA bundle to trust (a private CA); remembered for syncs"
    )
    sync = sub.add_parser("sync", parents=[common], help="sync with central")
    sync.add_argument(
        "--once", action="store_true", required=True, help="run one full pass and exit"
    )
    sync.add_argument("--ca-file", type=Path, help="CA bundle to trust (a private CA)")
    sync.add_argument("--max-batches", type=int, default=None, help="stop after this many batches")
    status = sub.add_parser("status", parents=[common], help="show the sync status")
    status.add_argument("--json", action="store_true", help="one JSON object")


def _open_store(data_dir: Path):
    from kiosk.storage import KioskStore, StorageError

    try:
        return KioskStore.open(data_dir)
    except StorageError as exc:
        print(f"kiosk: cannot open the database in {data_dir}: {exc}", file=sys.stderr)
        return None


def cmd_enroll(args: argparse.Namespace, data_dir: Path) -> int:
    from kiosk.sync.client import SyncError
    from kiosk.sync.enrol import enrol

    store = _open_store(data_dir)
    if store is None:
        return EXIT_STORAGE
    try:
        result = enrol(
            store,
            args.server,
            args.code,
            verify=str(args.ca_file) if args.ca_file else True,
        )
    except SyncError as exc:
        print(f"kiosk: enrolment failed: {exc}", file=sys.stderr)
        return EXIT_NOT_ENROLLED if exc.kind == "bad_url" else EXIT_FAILED
    finally:
        store.close()
    print(f"enrolled as {result.kiosk_id} with {result.server_url}")
    print(f"service point: {result.service_point.get('id')} {result.service_point.get('name_th')}")
    print(f"counter: {result.counter.get('id')} {result.counter.get('name_th')}")
    if result.catalogue_error:
        print(
            f"warning: the catalogue could not be downloaded yet ({result.catalogue_error}); "
            "the next sync fetches it",
            file=sys.stderr,
        )
    else:
        print("catalogue downloaded")
    return EXIT_OK


def cmd_sync(args: argparse.Namespace, data_dir: Path) -> int:

    from kiosk import APP_VERSION
    from kiosk.storage import StorageError
    from kiosk.sync.client import CentralClient, SyncError
    from kiosk.sync.engine import SETTING_BLOCKED, SyncConfig, SyncEngine, tls_verify
    from kiosk.sync.enrol import secure_data_files
    from kiosk.sync.service import blocked_message, remember_refusal

    store = _open_store(data_dir)
    if store is None:
        return EXIT_STORAGE
    try:
        enrolment = store.enrolment()
        if not enrolment:
            print(
                "kiosk: this kiosk is not enrolled: run `python -m kiosk enroll --server URL "
                "--code CODE` first",
                file=sys.stderr,
            )
            return EXIT_NOT_ENROLLED
        secure_data_files(data_dir)
        cfg = SyncConfig.from_store(store)
        client = CentralClient(
            enrolment["server_url"],
            enrolment["credential"],
            timeout=(cfg.connect_timeout_s, cfg.read_timeout_s),
            verify=tls_verify(store, str(args.ca_file) if args.ca_file else True),
            user_agent=f"CounterPoint-Kiosk/{APP_VERSION}",
        )

        def progress(r) -> None:
            log.info(
                "batch %d pushed: %d accepted, %d duplicate, %d rejected so far",
                r.batches,
                r.accepted,
                r.duplicate,
                r.rejected,
            )

        engine = SyncEngine(
            store,
            client,
            kiosk_id=str(enrolment.get("kiosk_id") or ""),
            config=cfg,
            app_version=APP_VERSION,
            on_batch=progress,
        )
        with client:
            result = engine.run(max_batches=args.max_batches)
        if result.ok:
            with contextlib.suppress(StorageError):
                store.delete_setting(SETTING_BLOCKED)
            print(f"sync ok: {result.summary()}")
            return EXIT_OK
        err = result.error
        print(f"kiosk: sync failed: {err}", file=sys.stderr)
        if result.batches:
            print(f"(before failing: {result.summary()})", file=sys.stderr)
        if isinstance(err, SyncError) and err.auth:
            remember_refusal(store, err, enrolment)
            return EXIT_REFUSED
        if blocked_message(store, enrolment):
            return EXIT_REFUSED
        return EXIT_FAILED
    finally:
        store.close()


def rejected_items(store: KioskStore, limit: int = 20) -> list[dict]:
    """The most recent ratings central rejected, with the reason."""
    keys = ("uuid", "seq", "kiosk_time", "score", "service_code", "reason")
    return [{k: r[k] for k in keys} for r in store.rejected_ratings(limit)]


def status_dict(store) -> dict:
    from kiosk.sync.engine import SETTING_CURSOR_OWNER, SETTING_SKEW
    from kiosk.sync.service import blocked_message

    st = store.status()
    enrolment = store.enrolment() or {}
    sp = enrolment.get("service_point") or {}
    ct = enrolment.get("counter") or {}
    blocked = blocked_message(store, enrolment or None)
    return {
        "enrolled": bool(enrolment),
        "server_url": enrolment.get("server_url"),
        "kiosk_id": enrolment.get("kiosk_id"),
        "local_kiosk_id": st.get("kiosk_id"),
        "enrolled_at": enrolment.get("enrolled_at"),
        "service_point": {k: sp.get(k) for k in ("id", "name_th", "name_en")} if sp else None,
        "counter": {k: ct.get(k) for k in ("id", "name_th", "name_en")} if ct else None,
        "queue_depth": st.get("queued"),
        "rejected": st.get("rejected"),
        "synced_kept": st.get("synced"),
        "last_sync_at": st.get("last_sync_at"),
        "last_sync_attempt_at": st.get("last_sync_attempt_at"),
        "last_sync_error": blocked or st.get("last_sync_error"),
        "blocked": blocked,
        "catalogue_cursor": st.get("catalogue_version") or None,
        "catalogue_from_central": bool(enrolment)
        and store.get_setting(SETTING_CURSOR_OWNER) == enrolment.get("kiosk_id"),
        "catalogue_applied_at": st.get("catalogue_applied_at"),
        "clock_skew_s": store.get_setting(SETTING_SKEW),
        "app_version": st.get("app_version"),
        "data_dir": st.get("data_dir"),
        "rejected_items": rejected_items(store),
    }


def cmd_status(args: argparse.Namespace, data_dir: Path) -> int:
    store = _open_store(data_dir)
    if store is None:
        return EXIT_STORAGE
    try:
        data = status_dict(store)
    finally:
        store.close()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, sort_keys=True))
        return EXIT_OK
    for key, value in data.items():
        if key == "rejected_items":
            for item in value:
                print(f"rejected: seq {item['seq']} {item['uuid']}: {item['reason']}")
            continue
        if isinstance(value, dict):
            value = " ".join(str(v) for v in value.values() if v)
        print(f"{key}: {'-' if value is None else value}")
    return EXIT_OK


COMMANDS = {"enroll": cmd_enroll, "sync": cmd_sync, "status": cmd_status}
