"""Every word on every screen fits inside the widget that shows it.

Walks every screen of the tour (citizen and staff) on a 7-inch screen both ways up
(480x800, 800x480) and a 10-inch one both ways up (1280x800, 800x1280), in Thai and
English, and measures with the font's own metrics:

- a button's own text (``QPushButton.text``) against the inside of the button as the
  style sheet draws it (border and padding taken off, the icon and its gap too);
- a label's text against its contents rectangle, wrapped at word boundaries (Thai ones
  too) where the label wraps;
- the label, or the words of a tile (``IconText``), inside everything it sits in up to
  the window (a scroll area's page may be taller than its view: that part scrolls).

Under Xvfb at 480x800 the service page's buttons read "ย้อนกลั" and "รับบริการแล้ว?
ให้คะแนนเร" (issue 8): QPushButton cuts its text off where it runs out of room, and the
touch test only measured labels.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from kiosk.tour import tour_steps
from tests.kiosk.conftest import make_window

SIZES = [(480, 800, 7.0), (800, 480, 7.0), (1280, 800, 10.1), (800, 1280, 10.1)]
#: a button's text and its icon stand this far apart (QStyleSheetStyle, QCommonStyle)
ICON_GAP = 4


def button_text_rect(b: QPushButton) -> QRect:
    """Where ``b``'s own text may go: inside border and padding, beside its icon."""
    opt = QStyleOptionButton()
    b.initStyleOption(opt)
    inner = b.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, b)
    if not b.icon().isNull():
        inner.setLeft(inner.left() + b.iconSize().width() + ICON_GAP)
    return inner


def button_problem(b: QPushButton) -> str | None:
    text = QPushButton.text(b).replace("&&", "\0").replace("&", "").replace("\0", "&")
    if not text:
        return None
    room = button_text_rect(b)
    fm = b.fontMetrics()
    lines = text.split("\n")
    need_w = max(fm.horizontalAdvance(line) for line in lines)
    need_h = fm.height() * len(lines)
    if need_w > room.width() or need_h > room.height():
        return f"button {text!r} needs {need_w}x{need_h}, has {room.width()}x{room.height()}"
    return None


def label_problem(lab: QLabel) -> str | None:
    text = lab.text()
    if not text or lab.textFormat() == Qt.TextFormat.RichText:
        return None
    room = lab.contentsRect()
    m = lab.margin()
    room.adjust(m, m, -m, -m)
    fm = lab.fontMetrics()
    if lab.wordWrap():
        # wrapped where QLabel wraps (Thai word boundaries too); a word longer than the
        # line still sticks out
        flags = int(lab.alignment()) | Qt.TextFlag.TextWordWrap.value
        need_w = fm.boundingRect(QRect(0, 0, room.width(), 100_000), flags, text).width()
        need_h = lab.heightForWidth(lab.width())
    else:
        need_w = max(fm.horizontalAdvance(line) for line in text.split("\n"))
        need_h = lab.minimumSizeHint().height()
    if need_w > room.width() or need_h > lab.height():
        return (
            f"label {text!r} needs {need_w} wide and {need_h} high,"
            f" has {room.width()} of {lab.width()}x{lab.height()}"
        )
    return None


def outside_problem(w: QWidget) -> str | None:
    """``w`` reaches out of something it sits in (so part of it is cut off)."""
    child = w
    parent = w.parentWidget()
    while parent is not None:
        if isinstance(parent.parentWidget(), QAbstractScrollArea):
            return None  # parent is a scroll area's view: its page scrolls
        if not parent.rect().contains(child.geometry()):
            return (
                f"{w.__class__.__name__} {describe(w)!r} at {child.geometry().getRect()}"
                f" leaves {parent.__class__.__name__} {parent.objectName()!r}"
                f" of {parent.width()}x{parent.height()}"
            )
        if parent.isWindow():
            return None
        child, parent = parent, parent.parentWidget()
    return None


def describe(w: QWidget) -> str:
    if isinstance(w, QPushButton):
        return QPushButton.text(w) or w.text() or w.objectName()
    if isinstance(w, QLabel):
        return w.text()
    return w.objectName()


def text_problems(win: QWidget) -> list[str]:
    """Every visible text on ``win`` that does not fit its widget."""
    out: list[str] = []
    for w in win.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, QPushButton):
            problem = button_problem(w)
        elif isinstance(w, QLabel) and w.text():
            problem = label_problem(w)
        else:
            continue
        problem = problem or outside_problem(w)
        if problem:
            out.append(problem)
    return out


@pytest.mark.parametrize(("w", "h", "diag"), SIZES, ids=[f"{w}x{h}" for w, h, _ in SIZES])
def test_every_text_fits_its_widget(store, qtbot, w, h, diag):
    store.set_setting("screen_diagonal_in", diag)
    win = make_window(store, qtbot, size=(w, h))
    problems: list[str] = []
    try:
        for lang in ("th", "en"):
            for stem, action in tour_steps(win):
                win.set_language(lang)
                action()
                win.set_language(lang)
                qtbot.wait(1)
                problems += [f"{w}x{h} {stem}/{lang}: {p}" for p in text_problems(win)]
    finally:
        win.unlocked = True
        win.close()
    assert not problems, "\n".join(problems)


def test_the_check_sees_a_cut_off_button_and_label(store, qtbot):
    """The check is not blind: a button or a label narrower than its words is caught."""
    win = make_window(store, qtbot, size=(1280, 800))
    try:
        win.go("service", code=(store.counter_services() or store.all_services())[0].code)
        qtbot.wait(1)
        assert text_problems(win) == []
        back = win.current_screen().back
        words = back.text()
        QPushButton.setText(back, words * 3)  # shown as is, three times too wide
        assert any("button" in p for p in text_problems(win))
        QPushButton.setText(back, words)
        assert text_problems(win) == []
        title = win.current_screen().title
        title.setWordWrap(False)
        title.setFixedWidth(title.width() // 4)
        qtbot.wait(1)
        assert any("label" in p for p in text_problems(win))
    finally:
        win.unlocked = True
        win.close()
