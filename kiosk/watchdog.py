"""Tell systemd the kiosk is alive, from the Qt event loop (sd_notify protocol, no library).

Under the kiosk's systemd unit (``Type=notify``, ``WatchdogSec=``, installer/debian/)
systemd passes ``NOTIFY_SOCKET`` and ``WATCHDOG_USEC``. Once the event loop runs the kiosk
sends ``READY=1``, then ``WATCHDOG=1`` from a ``QTimer`` every half ``WatchdogSec``: a
timer on the GUI thread only fires while the event loop turns, so a frozen UI stops the
pings and systemd kills and restarts the app. ``STOPPING=1`` when it leaves.

The app runs inside ``cage`` (the unit's main process), so ``WATCHDOG_PID`` names cage,
our parent: pings from the parent's child are accepted with ``NotifyAccess=all``.
Without ``NOTIFY_SOCKET`` (a shell, a test, Windows) nothing happens.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

log = logging.getLogger("kiosk.watchdog")


def notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send one sd_notify datagram; False when there is no socket or it cannot be sent."""
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET", "")
    if not address or not hasattr(os, "getuid"):
        return False
    import socket

    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.warning("cannot notify systemd at %s: %s", env.get("NOTIFY_SOCKET"), exc)
        return False
    return True


def ping_interval_ms(environ: Mapping[str, str] | None = None) -> int | None:
    """Half the watchdog timeout, or None when systemd asked for no watchdog (or asked
    another process: ``WATCHDOG_PID`` is neither us nor our parent, cage)."""
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
    except ValueError:
        return None
    pid = env.get("WATCHDOG_PID", "")
    if usec <= 0 or (pid and pid not in (str(os.getpid()), str(os.getppid()))):
        return None
    return max(50, usec // 2000)


class SystemdNotifier:
    """Owns the ping timer; ``start`` it once the first screen is shown."""

    def __init__(self, interval_ms: int | None) -> None:
        self.interval_ms = interval_ms
        self.timer: Any = None  # a QTimer once started (PySide6 is imported late)
        self.pings = 0

    @classmethod
    def start(cls, app) -> SystemdNotifier:
        notifier = cls(ping_interval_ms())
        if not os.environ.get("NOTIFY_SOCKET"):
            return notifier
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: notify("READY=1\nSTATUS=kiosk running"))
        if notifier.interval_ms is not None:
            notifier.timer = QTimer(app)
            notifier.timer.setInterval(notifier.interval_ms)
            notifier.timer.timeout.connect(notifier.ping)
            notifier.timer.start()
            log.info("systemd watchdog: ping every %d ms", notifier.interval_ms)
        return notifier

    def ping(self) -> None:
        if notify("WATCHDOG=1"):
            self.pings += 1

    def stopping(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        notify("STOPPING=1")
