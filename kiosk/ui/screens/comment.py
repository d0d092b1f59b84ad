from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit

from kiosk.storage import StorageError
from kiosk.ui.context import DEFAULT_LANG, UiState
from kiosk.ui.i18n import tr
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import button, label

MAX_COMMENT = 500


class CommentNeeds(Protocol):
    def update_followup(self, uuid: str, **answers: Any) -> None: ...


class CommentScreen(Screen):
    """An optional short comment typed on the on-screen Thai / English keyboard."""

    name = "comment"
    #: back to the follow-ups without sending
    cancelled = Signal()
    #: the comment is stored (or there was none to store)
    sent = Signal()

    def __init__(self, ui: UiState, deps: CommentNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        self.uuid: str | None = None
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("comment_edit")
        self.edit.textChanged.connect(self._changed)
        self.edit.setMinimumHeight(ui.metrics.target)
        self.count = label(role="muted", wrap=False)
        self.keyboard = Keyboard(ui.lang)
        self.keyboard.typed.connect(self._type)
        self.keyboard.backspace.connect(self._backspace)
        self.keyboard.bottom.addWidget(self.count)
        self.cancel = button(name="cancel")
        self.send = button(role="primary", name="send")
        self.cancel.clicked.connect(self.cancelled.emit)
        self.send.clicked.connect(self._send)
        # one row: cancel, the text, send; then the keyboard (fits 800x480)
        row = QHBoxLayout()
        row.addWidget(self.cancel)
        row.addWidget(self.edit, 1)
        row.addWidget(self.send)
        self.body.addLayout(row, 1)
        self.body.addWidget(self.keyboard)

    def enter(self, uuid: str | None = None, **params: object) -> None:
        if uuid is not None and uuid != self.uuid:
            self.uuid = uuid
            self.edit.clear()
        self.keyboard.set_layout(self.lang)

    def visit_ended(self) -> None:
        self.keyboard.set_layout(DEFAULT_LANG)  # the next citizen's keys, unshifted
        self.keyboard.forget_pages_but(DEFAULT_LANG)

    def _type(self, text: str) -> None:
        if len(self.edit.toPlainText()) + len(text) <= MAX_COMMENT:
            self.edit.insertPlainText(text)

    def _backspace(self) -> None:
        cursor = self.edit.textCursor()
        cursor.deletePreviousChar()
        self.edit.setTextCursor(cursor)

    def _changed(self) -> None:
        text = self.edit.toPlainText()
        if len(text) > MAX_COMMENT:
            self.edit.setPlainText(text[:MAX_COMMENT])
            return
        self.count.setText(tr("comment_count", self.lang, n=len(text), max=MAX_COMMENT))

    def _send(self) -> None:
        text = self.edit.toPlainText().strip()
        if text and self.uuid:
            try:
                self.deps.update_followup(self.uuid, comment=text)
            except StorageError as exc:
                self.storage_failed.emit(exc)
        self.sent.emit()

    def retranslate(self) -> None:
        # the counter keeps one width from 0/500 to 500/500: the keys never move sideways
        self.count.ensurePolished()
        widest = tr("comment_count", self.lang, n=MAX_COMMENT, max=MAX_COMMENT)
        self.count.setFixedWidth(self.count.fontMetrics().horizontalAdvance(widest) + 8)
        self.edit.setPlaceholderText(
            f"{tr('comment_title', self.lang)} {tr('comment_placeholder', self.lang)}"
        )
        self._changed()
        self.keyboard.retranslate(self.lang)
        self.cancel.setText(tr("cancel", self.lang))
        self.send.setText(tr("send", self.lang))
