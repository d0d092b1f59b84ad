from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.storage import DIMENSIONS, StorageError
from kiosk.ui.context import UiState
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import Choice, button, label, scroll_area


def about_key(score: int | None) -> str:
    """The follow-up question fits the score: what went wrong after a low one, what went
    well after a high one, a neutral "what was it about" after 3."""
    if score is not None and score <= 2:
        return "followup_wrong"
    if score is not None and score >= 4:
        return "followup_well"
    return "followup_about"


class FollowupNeeds(Protocol):
    def update_followup(self, uuid: str, **answers: Any) -> None: ...


class FollowupScreen(Screen):
    """Optional follow-ups; every answer updates the rating row at once. Fits 1280x800
    without scrolling; smaller screens scroll (kinetic, with a "more below" cue)."""

    name = "followup"
    #: Skip or Done: the citizen leaves the follow-ups
    finished = Signal()
    comment_requested = Signal()

    def __init__(self, ui: UiState, deps: FollowupNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        m = ui.metrics
        self.uuid: str | None = None
        self.score: int | None = None
        self.saved = label(role="section")
        self.saved.setObjectName("rating_saved")
        self.title = label(role="subtitle")
        inner = QWidget()
        box = QVBoxLayout(inner)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(m.gap)
        # the copy question first: it checks the declared No Copy status
        copy_row = QBoxLayout(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight
        )
        copy_row.setSpacing(m.gap)
        self.copy_q = label(role="section")
        self.copy_q.setObjectName("copy_question")
        copy_row.addWidget(self.copy_q, 1)
        answers = QHBoxLayout()
        self.yes = Choice("copy_yes", m.body_px, min_height=m.target)
        self.no = Choice("copy_no", m.body_px, min_height=m.target)
        for b, value in ((self.yes, True), (self.no, False)):
            b.clicked.connect(lambda _=False, v=value: self._save_copy(v))
            answers.addWidget(b)
        copy_row.addLayout(answers, 1)
        box.addLayout(copy_row)
        self.about = label(role="section")
        self.about.setObjectName("followup_question")
        box.addWidget(self.about)
        grid = QGridLayout()
        grid.setSpacing(m.gap)
        # three in a row where the longest answer still fits, else two, else one
        columns = 1 if m.width < 600 else 3 if m.width >= 1000 and not m.portrait else 2
        self.chips: dict[str, Choice] = {}
        for i, dim in enumerate(DIMENSIONS):
            chip = Choice(f"dim_{dim}", m.body_px, min_height=m.target)
            chip.toggled.connect(self._save_dimensions)
            grid.addWidget(chip, i // columns, i % columns)
            self.chips[dim] = chip
        for c in range(columns):
            grid.setColumnStretch(c, 1)
        box.addLayout(grid)
        box.addStretch(1)
        head = QHBoxLayout()
        head.addWidget(self.saved)
        head.addWidget(self.title, 1)
        self.body.addLayout(head)
        self.body.addWidget(scroll_area(inner), 1)
        nav = QHBoxLayout()
        self.skip = button(name="skip", lines=1)
        self.comment = button(name="comment_add", lines=2)
        self.done = button(role="primary", name="done", lines=1)
        self.skip.clicked.connect(self.finished.emit)
        self.comment.clicked.connect(self.comment_requested.emit)
        self.done.clicked.connect(self.finished.emit)
        nav.addWidget(self.skip)
        nav.addStretch(1)
        nav.addWidget(self.comment)
        nav.addWidget(self.done)
        self.body.addLayout(nav)

    def enter(self, uuid: str | None = None, score: int | None = None, **params: object) -> None:
        if uuid is not None and uuid != self.uuid:
            # a new rating: nothing the previous citizen chose may show
            self.uuid, self.score = uuid, score
            for chip in (*self.chips.values(), self.yes, self.no):
                chip.set_checked_quietly(False)

    def selected(self) -> list[str]:
        """Object names of the choices shown as selected (for tests and the tour)."""
        return [b.objectName() for b in (self.yes, self.no, *self.chips.values()) if b.isChecked()]

    def _update(self, **answers: Any) -> None:
        if self.uuid is None:
            return
        try:
            self.deps.update_followup(self.uuid, **answers)
        except StorageError as exc:  # the rating itself is saved; follow-ups are optional
            self.storage_failed.emit(exc)

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
        self.about.setText(tr(about_key(self.score), lang))
        for dim, chip in self.chips.items():
            chip.setText(tr(f"dim_{dim}", lang))
        self.copy_q.setText(tr("copy_question", lang))
        self.yes.setText(tr("yes", lang))
        self.no.setText(tr("no", lang))
        self.comment.setText(tr("comment_add", lang))
        self.skip.setText(tr("skip", lang))
        self.done.setText(tr("done", lang))
