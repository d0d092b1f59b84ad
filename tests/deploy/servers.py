"""central as deployed: gunicorn with deploy/gunicorn.conf.py (the tests/e2e CentralServer,
started the production way), and the PostgreSQL server the deployment tests use."""

from __future__ import annotations

import os
import sys

import pytest

from tests.e2e.central_server import ROOT, CentralServer

GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def postgres_url() -> str:
    """The PostgreSQL server (any database part is ignored): ``DATABASE_URL`` when it is a
    postgres URL, else ``CP_TEST_POSTGRES_URL``, else the local one; skip when it is down."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url.startswith(("postgres://", "postgresql://")):
        url = os.environ.get("CP_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    import psycopg

    from tests.e2e.central_server import _pg_admin_url

    try:
        psycopg.connect(_pg_admin_url(url), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"needs the PostgreSQL server at {url}: {exc}")
    return url


class DeployedCentral(CentralServer):
    """gunicorn -c deploy/gunicorn.conf.py central.wsgi on a free loopback port.

    ``production=True`` drops the test-suite marker from the environment, so central runs
    exactly as deployed (hashed static files, real password hashing)."""

    def __init__(self, *args, production: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.env.update(
            {"CP_BIND": f"127.0.0.1:{self.port}", "CP_WORKERS": str(self.workers),
             "CP_THREADS": str(self.threads)}
        )  # fmt: skip
        self.env["PYTHONPATH"] = str(ROOT) + os.pathsep + self.env.get("PYTHONPATH", "")
        if production:
            self.env.pop("PYTEST_VERSION", None)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "central.wsgi"]
