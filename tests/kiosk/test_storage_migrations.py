"""Schema upgrades of kiosk.storage: a database written by the first release (schema v1)
opens with the current app and keeps every queued rating and answer."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime, timedelta

import pytest

from kiosk.storage import SCHEMA_VERSION, KioskStore, StorageError
from kiosk.storage.schema import migrate

V1_RATINGS = [
    # seq, score, service, dimensions, asked_for_copy, comment, interval_flag, state
    (1, 5, "ID_RENEW", ["staff"], 0, None, 0, "synced"),
    (2, 1, "MOVE_IN", ["waiting_time", "documents"], 1, "ขอสำเนาทะเบียนบ้าน", 0, "pending"),
    (3, 2, None, [], None, None, 1, "pending"),
    (7, 4, "BIRTH", ["outcome"], None, "ดีมาก " * 50, 0, "pending"),
]


def build_v1_database(path) -> dict[int, str]:
    """A kiosk.db exactly as release 1 left it: schema v1 only, queued ratings, a kiosk id,
    a staff choice of services and a sequence counter ahead of the rows (a purge)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    assert migrate(conn, target=1) == [1]
    uuids = {}
    conn.execute("BEGIN")
    for seq, score, service, dims, copy, comment, flag, state in V1_RATINGS:
        uuids[seq] = str(uuid.uuid4())
        conn.execute(
            "INSERT INTO ratings (seq, uuid, kiosk_time, tapped_at, score, service_code, "
            "dimensions, asked_for_copy, comment, interval_flag, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq,
                uuids[seq],
                f"2026-11-2{seq % 10}T09:00:00+07:00",
                1_795_000_000.0 + seq,
                score,
                service,
                json.dumps(dims),
                copy,
                comment,
                flag,
                state,
            ),
        )
    conn.execute("UPDATE rating_seq SET last_seq = 9")
    conn.execute("INSERT INTO settings VALUES ('kiosk_id', '\"k-from-v1\"')")
    conn.execute("INSERT INTO settings VALUES ('counter_services', '[\"ID_RENEW\"]')")
    conn.execute("COMMIT")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    return uuids


def test_upgrade_from_v1_keeps_every_queued_rating_and_answer(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    uuids = build_v1_database(data / "kiosk.db")

    with KioskStore.open(data) as store:
        assert store.recovered_from is None
        st = store.status()
        assert st["schema_version"] == SCHEMA_VERSION > 1
        assert st["kiosk_id"] == "k-from-v1"
        assert st["queued"] == 3
        for seq, score, service, dims, copy, comment, flag, state in V1_RATINGS:
            row = store.rating(uuids[seq])
            assert row == {
                "uuid": uuids[seq],
                "seq": seq,
                "kiosk_time": f"2026-11-2{seq % 10}T09:00:00+07:00",
                "score": score,
                "service_code": service,
                "dimensions": dims,
                "asked_for_copy": None if copy is None else bool(copy),
                "comment": comment,
                "interval_flag": bool(flag),
                "state": state,
                "reason": None,
            }
        # Still queued, oldest first, and sendable at once (their follow-ups are long over).
        assert [r["seq"] for r in store.pending_ratings(100)] == [2, 3, 7]
        assert [s.code for s in store.counter_services()] == ["ID_RENEW"]
        assert store.catalogue_version() == "demo-1"  # v1 file had no catalogue yet
        # New ratings continue the sequence; v2 features work on old rows.
        assert store.record_rating(5, None).seq == 10
        store.mark_sync_results([{"uuid": uuids[3], "status": "rejected", "reason": "bad"}])
        assert store.rating(uuids[3])["state"] == "rejected"

    # The row v1 had already synced counts as synced at the upgrade: purged a week later.
    next_week = datetime.now().astimezone() + timedelta(days=8)
    with KioskStore.open(data, now=lambda: next_week) as store:
        assert store.purge_synced(timedelta(days=7)) == 1
        assert store.rating(uuids[1]) is None
        assert store.rating(uuids[2])["state"] == "pending"

    with KioskStore.open(data) as store:  # opening again changes nothing
        assert store.status()["schema_version"] == SCHEMA_VERSION
        assert store.rating(uuids[2])["comment"] == "ขอสำเนาทะเบียนบ้าน"


def test_each_migration_step_is_recorded_in_user_version(tmp_path):
    conn = sqlite3.connect(tmp_path / "k.db", isolation_level=None)
    assert migrate(conn, target=1) == [1]
    assert migrate(conn) == list(range(2, SCHEMA_VERSION + 1))
    assert migrate(conn) == []
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_a_database_from_a_newer_app_is_refused_not_destroyed(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    conn = sqlite3.connect(data / "kiosk.db", isolation_level=None)
    conn.execute("CREATE TABLE precious (x)")
    conn.execute("INSERT INTO precious VALUES (42)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        KioskStore.open(data)
    assert sorted(p.name for p in data.iterdir() if not p.name.startswith(".")) == ["kiosk.db"]
    conn = sqlite3.connect(data / "kiosk.db")
    assert conn.execute("SELECT x FROM precious").fetchall() == [(42,)]
    conn.close()
