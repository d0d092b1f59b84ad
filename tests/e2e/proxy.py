"""A fault-injecting HTTP proxy for loopback tests: kiosk -> proxy -> central.

One request per client connection (the proxy answers ``Connection: close``). For each
request it draws a fault from weighted choices (seeded, so a run can be repeated):

``pass``        forward, return central's answer;
``delay``       wait 50-400 ms, then forward;
``drop``        close the connection without forwarding (central never sees it);
``e502``/``e503``  answer 502/503 (an HTML body, like a real reverse proxy) without forwarding;
``cut``         forward, read central's whole answer (so central has processed the request),
                then send only part of it (possibly nothing) and close;
``replay``      forward, answer, then send the same request to central again afterwards;
``replay_first`` forward twice and return the *second* answer (central has seen it twice);
``stall``       forward, then hold the answer until the client gives up (read timeout).

``forced`` lists faults to inject first (each fault at least once, whatever the dice say).
Counters per fault are in ``stats``. ``on_forward(method, path, n)`` is called right after
a request has been handed to central (tests use it to kill central mid-request).
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable

FAULTS = ("pass", "delay", "drop", "e502", "e503", "cut", "replay", "replay_first", "stall")

DEFAULT_WEIGHTS = {
    "pass": 40,
    "delay": 10,
    "drop": 8,
    "e502": 6,
    "e503": 6,
    "cut": 12,
    "replay": 8,
    "replay_first": 8,
    "stall": 2,
}


def _recv_until(sock: socket.socket, marker: bytes, limit: int = 1 << 16) -> bytes:
    data = b""
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
        if len(data) > limit:
            break
    return data


def read_request(sock: socket.socket) -> tuple[bytes, bytes] | None:
    """(head with the request line, body), or None if the client went away."""
    data = _recv_until(sock, b"\r\n\r\n")
    if b"\r\n\r\n" not in data:
        return None
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head, body[:length]


def with_close(head: bytes) -> bytes:
    """The request head with ``Connection: close`` (one request per upstream connection)."""
    lines = [
        line
        for line in head.split(b"\r\n")
        if line.split(b":", 1)[0].strip().lower() not in (b"connection", b"keep-alive")
    ]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        *,
        seed: int = 0,
        weights: dict[str, float] | None = None,
        upstream_host: str = "127.0.0.1",
        stall_s: float = 3.0,
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        self.stall_s = stall_s
        self.stats: Counter[str] = Counter()
        self.forwarded = 0
        self.on_forward: Callable[[str, str, int], None] | None = None
        self.fault_paths: tuple[str, ...] | None = None  # only fault these paths (None: all)
        self.forced: list[str] = []  # faults to inject first, in order, before random ones
        self.forced_paths: tuple[str, ...] = ("/api/v1/kiosk/ratings",)  # ... on these paths
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)
        self._accept.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_weights(self, weights: dict[str, float]) -> None:
        with self.rng_lock:
            self.weights = dict(weights)

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        with contextlib.suppress(OSError):
            self._sock.close()
        self._accept.join(timeout=5)

    # -- serving ----------------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            t = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            t.start()

    def _choose(self, path: str) -> str:
        if self.fault_paths is not None and not path.startswith(self.fault_paths):
            return "pass"
        with self.rng_lock:
            if self.forced and path.startswith(self.forced_paths):
                return self.forced.pop(0)
            names = list(self.weights)
            return self.rng.choices(names, weights=[self.weights[n] for n in names])[0]

    def _forward(self, head: bytes, body: bytes, method: str, path: str) -> bytes:
        """Send the request to central and return its whole answer (b"" if unreachable)."""
        try:
            up = socket.create_connection(self.upstream, timeout=30)
        except OSError:
            return b""
        with up:
            up.sendall(with_close(head) + body)
            with self.rng_lock:
                self.forwarded += 1
                n = self.forwarded
            if self.on_forward is not None:
                self.on_forward(method, path, n)
            chunks = []
            try:
                while True:
                    chunk = up.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except OSError:
                pass
            return b"".join(chunks)

    @staticmethod
    def _plain(status: int, reason: str) -> bytes:
        body = f"<html><body><h1>{status} {reason}</h1></body></html>".encode()
        return (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode() + body

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(60)
                req = read_request(conn)
                if req is None:
                    return
                head, body = req
                method, path = (head.split(b"\r\n", 1)[0].decode("latin-1").split(" ") + ["", ""])[
                    :2
                ]
                fault = self._choose(path)
                with self.rng_lock:
                    self.stats[fault] += 1
                    delay = self.rng.uniform(0.05, 0.4)
                    cut_at = self.rng.random()
                if fault == "drop":
                    return
                if fault in ("e502", "e503"):
                    conn.sendall(
                        self._plain(502, "Bad Gateway")
                        if fault == "e502"
                        else self._plain(503, "Service Unavailable")
                    )
                    return
                if fault == "delay":
                    time.sleep(delay)
                answer = self._forward(head, body, method, path)
                if fault == "replay_first":
                    again = self._forward(head, body, method, path)
                    answer = again or answer
                if not answer:
                    conn.sendall(self._plain(502, "Bad Gateway"))
                    return
                if fault == "cut":
                    conn.sendall(answer[: int(len(answer) * cut_at * 0.9)])
                    return
                if fault == "stall":
                    self._closed.wait(self.stall_s)
                    return
                conn.sendall(answer)
                if fault == "replay":
                    conn.shutdown(socket.SHUT_WR)
                    self._forward(head, body, method, path)
            except OSError:
                return


class HangingServer:
    """Accepts connections and never answers (until closed): a server that hangs."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._sock.close()
        for c in self.accepted:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                c.close()
