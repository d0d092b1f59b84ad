"""One sync pass: pull the catalogue, heartbeat, push the outbox, purge old synced rows.

The catalogue comes first, so a rating is never pushed for a service the kiosk should no
longer offer without the kiosk having had the chance to update (central also keeps a
rating for a service it does not know). A catalogue the kiosk cannot apply keeps the
previous one, is recorded (``KioskStore.record_catalogue_refusal``), reported in the
heartbeat of the same pass and shown on the staff status page; it does not stop the
ratings. A catalogue download that fails (network, central) does not stop them either:
the pass pushes, then fails with that error.

``SyncEngine.run()`` is synchronous and knows nothing of threads or schedules: the
background service (``kiosk.sync.service``) and ``python -m kiosk sync --once`` both call
it. It talks to central through a ``CentralClient`` and to SQLite through a
``KioskStore`` that belongs to the caller's thread.

Exactly once (docs/sync-protocol.md, "States of an outbox item"): a rating leaves
``pending`` only through ``store.mark_sync_results`` with central's per-item answer to a
request that carried it. A request that fails in any way (timeout, cut connection, 5xx,
an answer that does not match what was sent) marks nothing; the items are sent again
later and central answers ``duplicate`` for the ones it already holds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from kiosk.storage import StorageError, StorageFullError
from kiosk.sync.client import MAX_BATCH, CentralClient, SyncError

log = logging.getLogger("kiosk.sync")

# Settings (``store.get_setting``) that tune sync; every one is optional.
SETTING_PREFIX = "sync_"
SETTING_CURSOR_OWNER = "sync_cursor_kiosk"  # central kiosk id the cached cursor belongs to
SETTING_BLOCKED = "sync_blocked"  # {"kind", "message", "credential_hint"} after 401/403
SETTING_SKEW = "sync_clock_skew_s"  # kiosk clock minus central's, from the last heartbeat
SETTING_LAST_SERVER_TIME = "sync_last_server_time"
SETTING_CA_FILE = "sync_ca_file"  # a CA bundle to trust for central (a private CA)


def tls_verify(store: Any, explicit: bool | str = True) -> bool | str:
    """What ``requests`` should verify central's certificate with: ``explicit`` when
    given, else the ``sync_ca_file`` setting, else the system's trusted CAs."""
    if explicit is not True:
        return explicit
    try:
        ca = store.get_setting(SETTING_CA_FILE)
    except StorageError:
        ca = None
    return ca if isinstance(ca, str) and ca else True


@dataclass(frozen=True)
class SyncConfig:
    """Sync tuning, read from the kiosk settings ``sync_<name>`` (numbers)."""

    interval_s: float = 300.0  # scheduled sync every 5 minutes ...
    jitter_s: float = 60.0  # ... plus a random 0-60 s, so kiosks spread out
    push_delay_s: float = 20.0  # push this long after a rating (when the last sync worked)
    backoff_base_s: float = 30.0  # first retry after a failure ...
    backoff_cap_s: float = 1800.0  # ... doubling up to 30 minutes
    batch_size: int = MAX_BATCH  # ratings per request (central takes at most 500)
    retention_days: float = 30.0  # synced ratings are deleted locally after this
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0

    @classmethod
    def from_store(cls, store: Any, overrides: dict[str, float] | None = None) -> SyncConfig:
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = (overrides or {}).get(f.name)
            if raw is None and store is not None:
                try:
                    raw = store.get_setting(SETTING_PREFIX + f.name)
                except StorageError:
                    raw = None
            if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0:
                continue
            values[f.name] = raw
        cfg = cls(**values)
        batch = int(min(max(1, cfg.batch_size), MAX_BATCH))
        return cls(
            **{
                **cfg.__dict__,
                "batch_size": batch,
                "interval_s": max(1.0, float(cfg.interval_s)),
                "backoff_base_s": max(0.01, float(cfg.backoff_base_s)),
                "backoff_cap_s": max(float(cfg.backoff_base_s), float(cfg.backoff_cap_s)),
                "connect_timeout_s": max(0.1, float(cfg.connect_timeout_s)),
                "read_timeout_s": max(0.1, float(cfg.read_timeout_s)),
            }
        )

    def backoff(self, failures: int, rand: Callable[[], float]) -> float:
        """Delay before retry number ``failures`` (1, 2, ...): base * 2^(n-1), capped,
        then scaled by a random factor in [0.5, 1.0) so that kiosks that failed together
        (central down) do not come back together."""
        raw = min(self.backoff_cap_s, self.backoff_base_s * (2 ** max(0, failures - 1)))
        return raw * (0.5 + 0.5 * rand())


