"""Staff: enrol this kiosk with central (server address + one-time code).

Both fields are typed on the on-screen keyboard (English layout, plus keys for the parts
of an address the keyboard lacks: ``https://``, ``/``, ``:``, ...) or pasted. The call to
central runs in the sync service's background thread; the screen stays usable and shows
"connecting" until the answer comes back through a Qt signal. Success shows the service
point and counter the kiosk is now enrolled to; failure shows why (in the staff's
language, with central's or the network's own words below) and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.sync import SyncState
from kiosk.ui.context import UiState
from kiosk.ui.i18n import pick, tr
from kiosk.ui.keyboard import Keyboard
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import button, label

log = logging.getLogger(__name__)

URL_KEYS = ("https://", "http://", "/", ":", ".", "-", "_", ".go.th")
ERROR_KEYS = {
    "bad_url": "enrol_err_url",
    "bad_code": "enrol_err_code",
    "unreachable": "enrol_err_unreachable",
    "timeout": "enrol_err_unreachable",
    "tls": "enrol_err_tls",
    "not_central": "enrol_err_not_central",
}


class Field(QLineEdit):
    """A line edit that becomes the keyboard's target when tapped."""

    tapped = Signal()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().mousePressEvent(event)
        self.tapped.emit()


class StaffEnrolNeeds(Protocol):
    def sync_state(self) -> SyncState: ...
    def enroll(self, server_url: str, code: str, on_done: Callable[[object], None]) -> None: ...


