from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from kiosk.ui import icons
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import button, label


class ThanksScreen(Screen):
    """Thank-you; back to Welcome by itself after a few seconds (or at a tap)."""

    name = "thanks"

    def __init__(self, win) -> None:
        super().__init__(win)
        self.icon = label()
        self.icon.setObjectName("thanks_sign")
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = label(role="title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = label(role="subtitle")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.home = button(role="primary", name="home")
        self.home.clicked.connect(lambda: self.win.go("welcome"))
        self.body.addStretch(1)
        self.body.addWidget(self.icon)
        self.body.addWidget(self.title)
        self.body.addWidget(self.text)
        self.body.addStretch(1)
        self.body.addWidget(self.home)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._timeout)

    def enter(self, **params) -> None:
        self.timer.start(int(self.win.setting_seconds("thanks_timeout_s", 5.0) * 1000))

    def _timeout(self) -> None:
        if self.win.current_screen() is self:
            self.win.go("welcome")

    def retranslate(self) -> None:
        # the same calm sign after every score: never a smile after "very dissatisfied"
        self.icon.setPixmap(icons.thanks(self.win.metrics.target))
        self.title.setText(tr("thanks_title", self.lang))
        self.text.setText(tr("thanks_body", self.lang))
        self.home.setText(tr("home", self.lang))
