"""Small building blocks shared by the screens."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.i18n import tr


def label(text: str = "", role: str | None = None, wrap: bool = True) -> QLabel:
    lab = QLabel(text)
    lab.setWordWrap(wrap)
    lab.setTextFormat(Qt.PlainText)
    if role:
        lab.setProperty("role", role)
    return lab


def button(text: str = "", role: str | None = None, name: str | None = None) -> QPushButton:
    btn = QPushButton(text)
    btn.setFocusPolicy(Qt.NoFocus)
    if role:
        btn.setProperty("role", role)
    if name:
        btn.setObjectName(name)
    return btn


def set_role(widget: QWidget, role: str) -> None:
    """Change a widget's style role and make Qt re-apply the style sheet."""
    if widget.property("role") != role:
        widget.setProperty("role", role)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def scroll_area(inner: QWidget) -> QScrollArea:
    """A vertical scroll area that scrolls with a finger drag (kinetic, touch only: mouse
    clicks and taps on buttons inside go straight through, with no press delay)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    area.setWidget(inner)
    QScroller.grabGesture(area.viewport(), QScroller.TouchGesture)
    return area


def clear_layout(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().hide()
            item.widget().deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


class IconText(QPushButton):
    """A big button with an icon above or beside a word-wrapped label.

    The labels ignore the mouse, so a tap anywhere on the button presses it.
    """

    def __init__(self, role: str = "primary", vertical: bool = False, name: str | None = None):
        super().__init__()
        self.setFocusPolicy(Qt.NoFocus)
        self.setProperty("role", role)
        if name:
            self.setObjectName(name)
        box = QBoxLayout(QBoxLayout.TopToBottom if vertical else QBoxLayout.LeftToRight, self)
        box.setContentsMargins(2, 2, 2, 2)
        box.setSpacing(4)
        self.icon_label = QLabel()
        self.icon_label.setAlignment(Qt.AlignCenter)
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setAlignment(Qt.AlignCenter)
        for lab in (self.icon_label, self.text_label):
            lab.setAttribute(Qt.WA_TransparentForMouseEvents)
            lab.setStyleSheet("background: transparent; color: inherit;")
        box.addWidget(self.icon_label, 0, Qt.AlignCenter)
        box.addWidget(self.text_label, 1)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_vertical(self, vertical: bool) -> None:
        self.layout().setDirection(QBoxLayout.TopToBottom if vertical else QBoxLayout.LeftToRight)

    def set_content(self, pixmap: QPixmap | None, text: str, colour: str | None = None) -> None:
        if pixmap is not None:
            self.icon_label.setPixmap(pixmap)
        self.icon_label.setVisible(pixmap is not None)
        self.text_label.setText(text)
        if colour:
            self.text_label.setStyleSheet(f"background: transparent; color: {colour};")

    def text(self) -> str:  # noqa: D401 - keeps QPushButton's API meaningful for tests
        return self.text_label.text()

    def sizeHint(self):  # noqa: N802 - Qt API
        hint = super().sizeHint()
        inner = self.layout().sizeHint()
        return hint.expandedTo(inner)

    def minimumSizeHint(self):  # noqa: N802 - Qt API
        return super().minimumSizeHint().expandedTo(self.layout().minimumSize())


class Header(QWidget):
    """Service point and counter, the online mark and the TH | EN switch.

    Five taps on the service point's name within four seconds is the hidden staff
    gesture (``staff_gesture`` signal).
    """

    language_chosen = Signal(str)
    staff_gesture = Signal()

    TAPS = 5
    WINDOW_S = 4.0

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "header")
        self.setAttribute(Qt.WA_StyledBackground, True)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 4)
        self.gesture_area = QPushButton()
        self.gesture_area.setObjectName("staff_gesture")
        self.gesture_area.setProperty("role", "hidden")
        self.gesture_area.setFocusPolicy(Qt.NoFocus)
        names = QVBoxLayout(self.gesture_area)
        names.setContentsMargins(0, 0, 0, 0)
        names.setSpacing(0)
        self.title = label(role="header_title")
        self.subtitle = label(role="header_sub")
        for lab in (self.title, self.subtitle):
            lab.setAttribute(Qt.WA_TransparentForMouseEvents)
            names.addWidget(lab)
        self.gesture_area.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        row.addWidget(self.gesture_area, 1)
        self.net = label(role="offline", wrap=False)
        self.net.setObjectName("net_mark")
        row.addWidget(self.net, 0, Qt.AlignVCenter)
        self.lang_th = button(tr("lang_switch_th", "th"), "lang", "lang_th")
        self.lang_en = button(tr("lang_switch_en", "en"), "lang", "lang_en")
        for b, lang in ((self.lang_th, "th"), (self.lang_en, "en")):
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, lang=lang: self.language_chosen.emit(lang))
            row.addWidget(b, 0, Qt.AlignVCenter)
        self._taps: list[float] = []
        self.gesture_area.clicked.connect(self._tap)

    def _tap(self) -> None:
        now = time.monotonic()
        self._taps = [t for t in self._taps if now - t < self.WINDOW_S] + [now]
        if len(self._taps) >= self.TAPS:
            self._taps.clear()
            self.staff_gesture.emit()

    def show_place(self, title: str, subtitle: str) -> None:
        self.title.setText(title)
        self.subtitle.setText(subtitle)

    def show_language(self, lang: str) -> None:
        self.lang_th.setChecked(lang == "th")
        self.lang_en.setChecked(lang == "en")

    def show_network(self, online: bool | None, lang: str) -> None:
        is_online = bool(online)
        self.net.setText(
            ("• " if is_online else "× ") + tr("online" if is_online else "offline", lang)
        )
        set_role(self.net, "online" if is_online else "offline")