@dataclass
class PassTimings:
    """Where the time of a pass went (seconds)."""

    store_read_s: float = 0.0
    store_mark_s: float = 0.0
    http_ratings_s: float = 0.0
    http_other_s: float = 0.0
    catalogue_apply_s: float = 0.0


@dataclass
class PassResult:
    ok: bool = False
    error: SyncError | StorageError | None = None
    batches: int = 0
    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    catalogue_changed: bool = False
    catalogue_cursor: str | None = None
    catalogue_refused: str | None = None  # why central's catalogue could not be applied
    skew_seconds: float | None = None
    purged: int = 0
    queue_depth: int | None = None
    stopped: bool = False
    timings: PassTimings = field(default_factory=PassTimings)

    @property
    def error_text(self) -> str | None:
        return None if self.error is None else str(self.error)

    def summary(self) -> str:
        text = (
            f"sent {self.sent} in {self.batches} batch(es): {self.accepted} accepted, "
            f"{self.duplicate} duplicate, {self.rejected} rejected; "
            f"catalogue {'updated' if self.catalogue_changed else 'unchanged'}"
        )
        if self.catalogue_refused:
            text += f" (central's catalogue refused, previous kept: {self.catalogue_refused})"
        if self.purged:
            text += f"; purged {self.purged} old synced rating(s)"
        if self.queue_depth is not None:
            text += f"; {self.queue_depth} still queued"
        return text


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="seconds")


