"""Enrolment: the happy path, and every way it can fail leaving the kiosk as it was."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import stat
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.sync.client import BadServerUrl, SyncError, normalize_server_url
from kiosk.sync.engine import SETTING_CURSOR_OWNER
from kiosk.sync.enrol import enrol
from tests.kiosk.fake_central import FakeCentral


@pytest.fixture
def fake():
    server = FakeCentral()
    yield server
    server.close()


def snapshot(store) -> tuple:
    """Everything enrolment could change: settings and the cached catalogue."""
    conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)
    try:
        settings = conn.execute("SELECT key, value FROM settings ORDER BY key").fetchall()
        state = conn.execute(
            "SELECT cursor, service_point, counter FROM catalogue_state"
        ).fetchall()
        services = conn.execute(
            "SELECT code, version FROM catalogue_services ORDER BY code"
        ).fetchall()
    finally:
        conn.close()
    return settings, state, services


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "Enter the server address"),
        ("central.example.go.th", "must start with https://"),
        ("ftp://central.example.go.th", "not ftp://"),
        ("https://", "no host name"),
        ("https://exa mple.com", "must not contain spaces"),
        ("https://user:pw@example.com", "user name or password"),
        ("https://example.com/?x=1", "'?' or '#'"),
        ("https://example.com:99999", "not valid"),
    ],
)
def test_malformed_urls_are_refused_with_a_reason(text, fragment):
    with pytest.raises(BadServerUrl) as info:
        normalize_server_url(text)
    assert fragment in str(info.value)


def test_urls_are_normalised():
    assert (
        normalize_server_url(" HTTPS://Central.Example.GO.TH/ ") == "https://central.example.go.th"
    )
    assert normalize_server_url("http://127.0.0.1:8000/api/v1/") == "http://127.0.0.1:8000"
    assert normalize_server_url("https://x.go.th/cp") == "https://x.go.th/cp"


def test_enrolment_stores_the_credential_privately_and_fetches_the_catalogue(store, fake):
    result = enrol(store, fake.url + "/", "GOOD-CODE-0001")
    assert result.kiosk_id == "ks-000001"
    assert result.catalogue_error is None
    assert result.service_point["id"] == fake.catalogue["service_point"]["id"]
    assert result.counter["id"] == fake.catalogue["counter"]["id"]
    rec = store.enrolment()
    assert rec["server_url"] == fake.url
    assert rec["credential"].startswith("cpk_")
    assert rec["kiosk_id"] == "ks-000001"
    assert store.catalogue_version() == "c-1", "the catalogue came from central"
    # The credential is in the SQLite file: it and the folder are private to the user.
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.data_dir.stat().st_mode) == 0o700
    for extra in ("-wal", "-shm"):
        p = store.path.with_name(store.path.name + extra)
        if p.exists():
            assert stat.S_IMODE(p.stat().st_mode) == 0o600


def test_a_wrong_code_changes_nothing(store, fake):
    before = snapshot(store)
    with pytest.raises(SyncError) as info:
        enrol(store, fake.url, "WRONG-CODE")
    assert info.value.kind == "bad_code"
    assert "enrolment_code_unknown" in str(info.value)
    assert snapshot(store) == before


def test_a_used_code_changes_nothing(store, fake, tmp_path):
    from kiosk.storage import KioskStore

    other = KioskStore.open(tmp_path / "other-kiosk")
    try:
        enrol(other, fake.url, "GOOD-CODE-0001")
    finally:
        other.close()
    before = snapshot(store)
    with pytest.raises(SyncError) as info:
        enrol(store, fake.url, "GOOD-CODE-0001")
    assert info.value.kind == "bad_code"
    assert "already used" in str(info.value).lower()
    assert snapshot(store) == before


def test_an_empty_code_is_refused_before_any_call(store, fake):
    with pytest.raises(SyncError, match="Enter the enrolment code"):
        enrol(store, fake.url, "   ")
    assert fake.log == []


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_server_changes_nothing(store):
    before = snapshot(store)
    with pytest.raises(SyncError) as info:
        enrol(store, f"http://127.0.0.1:{closed_port()}", "GOOD-CODE-0001")
    assert info.value.kind == "unreachable"
    assert "refused" in str(info.value)
    assert snapshot(store) == before


def test_an_unknown_host_name_says_so(store):
    before = snapshot(store)
    with pytest.raises(SyncError) as info:
        enrol(store, "http://no-such-host.invalid", "GOOD-CODE-0001")
    assert info.value.kind == "unreachable"
    assert snapshot(store) == before


def test_a_malformed_url_changes_nothing(store):
    before = snapshot(store)
    with pytest.raises(BadServerUrl):
        enrol(store, "central.example.go.th", "GOOD-CODE-0001")
    assert snapshot(store) == before


def test_https_to_a_server_that_does_not_speak_tls_is_a_tls_error(store, fake):
    before = snapshot(store)
    with pytest.raises(SyncError) as info:
        enrol(store, fake.url.replace("http://", "https://"), "GOOD-CODE-0001")
    assert info.value.kind == "tls"
    assert "Secure connection" in str(info.value)
    assert snapshot(store) == before
    assert "GOOD-CODE-0001" not in fake.used


@pytest.fixture
def self_signed(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


def test_an_untrusted_certificate_is_a_tls_error(store, self_signed):
    server = FakeCentral(tls=self_signed)
    try:
        before = snapshot(store)
        with pytest.raises(SyncError) as info:
            enrol(store, server.url, "GOOD-CODE-0001")
        assert info.value.kind == "tls"
        assert "certificate" in str(info.value)
        assert snapshot(store) == before
        assert "GOOD-CODE-0001" not in server.used
    finally:
        server.close()


def test_a_private_ca_can_be_trusted_and_is_remembered(store, self_signed):
    from kiosk.sync.client import CentralClient
    from kiosk.sync.engine import SyncEngine, tls_verify

    server = FakeCentral(tls=self_signed)
    try:
        result = enrol(store, server.url, "GOOD-CODE-0001", verify=self_signed[0])
        assert result.catalogue_error is None
        assert tls_verify(store) == self_signed[0], "later syncs trust the same CA"
        rec = store.enrolment()
        client = CentralClient(rec["server_url"], rec["credential"], verify=tls_verify(store))
        store.set_setting("followup_hold_s", 0)
        store.record_rating(5, None)
        assert SyncEngine(store, client, kiosk_id=rec["kiosk_id"]).run().ok
        assert len(server.ratings) == 1
    finally:
        server.close()


def test_a_web_server_that_is_not_central_changes_nothing(store):
    class NotCentral(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = b"<html>Not Found</html>"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), NotCentral)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        before = snapshot(store)
        with pytest.raises(SyncError) as info:
            enrol(store, f"http://127.0.0.1:{httpd.server_address[1]}", "GOOD-CODE-0001")
        assert info.value.kind == "not_central"
        assert "does not look like a CounterPoint central" in str(info.value)
        assert snapshot(store) == before
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_enrolled_but_catalogue_failed_keeps_the_credential(store, fake):
    # This fake central is an older one: its enrolment answer has no catalogue, so the
    # kiosk fetches it before saying "enrolled" (three tries), and every try fails.
    fake.fail_next = [None, 503, 503, 503]
    result = enrol(store, fake.url, "GOOD-CODE-0001", sleep=lambda s: None)
    assert result.catalogue_error and "503" in result.catalogue_error
    assert store.enrolment()["kiosk_id"] == "ks-000001", "the used code is not wasted"
    assert len(fake.requests_to("/api/v1/kiosk/catalogue")) == 3
    # Enrolled: the demo office's services are gone, central's place is shown, and the
    # first sync fetches the catalogue whole.
    assert store.all_services() == [] and store.counter_services() == []
    assert store.service_point().id == fake.catalogue["service_point"]["id"]
    assert store.get_setting(SETTING_CURSOR_OWNER) is None


def test_a_lost_catalogue_download_is_retried_before_enrolment_reports(store, fake):
    fake.fail_next = [None, "close", 502]  # enrol works, two catalogue tries fail
    pauses = []
    result = enrol(store, fake.url, "GOOD-CODE-0001", sleep=pauses.append)
    assert result.catalogue_error is None
    assert store.catalogue_version() == "c-1"
    assert {s.code for s in store.all_services()} == {s["code"] for s in fake.catalogue["services"]}
    assert len(pauses) == 2 and len(fake.requests_to("/api/v1/kiosk/catalogue")) == 3


def test_a_failing_enrolment_request_is_retried(store, fake):
    fake.fail_next = [503]  # the first enrolment request fails (central busy)
    result = enrol(store, fake.url, "GOOD-CODE-0001", sleep=lambda s: None)
    assert result.kiosk_id == "ks-000001" and result.catalogue_error is None
    assert len(fake.requests_to("/api/v1/kiosks/enroll")) == 2


def test_re_enrolment_replaces_the_credential_and_refetches_the_catalogue(store, fake):
    enrol(store, fake.url, "GOOD-CODE-0001")
    first = store.enrolment()["credential"]
    fake.add_code("SECOND-CODE")
    fake.catalogue = dict(fake.catalogue, cursor="c-9")
    enrol(store, fake.url, "SECOND-CODE")
    rec = store.enrolment()
    assert rec["credential"] != first
    assert rec["kiosk_id"] == "ks-000002"
    assert store.catalogue_version() == "c-9"
