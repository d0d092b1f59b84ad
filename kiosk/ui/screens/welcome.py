from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, Signal

from kiosk.ui import icons, theme
from kiosk.ui.context import UiState
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import IconText, label


class WelcomeNeeds(Protocol):
    def attention(self, lang: str) -> str | None: ...


class WelcomeScreen(Screen):
    name = "welcome"
    rate_requested = Signal()
    documents_requested = Signal()

    def __init__(self, ui: UiState, deps: WelcomeNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        self.title = label(role="title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = label(role="subtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.attention = label(role="alert")
        self.attention.setObjectName("attention_banner")
        self.rate = IconText("primary", name="rate_action")
        self.docs = IconText("secondary", name="docs_action")
        self.rate.clicked.connect(self.rate_requested.emit)
        self.docs.clicked.connect(self.documents_requested.emit)
        self.body.addWidget(self.title)
        self.body.addWidget(self.subtitle)
        self.body.addWidget(self.attention)
        self.body.addWidget(self.rate, 3)
        self.body.addWidget(self.docs, 2)

    def enter(self, **params: object) -> None:
        self.attention.setVisible(self.deps.attention(self.lang) is not None)

    def retranslate(self) -> None:
        m = self.metrics
        self.title.setText(tr("welcome_title", self.lang))
        self.subtitle.setText(tr("welcome_subtitle", self.lang))
        self.attention.setText(tr("attention_banner", self.lang))
        self.rate.set_content(icons.star(m.target), tr("rate_action", self.lang), theme.ON_PRIMARY)
        self.docs.set_content(
            icons.document(m.target, theme.PRIMARY), tr("docs_action", self.lang), theme.PRIMARY
        )
