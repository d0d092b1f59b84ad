"""Throw-away PostgreSQL 15 clusters on loopback for the replica test: a primary made with
initdb and a streaming standby made from it with pg_basebackup, each on a free port, in a
directory of its own under /tmp (removed by ``close()``). PostgreSQL refuses to run as root,
so as root every command runs as the ``postgres`` OS user (runuser)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.e2e.central_server import free_port

BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def run(cmd: list[str], timeout: float = 120) -> str:
    out = subprocess.run(_as_postgres(cmd), capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    return out.stdout


def tools_or_skip() -> None:
    if not (BIN / "pg_ctl").exists():
        pytest.skip(f"needs the PostgreSQL 15 server binaries in {BIN} (postgresql-15)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres OS user to run PostgreSQL")


class Cluster:
    def __init__(self, root: Path, name: str) -> None:
        self.dir = root / name
        self.port = free_port()
        self.log = root / f"{name}.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir.parent} -c listen_addresses=127.0.0.1"
        run([str(BIN / "pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-o", opts,
             "-w", "-t", "60", "start"])  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(RuntimeError):
            run([str(BIN / "pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "stop"], timeout=60)


class PrimaryAndReplica:
    def __init__(self) -> None:
        tools_or_skip()
        self.root = Path(tempfile.mkdtemp(prefix="cp-replica-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.primary = Cluster(self.root, "primary")
        self.replica = Cluster(self.root, "replica")

    def start(self) -> None:
        run([str(BIN / "initdb"), "-D", str(self.primary.dir), "-U", "postgres", "-A", "trust",
             "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"])  # fmt: skip
        self.primary.start()
        run([str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary.port),
             "-U", "postgres", "-D", str(self.replica.dir), "-R", "-X", "stream",
             "-c", "fast"])  # fmt: skip
        self.replica.start()

    def wait_streaming(self, timeout: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with psycopg.connect(self.replica.url + "/postgres", autocommit=True) as c:
                row = c.execute("SELECT status FROM pg_stat_wal_receiver").fetchone()
                if row and row[0] == "streaming":
                    return
            time.sleep(0.2)
        raise RuntimeError("the replica did not start streaming")

    def close(self) -> None:
        self.replica.stop("immediate")
        self.primary.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
