"""The kiosk window: header, one stack of screens, the idle watcher and the lock."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFrame, QVBoxLayout, QWidget

from kiosk.storage import KioskStore, StorageError
from kiosk.sync import SyncService, SyncState
from kiosk.ui import theme
from kiosk.ui.backend import Backend
from kiosk.ui.context import DEFAULT_LANG, UiState
from kiosk.ui.fonts import load_fonts
from kiosk.ui.i18n import pick, tr
from kiosk.ui.navigator import SCREENS, Navigator, release_free_memory, screen_class
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import Header, button, label

__all__ = ["SCREENS", "KioskWindow", "release_free_memory", "screen_class"]

log = logging.getLogger(__name__)

STORAGE_RETRY_MS = 5000
USER_EVENTS = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.KeyPress,
}


def after_first_frame(
    widget: QWidget, callback: Callable[[], None], at_latest_ms: int = 2000
) -> None:
    """Call ``callback`` once from the event loop, right after ``widget`` is first painted
    (that frame is on screen by then), or after ``at_latest_ms`` if it is never painted
    (a window that is not exposed must still work)."""

    class FirstFrame(QObject):
        done = False

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
            if event.type() == QEvent.Type.Paint:
                obj.removeEventFilter(self)
                QTimer.singleShot(0, self, self.fire)
            return False

        def fire(self) -> None:
            if not self.done:
                self.done = True
                callback()

    watcher = FirstFrame(widget)
    widget.installEventFilter(watcher)
    QTimer.singleShot(at_latest_ms, watcher, watcher.fire)


def app() -> QApplication:
    """The running application (the window exists only inside one)."""
    instance = QApplication.instance()
    assert isinstance(instance, QApplication), "create the QApplication first"
    return instance


class IdleOverlay(QFrame):
    """ "Are you still there?" with a countdown and a button to stay."""

    stay = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idle_overlay")
        self.setProperty("role", "overlay")
        box = QVBoxLayout(self)
        self.title = label(role="title")
        self.text = label()
        self.text.setObjectName("idle_countdown")
        self.button = button(role="primary", name="idle_stay", lines=1)
        self.button.clicked.connect(self.stay.emit)
        box.addWidget(self.title)
        box.addWidget(self.text)
        box.addWidget(self.button)
        self.hide()

    def show_countdown(self, seconds: int, lang: str) -> None:
        self.title.setText(tr("idle_title", lang))
        self.text.setText(tr("idle_body", lang, n=seconds))
        self.button.setText(tr("idle_stay", lang))
        parent = self.parentWidget()
        assert parent is not None
        w = min(parent.width() - 40, max(parent.width() * 2 // 3, 360))
        self.resize(w, self.sizeHint().height())
        self.move((parent.width() - self.width()) // 2, (parent.height() - self.height()) // 2)
        self.show()
        self.raise_()


class KioskWindow(QWidget):
    """The whole kiosk UI. ``kiosk_mode`` makes it full screen, frameless and locked.

    The window keeps the header, the idle watcher, the storage alert and the lock; which
    screen shows is the navigator's business (``self.nav``)."""

    sync_changed = Signal(object)

    def __init__(
        self,
        store: KioskStore,
        sync: SyncService,
        *,
        kiosk_mode: bool = False,
        size: tuple[int, int] = (1280, 800),
        clock: Callable[[], float] = time.time,
        reopen: Callable[[], KioskStore] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("KioskRoot")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.sync, self.clock = sync, clock
        self.backend = Backend(store, sync, clock)
        self.kiosk_mode = kiosk_mode
        self.unlocked = not kiosk_mode
        # Storage that could not be opened at start: the store is a read-only stand-in
        # (catalogue only), rating is paused and the window tries the real one again.
        self._reopen = reopen or (lambda: KioskStore.open(self.store.data_dir))
        self._catalogue_seen: str | None = None
        self.family = load_fonts()
        self.resize(*size)
        self.ui = UiState(DEFAULT_LANG, self._metrics_for(*size))
        self.setStyleSheet(theme.stylesheet(self.metrics, self.family))

        self.header = Header()
        self.header.language_chosen.connect(self.set_language)
        self.header.staff_gesture.connect(self.open_staff)
        self.nav = Navigator(self.ui, self.backend, self)
        self.nav.visit_over.connect(self._visit_over)
        self.nav.shown.connect(lambda _name: self.poke())
        self.nav.storage_failed.connect(self.report_storage_problem)
        self.nav.leave_kiosk_requested.connect(self.leave_kiosk_mode)
        self.nav.place_changed.connect(self._refresh_header)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self.header)
        root.addWidget(self.nav.stack, 1)
        self.overlay = IdleOverlay(self)
        self.overlay.stay.connect(self.poke)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._idle)
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self._tick)
        self._left = 0
        # The idle watcher sees every event of the application, so it is installed once
        # the window is drawn: before that no one can touch it, and under X11 each event
        # of Qt's own objects handed to Python first cost a wrapper type (about 20 ms of
        # CPU before the first frame).
        self._watching = self._closed = False
        after_first_frame(self, self._watch_input)

        # Storage health: while something is wrong, look again every few seconds and
        # clear the alert (and offer rating again) as soon as storage works.
        self.storage_timer = QTimer(self)
        self.storage_timer.setInterval(STORAGE_RETRY_MS)
        self.storage_timer.timeout.connect(self.check_storage)
        if store.unavailable is not None:
            self.report_storage_problem(store.unavailable)

        self.sync_changed.connect(self._on_sync)
        sync.add_listener(self.sync_changed.emit)
        if store.recovered_from is not None:
            log.warning("database was corrupt; moved aside to %s", store.recovered_from)

        if kiosk_mode:
            self.setWindowFlags(
                Qt.WindowType.FramelessWindowHint
                | Qt.WindowType.WindowStaysOnTopHint
                | Qt.WindowType.Window
            )
        self._refresh_header()
        # A new kiosk asks staff to choose a PIN. A kiosk whose PIN was lost with a
        # damaged database never does: it serves citizens, and staff mode opens only
        # through a fresh enrolment code from central.
        if store.staff_access() == "first_run":
            self.go("pin", mode="first_run", after="staff_setup")
        else:
            self.go("welcome")

    def use_sync(self, sync: SyncService) -> None:
        """Hand over to another sync service (the app gives the real one once Welcome is
        drawn) and show its state."""
        self.sync = self.backend.sync = sync
        sync.add_listener(self.sync_changed.emit)
        self._on_sync(sync.state())

    # -- what the window shares -------------------------------------------------------
    @property
    def store(self) -> KioskStore:
        return self.backend.store

    @property
    def lang(self) -> str:
        return self.ui.lang

    @property
    def metrics(self) -> theme.Metrics:
        return self.ui.metrics

    @property
    def rating_paused(self) -> bool:
        return self.backend.rating_paused

    @property
    def storage_problem(self) -> StorageError | None:
        return self.backend.storage_problem

    # -- navigation (the navigator's; kept here for the app, the tour and tests) -------
    def go(self, name: str, **params: Any) -> None:
        self.nav.go(name, **params)

    def page(self, name: str) -> Screen:
        return self.nav.page(name)

    def prebuild(self) -> None:
        self.nav.prebuild()

    def current_screen(self) -> Screen | None:
        return self.nav.current()

    def open_staff(self) -> None:
        self.nav.open_staff()

    @property
    def staff_unlocked(self) -> bool:
        return self.nav.staff_unlocked

    @staff_unlocked.setter
    def staff_unlocked(self, value: bool) -> None:
        self.nav.staff_unlocked = value

    # -- layout -----------------------------------------------------------------------
    def _metrics_for(self, width: int, height: int) -> theme.Metrics:
        diagonal = float(self.store.get_setting("screen_diagonal_in", 10.1) or 10.1)
        return theme.Metrics(width, height, diagonal)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        m = self._metrics_for(self.width(), self.height())
        if m != self.metrics:
            self.ui.metrics = m
            self.setStyleSheet(theme.stylesheet(m, self.family))
            self.nav.retranslate()

    # -- language -----------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        self.ui.lang = lang
        self._refresh_header()
        self.nav.retranslate()
        if self.overlay.isVisible():
            self.overlay.show_countdown(self._left, lang)

    def _visit_over(self) -> None:
        """Welcome starts every visit: the next citizen meets Thai."""
        if self.ui.lang != DEFAULT_LANG:
            self.ui.lang = DEFAULT_LANG
            self._refresh_header()

    # -- header and status ------------------------------------------------------------
    def _refresh_header(self) -> None:
        try:
            sp = self.store.service_point()
            title = pick(self.lang, sp.name_th, sp.name_en)
            counter = pick(self.lang, sp.counter_name_th, sp.counter_name_en)
            self.header.show_place(title, f"{tr('counter', self.lang)}: {counter}")
        except StorageError as exc:
            self.report_storage_problem(exc)
        self.header.show_language(self.lang)
        self.header.show_network(self.sync.state().online, self.lang)

    def _on_sync(self, state: SyncState) -> None:
        self.header.show_network(state.online, self.lang)
        if state.catalogue_version and state.catalogue_version != self._catalogue_seen:
            first = self._catalogue_seen is None
            self._catalogue_seen = state.catalogue_version
            if not first:
                self.nav.catalogue_changed()
            self._refresh_header()
        self.nav.sync_changed(state)

    def report_storage_problem(self, exc: StorageError) -> None:
        """Remember a storage failure so staff see it (Welcome banner and status page)."""
        log.error("storage problem: %s", exc)
        self.backend.storage_problem = exc
        if not self.storage_timer.isActive():
            self.storage_timer.start()

    def check_storage(self) -> bool:
        """Look again at storage that failed; True (and the alert cleared, rating offered
        again) once it works. Runs every few seconds while there is a problem."""
        if self.store.unavailable is not None:
            try:
                fresh = self._reopen()
            except StorageError as exc:
                log.info("storage still unavailable: %s", exc)
                self.backend.storage_problem = exc
                return False
            old, self.backend.store = self.store, fresh
            old.close()
            log.warning("storage works again: rating resumes")
        elif not self.store.storage_ok():
            return False
        self.storage_timer.stop()
        self.backend.storage_problem = None
        self.backend.rating_paused = False
        self._refresh_header()
        self.nav.reenter()
        return True

    @property
    def attention(self) -> str | None:
        """What staff must know about storage, in the language on screen (None: all well)."""
        return self.backend.attention(self.lang)

    def storage_text(self, exc: StorageError) -> str:
        return self.backend.storage_text(exc, self.lang)

    def setting_seconds(self, key: str, default: float) -> float:
        return self.backend.setting_seconds(key, default)

    # -- idle -------------------------------------------------------------------------
    def _watch_input(self) -> None:
        if not self._watching and not self._closed:
            self._watching = True
            app().installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # isInputEvent() first: it answers without making a Python enum of the type for
        # every event in the application (hundreds before the first frame alone)
        if event.isInputEvent() and event.type() in USER_EVENTS and not self.overlay.isVisible():
            self.poke()
        return False

    def poke(self) -> None:
        """Some activity: hide the warning and start the idle clock again."""
        self.countdown.stop()
        self.overlay.hide()
        self.idle_timer.start(int(self.setting_seconds("idle_timeout_s", 45.0) * 1000))

    def _idle(self) -> None:
        current = self.current_screen()
        if current is None or (current.name == "welcome" and self.lang == DEFAULT_LANG):
            return
        self._left = max(1, round(self.setting_seconds("idle_warning_s", 10.0)))
        self.overlay.show_countdown(self._left, self.lang)
        interval = self.setting_seconds("idle_warning_s", 10.0) * 1000 / self._left
        self.countdown.start(max(10, int(interval)))

    def _tick(self) -> None:
        self._left -= 1
        if self._left > 0:
            self.overlay.show_countdown(self._left, self.lang)
            return
        self.reset_to_welcome()

    def reset_to_welcome(self) -> None:
        self.countdown.stop()
        self.overlay.hide()
        self.ui.lang = DEFAULT_LANG
        self._refresh_header()
        self.go("welcome")

    # -- lock ---------------------------------------------------------------------------
    def leave_kiosk_mode(self) -> None:
        """Staff (PIN checked) leave kiosk mode: the window may now close."""
        self.unlocked = True
        self.close()
        app().quit()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.unlocked:
            self._closed = True
            app().removeEventFilter(self)
            event.accept()
        else:
            event.ignore()

    def show_kiosk(self) -> None:
        if self.kiosk_mode:
            self.showFullScreen()
        else:
            self.show()
