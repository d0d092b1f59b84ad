"""The kiosk window: header, one stack of screens, the idle watcher and the lock."""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFrame, QStackedWidget, QVBoxLayout, QWidget

from kiosk.storage import (
    KioskStore,
    StorageCorruptError,
    StorageError,
    StorageFullError,
    StorageReadOnlyError,
)
from kiosk.sync import SyncService, SyncState
from kiosk.ui import theme
from kiosk.ui.fonts import load_fonts
from kiosk.ui.i18n import pick, tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import Header, ScrollBox, button, label

log = logging.getLogger(__name__)

# name -> "module:Class". Imported when first shown (Welcome before the first frame, the
# rest by prebuild() right after it), so a cold start pays only for what it draws.
SCREENS: dict[str, str] = {
    "welcome": "kiosk.ui.screens.welcome:WelcomeScreen",
    "services": "kiosk.ui.screens.services:ServicesScreen",
    "service": "kiosk.ui.screens.service:ServiceScreen",
    "rating": "kiosk.ui.screens.rating:RatingScreen",
    "followup": "kiosk.ui.screens.followup:FollowupScreen",
    "comment": "kiosk.ui.screens.comment:CommentScreen",
    "thanks": "kiosk.ui.screens.thanks:ThanksScreen",
    "pin": "kiosk.ui.screens.pin:PinScreen",
    "staff_menu": "kiosk.ui.screens.staff_menu:StaffMenuScreen",
    "staff_setup": "kiosk.ui.screens.staff_setup:StaffSetupScreen",
    "staff_status": "kiosk.ui.screens.staff_status:StaffStatusScreen",
    "staff_enrol": "kiosk.ui.screens.staff_enrol:StaffEnrolScreen",
}


def screen_class(name: str) -> type[Screen]:
    module, _, cls = SCREENS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


DEFAULT_LANG = "th"
STORAGE_RETRY_MS = 5000
SETTINGS_CACHE_S = 10.0  # changes made elsewhere (another process) show within this
USER_EVENTS = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.KeyPress,
}


def app() -> QApplication:
    """The running application (the window exists only inside one)."""
    instance = QApplication.instance()
    assert isinstance(instance, QApplication), "create the QApplication first"
    return instance


