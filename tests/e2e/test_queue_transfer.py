"""A broken tablet does not lose its queue: ``export-queue`` reads the dead kiosk's data
folder (the app there cannot start, the folder is never written), ``import-queue`` on
the replacement, and the replacement's sync brings every rating to central exactly once,
including one the broken kiosk had sent but never heard back about."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import enrol, open_store, record_ratings

ROOT = Path(__file__).resolve().parents[2]
COMPARED = ("score", "service_code", "dimensions", "asked_for_copy", "comment", "interval_flag")


def kiosk_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_queue_of_a_dead_kiosk_reaches_central_once_through_its_replacement(
    central, ctl, counter_id, tmp_path
):
    old_dir, new_dir, queue = tmp_path / "old", tmp_path / "new", tmp_path / "usb" / "queue.json"
    rng = random.Random(11)
    old = open_store(old_dir)
    try:
        old_id = enrol(old, central.url, ctl, counter_id).kiosk_id
        services = [s.code for s in old.counter_services() or old.all_services()]
        sent = record_ratings(old, 3, rng, services)
        assert kiosk_cli("sync", "--once", "--data-dir", str(old_dir)).returncode == 0
        assert old.queue_depth() == 0
        queued = record_ratings(old, 7, rng, services)
        expected = {u: old.rating(u) for u in sent + queued}
    finally:
        old.close()
    # The answer to one sent rating was lost: it is still queued on the kiosk.
    with sqlite3.connect(old_dir / "kiosk.db") as conn:
        conn.execute("UPDATE ratings SET state = 'pending' WHERE uuid = ?", (sent[0],))
        # ... and the tablet dies: its database now says a newer app wrote it, so the
        # kiosk app refuses to start on it.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {version + 1}")
    assert kiosk_cli("status", "--data-dir", str(old_dir)).returncode == 3
    before = digest(old_dir)

    out = kiosk_cli("export-queue", str(queue), "--data-dir", str(old_dir))
    assert out.returncode == 0, out.stderr
    assert "exported 8 queued ratings" in out.stdout
    assert digest(old_dir) == before, "export-queue wrote to the dead kiosk's folder"
    document = json.loads(queue.read_text(encoding="utf-8"))
    assert {r["uuid"] for r in document["ratings"]} == {sent[0], *queued}
    assert document["source"]["kiosk_id"] == old_id
    assert "credential" not in queue.read_text(encoding="utf-8")

    new = open_store(new_dir)
    try:
        new_id = enrol(new, central.url, ctl, counter_id).kiosk_id
    finally:
        new.close()
    out = kiosk_cli("import-queue", str(queue), "--data-dir", str(new_dir))
    assert out.returncode == 0, out.stderr
    assert "imported 8 ratings" in out.stdout and "8 ratings now wait" in out.stdout
    again = kiosk_cli("import-queue", str(queue), "--data-dir", str(new_dir))
    assert "imported 0 ratings" in again.stdout and "(8 were already here)" in again.stdout

    out = kiosk_cli("sync", "--once", "--data-dir", str(new_dir))
    assert out.returncode == 0, out.stderr
    status = json.loads(kiosk_cli("status", "--json", "--data-dir", str(new_dir)).stdout)
    assert status["queue_depth"] == 0 and status["rejected"] == 0

    rows = ctl("ratings", kiosk=old_id)["ratings"] + ctl("ratings", kiosk=new_id)["ratings"]
    uuids = [r["uuid"] for r in rows]
    assert len(uuids) == len(set(uuids)) == 10, "a rating is missing or stored twice"
    assert set(uuids) == set(expected)
    for row in rows:
        want = expected[row["uuid"]]
        assert {k: row[k] for k in COMPARED} == {k: want[k] for k in COMPARED}
    by_kiosk = {r["uuid"]: r["kiosk"] for r in rows}
    assert by_kiosk[sent[0]] == old_id  # sent before the tablet died: central says duplicate
    assert {by_kiosk[u] for u in queued} == {new_id}
