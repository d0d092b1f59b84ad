"""/health, request ids with JSON logs, and the lean middleware chain of the sync API
(central/wsgi.py), called in-process through the real WSGI entry point."""

from __future__ import annotations

import io
import json
import logging
import sys
from datetime import UTC, datetime
from urllib.parse import unquote_to_bytes

import pytest
from django.core import signals
from django.db import close_old_connections
from django.db.migrations.recorder import MigrationRecorder

from central.logs import JsonFormatter


def wsgi(method: str, path: str, body: bytes = b"", headers: dict | None = None):
    """One request through ``central.wsgi.application``; returns (status, headers, body)."""
    from central.wsgi import application

    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        # As a WSGI server passes it: percent-decoded, UTF-8 bytes as latin-1 text.
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["CONTENT_TYPE"] = "application/json"
    for key, value in (headers or {}).items():
        environ["HTTP_" + key.upper().replace("-", "_")] = value
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"] = int(status.split()[0])
        seen["headers"] = response_headers

    # As Django's test client does: keep the test's connection (and its transaction) open
    # instead of closing it at the start and end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        chunks = application(environ, start_response)
        try:
            data = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return seen["status"], seen["headers"], data


def header(headers, name: str) -> list[str]:
    return [v for k, v in headers if k.lower() == name.lower()]


def heartbeat_body() -> bytes:
    return json.dumps(
        {"app_version": "1.0", "queue_depth": 0, "kiosk_time": datetime.now(UTC).isoformat()}
    ).encode()


@pytest.mark.django_db
def test_health_is_ok_when_the_database_answers_and_everything_is_migrated():
    status, headers, body = wsgi("GET", "/health")
    assert status == 200, body
    assert json.loads(body) == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert header(headers, "Cache-Control") == ["no-store"]


@pytest.mark.django_db
def test_health_is_503_and_names_a_migration_that_was_not_applied():
    MigrationRecorder.Migration.objects.filter(
        app="fleet", name="0002_enrolmentcode_request_id"
    ).delete()
    status, _headers, body = wsgi("GET", "/health")
    assert status == 503
    report = json.loads(body)
    assert report["status"] == "unavailable"
    assert report["database"] == "ok"
    assert "fleet.0002_enrolmentcode_request_id" in report["migrations"]["pending"]


@pytest.mark.django_db
def test_health_refuses_writes():
    status, headers, _ = wsgi("POST", "/health", b"{}")
    assert status == 405 and header(headers, "Allow") == ["GET, HEAD"]


@pytest.mark.django_db
def test_a_request_id_is_honoured_or_made_returned_and_logged(caplog):
    caplog.set_level(logging.INFO, logger="central.request")
    _, headers, _ = wsgi("GET", "/health", headers={"X-Request-ID": "kiosk-ks-000001.42"})
    assert header(headers, "X-Request-ID") == ["kiosk-ks-000001.42"]
    # Not a usable id (spaces, too long, a header-injection attempt): central makes its own.
    for bad in ("two words", "x" * 129, "a\u00e9b"):
        _, headers, _ = wsgi("GET", "/health", headers={"X-Request-ID": bad})
        (made,) = header(headers, "X-Request-ID")
        assert made != bad and len(made) == 32 and int(made, 16) >= 0
    records = [r for r in caplog.records if r.name == "central.request"]
    assert len(records) == 4
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "kiosk-ks-000001.42"
    assert line["method"] == "GET" and line["path"] == "/health" and line["status"] == 200
    assert line["level"] == "INFO" and line["logger"] == "central.request"
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")


def test_json_formatter_keeps_the_exception_and_thai_text():
    formatter = JsonFormatter()
    try:
        raise ValueError("ผิดพลาด")
    except ValueError:
        record = logging.getLogger("central.api").makeRecord(
            "central.api", logging.ERROR, __file__, 1, "ล้มเหลว %s", ("x",), sys.exc_info()
        )
    line = formatter.format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "ล้มเหลว x" and "ValueError: ผิดพลาด" in data["exc_info"]


@pytest.mark.django_db
def test_the_sync_api_skips_sessions_csrf_locale_but_not_the_host_check(kiosk):
    auth = {"Authorization": f"Bearer {kiosk.credential}"}
    status, headers, body = wsgi("POST", "/api/v1/kiosk/heartbeat", heartbeat_body(), auth)
    assert status == 200, body
    names = {k.lower() for k, _ in headers}
    # What the admin's middleware would add, and the API has no use for:
    assert "content-language" not in names and "x-frame-options" not in names
    assert not any("cookie" in v.lower() for v in header(headers, "Vary"))
    # Kept: request id, nosniff (SecurityMiddleware), and ALLOWED_HOSTS (CommonMiddleware).
    assert len(header(headers, "X-Request-ID")) == 1
    assert header(headers, "X-Content-Type-Options") == ["nosniff"]
    status, _, _ = wsgi(
        "POST", "/api/v1/kiosk/heartbeat", heartbeat_body(), {**auth, "Host": "evil.example"}
    )
    assert status == 400


@pytest.mark.django_db
def test_the_admin_keeps_its_full_middleware():
    status, headers, _ = wsgi("GET", "/admin/")
    assert status == 302 and header(headers, "Location")[0].startswith("/admin/login/")
    assert header(headers, "X-Frame-Options") == ["DENY"]
    assert header(headers, "Content-Language")
    assert len(header(headers, "X-Request-ID")) == 1


@pytest.mark.parametrize(
    ("peer", "header", "seen"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # from nginx: the kiosk's address
        ("127.0.0.1", "2001:db8::5", "2001:db8::5"),
        ("127.0.0.1", "not-an-ip", "127.0.0.1"),  # nonsense: ignored
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # not from the proxy: ignored
        ("127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_behind_the_proxy_the_client_address_comes_from_x_real_ip(peer, header, seen, settings):
    from django.test import RequestFactory

    from central.proxy import RealIpMiddleware

    settings.CP_PROXY_ADDRESSES = ["127.0.0.0/8", "::1/128"]
    request = RequestFactory().get("/api/v1/kiosk/catalogue", REMOTE_ADDR=peer,
                                   HTTP_X_REAL_IP=header)  # fmt: skip
    RealIpMiddleware(lambda r: None)(request)
    assert request.META["REMOTE_ADDR"] == seen


@pytest.mark.django_db
def test_nul_bytes_on_the_lean_chain_get_a_4xx(kiosk):
    """The API's own checks answer what RejectNulBytes answers on the full chain."""
    auth = {"Authorization": f"Bearer {kiosk.credential}"}
    for path in ("/api/v1/kiosk/catalogue?since=v1.%00", "/api/v1/kiosk/%00", "/api/%00?x=%00"):
        status, _, body = wsgi("GET", path, headers=auth)
        assert 400 <= status < 500, (path, status, body)
        assert json.loads(body)["error"]
    # /health shares the lean chain, whose RejectNulBytes refuses a NUL byte anywhere.
    assert wsgi("GET", "/health?x=%00")[0] == 400
    assert wsgi("GET", "/health?x=1")[0] == 200
