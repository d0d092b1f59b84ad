"""What the screens may ask of the rest of the kiosk, in one narrow object.

Screens never see the window, the store or the sync service. Each screen module declares
a small ``Needs`` protocol with only the calls it makes; ``Backend`` is the one object
that has them all (mypy checks that it fits every screen's protocol, see the end of this
module). It always talks to the *current* store: the window swaps it in when storage
that could not be opened at start works again.

It also holds the storage alert's state (what went wrong, whether rating is paused);
the window owns the alert's timer and what it shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk.storage import (
    KioskStore,
    RatingRef,
    Service,
    ServicePoint,
    StorageCorruptError,
    StorageError,
    StorageFullError,
    StorageReadOnlyError,
)
from kiosk.sync import SyncService, SyncState
from kiosk.ui.i18n import tr

if TYPE_CHECKING:
    from kiosk.pin import PinGuard

SETTINGS_CACHE_S = 10.0  # changes made elsewhere (another process) show within this


class Backend:
    def __init__(
        self, store: KioskStore, sync: SyncService, clock: Callable[[], float] = time.time
    ) -> None:
        self.store, self.sync, self.clock = store, sync, clock
        self.storage_problem: StorageError | None = None
        # Storage that could not be opened at start: the store is a read-only stand-in
        # (catalogue only) and rating is paused until the real one opens.
        self.rating_paused = store.unavailable is not None
        self._settings_cache: dict[str, tuple[int, float, float]] = {}

    # -- catalogue ------------------------------------------------------------------------
    def service_point(self) -> ServicePoint:
        return self.store.service_point()

    def counter_services(self) -> list[Service]:
        return self.store.counter_services()

    def all_services(self) -> list[Service]:
        return self.store.all_services()

    def service(self, code: str) -> Service | None:
        return self.store.service(code)

    def set_counter_services(self, codes: list[str]) -> None:
        self.store.set_counter_services(codes)

    def default_service_code(self) -> str | None:
        """The counter's only service, if it has exactly one (a rating is then tied to it)."""
        services = self.store.counter_services()
        return services[0].code if len(services) == 1 else None

    # -- ratings --------------------------------------------------------------------------
    def record_rating(self, score: int, service_code: str | None) -> RatingRef:
        return self.store.record_rating(score, service_code)

    def update_followup(self, uuid: str, **answers: Any) -> None:
        self.store.update_followup(uuid, **answers)

    def finish_followup(self, uuid: str) -> None:
        """The citizen left the follow-ups: release the rating to the outbox and push
        (pushed even when the release failed: it then goes after ``followup_hold_s``)."""
        try:
            self.store.finish_followup(uuid)
        finally:
            self.sync.notify_rating()

    # -- staff ----------------------------------------------------------------------------
    def pin_guard(self) -> PinGuard:
        from kiosk.pin import PinGuard  # (staff only: not paid for at start)

        return PinGuard(self.store, self.clock)

    def status(self) -> dict:
        return self.store.status()

    def rejected_ratings(self, limit: int) -> list[dict]:
        return self.store.rejected_ratings(limit)

    def sync_state(self) -> SyncState:
        return self.sync.state()

    def sync_now(self) -> None:
        self.sync.sync_now()

    def enroll(self, server_url: str, code: str, on_done: Callable[[object], None]) -> None:
        self.sync.enroll(server_url, code, on_done)

    # -- settings -------------------------------------------------------------------------
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

    # -- the storage alert ----------------------------------------------------------------
    def attention(self, lang: str) -> str | None:
        """What staff must know about storage, in ``lang`` (None: all well)."""
        if self.storage_problem is None:
            return None
        return self.storage_text(self.storage_problem, lang)

    def storage_text(self, exc: StorageError, lang: str) -> str:
        """A storage failure in words for staff (no raw exception text: the details go
        to the log)."""
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
        return tr(key, lang)


if TYPE_CHECKING:  # mypy: the one Backend fits what every screen says it needs

    def _fits_every_screen(b: Backend) -> None:
        from kiosk.ui.screens import (
            comment,
            followup,
            pin,
            rating,
            service,
            services,
            staff_enrol,
            staff_menu,
            staff_setup,
            staff_status,
            thanks,
            welcome,
        )

        n1: welcome.WelcomeNeeds = b
        n2: services.ServicesNeeds = b
        n3: service.ServiceNeeds = b
        n4: rating.RatingNeeds = b
        n5: followup.FollowupNeeds = b
        n6: comment.CommentNeeds = b
        n7: thanks.ThanksNeeds = b
        n8: pin.PinNeeds = b
        n9: staff_menu.StaffMenuNeeds = b
        n10: staff_setup.StaffSetupNeeds = b
        n11: staff_status.StaffStatusNeeds = b
        n12: staff_enrol.StaffEnrolNeeds = b
        del n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11, n12
