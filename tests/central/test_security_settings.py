"""Security settings as a browser and `check --deploy` see them: the Content-Security-
Policy on every page, no inline script or style in our templates, short admin sessions,
HSTS for a year over HTTPS, and `python -m central check --deploy` clean in the
production settings docs/operations.md documents."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((REPO / "central").rglob("templates/**/*.html"))
# Production as docs/operations.md documents it (behind nginx, served over HTTPS).
PRODUCTION = {
    "SECRET_KEY": "x" * 20 + "-production-secret-for-the-check-only-0123456789",
    "ALLOWED_HOSTS": "central.example.go.th",
    "CP_HTTPS": "1",
    "CP_BEHIND_PROXY": "1",
    "DEBUG": "0",
}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


@pytest.mark.parametrize("path", ["/admin/login/", "/services/ID_RENEW", "/api/v1/openapi.json"])
def test_every_page_has_the_content_security_policy(db, path) -> None:
    policy = _policy(Client().get(path))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_inline_script_or_style_in_our_templates(template: Path) -> None:
    """The policy allows neither: each would silently stop working in the browser."""
    html = template.read_text(encoding="utf-8")
    # <script type="application/ld+json"> is data (structured data for search engines), not
    # code: browsers never run it, so the policy does not concern it.
    code = re.sub(r'<script type="application/(ld\+)?json">.*?</script>', "", html, flags=re.S)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", code), "inline <script>"
    assert not re.search(r"<style\b", html), "inline <style>"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler (onclick=...)"
    assert not re.search(r"\sstyle=", html), "style attribute"
    assert "javascript:" not in html


def test_admin_sessions_last_8_hours_and_end_with_the_browser(db, world) -> None:
    from tests.central.admin_world import make_user

    make_user("boss", central=True)
    client = Client()
    client.post("/admin/login/", {"username": "boss", "password": "pw"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and not cookie["expires"] and not cookie["max-age"]  # browser close
    assert settings.SESSION_COOKIE_AGE == 8 * 3600  # and at most 8 h on the server


def _run_central(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-m", "central", *args],
        cwd=REPO,
        env={**clean, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_in_the_documented_production_settings() -> None:
    result = _run_central(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_without_https_check_deploy_names_exactly_the_https_warnings() -> None:
    """Served over plain HTTP (CP_HTTPS unset) the check says so, and says nothing else."""
    env = {**PRODUCTION, "CP_HTTPS": "0"}
    result = _run_central(env, "check", "--deploy")
    found = set(re.findall(r"security\.W\d+", result.stdout + result.stderr))
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}


@pytest.mark.slow
def test_hsts_for_a_year_over_https() -> None:
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/api/v1/openapi.json', secure=True, HTTP_HOST='central.example.go.th')\n"
        "print(r.status_code, r['Strict-Transport-Security'])\n"
        "r = Client().get('/api/v1/openapi.json', HTTP_HOST='central.example.go.th')\n"
        "print(r.status_code, r['Location'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"},
            **PRODUCTION,
            "PYTHONPATH": str(REPO),
            "DJANGO_SETTINGS_MODULE": "central.settings",
            "DATABASE_URL": "sqlite:///:memory:",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "200 max-age=31536000; includeSubDomains; preload", result.stderr
    assert lines[1] == "301 https://central.example.go.th/api/v1/openapi.json"
