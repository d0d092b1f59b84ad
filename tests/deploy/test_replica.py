"""Dashboards and exports read from a streaming replica (central/db.py), tested against a
real one: a PostgreSQL 15 primary (initdb) and a standby made with pg_basebackup, each on
its own loopback port. Reads go to the replica while it streams and keeps up; to the
primary when it lags (replay paused) or is down; writes always go to the primary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import psycopg
import pytest

from tests.deploy.pgcluster import PrimaryAndReplica
from tests.e2e.central_server import ROOT

pytestmark = pytest.mark.slow


class Probe:
    def __init__(self, env: dict) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.deploy.replica_probe"], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert json.loads(self.proc.stdout.readline())["ready"]

    def __call__(self, cmd: str) -> dict:
        self.proc.stdin.write(json.dumps({"cmd": cmd}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        assert "error" not in answer, answer.get("trace")
        return answer

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def wait_for(probe: Probe, alias: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = probe("route")
        if answer["alias"] == alias or time.monotonic() > deadline:
            return answer
        time.sleep(0.3)


def test_reads_use_the_replica_while_it_keeps_up_else_the_primary():
    pg = PrimaryAndReplica()
    probe = None
    try:
        pg.start()
        with psycopg.connect(pg.primary.url + "/postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE central")
        env = {
            **os.environ,
            "DATABASE_URL": pg.primary.url + "/central",
            "DATABASE_REPLICA_URL": pg.replica.url + "/central",
            "CP_REPLICA_MAX_LAG_S": "1",
            "CP_REPLICA_CHECK_S": "60",
            "SECRET_KEY": "replica-test-" + "k" * 40,
            "PYTHONPATH": str(ROOT),
        }
        subprocess.run([sys.executable, "-m", "central", "migrate", "-v", "0"], cwd=ROOT,
                       env=env, check=True, timeout=300)  # fmt: skip
        pg.wait_streaming()
        probe = Probe(env)

        # Streaming and caught up: reads go to the standby and see the primary's writes.
        written = probe("write")["agencies"]
        answer = wait_for(probe, "replica")
        assert answer["alias"] == "replica", answer["why"]
        assert answer["in_recovery"] is True  # it really is the standby answering
        assert answer["cached_alias"] == "replica"
        deadline = time.monotonic() + 10
        while probe("route")["agencies"] != written and time.monotonic() < deadline:
            time.sleep(0.2)
        assert probe("route")["agencies"] == written

        # Writes go to the primary even for an object read from the replica.
        saved = probe("save_from_replica")
        assert saved == {"saved_on": "default", "primary_has": True}

        # Replay paused: the standby falls behind; after the allowed lag, the primary.
        with psycopg.connect(pg.replica.url + "/postgres", autocommit=True) as c:
            c.execute("SELECT pg_wal_replay_pause()")
        written = probe("write")["agencies"]
        time.sleep(1.5)
        probe("write")
        answer = wait_for(probe, "default")
        assert answer["alias"] == "default" and "lags" in answer["why"], answer
        assert answer["in_recovery"] is False and answer["agencies"] == written + 1
        with psycopg.connect(pg.replica.url + "/postgres", autocommit=True) as c:
            c.execute("SELECT pg_wal_replay_resume()")
        assert wait_for(probe, "replica")["alias"] == "replica"

        # Replica down: the primary answers, at once, and /health stays green.
        pg.replica.stop("immediate")
        answer = probe("route")
        assert answer["alias"] == "default" and "unreachable" in answer["why"], answer
        assert answer["decided_ms"] < 3000
        health = probe("health")
        assert health["healthy"] is True
        assert health["report"]["replica"]["used"] is False
    finally:
        if probe is not None:
            probe.close()
        pg.close()
