from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.storage import Service, StorageError
from kiosk.ui import icons, theme
from kiosk.ui.context import UiState
from kiosk.ui.i18n import pick, tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import IconText, button, clear_layout, label, scroll_area


class StaffSetupNeeds(Protocol):
    def counter_services(self) -> list[Service]: ...
    def all_services(self) -> list[Service]: ...
    def set_counter_services(self, codes: list[str]) -> None: ...
    def storage_text(self, exc: StorageError, lang: str) -> str: ...


class StaffSetupScreen(Screen):
    """Choose which of the cached services this counter offers."""

    name = "staff_setup"
    staff = True
    back_requested = Signal()

    def __init__(self, ui: UiState, deps: StaffSetupNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        self.title = label(role="title")
        self.hint = label(role="subtitle")
        self.message = label(role="section")
        self.message.setObjectName("setup_message")
        inner = QWidget()
        self.list = QVBoxLayout(inner)
        self.list.setContentsMargins(0, 0, 0, 0)
        self.list.setSpacing(ui.metrics.gap)
        self.toggles: dict[str, IconText] = {}
        self.body.addWidget(self.title)
        self.body.addWidget(self.hint)
        self.body.addWidget(self.message)
        self.scrollbox = scroll_area(inner)
        self.body.addWidget(self.scrollbox, 1)
        self.back = button(name="back", lines=1)
        self.all = button(name="select_all", lines=1)
        self.none = button(name="select_none", lines=1)
        self.save = button(role="primary", name="save", lines=1)
        self.back.clicked.connect(self.back_requested.emit)
        self.all.clicked.connect(lambda: self._select(True))
        self.none.clicked.connect(lambda: self._select(False))
        self.save.clicked.connect(self._save)
        # four buttons do not fit across a narrow portrait screen: select all / none
        # get a row of their own above back and save
        nav = QHBoxLayout()
        if ui.metrics.portrait:
            choose = QHBoxLayout()
            choose.addWidget(self.all)
            choose.addWidget(self.none)
            choose.addStretch(1)
            self.body.addLayout(choose)
            nav.addWidget(self.back)
        else:
            for b in (self.back, self.all, self.none):
                nav.addWidget(b)
        nav.addStretch(1)
        nav.addWidget(self.save)
        self.body.addLayout(nav)

    def enter(self, **params: object) -> None:
        self.message.hide()
        chosen = {s.code for s in self.deps.counter_services()}
        services = self.deps.all_services()
        codes = [svc.code for svc in services]
        if codes != list(self.toggles):  # the catalogue changed: new toggles
            clear_layout(self.list)
            self.toggles = {}
            for svc in services:
                t = IconText("service", name=f"toggle_{svc.code}", chevron=True)  # left-aligned
                t.setCheckable(True)
                t.text_label.setAlignment(
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                )
                t.toggled.connect(lambda _=False, t=t: self._paint(t))
                self.list.addWidget(t)
                self.toggles[svc.code] = t
            self.list.addStretch(1)
        for code, t in self.toggles.items():
            t.setChecked(code in chosen)
        self.retranslate()
        # lay the list out now: new tiles must not be drawn on top of each other first
        self.scrollbox.settle()

    def _paint(self, t: IconText) -> None:
        """Selected: a check mark and the primary colour; not selected: an empty ring."""
        on = t.isChecked()
        colour = theme.ON_PRIMARY if on else theme.INK
        px = self.metrics.body_px
        t.icon_label.setPixmap(icons.check(px) if on else icons.circle(px))
        t.icon_label.show()
        t.text_label.setStyleSheet(f"background: transparent; color: {colour};")

    def _select(self, on: bool) -> None:
        for t in self.toggles.values():
            t.setChecked(on)

    def _save(self) -> None:
        codes = [code for code, t in self.toggles.items() if t.isChecked()]
        try:
            self.deps.set_counter_services(codes)
        except StorageError as exc:
            self.storage_failed.emit(exc)
            self.message.setText(self.deps.storage_text(exc, self.lang))
        else:
            self.message.setText(tr("staff_saved", self.lang))
        self.message.show()

    def retranslate(self) -> None:
        lang = self.lang
        self.title.setText(tr("staff_setup", lang))
        self.hint.setText(tr("staff_setup_hint", lang))
        self.back.setText(tr("back", lang))
        self.all.setText(tr("staff_select_all", lang))
        self.none.setText(tr("staff_select_none", lang))
        self.save.setText(tr("staff_save", lang))
        services = {s.code: s for s in self.deps.all_services()}
        for code, t in self.toggles.items():
            svc = services.get(code)
            if svc:
                t.set_content(None, pick(lang, svc.name_th, svc.name_en))
                t.icon_label.show()
                self._paint(t)
