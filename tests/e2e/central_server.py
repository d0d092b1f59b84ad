"""Run a real central (gunicorn) on a free loopback port, on SQLite or PostgreSQL.

With ``DATABASE_URL`` unset: a fresh SQLite file in a temporary ``CP_DATA_DIR``. With
``DATABASE_URL=postgres://...``: a fresh database on that server named
``counterpoint_e2e_<pid>`` (distinct from the development and test databases, and from a
concurrent run), created here and dropped by ``close()``; leftovers of killed runs (whose
pid is gone) are dropped too. Used by tests/e2e (fixture) and bench/sync.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
DB_PREFIX = "counterpoint_e2e_"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(
        (
            parts.scheme.replace("postgres", "postgresql", 1)
            if parts.scheme == "postgres"
            else parts.scheme,
            parts.netloc,
            "/postgres",
            parts.query,
            "",
        )
    )


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class CentralServer:
    def __init__(
        self,
        data_dir: Path,
        *,
        database_url: str | None = None,
        db_name: str | None = None,
        workers: int = 2,
        threads: int = 1,
        access_log: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.base_url = database_url or None
        self.db_name = db_name or f"{DB_PREFIX}{os.getpid()}"
        self.workers = workers
        self.threads = threads
        self.access_log = access_log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = self.data_dir / "gunicorn.log"
        self.env = dict(os.environ)
        self.env.update(
            {
                "CP_DATA_DIR": str(self.data_dir),
                "SECRET_KEY": "e2e-" + "k" * 60,
                "DEBUG": "0",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.base_url:
            self.database_url = _with_db(self.base_url, self.db_name)
            self.env["DATABASE_URL"] = self.database_url
        else:
            self.database_url = None
            self.env.pop("DATABASE_URL", None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def engine(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    # -- database -------------------------------------------------------------------------
    def create_database(self) -> None:
        if not self.database_url:
            return
        import psycopg

        with psycopg.connect(_pg_admin_url(self.base_url), autocommit=True) as conn:
            for (name,) in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (DB_PREFIX + "%",)
            ).fetchall():
                suffix = name[len(DB_PREFIX) :]
                if name == self.db_name or (suffix.isdigit() and not _pid_alive(int(suffix))):
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.db_name}"')

    def drop_database(self) -> None:
        if not self.database_url:
            return
        import psycopg

        with psycopg.connect(_pg_admin_url(self.base_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def manage(self, *args: str, timeout: float = 300) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "central", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if out.returncode != 0:
            raise RuntimeError(f"python -m central {' '.join(args)} failed:\n{out.stderr[-3000:]}")
        return out.stdout

    def prepare(self) -> dict:
        """Create the database, migrate, seed the demo data; return ``demo --json``."""
        self.create_database()
        self.manage("migrate", "-v", "0")
        return json.loads(self.manage("demo", "--json"))

    # -- process ----------------------------------------------------------------------------
    def command(self) -> list[str]:
        """The gunicorn command line this server runs."""
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "central.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--graceful-timeout",
            "2",
            "--timeout",
            "60",
        ]
        if self.access_log is not None:
            cmd += [
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(L)s",
            ]
        return cmd

    def start(self, timeout: float = 30.0) -> None:
        cmd = self.command()
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"central exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/openapi.json", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"central did not start within {timeout} s:\n{self.log_tail()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill gunicorn and its workers (the whole process group)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=15)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def close(self) -> None:
        self.stop()
        self.drop_database()


class CentralCtl:
    """The central_ctl helper process (admin actions and read-back through the ORM)."""

    def __init__(self, server: CentralServer) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.central_ctl"],
            cwd=ROOT,
            env=server.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        first = self.proc.stdout.readline()
        if not first or not json.loads(first).get("ready"):
            raise RuntimeError("central_ctl did not start")

    def __call__(self, cmd: str, **kw) -> dict:
        self.proc.stdin.write(json.dumps({"cmd": cmd, **kw}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("central_ctl died")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"central_ctl {cmd}: {answer['error']}\n{answer.get('trace', '')}")
        return answer

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
