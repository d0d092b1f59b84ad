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

import os
import shutil
import sys
from pathlib import Path

import pytest

from kiosk.pin import PinGuard
from kiosk.storage import KioskStore
from tests.kiosk.crash_states import CrashState, trace_states
from tests.kiosk.test_storage_recovery_cut import (
    OPEN,
    N,
    damage_catalogue_page,
    damage_catalogue_page_keeping_the_wal,
    kiosk_killed_in_service,
    used_kiosk,
)

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("strace") is None, reason="needs strace (scripts/setup.sh all)"
)


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
