"""Under a real X server (Xvfb), a screen whose text changed looks exactly like the same
screen drawn fresh: no pieces of the previous message left on screen (they were, under
X11 only, after five wrong PINs: Thai marks reach into a label's padding, which QLabel
did not repaint). The test starts its own Xvfb."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.xvfb import available, xvfb

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys, tempfile
from pathlib import Path
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

app = QApplication(["kiosk-test"])
from kiosk.pin import PinGuard
from kiosk.storage import KioskStore
from kiosk.sync import LocalOnlySync
from kiosk.ui.window import KioskWindow

store = KioskStore.open(Path(tempfile.mkdtemp()))
PinGuard(store).set_pin("1234")
win = KioskWindow(store, LocalOnlySync(), size=(1280, 800))
win.move(0, 0)
win.show()
QTest.qWaitForWindowExposed(win)
QTest.qWait(200)

def differs(stem):
    QTest.qWait(250)  # let X draw what Qt sent
    shown = QGuiApplication.primaryScreen().grabWindow(win.winId()).toImage()
    fresh = win.grab().toImage()  # the same widgets painted from scratch
    shown = shown.convertToFormat(QImage.Format_RGB32)
    fresh = fresh.convertToFormat(QImage.Format_RGB32)
    if shown.size() != fresh.size():
        n = -1
    elif shown == fresh:
        n = 0
    else:
        a, b = shown.constBits().tobytes(), fresh.constBits().tobytes()
        n = sum(1 for i in range(0, len(a), 4) if a[i : i + 4] != b[i : i + 4])
    if n:
        shown.save(f"{sys.argv[1]}/{stem}-shown.png")
        fresh.save(f"{sys.argv[1]}/{stem}-fresh.png")
    return n

out = {}
win.open_staff()
pin = win.current_screen()
for i in range(5):  # wrong PINs: the message changes each time, then the lockout
    for k in "0000":
        pin.press(k)
    pin.press("ok")
    out[f"pin_wrong_{i}"] = differs(f"pin-{i}")
win.staff_unlocked = False
win.go("welcome")
for lang in ("en", "th"):  # every text of a screen changes at once
    win.set_language(lang)
    out[f"welcome_{lang}"] = differs(f"welcome-{lang}")
win.go("rating")
win.set_language("en")
out["rating_en"] = differs("rating-en")
print(json.dumps(out))
"""


@pytest.mark.skipif(not available(), reason="Xvfb is not installed (scripts/setup.sh does)")
def test_changed_text_leaves_no_fragments_under_x11(tmp_path):
    with xvfb(1280, 800) as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(REPO)}
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(tmp_path)],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    stale = {k: v for k, v in out.items() if v}
    assert not stale, f"pixels differ from a fresh drawing (PNGs in {tmp_path}): {stale}"
