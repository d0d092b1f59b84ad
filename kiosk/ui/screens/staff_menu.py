from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

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


class StaffMenuScreen(Screen):
    name = "staff_menu"
    staff = True

    def __init__(self, win) -> None:
        super().__init__(win)
        self.title = label(role="title")
        self.notice = label(role="section")
        self.notice.setObjectName("staff_notice")
        self.action_grid = QWidget()
        grid = QGridLayout(self.action_grid)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(max(4, win.metrics.mm(1.5)))
        self.buttons = {}
        columns = 2 if win.metrics.portrait else 3
        for i, action in enumerate(ACTIONS):
            b = button(role="primary" if action == "staff_back" else None, name=action)
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
        self.leave_no = button(role="primary", name="leave_no")
        self.leave_yes = button(name="leave_yes")
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

    def sync_changed(self, state) -> None:
        """Show how the pass staff asked for ended, once it has."""
        if self.waiting_for_sync and not state.running:
            self.waiting_for_sync = False
            if state.last_error:
                why = sync_error_text(getattr(state, "last_error_kind", None), self.lang)
                text = tr("sync_done_failed", self.lang, error=why)
            else:
                text = tr("sync_done_ok", self.lang)
            self.enter(notice=text)

    def enter(self, notice: str | None = None, **params) -> None:
        self.notice.setText(notice or "")
        self.notice.setVisible(bool(notice))
        self._stay()

    def _stay(self) -> None:
        self.confirm.hide()
        self.action_grid.show()

    def _leave(self) -> None:
        self.confirm.hide()
        self.win.leave_kiosk_mode()

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
            self.action_grid.hide()
            self.confirm.show()
        elif action == "staff_back":
            self.win.leave_staff()

    def retranslate(self) -> None:
        self.title.setText(tr("staff_title", self.lang))
        self.confirm_text.setText(tr("leave_confirm", self.lang))
        self.leave_yes.setText(tr("leave_yes", self.lang))
        self.leave_no.setText(tr("leave_no", self.lang))
        for action, b in self.buttons.items():
            b.setText(tr(action, self.lang))
