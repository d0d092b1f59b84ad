"""``CentralSync``: the background sync service of a kiosk (enrolled or not yet).

Scheduling (APScheduler 3.11 ``BackgroundScheduler``; every job runs in its one-thread
pool, never on the GUI thread, and reaches the UI only through the listeners):

- ``periodic``: an interval job, every ``sync_interval_s`` (default 300 s) plus a random
  jitter of up to ``sync_jitter_s`` (default 60 s); the first run comes a random few
  seconds after start. Skipped while backing off or while central refuses the kiosk.
- after a failure, one retry job at ``backoff_base_s * 2^(n-1)`` (capped at
  ``backoff_cap_s``, times a random factor in [0.5, 1)); success resets the count;
- ``notify_rating()``: a push-only pass ``push_delay_s`` later, only when the last sync
  worked (an offline kiosk does not try after every tap);
- ``sync_now()``: a full pass at once, backoff or not.

A pass is serialised by a lock: requests that arrive while one runs are folded into one
follow-up pass. The service opens its own ``KioskStore`` on the data folder (its own
SQLite connection: the UI's connection and lock are never held by network work).

The scheduler's triggers use the wall clock; a kiosk clock that jumps backwards would
push the next run far away, so a small watchdog thread (monotonic clock) re-arms the
periodic job when no pass has run for two intervals.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk import APP_VERSION
from kiosk.storage import KioskStore, StorageError
from kiosk.sync import SyncService
from kiosk.sync.client import CentralClient, SyncError
from kiosk.sync.engine import (
    SETTING_BLOCKED,
    SETTING_SKEW,
    PassResult,
    SyncConfig,
    SyncEngine,
    tls_verify,
)
from kiosk.sync.enrol import EnrolResult, enrol, secure_data_files

log = logging.getLogger("kiosk.sync")


def credential_hint(credential: str | None) -> str | None:
    """A short, non-secret fingerprint of a credential (to tell enrolments apart)."""
    if not credential:
        return None
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()[:12]


def blocked_message(store: Any, enrolment: dict | None) -> str | None:
    """The stored 401/403 message if it concerns the current credential."""
    if not enrolment:
        return None
    try:
        blocked = store.get_setting(SETTING_BLOCKED)
    except StorageError:
        return None
    if isinstance(blocked, dict) and blocked.get("credential") == credential_hint(
        enrolment.get("credential")
    ):
        return str(blocked.get("message") or "central refused this kiosk")
    return None


def remember_refusal(store: Any, err: SyncError, enrolment: dict) -> None:
    """Central answered 401/403 for this enrolment: stop syncing until re-enrolment, and
    keep why for staff (tied to the credential, so a new enrolment clears it)."""
    store.set_setting(
        SETTING_BLOCKED,
        {
            "kind": err.kind,
            "message": str(err),
            "credential": credential_hint(enrolment.get("credential")),
            "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        },
    )


class CentralSync(SyncService):
    """The real sync service. Works for an enrolled kiosk and for one that is not yet
    (then it only waits for ``enroll``)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        store: Any | None = None,
        now: Callable[[], datetime] | None = None,
        overrides: dict[str, float] | None = None,
        app_version: str = APP_VERSION,
        verify: bool | str = True,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self._now = now
        self._overrides = dict(overrides or {})
        self._app_version = app_version
        self._verify = verify
        self._rng = rng or random.Random()
        self._store: KioskStore | None = None  # the worker's own connection
        self._pass_lock = threading.Lock()
        self._flag_lock = threading.Lock()
        self._pending: str | None = None  # "push" | "full": asked for while a pass ran
        self._failures = 0
        self._retry_at: float | None = None  # monotonic
        self._last_pass_mono = time.monotonic()
        self._kick_seq = 0
        self._push_kick_pending = False
        self._stop = threading.Event()
        self._started = threading.Event()
        self._starting = False
        self._early_kicks: list[tuple[str, float]] = []  # asked for before the scheduler ran
        self._scheduler: Any = None  # apscheduler BackgroundScheduler once started
        self._watchdog: threading.Thread | None = None
        self._config = SyncConfig.from_store(store, self._overrides)
        self._load_initial_state(store)

    # -- state ----------------------------------------------------------------------------
    def _load_initial_state(self, store: Any | None) -> None:
        """Fill the state from the store (the UI's store, a quick read on the caller's
        thread) so the status page is right before the first pass."""
        if store is None:
            return
        try:
            enrolment = store.enrolment()
            status = store.status()
        except StorageError as exc:
            self._set_state(last_error=str(exc))
            return
        self._apply_enrolment(enrolment)
        last = status.get("last_sync_at")
        blocked = blocked_message(store, enrolment)
        skew = None
        with contextlib.suppress(StorageError):
            skew = store.get_setting(SETTING_SKEW)
        self._set_state(
            last_sync_at=datetime.fromisoformat(last) if last else None,
            last_error=blocked or status.get("last_sync_error"),
            blocked=blocked,
            queue_depth=status.get("queued"),
            rejected=status.get("rejected"),
            catalogue_version=status.get("catalogue_version") or None,
            skew_seconds=skew if isinstance(skew, (int, float)) else None,
            online=False if blocked else None,
        )

    def _apply_enrolment(self, enrolment: dict | None) -> None:
        if not enrolment:
            self._set_state(enrolled=False, server_url=None, kiosk_id=None, enrolled_to=None)
            return
        sp = enrolment.get("service_point") or {}
        ct = enrolment.get("counter") or {}
        self._set_state(
            enrolled=True,
            server_url=enrolment.get("server_url"),
            kiosk_id=enrolment.get("kiosk_id"),
            enrolled_to=" / ".join(
                x
                for x in (sp.get("name_th") or sp.get("id"), ct.get("name_th") or ct.get("id"))
                if x
            )
            or None,
        )

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Start the scheduler from a helper thread (importing APScheduler and requests
        takes tens of milliseconds the first frame should not wait for)."""
        if self._scheduler is not None or self._starting:
            return
        self._starting = True
        self._started.clear()
        self._stop.clear()
        threading.Thread(target=self._start_scheduler, name="kiosk-sync-start", daemon=True).start()

    def wait_started(self, timeout: float = 10.0) -> bool:
        return self._started.wait(timeout)

    def _start_scheduler(self) -> None:
        import requests  # noqa: F401 - warm the import off the GUI thread
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        sched = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=UTC,
            daemon=True,
        )
        sched.start()
        if self._stop.is_set():  # stopped while starting
            sched.shutdown(wait=False)
            self._starting = False
            return
        self._scheduler = sched
        self._starting = False
        self._arm_periodic(first_delay=self._rng.uniform(2.0, min(30.0, self._config.interval_s)))
        self._watchdog = threading.Thread(
            target=self._watch, name="kiosk-sync-watchdog", daemon=True
        )
        self._watchdog.start()
        self._started.set()
        with self._flag_lock:
            early, self._early_kicks = self._early_kicks, []
        for kind, delay in early:
            self._kick(kind, delay)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop scheduling; wait up to ``timeout`` s for a running pass to finish its
        current step (a pass stops between batches; every write is one transaction)."""
        self._stop.set()
        sched, self._scheduler = self._scheduler, None
        if sched is not None:
            sched.shutdown(wait=False)
        if self._pass_lock.acquire(timeout=timeout):
            try:
                self._close_store()
            finally:
                self._pass_lock.release()

    def _close_store(self) -> None:
        if self._store is not None:
            with contextlib.suppress(StorageError):
                self._store.close()
            self._store = None

    def _arm_periodic(self, first_delay: float | None = None) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        sched = self._scheduler
        if sched is None:
            return
        cfg = self._config
        start = datetime.now(UTC) + timedelta(
            seconds=cfg.interval_s if first_delay is None else first_delay
        )
        trigger = IntervalTrigger(
            seconds=cfg.interval_s, jitter=cfg.jitter_s or None, start_date=start, timezone=UTC
        )
        sched.add_job(
            self._periodic,
            trigger,
            id="periodic",
            name="scheduled sync",
            replace_existing=True,
            next_run_time=start,
        )

    def _kick(self, kind: str, delay: float) -> bool:
        """One extra run ``delay`` seconds from now (a unique job: never replaced).
        False if nothing could be scheduled (stopped, or never started)."""
        from apscheduler.triggers.date import DateTrigger

        sched = self._scheduler
        if self._stop.is_set():
            return False
        if sched is None:
            with self._flag_lock:
                if self._starting:
                    self._early_kicks.append((kind, delay))
                    return True
            return False
        with self._flag_lock:
            self._kick_seq += 1
            job_id = f"{kind}-{self._kick_seq}"
        when = datetime.now(UTC) + timedelta(seconds=max(0.0, delay))
        try:
            sched.add_job(
                self._run_kick,
                DateTrigger(run_date=when, timezone=UTC),
                args=(kind,),
                id=job_id,
                name=kind,
                misfire_grace_time=None,
            )
        except Exception:  # the scheduler was shut down meanwhile
            log.debug("could not schedule %s", job_id, exc_info=True)
            return False
        return True

    def _watch(self) -> None:
        while not self._stop.wait(30.0):
            idle = time.monotonic() - self._last_pass_mono
            limit = 2 * (self._config.interval_s + self._config.jitter_s) + 60
            if idle > limit and not self._pass_lock.locked():
                log.warning("no sync for %.0f s (clock moved back?): re-arming the schedule", idle)
                self._last_pass_mono = time.monotonic()
                self._arm_periodic(first_delay=1.0)

    # -- what the UI calls ------------------------------------------------------------------
    def notify_rating(self) -> None:
        st = self.state()
        if not st.enrolled or st.blocked or st.online is not True or self._failures:
            return
        with self._flag_lock:
            if self._push_kick_pending:
                return
            self._push_kick_pending = True
        if not self._kick("push", self._config.push_delay_s):
            with self._flag_lock:
                self._push_kick_pending = False

    def sync_now(self) -> None:
        st = self.state()
        if not st.enrolled:
            self._set_state(online=False, last_error="not enrolled")
            return
        self._set_state(running=True)
        if self._scheduler is None and not self._starting:
            # Not started (the CLI, a test): run on a helper thread, never the caller's.
            threading.Thread(target=self._run_kick, args=("now",), daemon=True).start()
        else:
            self._kick("now", 0.0)

    def enroll(self, server_url: str, code: str, on_done: Callable[[object], None]) -> None:
        """Enrol in the background; ``on_done`` gets an ``EnrolResult`` or a ``SyncError``
        (called from the worker thread)."""

        def work() -> None:
            outcome: object
            store = None
            try:
                store = KioskStore.open(self.data_dir, **self._now_kw())
                outcome = enrol(
                    store,
                    server_url,
                    code,
                    app_version=self._app_version,
                    config=SyncConfig.from_store(store, self._overrides),
                    verify=self._verify,
                )
            except SyncError as exc:
                outcome = exc
            except StorageError as exc:
                outcome = SyncError("storage", f"The kiosk's storage failed: {exc}")
            except Exception as exc:  # never leave the screen waiting
                log.exception("enrolment failed")
                outcome = SyncError("internal", f"Enrolment failed unexpectedly: {exc}")
            if isinstance(outcome, EnrolResult) and store is not None:
                self._failures, self._retry_at = 0, None
                self._apply_enrolment(store.enrolment())
                self._set_state(
                    blocked=None,
                    online=True,
                    last_error=outcome.catalogue_error,
                    catalogue_version=store.catalogue_version() or None,
                )
            if store is not None:
                store.close()
            try:
                on_done(outcome)
            finally:
                if isinstance(outcome, EnrolResult):
                    self._kick("now", 0.5)

        threading.Thread(target=work, name="kiosk-enrol", daemon=True).start()

    # -- the jobs ---------------------------------------------------------------------------
    def _now_kw(self) -> dict:
        return {"now": self._now} if self._now is not None else {}

    def _periodic(self) -> None:
        if self._retry_at is not None and time.monotonic() < self._retry_at:
            return  # backing off: the retry job will run
        if self.state().blocked:
            return
        self._run("full")

    def _run_kick(self, kind: str) -> None:
        if kind == "push":
            with self._flag_lock:
                self._push_kick_pending = False
        if kind == "retry" and self.state().blocked:
            return
        self._run("push" if kind == "push" else "full")

    def _run(self, kind: str) -> None:
        if not self._pass_lock.acquire(blocking=False):
            with self._flag_lock:
                if self._pending != "full":
                    self._pending = kind
            return
        try:
            while True:
                try:
                    self._one_pass(push_only=(kind == "push"))
                except Exception as exc:  # a bug: report it like any failure, keep scheduling
                    log.exception("sync pass crashed")
                    self._close_store()
                    self._after_failure(
                        f"Sync failed unexpectedly: {exc}", transient=True, kind="other"
                    )
                with self._flag_lock:
                    pending, self._pending = self._pending, None
                if pending is None or self._stop.is_set() or self._failures:
                    break
                kind = pending
        finally:
            self._pass_lock.release()

    def _open_store(self) -> KioskStore:
        if self._store is None:
            self._store = KioskStore.open(self.data_dir, **self._now_kw())
            secure_data_files(self.data_dir)
        return self._store

    def _one_pass(self, *, push_only: bool) -> PassResult | None:
        self._last_pass_mono = time.monotonic()
        try:
            store = self._open_store()
            enrolment = store.enrolment()
            self._config = SyncConfig.from_store(store, self._overrides)
        except StorageError as exc:
            self._close_store()
            self._after_failure(str(exc), transient=True, kind="storage")
            return None
        self._apply_enrolment(enrolment)
        if not enrolment:
            self._set_state(running=False, online=None)
            return None
        self._set_state(running=True)
        cfg = self._config
        client = CentralClient(
            enrolment["server_url"],
            enrolment["credential"],
            timeout=(cfg.connect_timeout_s, cfg.read_timeout_s),
            verify=tls_verify(store, self._verify),
            user_agent=f"CounterPoint-Kiosk/{self._app_version}",
        )
        engine = SyncEngine(
            store,
            client,
            kiosk_id=str(enrolment.get("kiosk_id") or ""),
            config=cfg,
            now=self._now,
            app_version=self._app_version,
            stop=self._stop,
        )
        try:
            result = engine.run(push_only=push_only)
        finally:
            client.close()
        if result.stopped:
            self._set_state(running=False)
            return result
        counts = {}
        try:
            status = store.status()
            counts = {"queue_depth": status.get("queued"), "rejected": status.get("rejected")}
        except StorageError:
            pass
        if result.ok:
            self._failures, self._retry_at = 0, None
            self._set_state(
                running=False,
                online=True,
                last_sync_at=datetime.now().astimezone(),
                last_error=None,
                last_error_kind=None,
                blocked=None,
                skew_seconds=result.skew_seconds
                if result.skew_seconds is not None
                else self.state().skew_seconds,
                catalogue_version=result.catalogue_cursor or self.state().catalogue_version,
                next_sync_at=None,
                failures=0,
                **counts,
            )
            log.info("sync ok: %s", result.summary())
            return result
        err = result.error
        if isinstance(err, SyncError) and err.auth:
            current = store.enrolment()
            if current and current.get("credential") == enrolment.get("credential"):
                try:
                    remember_refusal(store, err, enrolment)
                except StorageError:
                    log.exception("could not remember that central refused the kiosk")
                self._set_state(
                    running=False,
                    online=False,
                    blocked=str(err),
                    last_error=str(err),
                    last_error_kind=err.kind,
                    **counts,
                )
            else:  # re-enrolled while this pass ran with the old credential
                self._set_state(running=False)
            return result
        self._set_state(**counts)
        kind = (
            err.kind
            if isinstance(err, SyncError)
            else "storage"
            if isinstance(err, StorageError)
            else "other"
        )
        self._after_failure(result.error_text or "sync failed", transient=True, kind=kind)
        return result

    def _after_failure(self, message: str, *, transient: bool, kind: str = "other") -> None:
        self._failures += 1
        delay = self._config.backoff(self._failures, self._rng.random)
        self._retry_at = time.monotonic() + delay
        self._set_state(
            running=False,
            online=False,
            last_error=message,
            last_error_kind=kind,
            failures=self._failures,
            next_sync_at=datetime.now().astimezone() + timedelta(seconds=delay),
        )
        log.info("sync failure %d: next try in %.1f s", self._failures, delay)
        self._kick("retry", delay)
