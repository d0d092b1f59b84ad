from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.ui.i18n import pick, tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import IconText, button, clear_layout, label, scroll_area


class ServicesScreen(Screen):
    """The services of this counter; a tap opens one service's documents."""

    name = "services"

    def __init__(self, win) -> None:
        super().__init__(win)
        self.title = label(role="title")
        self.hint = label(role="subtitle")
        inner = QWidget()
        self.list = QVBoxLayout(inner)
        self.list.setSpacing(win.metrics.gap)
        self.list.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.title)
        self.body.addWidget(self.hint)
        self.body.addWidget(scroll_area(inner), 1)
        nav = QHBoxLayout()
        self.back = button(role=None, name="back")
        self.back.clicked.connect(lambda: self.win.go("welcome"))
        nav.addWidget(self.back)
        nav.addStretch(1)
        self.body.addLayout(nav)
        self.buttons: dict[str, IconText] = {}

    def retranslate(self) -> None:
        self.title.setText(tr("services_title", self.lang))
        self.hint.setText(tr("services_hint", self.lang))
        self.back.setText(tr("back", self.lang))
        clear_layout(self.list)
        self.buttons = {}
        services = self.win.store.counter_services()
        if not services:
            self.list.addWidget(label(tr("no_services", self.lang), "alert"))
        for svc in services:
            btn = IconText("service", name=f"service_{svc.code}")
            btn.set_content(None, pick(self.lang, svc.name_th, svc.name_en))
            btn.text_label.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
            btn.clicked.connect(lambda _=False, code=svc.code: self.win.go("service", code=code))
            self.list.addWidget(btn)
            self.buttons[svc.code] = btn
        self.list.addStretch(1)
