from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.storage import RatingRef, StorageError
from kiosk.ui import icons
from kiosk.ui.context import UiState
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import IconText, button, label


class RatingNeeds(Protocol):
    @property
    def rating_paused(self) -> bool: ...
    def default_service_code(self) -> str | None: ...
    def record_rating(self, score: int, service_code: str | None) -> RatingRef: ...


class RatingScreen(Screen):
    """Five faces in a row; one tap stores the rating durably, then the follow-ups."""

    name = "rating"

    #: a rating was stored: (uuid, score)
    rated = Signal(str, int)
    back_requested = Signal()
    #: rating is paused: the citizen asked for the documents instead
    documents_requested = Signal()

    def __init__(self, ui: UiState, deps: RatingNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        m = ui.metrics
        self.service_code: str | None = None
        self.title = label(role="title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = label(role="subtitle")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error = label(role="alert")
        self.error.setObjectName("rating_error")
        self.error.hide()
        # a row of faces; on a narrow portrait screen the row stands up (a column)
        row = QBoxLayout(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight
        )
        # (a column of five 15 mm faces on a 7-inch portrait screen leaves no room to
        # spare: 2 px between faces, which have borders of their own)
        row.setSpacing(2 if m.portrait else max(4, m.mm(1)))
        self.faces: dict[int, IconText] = {}
        for score in range(1, 6):
            face = IconText("face", vertical=not m.portrait, name=f"face_{score}")
            face.clicked.connect(lambda _=False, s=score: self.rate(s))
            row.addWidget(face)
            self.faces[score] = face
        # storage cannot take a rating now: a calm notice instead of the faces
        self.paused = QWidget()
        self.paused.setObjectName("rating_paused")
        pbox = QVBoxLayout(self.paused)
        self.paused_title = label(role="title")
        self.paused_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.paused_text = label(role="subtitle")
        self.paused_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.paused_docs = button(role="primary", name="paused_docs", lines=2)
        self.paused_docs.clicked.connect(self.documents_requested.emit)
        pbox.addStretch(1)
        pbox.addWidget(self.paused_title)
        pbox.addWidget(self.paused_text)
        pbox.addWidget(self.paused_docs, 0, Qt.AlignmentFlag.AlignCenter)
        pbox.addStretch(1)
        self.paused.hide()  # hidden widgets do not count towards the window's minimum
        self.faces_box = QWidget()
        self.faces_box.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.title)
        self.body.addWidget(self.hint)
        self.body.addWidget(self.error)
        self.body.addWidget(self.faces_box, 1)
        self.body.addWidget(self.paused, 1)
        nav = QHBoxLayout()
        self.back = button(name="back", lines=1)
        self.back.clicked.connect(self.back_requested.emit)
        nav.addWidget(self.back)
        nav.addStretch(1)
        self.body.addLayout(nav)

    def enter(self, service_code: str | None = None, **params: object) -> None:
        self.service_code = service_code or self.deps.default_service_code()
        self.error.hide()
        paused = self.deps.rating_paused
        self.faces_box.setVisible(not paused)
        self.paused.setVisible(paused)
        self.title.setVisible(not paused)
        self.hint.setVisible(not paused)

    def rate(self, score: int) -> None:
        try:
            ref = self.deps.record_rating(score, self.service_code)
        except StorageError as exc:
            self.storage_failed.emit(exc)
            self.error.setText(tr("rating_failed", self.lang))
            self.error.show()
            return
        self.rated.emit(ref.uuid, score)  # the navigator opens the follow-ups

    def retranslate(self) -> None:
        m = self.metrics
        self.title.setText(tr("rating_title", self.lang))
        self.hint.setText(tr("rating_hint", self.lang))
        self.back.setText(tr("back", self.lang))
        self.paused_title.setText(tr("rating_paused_title", self.lang))
        self.paused_text.setText(tr("rating_paused_body", self.lang))
        self.paused_docs.setText(tr("docs_action", self.lang))
        if self.error.isVisible():
            self.error.setText(tr("rating_failed", self.lang))
        if (self.lang, m) == getattr(self, "_faces_for", None):
            return  # the faces already show this language at this size
        self._faces_for = (self.lang, m)
        size = max(m.mm(12), min(m.width // 8, m.height // 4))
        if m.portrait:
            size = max(m.mm(10), min(m.height // 12, m.width // 5))
        for score, face in self.faces.items():
            face.set_content(icons.face(score, size), tr(f"face_{score}", self.lang))
            face.text_label.setStyleSheet(
                f"background: transparent; font-size: {m.small_px}px; font-weight: 600;"
            )
