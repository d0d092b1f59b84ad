from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QWidget

from kiosk.storage import DIMENSIONS, StorageError
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import button, label, scroll_area


class FollowupScreen(Screen):
    """Optional follow-ups; every answer updates the rating row at once."""

    name = "followup"

    def __init__(self, win) -> None:
        super().__init__(win)
        self.uuid: str | None = None
        self.saved = label(role="section")
        self.saved.setObjectName("rating_saved")
        self.title = label(role="subtitle")
        inner = QWidget()
        grid = QGridLayout(inner)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(win.metrics.gap)
        # the copy question first: it checks the declared No Copy status
        self.copy_q = label(role="section")
        grid.addWidget(self.copy_q, 0, 0, 1, 3)
        self.yes = button(role="chip", name="copy_yes")
        self.no = button(role="chip", name="copy_no")
        for b, value in ((self.yes, True), (self.no, False)):
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, v=value: self._save_copy(v))
        grid.addWidget(self.yes, 1, 0)
        grid.addWidget(self.no, 1, 1)
        self.about = label(role="section")
        grid.addWidget(self.about, 2, 0, 1, 3)
        self.chips: dict[str, QPushButton] = {}
        for i, dim in enumerate(DIMENSIONS):
            chip = button(role="chip", name=f"dim_{dim}")
            chip.setCheckable(True)
            chip.toggled.connect(self._save_dimensions)
            grid.addWidget(chip, 3 + i // 3, i % 3)
            self.chips[dim] = chip
        self.comment = button(name="comment_add")
        self.comment.clicked.connect(lambda: self.win.go("comment", uuid=self.uuid))
        grid.addWidget(self.comment, 5, 0, 1, 3)
        self.body.addWidget(self.saved)
        self.body.addWidget(self.title)
        self.body.addWidget(scroll_area(inner), 1)
        nav = QHBoxLayout()
        self.skip = button(name="skip")
        self.done = button(role="primary", name="done")
        self.skip.clicked.connect(lambda: self.win.go("thanks"))
        self.done.clicked.connect(lambda: self.win.go("thanks"))
        nav.addWidget(self.skip)
        nav.addStretch(1)
        nav.addWidget(self.done)
        self.body.addLayout(nav)

    def enter(self, uuid: str | None = None, **params) -> None:
        if uuid is not None and uuid != self.uuid:
            self.uuid = uuid
            for chip in (*self.chips.values(), self.yes, self.no):
                chip.blockSignals(True)
                chip.setChecked(False)
                chip.blockSignals(False)

    def _update(self, **answers) -> None:
        if self.uuid is None:
            return
        try:
            self.win.store.update_followup(self.uuid, **answers)
        except StorageError as exc:  # the rating itself is saved; follow-ups are optional
            self.win.report_storage_problem(exc)

    def _save_dimensions(self) -> None:
        self._update(dimensions=[d for d, chip in self.chips.items() if chip.isChecked()])

    def _save_copy(self, value: bool) -> None:
        self.yes.setChecked(value)
        self.no.setChecked(not value)
        self._update(asked_for_copy=value)

    def retranslate(self) -> None:
        lang = self.lang
        self.saved.setText(tr("rating_saved", lang))
        self.title.setText(tr("followup_title", lang))
        self.about.setText(tr("followup_about", lang))
        for dim, chip in self.chips.items():
            chip.setText(tr(f"dim_{dim}", lang))
        self.copy_q.setText(tr("copy_question", lang))
        self.yes.setText(tr("yes", lang))
        self.no.setText(tr("no", lang))
        self.comment.setText(tr("comment_add", lang))
        self.skip.setText(tr("skip", lang))
        self.done.setText(tr("done", lang))
