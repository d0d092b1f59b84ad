"""deploy/systemd/counterpoint-central.service passes `systemd-analyze verify` with no
warning (systemd only warns about unknown keys and bad values, so warnings fail too)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "counterpoint-central.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_systemd_unit_verifies(tmp_path):
    text = UNIT.read_text()
    # verify checks that ExecStart exists: point it at this machine's gunicorn.
    gunicorn = Path(sys.executable).with_name("gunicorn")
    assert "/opt/counterpoint/.venv/bin/gunicorn" in text
    unit = tmp_path / UNIT.name
    unit.write_text(text.replace("/opt/counterpoint/.venv/bin/gunicorn", str(gunicorn)))
    out = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and not out.stderr.strip(), out.stderr
    assert "--config /opt/counterpoint/deploy/gunicorn.conf.py central.wsgi" in text
    assert "Type=notify" in text and "Restart=on-failure" in text


def test_a_broken_unit_fails_the_same_check(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("no systemd-analyze here")
    unit = tmp_path / UNIT.name
    gunicorn = Path(sys.executable).with_name("gunicorn")
    unit.write_text(
        UNIT.read_text()
        .replace("/opt/counterpoint/.venv/bin/gunicorn", str(gunicorn))
        .replace("KillMode=mixed", "KillMode=mixd")
    )
    out = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert "mixd" in out.stderr
