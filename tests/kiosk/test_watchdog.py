"""The kiosk tells systemd it is alive from its event loop: READY=1 once up, WATCHDOG=1
at half WATCHDOG_USEC, and no ping while the process is frozen (SIGSTOP). The test is
systemd: it listens on the NOTIFY_SOCKET it hands to a real kiosk process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.watchdog import notify, ping_interval_ms

ROOT = Path(__file__).resolve().parents[2]


def listen(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    return sock


def messages(sock: socket.socket, seconds: float) -> list[str]:
    """Every datagram received within ``seconds``."""
    out = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            out.append(sock.recv(4096).decode())
        except TimeoutError:
            break
    return out


def test_interval_is_half_the_timeout_and_only_for_us():
    assert ping_interval_ms({"WATCHDOG_USEC": "30000000"}) == 15000
    assert ping_interval_ms({}) is None
    assert ping_interval_ms({"WATCHDOG_USEC": "x"}) is None
    parent = {"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": str(os.getppid())}
    assert ping_interval_ms(parent) == 1000  # cage, our parent, is the unit's main process
    other = {"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"}
    assert ping_interval_ms(other) is None


def test_notify_reaches_a_path_and_an_abstract_socket(tmp_path):
    with listen(str(tmp_path / "n.sock")) as sock:
        assert notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "n.sock")})
        assert messages(sock, 1) == ["READY=1"]
    name = f"cp-test-{os.getpid()}"
    with listen("\0" + name) as sock:
        assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + name})
        assert messages(sock, 1) == ["WATCHDOG=1"]
    assert not notify("READY=1", {})
    assert not notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})


@pytest.mark.slow
def test_pings_come_from_the_event_loop_and_stop_when_frozen(tmp_path):
    path = str(tmp_path / "notify.sock")
    env = dict(
        os.environ,
        NOTIFY_SOCKET=path,
        WATCHDOG_USEC="400000",  # ping every 200 ms
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
    )
    env.pop("WATCHDOG_PID", None)
    with listen(path) as sock:
        app = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", "--windowed", "--data-dir", str(tmp_path / "d")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            sock.settimeout(60)
            first = sock.recv(4096).decode()
            assert first.startswith("READY=1"), first
            # Steady pings (5 expected a second) once start-up work (the screens built
            # after the first frame) has left the event loop.
            deadline = time.monotonic() + 60
            while (alive := messages(sock, 1.0)).count("WATCHDOG=1") < 4:
                assert time.monotonic() < deadline, f"no steady pings: {alive}"

            app.send_signal(signal.SIGSTOP)  # the event loop is frozen
            time.sleep(0.3)  # a datagram sent just before the stop may still be queued
            messages(sock, 0.2)
            frozen = messages(sock, 1.5)
            assert frozen == [], frozen

            app.send_signal(signal.SIGCONT)
            resumed = messages(sock, 3.0)
            assert resumed.count("WATCHDOG=1") >= 3, resumed
        finally:
            app.send_signal(signal.SIGCONT)
            app.kill()
            app.wait(timeout=20)