class SyncEngine:
    """Runs passes for one store and one client (both owned by the calling thread)."""

    def __init__(
        self,
        store: Any,
        client: CentralClient,
        *,
        kiosk_id: str,
        config: SyncConfig | None = None,
        now: Callable[[], datetime] | None = None,
        app_version: str = "0",
        stop: threading.Event | None = None,
        on_batch: Callable[[PassResult], None] | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.kiosk_id = kiosk_id
        self.config = config or SyncConfig()
        self.now = now or (lambda: datetime.now().astimezone())
        self.app_version = app_version
        self.stop = stop or threading.Event()
        self.on_batch = on_batch

    # -- the pass ------------------------------------------------------------------------
    def run(self, *, push_only: bool = False, max_batches: int | None = None) -> PassResult:
        """One pass. Never raises for network or storage trouble: the result says what
        happened and the attempt is logged in the store (``record_sync_attempt``)."""
        result = PassResult()
        try:
            catalogue_error = None
            try:
                self._pull_catalogue(result)
            except SyncError as exc:
                if exc.auth:
                    raise
                catalogue_error = exc
                log.warning("catalogue download failed (%s): %s", exc.kind, exc)
            if not push_only:
                self._heartbeat(result)
            self._push(result, max_batches)
            if not push_only and not result.stopped:
                self._purge(result)
            if catalogue_error is not None:
                raise catalogue_error
            result.ok = not result.stopped
        except SyncError as exc:
            result.error = exc
            log.warning("sync failed (%s): %s", exc.kind, exc)
        except StorageError as exc:
            result.error = exc
            log.error("sync failed: kiosk storage: %s", exc)
        try:
            result.queue_depth = self.store.queue_depth()
        except StorageError:
            result.queue_depth = None
        if not result.stopped:
            try:
                self.store.record_sync_attempt(ok=result.ok, error=result.error_text)
            except StorageError as exc:
                log.error("could not record the sync attempt: %s", exc)
        return result

    def _heartbeat(self, result: PassResult) -> None:
        started = time.perf_counter()
        refused = self.store.catalogue_refusal()
        answer = self.client.heartbeat(
            self.app_version,
            self.store.queue_depth(),
            rfc3339(self.now()),
            catalogue_refused=refused["reason"] if refused else None,
        )
        result.timings.http_other_s += time.perf_counter() - started
        result.skew_seconds = float(answer.skew_seconds)
        self._note(SETTING_SKEW, round(result.skew_seconds, 3))
        self._note(SETTING_LAST_SERVER_TIME, answer.server_time)

    def _note(self, key: str, value: object) -> None:
        """Remember a fact for the status page. Best effort: on a full (or read-only)
        disk this write fails, and the push that follows must still happen (it needs
        no write to send; central keeps what it accepts even if marking fails)."""
        try:
            self.store.set_setting(key, value)
        except StorageError as exc:
            log.warning("could not remember %s: %s", key, exc)

    def _push(self, result: PassResult, max_batches: int | None) -> None:
        size = self.config.batch_size
        previous_first: str | None = None
        unmarked: set[str] = set()  # sent, but the answer could not be stored (full disk)
        full: StorageFullError | None = None
        while max_batches is None or result.batches < max_batches:
            if self.stop.is_set():
                result.stopped = True
                return
            t0 = time.perf_counter()
            items = self.store.pending_ratings(size + len(unmarked))
            if unmarked:
                items = [i for i in items if i["uuid"] not in unmarked][:size]
            t1 = time.perf_counter()
            result.timings.store_read_s += t1 - t0
            if not items:
                break
            if items[0]["uuid"] == previous_first:
                # mark_sync_results changed nothing: never loop on the same batch.
                raise StorageError(
                    "The outbox did not move after central answered; sync stopped to avoid "
                    "sending the same ratings again and again."
                )
            previous_first = items[0]["uuid"]
            results, _server_time = self.client.push_ratings(items)
            t2 = time.perf_counter()
            result.timings.http_ratings_s += t2 - t1
            try:
                self.store.mark_sync_results(results)
            except StorageFullError as exc:
                # The disk is full: keep pushing the rest of the queue (central keeps
                # what it accepted; the next pass after space returns marks them).
                full = exc
                unmarked.update(r["uuid"] for r in results)
            result.timings.store_mark_s += time.perf_counter() - t2
            result.batches += 1
            result.sent += len(items)
            for r in results:
                if r["status"] == "accepted":
                    result.accepted += 1
                elif r["status"] == "duplicate":
                    result.duplicate += 1
                else:
                    result.rejected += 1
                    log.warning("central rejected rating %s: %s", r["uuid"], r["reason"])
            if self.on_batch is not None:
                self.on_batch(result)
            if len(items) < size:
                break
        if full is not None:
            raise full

    def _pull_catalogue(self, result: PassResult) -> None:
        owner = self.store.get_setting(SETTING_CURSOR_OWNER)
        cursor = self.store.catalogue_version() if owner == self.kiosk_id else None
        started = time.perf_counter()
        try:
            payload = self.client.catalogue(cursor or None)
        except SyncError as exc:
            if exc.code != "bad_cursor" or not cursor:
                raise
            # Central does not understand our cursor: start again from a full catalogue.
            log.warning("central refused the catalogue cursor %r: fetching it whole", cursor)
            cursor = None
            payload = self.client.catalogue(None)
        t1 = time.perf_counter()
        result.timings.http_other_s += t1 - started
        # An empty delta with the same cursor changes nothing: skip the write.
        same = not payload.full and not payload.services and payload.cursor == cursor
        if not same:
            try:
                self.store.apply_catalogue(payload)
            except ValueError as exc:
                # Never silent: kept for the heartbeat, central's fleet view and staff.
                log.error("central's catalogue refused, the previous one is kept: %s", exc)
                self.store.record_catalogue_refusal(str(exc), payload.cursor)
                result.catalogue_refused = str(exc)
                result.timings.catalogue_apply_s += time.perf_counter() - t1
                return
            result.catalogue_changed = True
        self.store.clear_catalogue_refusal()
        if owner != self.kiosk_id:
            self.store.set_setting(SETTING_CURSOR_OWNER, self.kiosk_id)
        result.catalogue_cursor = payload.cursor
        result.timings.catalogue_apply_s += time.perf_counter() - t1

    def _purge(self, result: PassResult) -> None:
        days = self.config.retention_days
        result.purged = self.store.purge_synced(timedelta(days=days))


def clear_blocked(store: Any) -> None:
    try:
        store.delete_setting(SETTING_BLOCKED)
    except StorageError:
        log.exception("could not clear the blocked flag")
