"""A small, real HTTP server that speaks central's kiosk API (docs/sync-protocol.md), for
the kiosk's sync unit tests: no Django, no database, but real sockets and real JSON, so
the kiosk's ``requests`` code runs unmodified (nothing is mocked).

Knobs: ``fail_next`` (a list of HTTP statuses, or "cut"/"close", used up one request at a
time), ``reject_service`` (service codes answered ``rejected``), ``revoked`` (credentials
answered 403), ``bad_results`` (answer with results for other uuids), ``catalogue``
(the full payload) and ``deltas`` (cursor -> delta payload).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo_catalogue.json"


def demo_catalogue(cursor: str = "c-1") -> dict:
    payload = json.loads(DEMO.read_text(encoding="utf-8"))
    payload["cursor"] = cursor
    payload["full"] = True
    return payload


class FakeCentral:
    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        """``tls``: (certificate, key) PEM files to serve HTTPS instead of HTTP."""
        self.lock = threading.Lock()
        self.scheme = "https" if tls else "http"
        self.codes: dict[str, str] = {"GOOD-CODE-0001": "ks-000001"}  # code -> kiosk id
        self.used: set[str] = set()
        self.credentials: dict[str, str] = {}  # credential -> kiosk id
        self.revoked: set[str] = set()
        self.ratings: dict[str, dict] = {}
        self.reject_service: set[str] = set()
        self.fail_next: list[object] = []
        self.bad_results = False
        self.catalogue = demo_catalogue()
        self.deltas: dict[str, dict] = {}
        self.log: list[tuple[float, str, str]] = []  # (monotonic time, method, path)
        self.heartbeats: list[dict] = []
        self.batches: list[int] = []
        self._n = 1
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        if tls:
            import ssl

            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(*tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def add_code(self, code: str) -> None:
        with self.lock:
            self._n += 1
            self.codes[code] = f"ks-{self._n:06d}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests_to(self, path: str) -> list[float]:
        return [t for t, _m, p in self.log if p.startswith(path)]

    # -- the API ----------------------------------------------------------------------------
    def _kiosk(self, headers) -> tuple[int, dict] | str:
        auth = headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        if token not in self.credentials:
            return 401, {"error": "invalid_credential", "detail": "Unknown credential."}
        if token in self.revoked:
            return 403, {"error": "kiosk_revoked", "detail": "This kiosk was revoked."}
        return self.credentials[token]

    def handle(self, method: str, path: str, query: dict, headers, body: bytes):
        if path == "/api/v1/kiosks/enroll" and method == "POST":
            data = json.loads(body)
            code = data.get("code", "")
            with self.lock:
                if code not in self.codes:
                    return 404, {"error": "enrolment_code_unknown", "detail": "No such code."}
                if code in self.used:
                    return 409, {"error": "enrolment_code_used", "detail": "Already used."}
                self.used.add(code)
                kiosk_id = self.codes[code]
                cred = f"cpk_{kiosk_id}_{len(self.credentials)}"
                self.credentials[cred] = kiosk_id
            return 201, {
                "kiosk_id": kiosk_id,
                "credential": cred,
                "service_point": self.catalogue["service_point"],
                "counter": self.catalogue["counter"],
            }
        who = self._kiosk(headers)
        if isinstance(who, tuple):
            return who
        if path == "/api/v1/kiosk/catalogue" and method == "GET":
            since = (query.get("since") or [""])[0]
            if since and since in self.deltas:
                return 200, self.deltas[since]
            if since == self.catalogue["cursor"]:
                delta = copy.deepcopy(self.catalogue)
                delta["full"], delta["services"] = False, []
                return 200, delta
            return 200, self.catalogue
        if path == "/api/v1/kiosk/ratings" and method == "POST":
            items = json.loads(body)["ratings"]
            if len(items) > 500:
                return 400, {"error": "invalid_request", "detail": "at most 500"}
            self.batches.append(len(items))
            results = []
            with self.lock:
                for item in items:
                    u = item["uuid"]
                    if item.get("service_code") in self.reject_service:
                        results.append(
                            {"uuid": u, "status": "rejected", "reason": "service_code: not offered"}
                        )
                    elif u in self.ratings:
                        results.append({"uuid": u, "status": "duplicate", "reason": None})
                    else:
                        self.ratings[u] = dict(item, kiosk=who)
                        results.append({"uuid": u, "status": "accepted", "reason": None})
            if self.bad_results:
                results = [dict(r, uuid="00000000-0000-4000-8000-000000000000") for r in results]
            return 200, {"results": results, "server_time": datetime.now(UTC).isoformat()}
        if path == "/api/v1/kiosk/heartbeat" and method == "POST":
            data = json.loads(body)
            self.heartbeats.append(data)
            kiosk_time = datetime.fromisoformat(data["kiosk_time"])
            skew = (kiosk_time - datetime.now(UTC)).total_seconds()
            return 200, {"server_time": datetime.now(UTC).isoformat(), "skew_seconds": skew}
        return 404, {"error": "not_found", "detail": f"No API endpoint at {path}."}

    def _handler(self):
        central = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                central.log.append((time.monotonic(), method, parts.path))
                with central.lock:
                    fault = central.fail_next.pop(0) if central.fail_next else None
                if fault == "close":  # drop the connection before doing anything
                    self.close_connection = True
                    self.connection.close()
                    return
                if isinstance(fault, int):  # failed before doing anything
                    raw = b"<html>busy</html>"
                    self.send_response(fault)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                    return
                status, data = central.handle(
                    method, parts.path, parse_qs(parts.query), self.headers, body
                )
                raw = json.dumps(data, ensure_ascii=False).encode()
                if fault == "cut":  # processed, but the answer is lost on the way
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw[: len(raw) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.close()
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

        return Handler
