"""Build and run the kiosk application.

The start is ordered for the first frame: only what Welcome draws is imported and built
before it is shown; the sync service (APScheduler, requests, the protocol client) is
created and started right after Welcome is first painted, and the other screens are
built after that (``KioskWindow.prebuild``). The store is open before the window, so a
rating is durably stored from the first tap; the UI never waits on the network.
"""

from __future__ import annotations

import gc
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
    """Open the store (recovering a corrupt file) and build the window on it, with a
    placeholder sync service (no network; ``start_sync`` gives it the real one)."""
    from kiosk.storage import KioskStore, StorageError
    from kiosk.sync import SyncService
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
    return KioskWindow(store, SyncService(), kiosk_mode=kiosk_mode, size=size)


def start_sync(win, data_dir: Path) -> None:
    """Give the window the real sync service and start it (after the first frame).

    Enrolled or not: until staff enrol the kiosk it only waits (ratings stay queued, as
    with LocalOnlySync); it has its own SQLite connection. On a stand-in store it opens
    the real one itself, once that works."""
    from kiosk.sync.service import CentralSync

    store = win.store
    sync = CentralSync(data_dir, store=None if store.unavailable else store)
    win.use_sync(sync)
    sync.start()


def run(data_dir: Path, *, windowed: bool, size: tuple[int, int]) -> int:
    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        print(
            "kiosk: no display found (DISPLAY/WAYLAND_DISPLAY unset): running headless "
            "(offscreen). To see the screens, run: python -m kiosk tour --out tour",
            file=sys.stderr,
        )
    # No cyclic garbage collection until Welcome is drawn (a start makes little garbage;
    # the collector's passes over the freshly imported modules cost ~5 ms of CPU); then
    # what the start built is frozen out of later collections.
    gc.disable()
    try:
        from PySide6.QtCore import QTimer

        from kiosk.storage import StorageError
        from kiosk.ui.window import after_first_frame

        app = ensure_qapp()
        # Not built at the screen's size for kiosk mode: under cage (Wayland) a window
        # built at the output's size before it is shown full screen was never drawn (the
        # compositor showed black; tests/packaging/test_onefolder.py), and the saving was
        # too small to measure.
        try:
            win = build_window(data_dir, kiosk_mode=not windowed, size=size)
        except StorageError as exc:  # not even the bundled catalogue could be read
            print(f"kiosk: cannot open the database in {data_dir}: {exc}", file=sys.stderr)
            gc.enable()
            return 3

        def drawn() -> None:
            gc.freeze()
            gc.enable()
            try:
                start_sync(win, data_dir)  # the network never holds up the first frame
            except Exception:  # ratings stay queued; the next start tries again
                log.exception("the sync service could not start")
            QTimer.singleShot(250, win.prebuild)  # the other screens, after the first frame

        after_first_frame(win.current_screen() or win, drawn)
        win.show_kiosk()
    except BaseException:
        gc.enable()
        raise
    from kiosk.watchdog import SystemdNotifier

    notifier = SystemdNotifier.start(app)  # READY=1, then WATCHDOG=1 from the event loop
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
