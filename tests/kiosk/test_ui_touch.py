"""Touch targets of at least 15 mm, contrast of at least 4.5:1, no clipped text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea

from kiosk.tour import tour_steps
from kiosk.ui import theme
from tests.kiosk.conftest import make_window

SIZES = [(1280, 800, 10.1), (800, 480, 7.0), (1920, 1080, 21.5), (800, 1280, 10.1), (480, 800, 7.0)]


def in_scroll_area(w) -> bool:
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, QScrollArea):
            return True
        p = p.parentWidget()
    return False


def test_text_colour_pairs_have_contrast():
    for name, (fg, bg) in theme.TEXT_PAIRS.items():
        assert theme.contrast_ratio(fg, bg) >= 4.5, name


def test_contrast_check_can_fail():
    assert theme.contrast_ratio("#777777", "#888888") < 4.5
    assert round(theme.contrast_ratio("#000000", "#FFFFFF"), 1) == 21.0


def test_millimetres_follow_the_screen():
    assert theme.Metrics(1280, 800, 10.1).target == 89  # 149 dpi
    assert theme.Metrics(800, 480, 7.0).target == 79


@pytest.mark.parametrize(("w", "h", "diag"), SIZES)
def test_targets_are_big_and_text_is_not_clipped(store, qtbot, w, h, diag):
    store.set_setting("screen_diagonal_in", diag)
    win = make_window(store, qtbot, size=(w, h))
    m = win.metrics
    problems = []
    try:
        for lang in ("th", "en"):
            for stem, action in tour_steps(win):
                win.set_language(lang)
                action()
                win.set_language(lang)
                qtbot.wait(1)
                if win.size().toTuple() != (w, h):
                    problems.append(
                        f"{stem}/{lang}: content pushed the window to {win.size().toTuple()}"
                    )
                    win.resize(w, h)
                window_rect = QRect(0, 0, win.width(), win.height())
                for b in win.findChildren(QAbstractButton):
                    if not b.isVisible():
                        continue
                    need = m.key if b.property("role") == "key" else m.target
                    if min(b.width(), b.height()) < need:
                        problems.append(
                            f"{stem}/{lang}: {b.objectName() or b.text()!r} {b.width()}x{b.height()} < {need}"
                        )
                    if not in_scroll_area(b):
                        rect = QRect(b.mapTo(win, b.rect().topLeft()), b.size())
                        if not window_rect.contains(rect):
                            problems.append(
                                f"{stem}/{lang}: {b.objectName() or b.text()!r} off screen"
                            )
                for lab in win.findChildren(QLabel):
                    if not lab.isVisible() or not lab.text() or in_scroll_area(lab):
                        continue
                    need_h = (
                        lab.heightForWidth(lab.width())
                        if lab.wordWrap()
                        else lab.sizeHint().height()
                    )
                    if need_h > lab.height() + 2 or (
                        not lab.wordWrap() and lab.sizeHint().width() > lab.width() + 2
                    ):
                        problems.append(
                            f"{stem}/{lang}: clipped {lab.text()!r} {lab.size().toTuple()} needs h={need_h}"
                        )
    finally:
        win.unlocked = True
        win.close()
    assert not problems, "\n".join(problems[:30])
