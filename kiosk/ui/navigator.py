"""The one place that decides which screen comes next.

The navigator owns the stack of screens: it builds each screen when first needed (its
module imported then, so a cold start pays only for Welcome), connects the screen's
signals to transitions, and keeps what a visit carries from screen to screen (the rating
whose follow-ups are open, whether staff mode is open, where a PIN leads). Screens know
nothing of each other or of the window; the window hears of a transition through the
navigator's own signals (idle clock, language, header).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QStackedWidget

from kiosk.storage import StorageError
from kiosk.sync import SyncState
from kiosk.ui.backend import Backend
from kiosk.ui.context import UiState
from kiosk.ui.i18n import tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import ScrollBox

if TYPE_CHECKING:
    from kiosk.ui.screens.comment import CommentScreen
    from kiosk.ui.screens.followup import FollowupScreen
    from kiosk.ui.screens.pin import PinScreen
    from kiosk.ui.screens.rating import RatingScreen
    from kiosk.ui.screens.service import ServiceScreen
    from kiosk.ui.screens.services import ServicesScreen
    from kiosk.ui.screens.staff_enrol import StaffEnrolScreen
    from kiosk.ui.screens.staff_menu import StaffMenuScreen
    from kiosk.ui.screens.staff_setup import StaffSetupScreen
    from kiosk.ui.screens.staff_status import StaffStatusScreen
    from kiosk.ui.screens.thanks import ThanksScreen
    from kiosk.ui.screens.welcome import WelcomeScreen

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
CITIZEN_START = "welcome"


def screen_class(name: str) -> type[Screen]:
    module, _, cls = SCREENS[name].partition(":")
    return cast("type[Screen]", getattr(importlib.import_module(module), cls))


def release_free_memory() -> None:
    """Return freed heap pages to the system (glibc's malloc_trim; elsewhere nothing)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class Navigator(QObject):
    #: Welcome is about to show: a visit is over (the window puts the language back)
    visit_over = Signal()
    #: a screen is on (its name): the window restarts its idle clock
    shown = Signal(str)
    #: storage failed under a screen (a ``StorageError``)
    storage_failed = Signal(object)
    #: staff confirmed leaving kiosk mode
    leave_kiosk_requested = Signal()
    #: the kiosk was enrolled: the header shows the new place
    place_changed = Signal()

    def __init__(self, ui: UiState, backend: Backend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui, self.backend = ui, backend
        self.stack = QStackedWidget()
        self.pages: dict[str, Screen] = {}
        self._boxes: dict[str, list[ScrollBox]] = {}
        self.staff_unlocked = False
        self.open_rating: str | None = None  # rated, follow-ups still being answered
        self._after_pin = "staff_menu"  # where a right PIN leads
        self._enrol_recovery = False  # the enrolment screen stands in for a lost PIN

    # -- the stack --------------------------------------------------------------------
    def page(self, name: str) -> Screen:
        """The screen called ``name``, built (and wired) the first time it is asked for."""
        scr = self.pages.get(name)
        if scr is None:
            scr = screen_class(name)(self.ui, self.backend)
            self.pages[name] = scr
            self.stack.addWidget(scr)
            scr.storage_failed.connect(self.storage_failed.emit)
            getattr(self, f"_wire_{name}")(scr)
            # the screen's scroll boxes, found once (they are made with the screen)
            self._boxes[name] = scr.findChildren(ScrollBox)
        return scr

    def prebuild(self) -> None:
        """Build the citizen screens (and the PIN pad) not shown yet, so the first tap on
        each is as fast as later ones. Staff screens are built when staff open them and
        freed when they leave, the first visit like every later one."""
        for name in SCREENS:
            if name == "pin" or not screen_class(name).staff:
                self.page(name).retranslate()
        # the counter's service pages, so a citizen's first tap on each only swaps
        cast("ServiceScreen", self.page("service")).prebuild_pages()

    def current(self) -> Screen | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Screen) else None

    def go(self, name: str, **params: Any) -> None:
        """Show screen ``name``; staff screens first ask for the PIN. ``pin`` takes
        ``after`` (the screen a right PIN leads to) besides the screen's own ``mode``."""
        if name == "pin":
            self._after_pin = str(params.pop("after", "staff_menu"))
        if name == "staff_enrol":
            self._enrol_recovery = bool(params.get("recovery", False))
        scr = self.page(name)
        if scr.staff and not self.staff_unlocked and name != "pin":
            self._after_pin = name
            scr, params = self.page("pin"), {"mode": "unlock"}
        self._show(scr, params)

    def _show(self, scr: Screen, params: dict[str, Any]) -> None:
        if not scr.staff:
            if self.staff_unlocked:
                QTimer.singleShot(0, self.release_staff_screens)
            self.staff_unlocked = False
        if self.open_rating is not None and scr.name not in ("followup", "comment"):
            self.finish_rating()
        if scr.name == CITIZEN_START:
            self.visit_over.emit()
            for page in self.pages.values():
                page.visit_ended()
            # a visit is over: hand what it freed back to the system, once drawn
            QTimer.singleShot(1000, release_free_memory)
        self.stack.setCurrentWidget(scr)
        scr.enter(**params)
        self.retranslate(scr)
        for box in self._boxes[scr.name]:
            box.to_top()  # every screen opens at its top, whoever scrolled it before
        self.shown.emit(scr.name)

    def retranslate(self, scr: Screen | None = None) -> None:
        """Redraw ``scr`` (default: the current screen) in the language on screen."""
        scr = scr or self.current()
        if scr is None:
            return
        scr.retranslate()
        px = max(16, self.ui.metrics.body_px)
        for box in self._boxes[scr.name]:
            box.retranslate(self.ui.lang, px)

    def reenter(self) -> None:
        """Show the current screen again from what it depends on (storage came back)."""
        scr = self.current()
        if scr is not None:
            scr.enter()
            self.retranslate(scr)

    # -- what a visit carries -----------------------------------------------------------
    def finish_rating(self) -> None:
        """The citizen left the follow-ups: release the rating to the outbox and push."""
        uuid, self.open_rating = self.open_rating, None
        if uuid is None:
            return
        try:
            self.backend.finish_followup(uuid)
        except StorageError as exc:  # held back for followup_hold_s, then sent anyway
            self.storage_failed.emit(exc)

    def _rated(self, uuid: str, score: int) -> None:
        """A rating is stored: its follow-ups stay open until the citizen leaves them."""
        self.open_rating = uuid
        self.go("followup", uuid=uuid, score=score)

    # -- staff ----------------------------------------------------------------------------
    def open_staff(self) -> None:
        """The staff gesture: the PIN, or (staff access lost with a damaged database)
        the enrolment screen, without a PIN."""
        if self.backend.store.staff_access() == "enrolment":
            self.staff_unlocked = False
            self._enrol_recovery = True
            self._show(self.page("staff_enrol"), {"recovery": True})
            return
        self.go("pin", mode="unlock", after="staff_menu")

    def _pin_accepted(self, notice: str | None = None) -> None:
        self.staff_unlocked = True
        self.go(self._after_pin, **({"notice": notice} if notice else {}))

    def _pin_cancelled(self) -> None:
        mode = cast("PinScreen", self.page("pin")).mode
        self.go("staff_menu" if mode == "change" else CITIZEN_START)

    def _enrolled(self, recovery: bool) -> None:
        self.place_changed.emit()
        if recovery:
            # a fresh enrolment code from central was accepted while the staff PIN was
            # lost: staff now choose a new PIN, then counter setup
            self._enrol_recovery = False
            self.go("pin", mode="first_run", after="staff_setup")

    def leave_staff(self) -> None:
        self.staff_unlocked = False
        self.go(CITIZEN_START)

    def release_staff_screens(self) -> None:
        """Staff left: free their screens (built again the next time staff come), and
        hand the memory back to the system. Staff visits are rare; the counter runs for
        months."""
        current = self.current()
        idle = [
            n
            for n, scr in self.pages.items()
            if scr.staff and scr is not current and not getattr(scr, "busy", False)
        ]
        for name in idle:  # (an enrolment still waiting for central keeps its screen)
            scr = self.pages.pop(name)
            self._boxes.pop(name, None)
            self.stack.removeWidget(scr)
            scr.deleteLater()
        QTimer.singleShot(0, release_free_memory)

    # -- news from outside ----------------------------------------------------------------
    def catalogue_changed(self) -> None:
        """A new catalogue arrived: redraw what a citizen may be reading right now."""
        scr = self.current()
        if scr is not None and scr.name in ("services", "service"):
            scr.catalogue_changed()

    def sync_changed(self, state: SyncState) -> None:
        menu = self.pages.get("staff_menu")
        if menu is not None:
            cast("StaffMenuScreen", menu).sync_changed(state)

    # -- wiring: every transition, in one place -------------------------------------------
    def _wire_welcome(self, s: WelcomeScreen) -> None:
        s.rate_requested.connect(lambda: self.go("rating"))
        s.documents_requested.connect(lambda: self.go("services"))

    def _wire_services(self, s: ServicesScreen) -> None:
        s.back_requested.connect(lambda: self.go(CITIZEN_START))
        s.service_chosen.connect(lambda code: self.go("service", code=code))

    def _wire_service(self, s: ServiceScreen) -> None:
        s.back_requested.connect(lambda: self.go("services"))
        s.rate_requested.connect(lambda code: self.go("rating", service_code=code or None))

    def _wire_rating(self, s: RatingScreen) -> None:
        s.rated.connect(self._rated)
        s.back_requested.connect(lambda: self.go(CITIZEN_START))
        s.documents_requested.connect(lambda: self.go("services"))

    def _wire_followup(self, s: FollowupScreen) -> None:
        s.finished.connect(lambda: self.go("thanks"))
        s.comment_requested.connect(lambda: self.go("comment", uuid=self.open_rating))

    def _wire_comment(self, s: CommentScreen) -> None:
        s.cancelled.connect(lambda: self.go("followup"))
        s.sent.connect(lambda: self.go("thanks"))

    def _wire_thanks(self, s: ThanksScreen) -> None:
        s.finished.connect(lambda: self.go(CITIZEN_START))

    def _wire_pin(self, s: PinScreen) -> None:
        s.unlocked.connect(lambda: self._pin_accepted())
        s.pin_set.connect(lambda: self._pin_accepted(tr("pin_changed", self.ui.lang)))
        s.cancelled.connect(self._pin_cancelled)

    def _wire_staff_menu(self, s: StaffMenuScreen) -> None:
        s.setup_requested.connect(lambda: self.go("staff_setup"))
        s.status_requested.connect(lambda: self.go("staff_status"))
        s.enrol_requested.connect(lambda: self.go("staff_enrol"))
        s.change_pin_requested.connect(lambda: self.go("pin", mode="change", after="staff_menu"))
        s.leave_confirmed.connect(self.leave_kiosk_requested.emit)
        s.back_requested.connect(self.leave_staff)

    def _wire_staff_setup(self, s: StaffSetupScreen) -> None:
        s.back_requested.connect(lambda: self.go("staff_menu"))

    def _wire_staff_status(self, s: StaffStatusScreen) -> None:
        s.back_requested.connect(lambda: self.go("staff_menu"))

    def _wire_staff_enrol(self, s: StaffEnrolScreen) -> None:
        s.back_requested.connect(
            lambda: self.go(CITIZEN_START if self._enrol_recovery else "staff_menu")
        )
        s.enrolled.connect(self._enrolled)
