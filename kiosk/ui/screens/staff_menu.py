from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.sync import SyncState
from kiosk.ui.context import UiState
from kiosk.ui.i18n import sync_error_text, tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import button, label

ACTIONS = (
    "staff_setup",
    "staff_status",
    "staff_sync_now",
    "staff_enrol",
    "staff_change_pin",
    "staff_leave",
    "staff_back",
)


class StaffMenuNeeds(Protocol):
    def sync_now(self) -> None: ...
    def sync_state(self) -> SyncState: ...


class StaffMenuScreen(Screen):
    name = "staff_menu"
    staff = True
    setup_requested = Signal()
    status_requested = Signal()
    enrol_requested = Signal()
    change_pin_requested = Signal()
    #: staff confirmed "Leave kiosk mode?"
    leave_confirmed = Signal()
    #: Back to Welcome: staff mode ends
    back_requested = Signal()

    def __init__(self, ui: UiState, deps: StaffMenuNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        m = ui.metrics
        self.title = label(role="title")
        self.notice = label(role="section")
        self.notice.setObjectName("staff_notice")
        self.action_grid = QWidget()
        grid = QGridLayout(self.action_grid)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(max(4, m.mm(1.5)))
        self.buttons = {}
        columns = 2 if m.portrait else 3
        for i, action in enumerate(ACTIONS):
            b = button(role="primary" if action == "staff_back" else None, name=action, lines=2)
            b.clicked.connect(lambda _=False, a=action: self.act(a))
            grid.addWidget(b, i // columns, i % columns)
            self.buttons[action] = b
        # leaving kiosk mode asks first: one stray tap must not close the counter
        self.confirm = QFrame()
        self.confirm.setObjectName("leave_confirm")
        self.confirm.setProperty("role", "overlay")
        box = QVBoxLayout(self.confirm)
        self.confirm_text = label(role="section")
        box.addWidget(self.confirm_text)
        row = QHBoxLayout()
        self.leave_no = button(role="primary", name="leave_no", lines=1)
        self.leave_yes = button(name="leave_yes", lines=1)
        self.leave_no.clicked.connect(self._stay)
        self.leave_yes.clicked.connect(self._leave)
        row.addWidget(self.leave_no)
        row.addStretch(1)
        row.addWidget(self.leave_yes)
        box.addLayout(row)
        self.confirm.hide()
        self.body.addWidget(self.title)
        self.body.addWidget(self.notice)
        self.body.addWidget(self.confirm)
        self.body.addWidget(self.action_grid, 1)
        self.waiting_for_sync = False

    def sync_changed(self, state: SyncState) -> None:
        """Show how the pass staff asked for ended, once it has."""
        if self.waiting_for_sync and not state.running:
            self.waiting_for_sync = False
            if state.last_error:
                why = sync_error_text(getattr(state, "last_error_kind", None), self.lang)
                text = tr("sync_done_failed", self.lang, error=why)
            else:
                text = tr("sync_done_ok", self.lang)
            self.enter(notice=text)

    def enter(self, notice: str | None = None, **params: object) -> None:
        self.notice.setText(notice or "")
        self.notice.setVisible(bool(notice))
        self._stay()

    def _stay(self) -> None:
        self.confirm.hide()
        self.action_grid.show()

    def _leave(self) -> None:
        self.confirm.hide()
        self.leave_confirmed.emit()

    def act(self, action: str) -> None:
        if action == "staff_setup":
            self.setup_requested.emit()
        elif action == "staff_status":
            self.status_requested.emit()
        elif action == "staff_enrol":
            self.enrol_requested.emit()
        elif action == "staff_sync_now":
            self.deps.sync_now()
            state = self.deps.sync_state()
            self.waiting_for_sync = state.enrolled
            key = "sync_requested" if state.enrolled else "sync_not_enrolled"
            self.enter(notice=tr(key, self.lang))
        elif action == "staff_change_pin":
            self.change_pin_requested.emit()
        elif action == "staff_leave":
            self.action_grid.hide()
            self.confirm.show()
        elif action == "staff_back":
            self.back_requested.emit()

    def retranslate(self) -> None:
        self.title.setText(tr("staff_title", self.lang))
        self.confirm_text.setText(tr("leave_confirm", self.lang))
        self.leave_yes.setText(tr("leave_yes", self.lang))
        self.leave_no.setText(tr("leave_no", self.lang))
        for action, b in self.buttons.items():
            b.setText(tr(action, self.lang))