class StaffEnrolScreen(Screen):
    name = "staff_enrol"
    staff = True

    #: the enrolment outcome, delivered on the GUI thread
    finished = Signal(object)
    #: central accepted the code; True when staff access had been lost (recovery)
    enrolled = Signal(bool)
    back_requested = Signal()

    def __init__(self, ui: UiState, deps: StaffEnrolNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        m = ui.metrics
        self.busy = False
        self.outcome: object = None
        self.title = label(role="title")
        self.back = button(name="back", lines=1)
        self.recovery = False  # opened without a PIN, because the PIN was lost
        self.back.clicked.connect(self.back_requested.emit)
        self.submit = button(role="primary", name="enrol_submit", lines=2)
        self.submit.clicked.connect(self.start)
        self.url_caption = label(role="section", wrap=False)
        self.code_caption = label(role="section", wrap=False)
        self.url = Field()
        self.url.setObjectName("enrol_url")
        self.code = Field()
        self.code.setObjectName("enrol_code")
        for f in (self.url, self.code):
            f.setMaxLength(300)
            f.tapped.connect(lambda f=f: self._focus(f))
            f.textChanged.connect(self._changed)
        # Wide screens: one row "Back | Server [...] | Code [...] | Enrol"; narrow (portrait)
        # screens: the buttons on one row and each field on its own (see _arrange).
        self.controls = QGridLayout()
        self.controls.setHorizontalSpacing(m.gap // 2)
        self.controls.setVerticalSpacing(m.gap // 2)
        self.wide: bool | None = None
        self._arrange(m.width >= 760)
        # Typing (extra keys + keyboard) and the outcome share one place: the keyboard
        # shows while staff type (after tapping a field), the outcome once they press Enrol.
        self.typing = QWidget()
        typing = QVBoxLayout(self.typing)
        typing.setContentsMargins(0, 0, 0, 0)
        typing.setSpacing(4)
        extra = QHBoxLayout()
        extra.setSpacing(4)
        self.url_keys = []
        for text in URL_KEYS:
            b = button(text, "key")
            b.setProperty("char", text)
            b.clicked.connect(lambda _=False, t=text: self._type(t))
            extra.addWidget(b)
            self.url_keys.append(b)
        self.paste = button(role="key", name="enrol_paste")
        self.paste.clicked.connect(self._paste)
        self.clear = button(role="key", name="enrol_clear")
        self.clear.clicked.connect(lambda: self.active.clear())
        # (ten keys do not fit across a narrow portrait screen: paste and clear go on
        # a row of their own there)
        edit_keys = QHBoxLayout() if ui.metrics.portrait else extra
        edit_keys.setSpacing(4)
        edit_keys.addWidget(self.paste)
        edit_keys.addWidget(self.clear)
        self.keyboard = Keyboard("en")
        self.keyboard.typed.connect(self._type)
        self.keyboard.backspace.connect(lambda: self.active.backspace())
        typing.addLayout(extra)
        if edit_keys is not extra:
            edit_keys.addStretch(1)
            typing.addLayout(edit_keys)
        typing.addWidget(self.keyboard)
        self.result = QWidget()
        result = QVBoxLayout(self.result)
        result.setContentsMargins(0, 0, 0, 0)
        self.current = label(role="muted")
        self.current.setObjectName("enrol_current")
        self.message = label(role="section")
        self.message.setObjectName("enrol_message")
        self.detail = label(role="muted")
        self.detail.setObjectName("enrol_detail")
        result.addWidget(self.title)
        result.addWidget(self.current)
        result.addWidget(self.message)
        result.addWidget(self.detail)
        result.addStretch(1)
        self.body.setContentsMargins(m.gap, m.gap // 2, m.gap, m.gap // 2)
        self.body.setSpacing(m.gap // 2)
        self.body.addLayout(self.controls)
        self.body.addWidget(self.typing)
        self.body.addWidget(self.result, 1)
        self.result.hide()  # never both at once, or the window grows to hold both
        self.active: QLineEdit = self.url
        self.finished.connect(self._done, Qt.ConnectionType.QueuedConnection)

    # -- layout ---------------------------------------------------------------------------
    def _arrange(self, wide: bool) -> None:
        if wide == self.wide:
            return
        self.wide = wide
        g = self.controls
        for w in (self.back, self.url_caption, self.url, self.code_caption, self.code, self.submit):
            g.removeWidget(w)
        for col in range(6):
            g.setColumnStretch(col, 0)
        if wide:
            g.addWidget(self.back, 0, 0)
            g.addWidget(self.url_caption, 0, 1)
            g.addWidget(self.url, 0, 2)
            g.addWidget(self.code_caption, 0, 3)
            g.addWidget(self.code, 0, 4)
            g.addWidget(self.submit, 0, 5)
            g.setColumnStretch(2, 3)
            g.setColumnStretch(4, 2)
        else:
            g.addWidget(self.back, 0, 0, 1, 2)
            g.addWidget(self.submit, 0, 4, 1, 2, Qt.AlignmentFlag.AlignRight)
            g.addWidget(self.url_caption, 1, 0)
            g.addWidget(self.url, 1, 1, 1, 5)
            g.addWidget(self.code_caption, 2, 0)
            g.addWidget(self.code, 2, 1, 1, 5)
            g.setColumnStretch(3, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._arrange(event.size().width() >= 760)

    # -- navigation -----------------------------------------------------------------------
    def enter(self, recovery: bool = False, **params: object) -> None:
        self.recovery = recovery
        state = self.deps.sync_state()
        if not self.url.text() and state.server_url:
            self.url.setText(state.server_url)
        self.active = self.url if not self.url.text() else self.code
        self._mark_active()
        if not self.busy:
            self.outcome = None
            self._show(tr("staff_locked_recovery", self.lang) if recovery else None, None)

    def _focus(self, field: QLineEdit) -> None:
        self.active = field
        if not self.busy:
            self.result.hide()
            self.typing.show()
        self._mark_active()

    def _mark_active(self) -> None:
        field = self.active
        for f in (self.url, self.code):
            f.setProperty("active", f is field)
            f.setStyleSheet("border: 3px solid #0B4F9C;" if f is field else "")
        field.setFocus()

    # -- typing -----------------------------------------------------------------------------
    def _type(self, text: str) -> None:
        self.active.insert(text)

    def _paste(self) -> None:
        text = (QGuiApplication.clipboard().text() or "").strip()
        if text:
            self.active.setText(text)

    def _changed(self) -> None:
        self.submit.setEnabled(
            not self.busy and bool(self.url.text().strip()) and bool(self.code.text().strip())
        )

    # -- enrolment ----------------------------------------------------------------------------
    def start(self) -> None:
        from kiosk.sync.errors import BadServerUrl, normalize_server_url

        if self.busy:
            return
        try:
            url = normalize_server_url(self.url.text())
        except BadServerUrl as exc:
            self.outcome = exc
            self._show_error(exc)
            return
        self.busy = True
        self._changed()
        self._show(tr("enrol_busy", self.lang, url=url), None)
        self.deps.enroll(url, self.code.text().strip(), self.finished.emit)

    def _done(self, outcome: object) -> None:
        from kiosk.sync import EnrolResult

        self.busy = False
        self.outcome = outcome
        self._changed()
        if isinstance(outcome, EnrolResult):
            self.code.clear()
            self._show_success(outcome)
            recovery, self.recovery = self.recovery, False
            self.enrolled.emit(recovery)  # header: the new place; after a recovery, a PIN
        else:
            self._show_error(outcome)

    def _show(self, message: str | None, detail: str | None, *, alert: bool = False) -> None:
        """Show the outcome area (hiding the keyboard until a field is tapped)."""
        self.typing.hide()
        self.result.show()
        self.message.setText(message or "")
        self.message.setVisible(bool(message))
        self.message.setProperty("role", "alert" if alert else "section")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.detail.setText(detail or "")
        self.detail.setVisible(bool(detail))

    def _show_success(self, result) -> None:
        lang = self.lang
        sp, ct = result.service_point, result.counter
        place = tr(
            "enrol_ok",
            lang,
            point=pick(lang, sp.get("name_th", ""), sp.get("name_en", "")),
            counter=pick(lang, ct.get("name_th", ""), ct.get("name_en", "")),
            kiosk=result.kiosk_id,
        )
        detail = tr("enrol_catalogue_later", lang) if result.catalogue_error else None
        self._show(place, detail)
        self._refresh_current()

    def _show_error(self, exc) -> None:
        key = ERROR_KEYS.get(getattr(exc, "kind", ""), "enrol_err_other")
        log.info("enrolment failed: %s", exc)  # the raw text is for the log, not the screen
        self._show(tr(key, self.lang), None, alert=True)

    def _refresh_current(self) -> None:
        st = self.deps.sync_state()
        if st.enrolled and st.blocked:
            self.current.setText(tr("sync_blocked", self.lang))
        elif st.enrolled:
            self.current.setText(
                tr(
                    "enrol_current",
                    self.lang,
                    place=st.enrolled_to or "",
                    url=st.server_url or "",
                    kiosk=st.kiosk_id or "",
                )
            )
        else:
            self.current.setText(tr("st_not_enrolled", self.lang))

    def retranslate(self) -> None:
        lang = self.lang
        self.title.setText(tr("staff_enrol", lang))
        self.url_caption.setText(tr("enrol_server", lang))
        self.code_caption.setText(tr("enrol_code", lang))
        self.url.setPlaceholderText("https://")
        self.code.setPlaceholderText("ABCD-EFGH-JKMN")
        self.paste.setText(tr("enrol_paste", lang))
        self.clear.setText(tr("pin_clear", lang))
        for key in (self.paste, self.clear):  # never narrower than its word
            key.setMinimumWidth(key.sizeHint().width())
        self.back.setText(tr("back", lang))
        self.submit.setText(tr("enrol_submit", lang))
        self.keyboard.retranslate(lang)
        self._refresh_current()
        self._changed()
        if self.typing.isHidden() and not self.busy:  # the outcome is on screen: re-word it
            if isinstance(self.outcome, Exception):
                self._show_error(self.outcome)
            elif self.outcome is not None:
                self._show_success(self.outcome)
            elif self.recovery:
                self._show(tr("staff_locked_recovery", lang), None)
