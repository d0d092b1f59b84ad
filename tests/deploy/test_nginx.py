"""central behind a real nginx (deploy/nginx/central.conf as written) over TLS on loopback:
idle and slow clients wait in nginx, not in gunicorn, so kiosks keep being answered.

The control comes first: the same slow clients sent straight to gunicorn stall it (a
sync call gets no answer in 3 s), which is the attack this setup exists to absorb."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import ssl
import time
from datetime import UTC, datetime

import pytest

from tests.deploy.nginx import Nginx
from tests.deploy.servers import DeployedCentral

pytestmark = pytest.mark.slow

SLOW_BODY_HEAD = (
    b"POST /api/v1/kiosks/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    b'{"code": "ABCD-'  # 15 of the 1,000 bytes promised, then nothing
)
SLOW_HEADERS = b"POST /api/v1/kiosk/heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "").strip()
    url = url if url.startswith(("postgres://", "postgresql://")) else None
    server = DeployedCentral(
        tmp_path_factory.mktemp("central"), database_url=url, workers=1, threads=4,
        db_name=f"counterpoint_deploy_nginx_{os.getpid()}",
    )  # fmt: skip
    proxy = None
    try:
        server.demo = server.prepare()
        server.start()
        proxy = Nginx(tmp_path_factory.mktemp("nginx"), [server.port])
        proxy.start()
        yield server, proxy
    finally:
        if proxy is not None:
            proxy.stop()
        server.close()


def tls_context(proxy: Nginx) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(proxy.cert))


def https(proxy: Nginx, method: str, path: str, payload=None, headers=None, timeout=10.0):
    conn = http.client.HTTPSConnection(
        "127.0.0.1", proxy.https_port, context=tls_context(proxy), timeout=timeout
    )
    try:
        body = None if payload is None else json.dumps(payload).encode()
        conn.request(method, path, body=body, headers={"Content-Type": "application/json",
                                                       **(headers or {})})  # fmt: skip
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def heartbeat(credential: str) -> tuple[str, dict]:
    body = {"app_version": "t", "queue_depth": 0, "kiosk_time": datetime.now(UTC).isoformat()}
    return json.dumps(body), {"Authorization": f"Bearer {credential}"}


def enrol(server, proxy) -> str:
    code = server.demo["service_points"][0]["counters"][0]["enrolment_code"]
    status, _, body = https(proxy, "POST", "/api/v1/kiosks/enroll",
                            {"code": code, "app_version": "t"})  # fmt: skip
    assert status == 201, body
    return json.loads(body)["credential"]


def timed_heartbeat_direct(port: int, credential: str, timeout: float) -> float:
    body, headers = heartbeat(credential)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/kiosk/heartbeat", body=body,
                     headers={"Content-Type": "application/json", **headers})  # fmt: skip
        assert conn.getresponse().status == 200
        return time.perf_counter() - t0
    finally:
        conn.close()


def timed_heartbeat_nginx(proxy: Nginx, credential: str) -> float:
    body, headers = heartbeat(credential)
    t0 = time.perf_counter()
    status, _, data = https(proxy, "POST", "/api/v1/kiosk/heartbeat", json.loads(body), headers)
    assert status == 200, data
    return time.perf_counter() - t0


def count_enrolments(server) -> int:
    return sum(
        '"path": "/api/v1/kiosks/enroll"' in line
        for line in server.log_tail(1_000_000).splitlines()
    )


def test_idle_slow_clients_stall_gunicorn_alone_but_not_behind_nginx(stack):
    server, proxy = stack
    credential = enrol(server, proxy)
    assert timed_heartbeat_direct(server.port, credential, 5) < 2

    # Control: 30 clients that send headers and 15 of 1,000 body bytes, straight to gunicorn
    # (one worker, 4 threads): every thread waits on one of them, a kiosk gets no answer.
    # One worker, because with two the kernel may hand all 30 to one of them (accept() on a
    # shared socket is not fair) and the other answers: the control then proves nothing.
    slow: list[socket.socket] = []
    try:
        for _ in range(30):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(SLOW_BODY_HEAD)
            slow.append(s)
        time.sleep(1.5)
        with pytest.raises(TimeoutError):
            timed_heartbeat_direct(server.port, credential, 3)
    finally:
        for s in slow:
            s.close()
    assert timed_heartbeat_direct(server.port, credential, 10) < 5  # freed when they left

    time.sleep(0.5)
    enrolments_logged = count_enrolments(server)
    # Through nginx: 50 idle slow TLS connections (25 mid-body, 25 mid-headers).
    slow_tls: list[ssl.SSLSocket] = []
    context = tls_context(proxy)
    try:
        for i in range(50):
            raw = socket.create_connection(("127.0.0.1", proxy.https_port), timeout=5)
            s = context.wrap_socket(raw, server_hostname="127.0.0.1")
            s.sendall(SLOW_BODY_HEAD if i % 2 == 0 else SLOW_HEADERS)
            slow_tls.append(s)
        time.sleep(0.5)
        times = [timed_heartbeat_nginx(proxy, credential) for _ in range(10)]
        print(f"\nheartbeats through nginx next to 50 slow clients: "
              f"{', '.join(f'{1000 * t:.0f}' for t in times)} ms")  # fmt: skip
        assert max(times) < 1.0, times
        # The slow clients are still connected, and nginx never passed them on.
        for s in slow_tls:
            s.setblocking(False)
            with pytest.raises(ssl.SSLWantReadError):
                s.recv(1)
    finally:
        for s in slow_tls:
            with contextlib.suppress(OSError):
                s.close()
    time.sleep(0.5)
    assert count_enrolments(server) == enrolments_logged, (
        "nginx passed a half-sent request to gunicorn"
    )


def test_http_redirects_to_https_and_the_request_id_passes_through(stack):
    _server, proxy = stack
    conn = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=5)
    conn.request("GET", "/health")
    response = conn.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == "https://127.0.0.1/health"
    conn.close()
    status, headers, body = https(proxy, "GET", "/health", headers={"X-Request-ID": "lb-1"})
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert headers["X-Request-ID"] == "lb-1"
    status, headers, _ = https(proxy, "GET", "/health")
    assert len(headers["X-Request-ID"]) == 32  # nginx's $request_id
