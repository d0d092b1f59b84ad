from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from kiosk.storage import Service
from kiosk.ui import icons
from kiosk.ui.context import UiState
from kiosk.ui.i18n import pick, tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import IconText, button, clear_layout, label, scroll_area


def tile_columns(width: int, height: int) -> int:
    """Service tiles side by side: three on a wide landscape screen (twelve services fit
    1280x800 without scrolling), two on a smaller landscape one, one in portrait."""
    if height > width:
        return 1
    return 3 if width >= 1200 else 2


class ServicesNeeds(Protocol):
    def counter_services(self) -> list[Service]: ...


class ServicesScreen(Screen):
    """The services of this counter as padded tiles; a tap opens one service's documents."""

    name = "services"
    back_requested = Signal()
    #: a service's code
    service_chosen = Signal(str)

    def __init__(self, ui: UiState, deps: ServicesNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        self.title = label(role="title")
        self.hint = label(role="subtitle")
        inner = QWidget()
        self.grid = QGridLayout(inner)
        self.grid.setSpacing(ui.metrics.gap)
        self.grid.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.hint, 1)
        self.body.addLayout(head)
        self.scrollbox = scroll_area(inner)
        self.body.addWidget(self.scrollbox, 1)
        nav = QHBoxLayout()
        self.back = button(role=None, name="back", lines=1)
        self.back.clicked.connect(self.back_requested.emit)
        nav.addWidget(self.back)
        nav.addStretch(1)
        self.body.addLayout(nav)
        self.buttons: dict[str, IconText] = {}
        self._built: tuple | None = None  # what the tiles show: rebuilt only when it changes

    def retranslate(self) -> None:
        m = self.metrics
        self.title.setText(tr("services_title", self.lang))
        self.hint.setText(tr("services_hint", self.lang))
        self.back.setText(tr("back", self.lang))
        services = self.deps.counter_services()
        key = (self.lang, m, tuple(services))
        if key == self._built:
            return
        self._built = key
        clear_layout(self.grid)
        self.buttons = {}
        if not services:
            self.grid.addWidget(label(tr("no_services", self.lang), "alert"), 0, 0)
        columns = tile_columns(m.width, m.height)
        chevron = icons.chevron(max(16, m.body_px))
        for i, svc in enumerate(services):
            btn = IconText("service", name=f"service_{svc.code}", chevron=True)
            btn.set_content(None, pick(self.lang, svc.name_th, svc.name_en))
            btn.set_chevron(chevron)
            btn.text_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            btn.set_min_height(m.target)
            btn.box.setContentsMargins(m.gap, 6, m.gap // 2, 6)
            btn.clicked.connect(lambda _=False, code=svc.code: self.service_chosen.emit(code))
            self.grid.addWidget(btn, i // columns, i % columns)
            self.buttons[svc.code] = btn
        for c in range(columns):
            self.grid.setColumnStretch(c, 1)
        self.grid.setRowStretch(len(services) // columns + 1, 1)
        self.scrollbox.settle()
