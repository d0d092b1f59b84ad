"""What the benchmarks share: a log line on stderr, a free loopback port, a statement on
the PostgreSQL server's maintenance database, a nearest-rank quantile, and running
``python -m central`` in the checkout. Imported by the scripts beside it (they run as
``python bench/<name>.py``, so this folder is first on ``sys.path``)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def log(*args) -> None:
    print("bench:", *args, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_admin_url(server_url: str) -> str:
    """The server's ``postgres`` database (to create and drop scratch databases)."""
    parts = urlsplit(server_url)
    return urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))


def pg_admin(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_admin_url(server_url), autocommit=True) as conn:
        conn.execute(sql)


def quantile(values: list[float], q: float) -> float:
    """Nearest rank: the value at ``int(q * n)`` of the sorted values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def central(env: dict, *args: str, capture: bool = True, timeout: float = 1800) -> str:
    """``python -m central ARGS`` in the checkout; its standard output if ``capture``."""
    run = subprocess.run(
        [sys.executable, "-m", "central", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        timeout=timeout,
    )
    return run.stdout if capture else ""
