"""A damaged kiosk.db: moved aside with its -wal/-shm, a fresh database created, and
whatever could still be read (queued ratings, settings) carried over."""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.storage import KioskStore

BANGKOK = timezone(timedelta(hours=7))
STAMP = datetime(2026, 11, 23, 14, 5, 9, tzinfo=BANGKOK)


@pytest.fixture
def kiosk_dir(tmp_path) -> Path:
    return tmp_path / "data"


def fill(kiosk_dir: Path, n: int = 20) -> tuple[list[str], str]:
    """A kiosk that has been used: n queued ratings with answers, a PIN, a kiosk id."""
    with KioskStore.open(kiosk_dir) as s:
        uuids = []
        for i in range(n):
            ref = s.record_rating(1 + i % 5, "ID_RENEW")
            s.update_followup(ref.uuid, dimensions=["staff"], comment=f"ความเห็น {i}")
            uuids.append(ref.uuid)
        s.set_setting("pin_hash", {"salt": "00", "hash": "11"})
        return uuids, s.status()["kiosk_id"]


def assert_fresh_and_working(store: KioskStore, kiosk_dir: Path) -> Path:
    aside = store.recovered_from
    assert aside is not None and aside.exists()
    assert aside.parent == kiosk_dir
    assert aside.name == "kiosk.db.corrupt-20261123T140509"
    assert store.status()["recovery"] == str(aside)
    assert "damaged" in store.status()["recovery_detail"]
    assert store.catalogue_version() == "demo-1"
    assert len(store.all_services()) == 35
    ref = store.record_rating(5, None)
    assert store.rating(ref.uuid)["state"] == "pending"
    return aside


@pytest.mark.parametrize("garbage", ["random", "zeros"])
def test_garbage_over_the_database_is_moved_aside(kiosk_dir, garbage):
    fill(kiosk_dir, 3)
    bad = os.urandom(16384) if garbage == "random" else bytes(16384)
    (kiosk_dir / "kiosk.db").write_bytes(bad)

    with KioskStore.open(kiosk_dir, now=lambda: STAMP) as store:
        aside = assert_fresh_and_working(store, kiosk_dir)
        assert aside.read_bytes() == bad  # kept as it was, for inspection
        assert store.queue_depth() == 1  # only the rating made after recovery
        # the staff PIN survives in the keys file next to the database
        assert store.get_setting("pin_hash") == {"salt": "00", "hash": "11"}
        assert store.staff_access() == "pin"

    with KioskStore.open(kiosk_dir) as store:  # the next start is a normal one
        assert store.recovered_from is None
        assert store.status()["recovery"] == str(aside)  # staff still see it ...
        assert store.status()["recovery_info"]["lost_ratings"] is None  # nothing readable
        store.clear_recovery()
        assert store.status()["recovery"] is None  # ... until they acknowledge it


def test_wal_and_shm_move_aside_with_the_database(kiosk_dir):
    fill(kiosk_dir, 2)
    (kiosk_dir / "kiosk.db").write_bytes(b"this is not a database" * 200)
    (kiosk_dir / "kiosk.db-wal").write_bytes(b"stale wal")
    (kiosk_dir / "kiosk.db-shm").write_bytes(b"stale shm")
    with KioskStore.open(kiosk_dir, now=lambda: STAMP) as store:
        aside = assert_fresh_and_working(store, kiosk_dir)
    assert Path(f"{aside}-wal").read_bytes() == b"stale wal"  # kept as found
    # -shm is SQLite's shared-memory index (rebuilt from the -wal by any reader): it moves
    # with the pair, its bytes need not survive.
    assert Path(f"{aside}-shm").exists()


def test_truncated_database_is_moved_aside(kiosk_dir):
    uuids, _ = fill(kiosk_dir, 200)
    db = kiosk_dir / "kiosk.db"
    size = db.stat().st_size
    with db.open("r+b") as f:
        f.truncate(size // 2)

    with KioskStore.open(kiosk_dir, now=lambda: STAMP) as store:
        assert_fresh_and_working(store, kiosk_dir)
        # Whatever was salvaged is genuine and still queued; new numbers do not clash.
        salvaged = [r for r in store.pending_ratings(1000) if r["uuid"] in uuids]
        for row in salvaged:
            assert row["comment"].startswith("ความเห็น")
        seqs = [r["seq"] for r in store.pending_ratings(1000)]
        assert len(seqs) == len(set(seqs))


def test_second_damaged_file_on_the_same_second_gets_its_own_name(kiosk_dir):
    fill(kiosk_dir, 1)
    (kiosk_dir / "kiosk.db").write_bytes(os.urandom(8192))
    with KioskStore.open(kiosk_dir, now=lambda: STAMP) as store:
        first = store.recovered_from
    (kiosk_dir / "kiosk.db").write_bytes(os.urandom(8192))
    with KioskStore.open(kiosk_dir, now=lambda: STAMP) as store:
        second = store.recovered_from
    assert first != second and first.exists() and second.exists()
    assert re.fullmatch(r"kiosk\.db\.corrupt-20261123T140509-\d+", second.name)


def damage_table(db: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with garbage (a bad sector, say)."""
    conn = sqlite3.connect(db)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    assert not Path(f"{db}-wal").exists()  # everything is in the main file
    with db.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


def test_queued_ratings_and_settings_survive_damage_elsewhere_in_the_file(kiosk_dir):
    """The catalogue pages are damaged (integrity check fails) but the outbox is readable:
    no acknowledged rating is lost, none is duplicated, the kiosk keeps its identity."""
    uuids, kiosk_id = fill(kiosk_dir, 30)
    with KioskStore.open(kiosk_dir) as s:
        s.mark_sync_results([{"uuid": uuids[0], "status": "accepted"}])
        before = {u: s.rating(u) for u in uuids[1:]}
    damage_table(kiosk_dir / "kiosk.db", "catalogue_documents")

    with KioskStore.open(kiosk_dir, now=lambda: STAMP) as store:
        assert store.recovered_from is not None
        assert "30" not in store.status()["recovery_detail"]  # 29 queued were recovered
        assert "29 queued ratings recovered" in store.status()["recovery_detail"]
        for u, row in before.items():
            assert store.rating(u) == row
        assert store.rating(uuids[0]) is None  # central already has it
        assert store.queue_depth() == 29
        assert store.status()["kiosk_id"] == kiosk_id
        assert store.get_setting("pin_hash") == {"salt": "00", "hash": "11"}
        assert store.record_rating(5, None).seq == 31  # numbers are never reused
        assert len(store.all_services()) == 35  # demo catalogue again, until next sync


def test_damaged_counter_means_a_new_kiosk_identity(kiosk_dir):
    """If the sequence counter cannot be read, the old kiosk id is not reused with
    numbers that might repeat: the kiosk gets a new id (and keeps its queued ratings)."""
    uuids, kiosk_id = fill(kiosk_dir, 5)
    damage_table(kiosk_dir / "kiosk.db", "rating_seq")
    with KioskStore.open(kiosk_dir, now=lambda: STAMP) as store:
        assert store.recovered_from is not None
        assert store.status()["kiosk_id"] != kiosk_id
        assert all(store.rating(u)["state"] == "pending" for u in uuids)
        assert store.record_rating(5, None).seq == 6
