from __future__ import annotations

from PySide6.QtWidgets import QGridLayout

from kiosk.ui.i18n import tr
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


class StaffMenuScreen(Screen):
    name = "staff_menu"
    staff = True

    def __init__(self, win) -> None:
        super().__init__(win)
        self.title = label(role="title")
        self.notice = label(role="section")
        self.notice.setObjectName("staff_notice")
        grid = QGridLayout()
        grid.setSpacing(max(4, win.metrics.mm(1.5)))
        self.buttons = {}
        columns = 2 if win.metrics.portrait else 3
        for i, action in enumerate(ACTIONS):
            b = button(role="primary" if action == "staff_back" else None, name=action)
            b.clicked.connect(lambda _=False, a=action: self.act(a))
            grid.addWidget(b, i // columns, i % columns)
            self.buttons[action] = b
        self.body.addWidget(self.title)
        self.body.addWidget(self.notice)
        self.body.addLayout(grid, 1)
        self.waiting_for_sync = False

    def sync_changed(self, state) -> None:
        """Show how the pass staff asked for ended, once it has."""
        if self.waiting_for_sync and not state.running:
            self.waiting_for_sync = False
            if state.last_error:
                text = tr("sync_done_failed", self.lang, error=state.last_error)
            else:
                text = tr("sync_done_ok", self.lang)
            self.enter(notice=text)

    def enter(self, notice: str | None = None, **params) -> None:
        self.notice.setText(notice or "")
        self.notice.setVisible(bool(notice))

    def act(self, action: str) -> None:
        if action == "staff_setup":
            self.win.go("staff_setup")
        elif action == "staff_status":
            self.win.go("staff_status")
        elif action == "staff_enrol":
            self.win.go("staff_enrol")
        elif action == "staff_sync_now":
            self.win.sync.sync_now()
            state = self.win.sync.state()
            self.waiting_for_sync = state.enrolled
            key = "sync_requested" if state.enrolled else "sync_not_enrolled"
            self.enter(notice=tr(key, self.lang))
        elif action == "staff_change_pin":
            self.win.go("pin", mode="change", after="staff_menu")
        elif action == "staff_leave":
            self.win.leave_kiosk_mode()
        elif action == "staff_back":
            self.win.leave_staff()

    def retranslate(self) -> None:
        self.title.setText(tr("staff_title", self.lang))
        for action, b in self.buttons.items():
            b.setText(tr(action, self.lang))
