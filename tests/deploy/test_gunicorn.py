"""gunicorn alone, started with deploy/gunicorn.conf.py exactly as deployed (no test-suite
settings): the admin is styled (its CSS comes from gunicorn through WhiteNoise), /health
tells a load balancer the truth, and every log line is JSON with the request id."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.deploy.servers import ROOT, DeployedCentral
from tests.e2e.central_server import free_port

pytestmark = pytest.mark.slow


def get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    server = DeployedCentral(tmp_path_factory.mktemp("gunicorn"), production=True)
    try:
        server.manage("migrate", "-v", "0")
        server.manage("collectstatic", "--noinput", "-v", "0")
        server.start()
        yield server
    finally:
        server.close()


def test_the_admin_login_page_is_styled_by_gunicorn_alone(deployed):
    status, _, page = get(f"{deployed.url}/admin/login/")
    assert status == 200
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page.decode())
    assert stylesheets, "the login page links no stylesheet"
    for href in stylesheets:
        # Content-hashed names (admin/css/base.<hash>.css), served for a year.
        assert re.search(r"\.[0-9a-f]{12}\.css$", href), href
        status, headers, css = get(deployed.url + href)
        assert status == 200, href
        assert headers["Content-Type"].startswith("text/css")
        assert "immutable" in headers["Cache-Control"]
        assert len(css) > 100
    status, headers, gz = get(deployed.url + stylesheets[0], {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    assert get(f"{deployed.url}/static/admin/css/no-such-file.css")[0] == 404


def test_health_and_json_logs_with_the_request_id(deployed):
    status, headers, body = get(f"{deployed.url}/health", {"X-Request-ID": "probe-7f3a"})
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"
    assert headers["X-Request-ID"] == "probe-7f3a"
    status, headers, _ = get(f"{deployed.url}/api/v1/openapi.json")
    made = headers["X-Request-ID"]
    assert status == 200 and re.fullmatch(r"[0-9a-f]{32}", made)
    lines = [ln for ln in deployed.log_tail(200_000).splitlines() if ln.strip()]
    records = [json.loads(ln) for ln in lines]  # every line gunicorn and central wrote
    assert any(r["logger"] == "gunicorn.error" for r in records)
    ids = {r.get("request_id"): r for r in records if r["logger"] == "central.request"}
    assert ids["probe-7f3a"]["path"] == "/health" and ids["probe-7f3a"]["status"] == 200
    assert ids[made]["path"] == "/api/v1/openapi.json"


def test_health_is_503_when_the_database_is_down_or_not_migrated(tmp_path):
    dead = free_port()  # nothing listens there
    down = DeployedCentral(
        tmp_path / "down", database_url=f"postgres://postgres@127.0.0.1:{dead}/x",
        production=True,
    )  # fmt: skip
    unmigrated = DeployedCentral(tmp_path / "new", production=True)
    try:
        for server in (down, unmigrated):
            server.start()
        status, _, body = get(f"{down.url}/health")
        assert status == 503
        report = json.loads(body)
        assert report["status"] == "unavailable" and report["database"].startswith("unreachable")
        status, _, body = get(f"{unmigrated.url}/health")
        report = json.loads(body)
        assert status == 503 and report["database"] == "ok"
        assert "admin.0001_initial" in report["migrations"]["pending"]
        assert report["migrations"]["count"] > 20  # every app's, listed up to 20
        unmigrated.manage("migrate", "-v", "0")
        assert get(f"{unmigrated.url}/health")[0] == 200
    finally:
        down.stop()
        unmigrated.stop()


def test_the_gunicorn_config_loads():
    out = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--check-config",
         "central.wsgi"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "central.settings", "DEBUG": "1", "PATH": "/usr/bin:/bin",
             "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
