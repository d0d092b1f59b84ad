from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, QTimer, Signal

from kiosk.ui import icons
from kiosk.ui.context import UiState
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import button, label


class ThanksNeeds(Protocol):
    def setting_seconds(self, key: str, default: float) -> float: ...


class ThanksScreen(Screen):
    """Thank-you; back to Welcome by itself after a few seconds (or at a tap)."""

    name = "thanks"
    #: the citizen is done (a tap on Home, or the few seconds are over)
    finished = Signal()

    def __init__(self, ui: UiState, deps: ThanksNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        self.icon = label()
        self.icon.setObjectName("thanks_sign")
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = label(role="title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = label(role="subtitle")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.home = button(role="primary", name="home", lines=1)
        self.home.clicked.connect(self.finished.emit)
        self.body.addStretch(1)
        self.body.addWidget(self.icon)
        self.body.addWidget(self.title)
        self.body.addWidget(self.text)
        self.body.addStretch(1)
        self.body.addWidget(self.home)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._timeout)

    def enter(self, **params: object) -> None:
        self.timer.start(int(self.deps.setting_seconds("thanks_timeout_s", 5.0) * 1000))

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.timer.stop()  # another screen came first: the timeout is void
        super().hideEvent(event)

    def _timeout(self) -> None:
        if self.isVisible():
            self.finished.emit()

    def retranslate(self) -> None:
        # the same calm sign after every score: never a smile after "very dissatisfied"
        self.icon.setPixmap(icons.thanks(self.metrics.target))
        self.title.setText(tr("thanks_title", self.lang))
        self.text.setText(tr("thanks_body", self.lang))
        self.home.setText(tr("home", self.lang))
