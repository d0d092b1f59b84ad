"""Recovery without handing over the keys, and recovery that survives a power cut.

- The PIN, its lockout, the kiosk id and the enrolment live in a second small file
  (``kiosk.keys.json``, written atomically), so a damaged database never leads to a
  first-run PIN prompt; if that file is gone too, staff mode opens only through a fresh
  enrolment code from central (never a PIN prompt for whoever stands at the counter).
- Recovery killed (SIGKILL, as a power cut) at each point of its work: the next start
  finishes it, and no queued rating, no enrolment, no PIN is lost.
- The status says how many ratings were salvaged and how many were lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.pin import PinGuard
from kiosk.storage import KioskStore
from kiosk.storage.keys import KEYS_FILENAME
from tests.kiosk.conftest import find, make_window, tap

REPO = Path(__file__).resolve().parents[2]
N = 200
OPEN = "import sys\nfrom pathlib import Path\nfrom kiosk.storage import KioskStore\n"
OPEN += "KioskStore.open(Path(sys.argv[1])).close()\n"


def used_kiosk(folder: Path, n: int = N) -> dict:
    """A kiosk in service: n queued ratings, a PIN, an enrolment."""
    with KioskStore.open(folder) as s:
        s.set_setting("min_rating_interval_s", 0)
        uuids = [s.record_rating(1 + i % 5, None).uuid for i in range(n)]
        PinGuard(s).set_pin("2468")
        s.set_enrolment("https://central.example", "secret-credential", kiosk_id="ks-000042")
        return {"uuids": uuids, "kiosk_id": s.status()["kiosk_id"]}


def damage_catalogue_page(folder: Path) -> None:
    """Overwrite one page of a catalogue table: the file fails its integrity check (so
    it is recovered) while the outbox and the settings stay readable."""
    db = folder / "kiosk.db"
    with sqlite3.connect(db) as c:
        root = c.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'catalogue_documents'"
        ).fetchone()[0]
        page_size = c.execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


def damage_ratings_middle(folder: Path) -> None:
    """Overwrite a leaf page in the middle of the ratings table: rows on it are lost,
    rows on either side can still be read."""
    db = folder / "kiosk.db"
    with sqlite3.connect(db) as c:
        page_size = c.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            p
            for (p,) in c.execute(
                "SELECT pageno FROM dbstat WHERE name = 'ratings' AND pagetype = 'leaf' "
                "ORDER BY path"
            )
        ]
    victim = pages[len(pages) // 2]
    with open(db, "r+b") as f:
        f.seek((victim - 1) * page_size)
        f.write(b"\x5a" * page_size)


def kiosk_killed_in_service(folder: Path) -> dict:
    """A kiosk whose process died in service: the 200 ratings, the PIN and the enrolment
    are committed but still in the write-ahead log (-wal) beside the main file."""
    with KioskStore.open(folder) as s:
        s.set_setting("min_rating_interval_s", 0)
        s._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the catalogue in the main file
    script = OPEN.replace(
        "KioskStore.open(Path(sys.argv[1])).close()\n",
        "import json, os\nfrom kiosk.pin import PinGuard\n"
        "s = KioskStore.open(Path(sys.argv[1]))\n"
        "s._conn.execute('PRAGMA wal_autocheckpoint = 0')\n"
        f"uuids = [s.record_rating(1 + i % 5, None).uuid for i in range({N})]\n"
        "PinGuard(s).set_pin('2468')\n"
        "s.set_enrolment('https://central.example', 'secret-credential', kiosk_id='ks-000042')\n"
        "print(json.dumps({'uuids': uuids, 'kiosk_id': s.status()['kiosk_id']}), flush=True)\n"
        "os._exit(0)\n",
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    assert (folder / "kiosk.db-wal").stat().st_size > 0, "the queue is in the -wal"
    return json.loads(out)


def damage_catalogue_page_keeping_the_wal(folder: Path) -> None:
    """``damage_catalogue_page`` without a read-write connection, which would fold the
    -wal into the main file when it closes."""
    db = folder / "kiosk.db"
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as c:
        root = c.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'catalogue_documents'"
        ).fetchone()[0]
        page_size = c.execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


def open_in_child(folder: Path, crash_at: str | None) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if crash_at:
        env["KIOSK_TEST_CRASH_AT"] = crash_at
    script = "import sys\nfrom pathlib import Path\nfrom kiosk.storage import KioskStore\n"
    script += "KioskStore.open(Path(sys.argv[1])).close()\n"
    proc = subprocess.run(
        [sys.executable, "-c", script, str(folder)], env=env, cwd=REPO, capture_output=True
    )
    return proc.returncode


def assert_whole(folder: Path, before: dict) -> None:
    with KioskStore.open(folder) as s:
        assert s.queue_depth() == N, "every queued rating is back"
        assert all(s.rating(u)["state"] == "pending" for u in before["uuids"])
        assert s.enrolment()["credential"] == "secret-credential"
        assert s.staff_access() == "pin", "the PIN survived: no first-run prompt"
        assert PinGuard(s).check("2468").ok
        assert s.status()["kiosk_id"] == before["kiosk_id"]
        info = s.status()["recovery_info"]
        assert info["salvaged_ratings"] == N and info["lost_ratings"] == 0
        assert s.record_rating(3, None).seq == N + 1, "no sequence number used twice"


@pytest.mark.parametrize("point", ["after_move_aside", "after_fresh_database", "during_salvage"])
def test_a_power_cut_during_recovery_loses_nothing(tmp_path, point):
    folder = tmp_path / "data"
    before = used_kiosk(folder)
    damage_catalogue_page(folder)
    assert open_in_child(folder, point) == -9, "the cut happened at that point"
    # and once more, while finishing the interrupted recovery
    if point != "after_move_aside":
        assert open_in_child(folder, point) in (0, -9)
    assert_whole(folder, before)


def test_recovery_without_a_cut_keeps_everything(tmp_path):
    folder = tmp_path / "data"
    before = used_kiosk(folder)
    damage_catalogue_page(folder)
    assert open_in_child(folder, None) == 0
    assert_whole(folder, before)


def test_status_counts_salvaged_and_lost_ratings(tmp_path, qtbot):
    folder = tmp_path / "data"
    used_kiosk(folder, 2000)
    damage_ratings_middle(folder)
    with KioskStore.open(folder) as s:
        info = s.status()["recovery_info"]
        assert 0 < info["lost_ratings"] < 2000
        assert info["salvaged_ratings"] + info["lost_ratings"] == 2000
        assert s.queue_depth() == info["salvaged_ratings"]
        win = make_window(s, qtbot, pin=None)
        win.staff_unlocked = True
        win.go("staff_status")
        text = find(win, "st_recovery").text()
        assert f"{info['salvaged_ratings']}" in text and f"{info['lost_ratings']}" in text
        win.unlocked = True
        win.close()


def test_pin_lost_with_the_database_opens_staff_only_by_enrolment(tmp_path, qtbot):
    from kiosk.sync.service import CentralSync
    from kiosk.ui.window import KioskWindow
    from tests.kiosk.fake_central import FakeCentral

    folder = tmp_path / "data"
    used_kiosk(folder)
    (folder / "kiosk.db").write_bytes(os.urandom(65536))  # nothing readable
    (folder / KEYS_FILENAME).unlink()  # and the keys file gone too
    fake = FakeCentral()
    store = KioskStore.open(folder)
    svc = CentralSync(folder, store=store, overrides={"interval_s": 3600})
    win = KioskWindow(store, svc, size=(1280, 800))
    qtbot.addWidget(win)
    win.show()
    svc.start()
    try:
        assert store.staff_access() == "enrolment"
        assert win.current_screen().name == "welcome", "never a PIN prompt at the counter"
        for _ in range(5):
            tap(qtbot, find(win, "staff_gesture"))
        assert win.current_screen().name == "staff_enrol"
        assert not win.staff_unlocked
        scr = win.current_screen()
        scr.url.setText(fake.url)
        scr.code.setText("WRONG-CODE")
        tap(qtbot, find(win, "enrol_submit"))
        qtbot.waitUntil(lambda: not scr.busy, timeout=10000)
        assert win.current_screen().name == "staff_enrol", "a wrong code opens nothing"
        scr.code.setText("GOOD-CODE-0001")
        tap(qtbot, find(win, "enrol_submit"))
        qtbot.waitUntil(lambda: win.current_screen().name == "pin", timeout=10000)
        assert win.page("pin").mode == "first_run", "a fresh code from central: a new PIN"
        for _ in range(2):
            for d in "8642":
                tap(qtbot, find(win, f"pin_{d}"))
            tap(qtbot, find(win, "pin_ok"))
        assert win.current_screen().name == "staff_setup"
        assert store.staff_access() == "pin"
        keys = json.loads((folder / KEYS_FILENAME).read_text())["settings"]
        assert keys["pin_hash"] and keys["enrolment"]["credential"]
    finally:
        svc.stop(timeout=0.5)
        win.unlocked = True
        win.close()
        store.close()
        fake.close()


def test_a_move_aside_cut_between_the_log_and_the_file_is_finished(tmp_path):
    """The -wal is moved first, the file last: a cut in between leaves the queue in a
    moved log without its file. The next start finishes that move under the same name
    and salvages through the log."""
    folder = tmp_path / "data"
    before = kiosk_killed_in_service(folder)
    damage_catalogue_page_keeping_the_wal(folder)
    (folder / "kiosk.db-wal").rename(folder / "kiosk.db.corrupt-20261201T000000-wal")
    assert open_in_child(folder, None) == 0
    assert (folder / "kiosk.db.corrupt-20261201T000000").exists()
    with KioskStore.open(folder) as s:
        assert "cut short" in s.status()["recovery_info"]["reason"]
    assert_whole(folder, before)


def test_a_stray_moved_log_never_moves_a_healthy_database(tmp_path):
    """A moved-aside file deleted by hand, its -wal left behind, and a kiosk in service
    with its own -wal: nothing is moved, nothing lost."""
    folder = tmp_path / "data"
    before = kiosk_killed_in_service(folder)
    (folder / "kiosk.db.corrupt-20261201T000000-wal").write_bytes(b"\0" * 4096)
    with KioskStore.open(folder) as s:
        assert s.recovered_from is None and s.status()["recovery_info"] is None
        assert s.queue_depth() == N
        assert all(s.rating(u)["state"] == "pending" for u in before["uuids"])
