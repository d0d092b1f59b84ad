"""Render every screen offscreen, in Thai and English, to PNG files.

The tour works on a throw-away copy of the kiosk's database, so the ratings it taps and
the PIN it sets never reach the real outbox.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

TOUR_PIN = "2468"


def _copy_database(data_dir: Path, into: Path) -> None:
    src = data_dir / "kiosk.db"
    if not src.exists():
        return
    with (
        sqlite3.connect(f"file:{src}?mode=ro", uri=True) as s,
        sqlite3.connect(into / "kiosk.db") as d,
    ):
        s.backup(d)


def tour_steps(win) -> Iterator[tuple[str, Callable[[], None]]]:
    """(file stem, action that puts the window in that state) for every screen."""
    from kiosk.pin import PinGuard

    guard = PinGuard(win.store, win.clock)
    services = win.store.counter_services() or win.store.all_services()
    with_copies = next(
        (s for s in services if any(d.copy_status == "copy_required" for d in s.documents)), None
    )

    yield "welcome", lambda: win.go("welcome")
    yield "services", lambda: win.go("services")
    if services:
        yield "service", lambda: win.go("service", code=services[0].code)
    if with_copies is not None:
        yield "service-copies", lambda: win.go("service", code=with_copies.code)
    yield "rating", lambda: win.go("rating")

    def followup() -> None:
        ref = win.store.record_rating(5, services[0].code if services else None)
        win.go("followup", uuid=ref.uuid)

    yield "followup", followup
    yield "comment", lambda: win.go("comment")
    yield "thanks", lambda: win.go("thanks")

    def idle() -> None:
        win.go("services")
        win._idle()

    yield "idle-warning", idle

    def first_run() -> None:
        win.go("pin", mode="first_run", after="staff_setup")

    yield "pin-first-run", first_run

    def unlock() -> None:
        guard.set_pin(TOUR_PIN)
        win.staff_unlocked = False
        win.go("pin", mode="unlock", after="staff_menu")

    yield "pin", unlock

    def staff(name: str) -> Callable[[], None]:
        def show() -> None:
            win.staff_unlocked = True
            win.go(name)

        return show

    yield "staff-menu", staff("staff_menu")
    yield "staff-setup", staff("staff_setup")
    yield "staff-status", staff("staff_status")
    yield "staff-enrol", staff("staff_enrol")

    def enrol_typing() -> None:
        staff("staff_enrol")()
        screen = win.page("staff_enrol")
        screen._focus(screen.url)  # as a tap on the server field does

    yield "staff-enrol-typing", enrol_typing


def render_tour(data_dir: Path, out: Path, sizes: list[tuple[int, int]]) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtTest import QTest

    from kiosk.app import ensure_qapp
    from kiosk.storage import KioskStore
    from kiosk.sync import LocalOnlySync
    from kiosk.ui.window import KioskWindow

    app = ensure_qapp()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-tour-") as tmp:
        _copy_database(Path(data_dir), Path(tmp))
        store = KioskStore.open(Path(tmp))
        try:
            for w, h in sizes:
                suffix = "" if (w, h) == (1280, 800) and len(sizes) == 1 else f"-{w}x{h}"
                win = KioskWindow(store, LocalOnlySync(), size=(w, h))
                win.show()
                for lang in ("th", "en"):
                    for stem, action in tour_steps(win):
                        win.set_language(lang)
                        action()
                        win.set_language(lang)
                        QTest.qWait(30)  # let layouts settle as they do before a real frame
                        path = out / f"{stem}-{lang}{suffix}.png"
                        win.grab().save(str(path))
                        written.append(path)
                        win.poke()
                win.unlocked = True
                win.close()
                win.deleteLater()
                app.processEvents()
        finally:
            store.close()
    return written
