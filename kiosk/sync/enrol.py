"""Enrolment: trade a one-time code from central for this kiosk's credential.

``enrol(store, server_url, code)`` checks the URL, asks central, and only when central
says yes writes anything: the enrolment record (server URL, credential, central's kiosk
id, service point, counter) goes into the kiosk's settings in one transaction together
with central's catalogue, which comes with the answer (an older central's catalogue is
fetched, with retries, before ``enrol`` returns). Any failure before central's yes (bad URL, wrong
or used code, TLS failure, unreachable server) raises ``SyncError`` and leaves the kiosk
exactly as it was.

Where the credential lives: in the ``settings`` table of the kiosk's SQLite file
(``kiosk.db``, via ``KioskStore.set_enrolment``). That file, its ``-wal``/``-shm``
companions and the data folder are made readable by the kiosk's user only
(``secure_data_files``: 0600 files, 0700 folder) at enrolment and again each time the
sync service starts (a database re-created after corruption gets the same treatment).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kiosk import APP_VERSION
from kiosk.storage import (
    SETTING_CATALOGUE_REFUSED,
    SETTING_COUNTER_SERVICES,
    SETTING_KIOSK_ID,
    StorageError,
)
from kiosk.sync import EnrolResult  # re-exported: the UI imports it from kiosk.sync
from kiosk.sync.client import CentralClient, SyncError, normalize_server_url
from kiosk.sync.engine import (
    SETTING_BLOCKED,
    SETTING_CA_FILE,
    SETTING_CURSOR_OWNER,
    SyncConfig,
    tls_verify,
)

if TYPE_CHECKING:
    from protocol import models

log = logging.getLogger("kiosk.sync")
T = TypeVar("T")

ENROL_ATTEMPTS = 3
RETRY_DELAYS_S = (0.5, 1.5)  # before the 2nd and 3rd attempt
PENDING_CURSOR = "enrolled-catalogue-pending"  # no since=: the next sync fetches it whole


def _retrying(call: Callable[[], T], attempts: int, pause: Callable[[float], None]) -> T:
    """``call()``, tried again after a transient ``SyncError`` (at most ``attempts``)."""
    for attempt in range(1, max(1, attempts) + 1):
        try:
            return call()
        except SyncError as exc:
            if not exc.transient or attempt >= attempts:
                raise
            log.warning("attempt %d failed (%s), trying again: %s", attempt, exc.kind, exc)
            pause(RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S)) - 1])
    raise AssertionError("unreachable")  # pragma: no cover


def _forget_other_catalogue(
    store: Any, answer: models.EnrollResponse, previous: dict | None
) -> None:
    """Enrolled without central's catalogue: drop the cached one (the bundled demo one,
    or another place's) so the kiosk offers no service it may not have here. Only a
    re-enrolment at the same service point keeps the catalogue central sent before."""
    same_place = (previous or {}).get("service_point", {}).get("id") == answer.service_point.id
    try:
        if same_place and store.service_point().id == answer.service_point.id:
            return
    except StorageError:
        pass
    from protocol import models

    empty = models.Catalogue(
        cursor=PENDING_CURSOR,
        full=True,
        service_point=answer.service_point,
        counter=answer.counter,
        services=[],
    )
    try:
        store.apply_catalogue(empty)
    except (StorageError, ValueError) as exc:
        log.error("could not drop the previous catalogue: %s", exc)


def secure_data_files(data_dir: Path) -> list[str]:
    """Make the data folder 0700 and the database files 0600 (the credential is in the
    database). Returns a list of problems (empty when all is well); never raises."""
    problems = []
    folder = Path(data_dir)
    targets = [(folder, 0o700)]
    targets += (
        [
            (p, 0o600)
            for p in folder.iterdir()
            if p.is_file() and (p.name.startswith("kiosk.db") or p.suffix in (".json",))
        ]
        if folder.is_dir()
        else []
    )
    for path, mode in targets:
        try:
            current = stat.S_IMODE(path.stat().st_mode)
            if current != mode:
                os.chmod(path, mode)
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror or exc}")
    for p in problems:
        log.warning("could not restrict permissions: %s", p)
    return problems


def enrolment_info(store: Any) -> dict | None:
    """The stored enrolment record (with the credential), or None."""
    try:
        return store.enrolment()
    except StorageError:
        return None


def _attempt_id(store: Any, url: str, code: str) -> str:
    """The id of an enrolment attempt, the same for every try of this kiosk with this
    server and code, so central can answer a retry whose first answer was lost. Derived
    from the kiosk's own random local id: nothing is written before central says yes, and
    nobody else can produce it."""
    key = code.strip().upper().replace("-", "").replace(" ", "")
    local_id = ""
    with contextlib.suppress(StorageError):
        local_id = str(store.get_setting(SETTING_KIOSK_ID) or "")
    try:
        namespace = uuid.UUID(local_id)
    except ValueError:
        namespace = uuid.NAMESPACE_URL
    return str(uuid.uuid5(namespace, f"{url}|{key}"))


def enrol(
    store: Any,
    server_url: str,
    code: str,
    *,
    app_version: str = APP_VERSION,
    config: SyncConfig | None = None,
    verify: bool | str = True,
    now: Callable[[], datetime] | None = None,
    attempts: int = ENROL_ATTEMPTS,
    sleep: Callable[[float], None] | None = None,
) -> EnrolResult:
    """Enrol this kiosk. Raises ``SyncError`` (``BadServerUrl`` for a bad address) with a
    message for staff when central did not enrol it; then nothing has changed.

    Each call to central is tried up to ``attempts`` times when it fails in a way a retry
    may fix (network, 5xx, a cut answer). Once enrolled, the kiosk never offers the
    services of the catalogue it had before (the bundled demo one): central's catalogue
    is applied with the credential, or fetched before this returns; if neither works the
    kiosk offers no service until its first sync brings central's
    (``EnrolResult.catalogue_error`` says why)."""
    url = normalize_server_url(server_url)
    if not (code or "").strip():
        raise SyncError("bad_code", "Enter the enrolment code shown on central.")
    cfg = config or SyncConfig.from_store(store)
    timeout = (cfg.connect_timeout_s, cfg.read_timeout_s)
    explicit_ca = verify if isinstance(verify, str) else None
    verify = tls_verify(store, verify)
    request_id = _attempt_id(store, url, code)
    pause = sleep or time.sleep
    with CentralClient(url, timeout=timeout, verify=verify) as client:
        # The attempt id makes a retry safe: if central enrolled us and the answer was
        # lost, the same attempt is answered again (for the same kiosk).
        answer = _retrying(lambda: client.enroll(code, app_version, request_id), attempts, pause)
    # Central said yes: from here on the code is used up, so the kiosk must keep the
    # credential whatever happens next.
    previous = enrolment_info(store)
    from protocol import codec

    sp, counter = codec.to_builtins(answer.service_point), codec.to_builtins(answer.counter)
    settings: dict[str, Any] = {
        SETTING_BLOCKED: None,
        SETTING_CURSOR_OWNER: None,
        SETTING_CATALOGUE_REFUSED: None,
    }
    if explicit_ca:  # later syncs trust the same CA
        settings[SETTING_CA_FILE] = explicit_ca
    if previous and (previous.get("counter") or {}).get("id") != counter.get("id"):
        # Another counter: the staff's old choice of services does not apply there.
        settings[SETTING_COUNTER_SERVICES] = None
    record = {"kiosk_id": answer.kiosk_id, "service_point": sp, "counter": counter}
    catalogue_error = None
    applied = False
    if answer.catalogue is not None:
        # Central's catalogue comes with the credential: both land in one transaction.
        try:
            store.set_enrolment(
                url,
                answer.credential,
                catalogue=answer.catalogue,
                settings={**settings, SETTING_CURSOR_OWNER: answer.kiosk_id},
                **record,
            )
            applied = True
        except ValueError as exc:
            catalogue_error = f"Central sent a catalogue the kiosk cannot use: {exc}"
            store.record_catalogue_refusal(str(exc), answer.catalogue.cursor)
            settings.pop(SETTING_CATALOGUE_REFUSED)
    if not applied:
        store.set_enrolment(url, answer.credential, settings=settings, **record)
    secure_data_files(store.data_dir)
    log.info("enrolled as %s at %s / %s", answer.kiosk_id, sp.get("id"), counter.get("id"))
    if not applied and catalogue_error is None:
        # An older central: fetch the catalogue before saying "enrolled", with retries.
        try:
            with CentralClient(url, answer.credential, timeout=timeout, verify=verify) as client:
                payload = _retrying(lambda: client.catalogue(None), attempts, pause)
            store.apply_catalogue(payload)
            store.set_setting(SETTING_CURSOR_OWNER, answer.kiosk_id)
            applied = True
        except (SyncError, StorageError) as exc:
            catalogue_error = str(exc)
        except ValueError as exc:
            catalogue_error = f"Central sent a catalogue the kiosk cannot use: {exc}"
            store.record_catalogue_refusal(str(exc), payload.cursor)
    if not applied:
        log.warning("enrolled, but without central's catalogue yet: %s", catalogue_error)
        _forget_other_catalogue(store, answer, previous)
    return EnrolResult(
        kiosk_id=answer.kiosk_id,
        server_url=url,
        service_point=sp,
        counter=counter,
        catalogue_error=catalogue_error,
    )
