"""Fixtures for the kiosk: a real SQLite store in a temp folder and a real window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

STAFF_PIN = "1234"


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "kiosk-data"


@pytest.fixture
def store(data_dir):
    from kiosk.storage import KioskStore

    s = KioskStore.open(data_dir)
    yield s
    s.close()


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


def make_window(store, qtbot, clock=None, size=(1280, 800), pin: str | None = STAFF_PIN):
    from kiosk.pin import PinGuard
    from kiosk.sync import LocalOnlySync
    from kiosk.ui.window import KioskWindow

    if pin is not None and not PinGuard(store).has_pin():
        PinGuard(store).set_pin(pin)
    kwargs = {"clock": clock} if clock is not None else {}
    win = KioskWindow(store, LocalOnlySync(), size=size, **kwargs)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def window(store, qtbot, clock):
    win = make_window(store, qtbot, clock)
    yield win
    win.unlocked = True
    win.close()


def tap(qtbot, widget: QWidget) -> None:
    """A finger tap: press and release in the middle of the widget."""
    assert widget.isVisible(), f"{widget.objectName() or widget} is not on screen"
    assert widget.isEnabled(), f"{widget.objectName() or widget} is disabled"
    qtbot.mouseClick(widget, Qt.LeftButton, pos=widget.rect().center())
    qtbot.wait(1)  # let the event loop show new widgets and delete old ones


def show(qtbot, win, name: str, **params) -> None:
    """Navigate as the app does, then let the event loop draw the new screen."""
    win.go(name, **params)
    qtbot.wait(1)


def find(win, name: str, cls=QWidget) -> QWidget:
    """The visible widget called ``name`` on the current screen (or the header/overlay)."""
    candidates = [w for w in win.findChildren(cls, name) if w.isVisible()]
    assert candidates, f"no visible widget named {name!r} on {win.current_screen().name}"
    return candidates[0]


def visible_texts(win) -> list[str]:
    """Every text a person can see on the window right now."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QPlainTextEdit

    texts = []
    for w in win.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, QLabel) and w.text() or isinstance(w, QAbstractButton) and w.text():
            texts.append(w.text())
        elif isinstance(w, QPlainTextEdit):
            texts.append(w.toPlainText() or w.placeholderText())
        elif callable(getattr(w, "texts", None)):  # a widget that draws its own text
            texts.extend(w.texts())
    return texts
