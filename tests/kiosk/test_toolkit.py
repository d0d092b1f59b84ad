"""Guard against a toolkit bug that would crash a kiosk after a few thousand taps.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every call of a method
that returns nothing; when None's count reaches zero the interpreter aborts with
"deallocating None". A kiosk calls such methods on every tap, so it must run on a
PySide6 release that keeps the count steady.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel


def none_refs_lost(fn, times: int = 300) -> int:
    before = sys.getrefcount(None)
    for _ in range(times):
        fn()
    return before - sys.getrefcount(None)


def test_void_calls_keep_none_alive(qapp):
    label = QLabel("x")
    img = QImage(8, 8, QImage.Format_RGB32)
    painter = QPainter(img)
    try:
        calls = {
            "QLabel.setText": lambda: label.setText("y"),
            "QWidget.setVisible": lambda: label.setVisible(False),
            "QPainter.setPen": lambda: painter.setPen(Qt.NoPen),
            "QPainter.drawRect": lambda: painter.drawRect(1, 1, 2, 2),
            "QImage.fill": lambda: img.fill(QColor("#fff")),
        }
        lost = {name: none_refs_lost(fn) for name, fn in calls.items()}
    finally:
        painter.end()
    assert all(n < 50 for n in lost.values()), f"references to None lost per 300 calls: {lost}"
