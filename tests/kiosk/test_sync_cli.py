"""``python -m kiosk enroll / sync --once / status --json`` as separate processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kiosk.fake_central import FakeCentral

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake():
    server = FakeCentral()
    yield server
    server.close()


def kiosk(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args, "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def status(data_dir: Path) -> dict:
    out = kiosk("status", "--json", data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_enroll_sync_status(tmp_path, fake):
    d = tmp_path / "k"
    st = status(d)
    assert st["enrolled"] is False and st["kiosk_id"] is None
    out = kiosk("sync", "--once", data_dir=d)
    assert out.returncode == 2 and "not enrolled" in out.stderr

    out = kiosk("enroll", "--server", fake.url, "--code", "WRONG", data_dir=d)
    assert out.returncode == 1 and "refused the enrolment code" in out.stderr
    out = kiosk("enroll", "--server", "not a url", "--code", "X", data_dir=d)
    assert out.returncode == 2 and "spaces" in out.stderr
    assert status(d)["enrolled"] is False, "failed enrolments change nothing"

    out = kiosk("enroll", "--server", fake.url, "--code", "GOOD-CODE-0001", data_dir=d)
    assert out.returncode == 0, out.stderr
    assert "ks-000001" in out.stdout

    from kiosk.storage import KioskStore

    store = KioskStore.open(d)
    try:
        store.set_setting("followup_hold_s", 0)
        store.set_setting("min_rating_interval_s", 0)
        code = store.all_services()[0].code
        for i in range(7):
            store.record_rating(i % 5 + 1, None)
        store.record_rating(2, code)
    finally:
        store.close()
    fake.reject_service = {code}

    st = status(d)
    assert st["queue_depth"] == 8 and st["kiosk_id"] == "ks-000001"
    assert st["service_point"]["id"] == fake.catalogue["service_point"]["id"]
    assert st["counter"]["id"] == fake.catalogue["counter"]["id"]
    assert st["catalogue_cursor"] == "c-1" and st["catalogue_from_central"] is True

    fake.fail_next = [None, 503]  # the catalogue comes, the heartbeat fails: nothing sent
    out = kiosk("sync", "--once", data_dir=d)
    assert out.returncode == 1 and "503" in out.stderr
    st = status(d)
    assert st["queue_depth"] == 8 and "503" in st["last_sync_error"]

    out = kiosk("sync", "--once", data_dir=d)
    assert out.returncode == 0, out.stderr
    assert "7 accepted" in out.stdout and "1 rejected" in out.stdout
    st = status(d)
    assert st["queue_depth"] == 0 and st["rejected"] == 1
    assert st["last_sync_error"] is None and st["last_sync_at"]
    assert st["rejected_items"][0]["reason"] == "service_code: not offered"
    assert st["clock_skew_s"] is not None

    fake.revoked.update(fake.credentials)
    out = kiosk("sync", "--once", data_dir=d)
    assert out.returncode == 4 and "revoked" in out.stderr
    st = status(d)
    assert st["blocked"] and "revoked" in st["last_sync_error"]
    human = kiosk("status", data_dir=d)
    assert human.returncode == 0 and "rejected: seq" in human.stdout
