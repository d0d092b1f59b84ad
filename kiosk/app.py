"""Build and run the kiosk application."""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path

log = logging.getLogger("kiosk")


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in (
        "win32",
        "darwin",
    )


def ensure_qapp():
    """The QApplication of this process (created once, with the settings the kiosk needs)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("CounterPoint Kiosk")
        app.setQuitOnLastWindowClosed(False)
    return app


def build_window(data_dir: Path, *, kiosk_mode: bool, size: tuple[int, int]):
    """Open the store (recovering a corrupt file) and build the window on it."""
    from kiosk.storage import KioskStore, StorageError
    from kiosk.sync.service import CentralSync
    from kiosk.ui.window import KioskWindow

    try:
        store = KioskStore.open(data_dir)
    except StorageError as exc:
        # The counter is never blank: documents from the cached or bundled catalogue, a
        # calm "rating is paused", a staff notice; the window retries the real storage.
        log.error("cannot open the database in %s (%s): running with rating paused", data_dir, exc)
        store = KioskStore.open_fallback(data_dir, exc)
    if store.recovered_from is not None:
        log.warning("corrupt database moved aside to %s; started fresh", store.recovered_from)
    # The real sync service, enrolled or not: until staff enrol the kiosk it only waits
    # (ratings stay queued, as with LocalOnlySync); it has its own SQLite connection.
    # On a stand-in store it opens the real one itself, once that works.
    sync = CentralSync(data_dir, store=None if store.unavailable else store)
    return KioskWindow(store, sync, kiosk_mode=kiosk_mode, size=size)


def run(data_dir: Path, *, windowed: bool, size: tuple[int, int]) -> int:
    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        print(
            "kiosk: no display found (DISPLAY/WAYLAND_DISPLAY unset): running headless "
            "(offscreen). To see the screens, run: python -m kiosk tour --out tour",
            file=sys.stderr,
        )
    from PySide6.QtCore import QTimer

    from kiosk.storage import StorageError

    app = ensure_qapp()
    try:
        win = build_window(data_dir, kiosk_mode=not windowed, size=size)
    except StorageError as exc:  # not even the bundled catalogue could be read
        print(f"kiosk: cannot open the database in {data_dir}: {exc}", file=sys.stderr)
        return 3
    win.show_kiosk()
    from kiosk.watchdog import SystemdNotifier

    notifier = SystemdNotifier.start(app)  # READY=1, then WATCHDOG=1 from the event loop
    win.sync.start()
    QTimer.singleShot(250, win.prebuild)  # after the first frame, not before it
    log.info("kiosk running with data in %s", data_dir)
    code = app.exec()
    notifier.stopping()
    win.sync.stop()
    win.store.close()
    stuck = [
        t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon
    ]
    if stuck:
        # A sync request may hang until its read timeout (30 s). Every rating is already
        # committed and every catalogue change is one transaction, so leave now rather
        # than hold up a restart by the supervisor.
        log.info("leaving without waiting for %s", ", ".join(stuck))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
