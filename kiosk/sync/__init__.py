"""What the UI knows about sync: a small interface, no widgets and (here) no network.

The UI holds a ``SyncService``. It asks for the current ``SyncState``, registers a
listener to hear about changes (listeners may be called from any thread: the UI turns
them into Qt signals), tells the service when a rating was stored, and asks for a sync
now. None of these calls block: the real service does its work in the background.

``LocalOnlySync`` is the service of a kiosk that is not enrolled with central: ratings
stay queued in the local outbox and the state says so. ``kiosk.sync.service.CentralSync``
is the real one (APScheduler in the background, HTTP to central); ``kiosk.sync.enrol``
enrols a kiosk, ``kiosk.sync.client`` speaks the protocol (docs/sync-protocol.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class EnrolResult:
    """What staff see after enrolling. ``catalogue_error`` is set when the kiosk is
    enrolled but the first catalogue download failed (the next sync fetches it)."""

    kiosk_id: str
    server_url: str
    service_point: dict
    counter: dict
    catalogue_error: str | None = None

    def place(self, lang: str = "en") -> str:
        sp = self.service_point.get(f"name_{lang}") or self.service_point.get("name_th", "")
        ct = self.counter.get(f"name_{lang}") or self.counter.get("name_th", "")
        return f"{sp} / {ct}"


@dataclass(frozen=True)
class SyncState:
    enrolled: bool = False
    online: bool | None = None  # None: not known yet
    running: bool = False
    last_sync_at: datetime | None = None
    last_error: str | None = None
    server_url: str | None = None
    # Added with the real sync service; every one is optional for other implementations.
    blocked: str | None = None  # central refused this kiosk (revoked/unknown): why
    kiosk_id: str | None = None  # central's id for this kiosk (ks-000123)
    enrolled_to: str | None = None  # "service point / counter"
    queue_depth: int | None = None  # ratings waiting to be sent
    rejected: int | None = None  # ratings central refused (kept, shown to staff)
    catalogue_version: str | None = None  # the cached catalogue's cursor
    skew_seconds: float | None = None  # kiosk clock minus central's, at the last heartbeat
    next_sync_at: datetime | None = None  # when the next retry runs (after failures)
    failures: int = 0  # failed passes in a row
    last_error_kind: str | None = None  # SyncError.kind, "storage" or "other": for words


Listener = Callable[[SyncState], None]


class SyncService:
    """Base class: listener bookkeeping shared by every implementation."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._state = SyncState()

    def state(self) -> SyncState:
        with self._lock:
            return self._state

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def _set_state(self, **changes: Any) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)
            state, listeners = self._state, list(self._listeners)
        for listener in listeners:
            listener(state)

    def start(self) -> None:
        """Begin scheduled work (no-op for a kiosk that is not enrolled)."""

    def stop(self) -> None:
        """Stop scheduled work; pending work is abandoned, never half-applied."""

    def notify_rating(self) -> None:
        """A rating was committed to the outbox; a connected service pushes soon."""

    def sync_now(self) -> None:
        """Staff asked for a sync; returns at once."""

    def enroll(self, server_url: str, code: str, on_done: Callable[[object], None]) -> None:
        """Enrol with central in the background; ``on_done`` (any thread) receives a
        ``kiosk.sync.enrol.EnrolResult`` or a ``kiosk.sync.client.SyncError``."""
        from kiosk.sync.client import SyncError

        on_done(SyncError("unsupported", "This kiosk cannot enrol (no sync service)."))


class LocalOnlySync(SyncService):
    """A kiosk with no central: everything stays in the local outbox."""

    def sync_now(self) -> None:
        self._set_state(online=False, last_error="not enrolled")