def release_free_memory() -> None:
    """Return freed heap pages to the system (glibc's malloc_trim; elsewhere nothing)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


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
        self.button = button(role="primary", name="idle_stay")
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
    """The whole kiosk UI. ``kiosk_mode`` makes it full screen, frameless and locked."""

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
        self.store, self.sync, self.clock = store, sync, clock
        self.kiosk_mode = kiosk_mode
        self.unlocked = not kiosk_mode
        self.staff_unlocked = False
        self.lang = DEFAULT_LANG
        self.storage_problem: StorageError | None = None
        self._settings_cache: dict[str, tuple[int, float, float]] = {}
        self.open_rating: str | None = None  # rated, follow-ups still being answered
        # Storage that could not be opened at start: the store is a read-only stand-in
        # (catalogue only), rating is paused and the window tries the real one again.
        self._reopen = reopen or (lambda: KioskStore.open(self.store.data_dir))
        self.rating_paused = store.unavailable is not None
        self._catalogue_seen: str | None = None
        self.family = load_fonts()
        self.resize(*size)
        self.metrics = self._metrics_for(*size)
        self.setStyleSheet(theme.stylesheet(self.metrics, self.family))

        self.header = Header()
        self.header.language_chosen.connect(self.set_language)
        self.header.staff_gesture.connect(self.open_staff)
        self.stack = QStackedWidget()
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self.header)
        root.addWidget(self.stack, 1)
        self.screens: dict[str, Screen] = {}
        self._boxes: dict[str, list[ScrollBox]] = {}
        self.overlay = IdleOverlay(self)
        self.overlay.stay.connect(self.poke)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._idle)
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self._tick)
        self._left = 0
        app().installEventFilter(self)

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

    # -- layout -----------------------------------------------------------------------
    def _metrics_for(self, width: int, height: int) -> theme.Metrics:
        diagonal = float(self.store.get_setting("screen_diagonal_in", 10.1) or 10.1)
        return theme.Metrics(width, height, diagonal)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        m = self._metrics_for(self.width(), self.height())
        if m != self.metrics:
            self.metrics = m
            self.setStyleSheet(theme.stylesheet(m, self.family))
            current = self.current_screen()
            if current is not None:
                self._retranslate(current)

    # -- navigation -------------------------------------------------------------------
    def page(self, name: str) -> Screen:
        if name not in self.screens:
            scr = screen_class(name)(self)
            self.screens[name] = scr
            self.stack.addWidget(scr)
            if name == "rating":
                scr.rated.connect(self._rated)  # type: ignore[attr-defined]  # RatingScreen
            # the screen's scroll boxes, found once (they are made with the screen)
            self._boxes[name] = scr.findChildren(ScrollBox)
        return self.screens[name]

    def prebuild(self) -> None:
        """Build the screens not shown yet, so the first tap on each is as fast as later ones."""
        for name in SCREENS:
            self.page(name).retranslate()

    def current_screen(self) -> Screen | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Screen) else None

    def go(self, name: str, **params: object) -> None:
        scr = self.page(name)
        if scr.staff and not self.staff_unlocked and name != "pin":
            name, scr, params = "pin", self.page("pin"), {"mode": "unlock", "after": name}
        if not scr.staff:
            if self.staff_unlocked:
                QTimer.singleShot(0, self.release_staff_screens)
            self.staff_unlocked = False
        if self.open_rating is not None and name not in ("followup", "comment"):
            self.finish_rating()
        if name == "welcome":
            # a visit is over: hand what it freed back to the system, once drawn
            QTimer.singleShot(1000, release_free_memory)
        if name == "welcome" and self.lang != DEFAULT_LANG:
            # Welcome starts every visit: the next citizen meets Thai
            self.lang = DEFAULT_LANG
            self._refresh_header()
        self.stack.setCurrentWidget(scr)
        scr.enter(**params)
        self._retranslate(scr)
        for box in self._boxes[scr.name]:
            box.to_top()  # every screen opens at its top, whoever scrolled it before
        self.poke()

    def _retranslate(self, scr: Screen) -> None:
        scr.retranslate()
        px = max(16, self.metrics.body_px)
        for box in self._boxes[scr.name]:
            box.retranslate(self.lang, px)

    def _rated(self, uuid: str, score: int) -> None:
        """A rating is stored: its follow-ups stay open until the citizen leaves them."""
        self.open_rating = uuid
        self.go("followup", uuid=uuid, score=score)

    def release_staff_screens(self) -> None:
        """Staff left: free their screens (built again the next time staff come), and
        hand the memory back to the system. Staff visits are rare; the counter runs for
        months."""
        current = self.current_screen()
        idle = [
            n
            for n, scr in self.screens.items()
            if scr.staff and scr is not current and not getattr(scr, "busy", False)
        ]
        for name in idle:  # (an enrolment still waiting for central keeps its screen)
            scr = self.screens.pop(name)
            self._boxes.pop(name, None)
            self.stack.removeWidget(scr)
            scr.deleteLater()
        QTimer.singleShot(0, release_free_memory)

    def finish_rating(self) -> None:
        """The citizen left the follow-ups: release the rating to the outbox and push."""
        uuid, self.open_rating = self.open_rating, None
        if uuid is None:
            return
        try:
            self.store.finish_followup(uuid)
        except StorageError as exc:  # held back for followup_hold_s, then sent anyway
            self.report_storage_problem(exc)
        self.sync.notify_rating()

    def open_staff(self) -> None:
        if self.store.staff_access() == "enrolment":
            self.staff_unlocked = False
            self.stack.setCurrentWidget(self.page("staff_enrol"))
            self.page("staff_enrol").enter(recovery=True)
            self._retranslate(self.page("staff_enrol"))
            self.poke()
            return
        self.go("pin", mode="unlock", after="staff_menu")

    def enrolled_for_recovery(self) -> None:
        """A fresh enrolment code from central was accepted while the staff PIN was
        lost: staff now choose a new PIN, then counter setup."""
        self.go("pin", mode="first_run", after="staff_setup")

    def leave_staff(self) -> None:
        self.staff_unlocked = False
        self.go("welcome")

    def default_service_code(self) -> str | None:
        services = self.store.counter_services()
        return services[0].code if len(services) == 1 else None

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self._refresh_header()
        current = self.current_screen()
        if current is not None:
            self._retranslate(current)
        if self.overlay.isVisible():
            self.overlay.show_countdown(self._left, lang)

    def setting_seconds(self, key: str, default: float) -> float:
        """A timing setting, read at most every few seconds (it is asked on every tap)."""
        now = time.monotonic()
        cached = self._settings_cache.get(key)
        version = self.store.settings_version
        if cached is not None and cached[0] == version and now - cached[1] < SETTINGS_CACHE_S:
            return cached[2]
        try:
            value = max(0.05, float(self.store.get_setting(key, default)))
        except (TypeError, ValueError, StorageError):
            value = default
        self._settings_cache[key] = (version, now, value)
        return value

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
            # a new catalogue arrived: redraw what a citizen may be reading right now
            first = self._catalogue_seen is None
            self._catalogue_seen = state.catalogue_version
            current = self.current_screen()
            if not first and current is not None and current.name in ("services", "service"):
                current.catalogue_changed()
            self._refresh_header()
        menu = self.screens.get("staff_menu")
        if menu is not None:
            menu.sync_changed(state)  # type: ignore[attr-defined]  # StaffMenuScreen

    def report_storage_problem(self, exc: StorageError) -> None:
        """Remember a storage failure so staff see it (Welcome banner and status page)."""
        log.error("storage problem: %s", exc)
        self.storage_problem = exc
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
                self.storage_problem = exc
                return False
            old, self.store = self.store, fresh
            old.close()
            log.warning("storage works again: rating resumes")
        elif not self.store.storage_ok():
            return False
        self.storage_timer.stop()
        self.storage_problem = None
        self.rating_paused = False
        self._refresh_header()
        current = self.current_screen()
        if current is not None:
            current.enter()
            self._retranslate(current)
        return True

    @property
    def attention(self) -> str | None:
        """What staff must know about storage, in the language on screen (None: all well)."""
        if self.storage_problem is None:
            return None
        return self.storage_text(self.storage_problem)

    def storage_text(self, exc: StorageError) -> str:
        """A storage failure in words for staff, in the language on screen (no raw
        exception text: the details go to the log)."""
        if isinstance(exc, StorageFullError):
            key = "storage_full"
        elif isinstance(exc, StorageReadOnlyError):
            key = "storage_readonly"
        elif isinstance(exc, StorageCorruptError):
            key = "storage_corrupt"
        else:
            key = "storage_unavailable"
        if self.rating_paused:
            key += "_paused"
        return tr(key, self.lang)

    # -- idle -------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in USER_EVENTS and not self.overlay.isVisible():
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
        self.lang = DEFAULT_LANG
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
            app().removeEventFilter(self)
            event.accept()
        else:
            event.ignore()

    def show_kiosk(self) -> None:
        if self.kiosk_mode:
            self.showFullScreen()
        else:
            self.show()
