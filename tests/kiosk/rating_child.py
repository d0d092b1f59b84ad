"""A kiosk process that taps faces forever and prints ``ACK <uuid>`` after each tap.

An ACK is printed only once the screen after the tap is showing, i.e. once the kiosk
has told the citizen their rating is saved. The power-cut test kills it with SIGKILL.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from kiosk.app import ensure_qapp
    from kiosk.pin import PinGuard
    from kiosk.storage import KioskStore
    from kiosk.sync import LocalOnlySync
    from kiosk.ui.window import KioskWindow

    app = ensure_qapp()
    store = KioskStore.open(Path(sys.argv[1]))
    store.set_setting("min_rating_interval_s", 0)
    store.set_setting("followup_hold_s", 0)
    if not PinGuard(store).has_pin():
        PinGuard(store).set_pin("1234")
    win = KioskWindow(store, LocalOnlySync(), size=(1024, 600))
    win.show()
    print("READY", flush=True)
    score = 0
    while True:
        win.go("rating")
        app.processEvents()
        score = score % 5 + 1
        face = win.page("rating").faces[score]
        QTest.mouseClick(face, Qt.LeftButton, pos=face.rect().center())
        screen = win.current_screen()
        assert screen.name == "followup"
        print(f"ACK {screen.uuid}", flush=True)


if __name__ == "__main__":
    main()
