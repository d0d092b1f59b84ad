"""Power cut at random moments: no acknowledged rating lost, none duplicated."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_and_kill(data_dir: Path, rng: random.Random) -> set[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.kiosk.rating_child", str(data_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    acked: set[str] = set()
    try:
        assert proc.stdout.readline().strip() == "READY"
        target = rng.randint(1, 40)
        while len(acked) < target:
            line = proc.stdout.readline()
            assert line.startswith("ACK "), f"child stopped early: {line!r}"
            acked.add(line.split()[1])
        time.sleep(rng.random() * 0.05)  # land the kill anywhere in the next tap
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # acknowledgements already written to the pipe before the kill count too
    for line in proc.stdout.read().splitlines(keepends=True):
        if line.startswith("ACK ") and line.endswith("\n"):
            acked.add(line.split()[1])
    return acked


def test_sigkill_during_taps_loses_and_duplicates_nothing(tmp_path):
    from kiosk.storage import KioskStore

    data_dir = tmp_path / "kiosk"
    rng = random.Random(20261123)
    all_acked: set[str] = set()
    for _ in range(8):
        all_acked |= run_and_kill(data_dir, rng)
        store = KioskStore.open(data_dir)
        try:
            assert store.recovered_from is None, "a kill never corrupts the database"
            rows = store.pending_ratings(100_000)
        finally:
            store.close()
        uuids = [r["uuid"] for r in rows]
        seqs = [r["seq"] for r in rows]
        assert len(uuids) == len(set(uuids)), "no rating is stored twice"
        assert len(seqs) == len(set(seqs)), "no sequence number is reused"
        missing = all_acked - set(uuids)
        assert not missing, f"{len(missing)} acknowledged ratings lost"
    # at most one rating per run was committed but not yet acknowledged when killed
    assert len(uuids) - len(all_acked) <= 8
