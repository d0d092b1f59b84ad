"""Central's default embedded SQLite is durable: WAL with synchronous=FULL on every
connection, so a batch central answered "accepted" survives a power cut (issue 7: with
synchronous=NORMAL a simulated power cut lost 221 of 638 accepted ratings).

Checked on real processes: central's own management process (two connections, two
threads) and a running gunicorn central, whose commits must fsync the WAL file (traced
with strace; with synchronous=NORMAL a WAL commit is never synced)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.e2e.central_server import CentralCtl, CentralServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="central's SQLite default is checked in the SQLite pass (DATABASE_URL unset)",
    ),
]

WRITES = 4
PROBE = """
import threading
from django.db import connection, connections
def pragmas():
    with connection.cursor() as c:
        c.execute("PRAGMA journal_mode"); mode = c.fetchone()[0]
        c.execute("PRAGMA synchronous"); sync = c.fetchone()[0]
    out.append((mode, sync))
    connection.close()
out = []
pragmas()
t = threading.Thread(target=pragmas); t.start(); t.join()
print(out)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = CentralServer(tmp_path_factory.mktemp("central-sqlite"), database_url=None, workers=1)
    try:
        s.demo = s.prepare()
        s.start()
        yield s
    finally:
        s.close()


def test_every_connection_is_wal_full(server):
    assert "DATABASE_URL" not in server.env
    out = server.manage("shell", "-v", "0", "-c", PROBE)
    # synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA; one connection per thread.
    assert out.strip() == "[('wal', 2), ('wal', 2)]"


def _children(pid: int) -> list[int]:
    kids = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            kids += [int(p) for p in f.read().split()]
    return kids


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace not installed")
def test_gunicorn_commit_syncs_the_wal(server, tmp_path):
    workers = _children(server.proc.pid)
    assert workers, "gunicorn has no workers"
    trace = tmp_path / "strace.txt"
    cmd = ["strace", "-f", "-y", "-e", "trace=fsync,fdatasync", "-o", str(trace)]
    for pid in workers:
        cmd += ["-p", str(pid)]
    # Another open connection, as with several workers: Django closes its connection
    # after each request, and the last connection to close checkpoints (and syncs) the
    # WAL whatever the setting; with another one open, only synchronous=FULL syncs.
    other = sqlite3.connect(server.data_dir / "central.sqlite3")
    other.execute("SELECT count(*) FROM sqlite_master").fetchone()
    tracer = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        attached = tracer.stderr.readline()
        assert "attached" in attached, f"strace cannot attach here: {attached}"
        time.sleep(0.3)
        counter = server.demo["service_points"][0]["counters"][0]["id"]
        ctl = CentralCtl(server)
        try:
            codes = [ctl("code", counter=counter)["code"] for _ in range(WRITES)]
        finally:
            ctl.close()
        # Writes through gunicorn: enrolments (each one transaction on the kiosk tables).
        for code in codes:
            req = urllib.request.Request(
                f"{server.url}/api/v1/kiosks/enroll",
                data=json.dumps({"code": code, "app_version": "0.1.0"}).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(req, timeout=30) as r:
                assert r.status == 201
        time.sleep(0.3)
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(timeout=20)
        other.close()
    synced = [
        line
        for line in trace.read_text().splitlines()
        if "central.sqlite3-wal>" in line and ("fsync(" in line or "fdatasync(" in line)
    ]
    # FULL syncs the WAL at every commit; NORMAL at most when it restarts the WAL file.
    assert len(synced) >= WRITES, (
        f"{WRITES} commits synced the WAL {len(synced)} times: synchronous is not FULL\n"
        + trace.read_text()
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
