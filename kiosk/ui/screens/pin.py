from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QSizePolicy, QVBoxLayout

from kiosk.pin import PinGuard, valid_new_pin
from kiosk.storage import StorageError
from kiosk.ui.context import UiState
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import button, label

MODES = ("unlock", "first_run", "change")


class PinNeeds(Protocol):
    def pin_guard(self) -> PinGuard: ...
    def storage_text(self, exc: StorageError, lang: str) -> str: ...


class PinScreen(Screen):
    """A PIN pad. ``unlock`` opens staff mode; ``first_run`` / ``change`` set a new PIN."""

    name = "pin"
    staff = True
    #: the right PIN: staff mode is open
    unlocked = Signal()
    #: a new PIN was chosen and stored (first run or change): staff mode is open
    pin_set = Signal()
    cancelled = Signal()

    def __init__(self, ui: UiState, deps: PinNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        m = ui.metrics
        # a lockout counts down on screen every second, the keys visibly disabled
        self.lock_timer = QTimer(self)
        self.lock_timer.setInterval(1000)
        self.lock_timer.timeout.connect(self._show_lock)
        self.mode = "unlock"
        self.first: str | None = None  # the new PIN typed once, waiting for confirmation
        self.digits = ""
        self.prompt = label(role="title")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots = label(role="title")
        self.dots.setObjectName("pin_dots")
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = label(role="alert")
        self.message.setObjectName("pin_message")
        self.message.hide()
        grid = QGridLayout()
        grid.setSpacing(max(4, m.mm(1.5)))
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"]
        self.keys = {}
        for i, k in enumerate(keys):
            b = button(k if k.isdigit() else "", "primary" if k == "ok" else None, f"pin_{k}")
            b.setSizePolicy(
                QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding
            )  # fill the pad
            b.clicked.connect(lambda _=False, k=k: self.press(k))
            grid.addWidget(b, i // 3, i % 3)
            self.keys[k] = b
        self.cancel = button(name="cancel", lines=1)
        self.cancel.clicked.connect(self._cancel)
        # landscape: words on the left, the pad on the right; portrait: one column
        split = QBoxLayout(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight
        )
        split.setSpacing(m.gap)
        words = QVBoxLayout()
        words.addWidget(self.prompt)
        words.addWidget(self.dots)
        words.addWidget(self.message)
        words.addStretch(1)
        words.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignLeft)
        split.addLayout(words, 1)
        split.addLayout(grid, 1)
        self.body.addLayout(split, 1)

    @property
    def guard(self) -> PinGuard:
        return self.deps.pin_guard()

    def _show_lock(self) -> int:
        """Show the lockout (seconds left, keys disabled) or clear it; the seconds left."""
        locked = self.guard.locked_for() if self.mode == "unlock" else 0
        for key in self.keys.values():
            key.setEnabled(not locked)
        if locked:
            self._show_message(tr("pin_locked_tick", self.lang, n=locked))
            if not self.lock_timer.isActive():
                self.lock_timer.start()
        else:
            self.lock_timer.stop()
            if self.message.property("lock"):
                self._show_message(None)
        self.message.setProperty("lock", bool(locked))
        return locked

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.lock_timer.stop()
        super().hideEvent(event)

    def enter(self, mode: str = "unlock", **params: object) -> None:
        assert mode in MODES
        self.mode, self.first, self.digits = mode, None, ""
        self.cancel.setVisible(mode != "first_run")
        self._show_message(None)
        self.retranslate()

    def press(self, key: str) -> None:
        if key == "clear":
            self.digits = ""
        elif key == "ok":
            self._submit()
        elif len(self.digits) < 8:
            self.digits += key
        self.dots.setText("•" * len(self.digits) or " ")

    def _show_message(self, text: str | None) -> None:
        self.message.setVisible(bool(text))
        self.message.setText(text or "")

    def _submit(self) -> None:
        pin, self.digits = self.digits, ""
        self.dots.setText(" ")
        try:
            if self.mode == "unlock":
                self._unlock(pin)
            else:
                self._set_new(pin)
        except StorageError as exc:
            self.storage_failed.emit(exc)
            self._show_message(self.deps.storage_text(exc, self.lang))

    def _unlock(self, pin: str) -> None:
        result = self.guard.check(pin)
        if result.ok:
            self.unlocked.emit()
        elif result.locked_for_s:
            self._show_lock()
        else:
            self._show_message(tr("pin_wrong", self.lang, n=result.tries_left))

    def _set_new(self, pin: str) -> None:
        if self.first is None:
            if not valid_new_pin(pin):
                self._show_message(tr("pin_too_short", self.lang))
                return
            self.first = pin
            self._show_message(None)
        elif pin != self.first:
            self.first = None
            self._show_message(tr("pin_mismatch", self.lang))
        else:
            self.guard.set_pin(pin)
            self.pin_set.emit()
            return
        self.retranslate()

    def _cancel(self) -> None:
        self.cancelled.emit()

    def retranslate(self) -> None:
        lang = self.lang
        if self.mode == "unlock":
            key = "pin_enter"
            self._show_lock()
        elif self.first is not None:
            key = "pin_confirm"
        else:
            key = "pin_first_run" if self.mode == "first_run" else "pin_set"
        self.prompt.setText(tr(key, lang))
        self.dots.setText("•" * len(self.digits) or " ")
        self.keys["clear"].setText(tr("pin_clear", lang))
        self.keys["ok"].setText(tr("pin_ok", lang))
        self.cancel.setText(tr("cancel", lang))
