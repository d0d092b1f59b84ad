"""Recovery survives a power cut on a file system that drops what was not synced.

Not a kill (which keeps everything the program had handed to the OS): the real recovery
runs in a child under strace, and ``crash_states`` builds from its system calls every
state of the data folder a power cut could leave (bytes only as of their file's last
fsync; names only after their folder's fsync, or in order ahead of the bytes). The
kiosk then starts on each state, and in every one of them all 200 queued ratings are
there exactly once, the kiosk id and the enrolment are kept, and staff mode opens with
the old PIN (never a first-run PIN prompt).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.pin import PinGuard
from kiosk.storage import KioskStore
from tests.kiosk.crash_states import CrashState, trace_states
from tests.kiosk.test_storage_recovery_cut import N, damage_catalogue_page, used_kiosk

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("strace") is None, reason="needs strace (scripts/setup.sh all)"
)

OPEN = "import sys\nfrom pathlib import Path\nfrom kiosk.storage import KioskStore\n"
OPEN += "KioskStore.open(Path(sys.argv[1])).close()\n"


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


def check_state(state: CrashState, folder: Path, before: dict) -> tuple[list[str], str]:
    """What is wrong when the kiosk starts on ``state`` (nothing: []), and the reason of
    the recovery it reports."""
    state.write_to(folder)
    problems = []
    reason = ""
    try:
        with KioskStore.open(folder) as s:
            reason = (s.status()["recovery_info"] or {}).get("reason", "")
            # each of the 200 queued (uuids are unique) and nothing else: exactly once
            kept = [u for u in before["uuids"] if (s.rating(u) or {}).get("state") == "pending"]
            if len(kept) != N or s.queue_depth() != N:
                problems.append(f"queue: {s.queue_depth()} ratings, {N - len(kept)} of {N} lost")
            if s.status()["kiosk_id"] != before["kiosk_id"]:
                problems.append("the kiosk id changed")
            if (s.enrolment() or {}).get("credential") != "secret-credential":
                problems.append("the enrolment is gone")
            if s.staff_access() != "pin" or not PinGuard(s).check("2468").ok:
                problems.append(f"staff access: {s.staff_access()} instead of the old PIN")
            if s.record_rating(3, None).seq <= N:
                problems.append("a sequence number is given out again")
    except Exception as exc:  # noqa: BLE001 - a start that fails is a finding too
        problems.append(f"the kiosk did not start: {exc!r}")
    return problems, reason


def explore(tmp_path: Path, folder: Path, before: dict) -> list[tuple[CrashState, str]]:
    """Every state a power cut during the start on ``folder`` could leave, each checked;
    returns them with the reason of the recovery the next start reported."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    states, proc = trace_states(
        [sys.executable, "-c", OPEN, str(folder)],
        folder,
        cwd=REPO,
        env=env,
        log=tmp_path / "strace.log",
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert any(n.startswith("kiosk.db.corrupt-") for n in os.listdir(folder)), "recovered"
    findings = []
    checked = []
    for i, state in enumerate(states):
        problems, reason = check_state(state, tmp_path / "states" / str(i), before)
        findings.extend(f"{state.describe()}\n    -> {problem}" for problem in problems)
        checked.append((state, reason))
    assert not findings, f"{len(findings)} of {len(states)} crash states:\n" + "\n".join(
        findings[:12]
    )
    return checked


@pytest.mark.slow
def test_power_cut_during_recovery_of_a_closed_database(tmp_path):
    folder = tmp_path / "data"
    before = used_kiosk(folder)
    damage_catalogue_page(folder)
    states = explore(tmp_path, folder, before)
    # the explorer saw the recovery's steps: the move aside, a fresh file, the salvage
    assert len(states) >= 10


@pytest.mark.slow
def test_power_cut_during_recovery_with_the_queue_in_the_wal(tmp_path):
    folder = tmp_path / "data"
    before = kiosk_killed_in_service(folder)
    damage_catalogue_page_keeping_the_wal(folder)
    assert (folder / "kiosk.db-wal").stat().st_size > 0
    states = explore(tmp_path, folder, before)
    # A second cut while the next start finishes an interrupted recovery: every state
    # of that start, from the earliest, a middle and the latest unfinished recovery.
    resumed = [
        state for state, reason in states if "interrupted" in reason or "cut short" in reason
    ]
    assert len(resumed) >= 3, "the explorer saw recoveries cut short"
    for k in (0, len(resumed) // 2, len(resumed) - 1):
        again = tmp_path / f"again{k}"
        resumed[k].write_to(again / "data")
        explore(again, again / "data", before)
