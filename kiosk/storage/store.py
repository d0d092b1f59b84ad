"""``KioskStore``: the kiosk's one SQLite file (``kiosk.db``) and every query on it.

The front puts together parts with one job each (every query lives in one of them):

- ``connection.py``: the connection, its lock, the clock, ``_reading``/``_writing``
  (the one path of every write: WAL + ``synchronous=FULL``, rolled back whole on error);
- ``settings_store.py``: settings by key;
- ``catalogue_cache.py``: the cached service catalogue;
- ``identity.py``: kiosk id, enrolment, staff access, the keys file (``keys.py``);
- ``outbox.py``: ratings, follow-ups, what goes to central, the sync log;
- ``restore.py``: salvage from a damaged file into the fresh one (``recovery.py``
  opens files safely, moves a damaged one aside and reads what survived);
- ``status.py``: the status page's facts.

This module opens the store (``open``; ``open_fallback``, an in-memory stand-in when
storage cannot be used) and does the first-start work.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import sqlite3
import uuid as uuidlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from kiosk.paths import demo_catalogue_path
from kiosk.storage.connection import DB_FILENAME, _local_now
from kiosk.storage.errors import StorageError, probe_folder, translate
from kiosk.storage.keys import read_keys
from kiosk.storage.outbox import SYNC_LOG_KEEP, SYNC_STATUSES, Outbox
from kiosk.storage.recovery import (
    _connect,
    _Damaged,
    _interrupted_move,
    _move_aside,
    crash_point,
)
from kiosk.storage.restore import Restore
from kiosk.storage.schema import SCHEMA_VERSION, migrate
from kiosk.storage.settings_store import (
    DEFAULT_FOLLOWUP_HOLD_S,
    DEFAULT_MIN_RATING_INTERVAL_S,
    SETTING_CATALOGUE_REFUSED,
    SETTING_COUNTER_SERVICES,
    SETTING_ENROLMENT,
    SETTING_FOLLOWUP_HOLD,
    SETTING_KIOSK_ID,
    SETTING_MIN_RATING_INTERVAL,
    SETTING_RECOVERY,
    SETTING_SALVAGED,
)
from kiosk.storage.status import StatusReport

log = logging.getLogger(__name__)


class KioskStore(StatusReport, Outbox, Restore):
    """The kiosk's local storage. Open with ``KioskStore.open(data_dir)``."""

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        now: Callable[[], datetime] | None = None,
        demo_catalogue: Path | None = None,
        max_db_bytes: int | None = None,
    ) -> KioskStore:
        """Open (creating if needed) ``data_dir/kiosk.db``.

        Runs the schema migrations and, when no catalogue is cached yet, loads the bundled
        demo catalogue (``demo_catalogue`` overrides its path). A damaged file is moved
        aside to ``kiosk.db.corrupt-YYYYMMDDTHHMMSS`` (with its -wal/-shm), whatever can
        still be read from it (queued ratings, settings) is copied into a fresh database,
        and ``recovered_from`` / ``status()["recovery"]`` say so.

        ``max_db_bytes`` caps the database size (``PRAGMA max_page_count``) so the kiosk
        cannot fill a disk it shares with the operating system; writes beyond it raise
        ``StorageFullError`` like a full disk.

        Raises ``StorageReadOnlyError`` when the folder or file cannot be written (the
        kiosk could not save ratings), ``StorageFullError`` when the disk is full, and
        ``StorageError`` for anything else (a database written by a newer app, ...).
        """
        clock = now or _local_now
        folder = Path(data_dir).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise translate(exc, action="create the data folder", folder=folder) from exc
        # Refuse a read-only folder up front: the kiosk could show the catalogue but never
        # save a rating. (A full disk is not refused: space may come back, and then the
        # store works again; until then writes raise StorageFullError.)
        problem = probe_folder(folder, sync=False)
        if problem in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise translate(
                OSError(problem, os.strerror(problem)), action="open the database", folder=folder
            )
        path = folder / DB_FILENAME
        recovered_from = None
        reason = None
        try:
            cut_short = _interrupted_move(path)
            if cut_short is not None:
                # A power cut interrupted moving this file aside (its log is moved
                # already): finish that recovery, whatever the file alone looks like.
                raise _Damaged(f"its move to {cut_short.name} was cut short")
            conn = _connect(path, folder)
        except _Damaged as damage:
            reason = str(damage)
            log.error("database %s is damaged (%s): moving it aside", path, reason)
            recovered_from = _move_aside(path, cls._aware(clock()))
            crash_point("after_move_aside")
            try:
                conn = _connect(path, folder)
            except _Damaged as again:
                raise StorageError(
                    f"Could not create a fresh database at {path}: {again}."
                ) from again
        crash_point("after_fresh_database")
        store = cls(conn, data_dir=folder, path=path, now=clock, recovered_from=recovered_from)
        try:
            if recovered_from is not None:
                store._restore(recovered_from, reason or "damaged")
            # A recovery cut short by a power cut (damaged file moved aside, salvage not
            # committed yet) is finished now, before anything else is written.
            for aside in store._unsalvaged():
                store.recovered_from = store.recovered_from or aside
                store._restore(aside, "found moved aside after an interrupted recovery")
            store._first_start(demo_catalogue)
            store._reconcile_keys()
            if max_db_bytes is not None:
                store._limit_size(max_db_bytes)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open_fallback(
        cls,
        data_dir: Path,
        problem: StorageError,
        *,
        now: Callable[[], datetime] | None = None,
        demo_catalogue: Path | None = None,
    ) -> KioskStore:
        """A stand-in when ``open`` failed (read-only, full or unreadable data folder), so
        the counter is never blank: an in-memory database holding the catalogue and the
        settings read from the existing file where it can still be read (read-only,
        without touching it), else the bundled demo catalogue. ``unavailable`` holds
        ``problem``; nothing written to it is kept, so the UI pauses rating."""
        folder = Path(data_dir).expanduser()
        conn = sqlite3.connect(
            "file:kiosk-fallback?mode=memory",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
        store = cls(
            conn,
            data_dir=folder,
            path=folder / DB_FILENAME,
            now=now or _local_now,
            recovered_from=None,
        )
        store.unavailable = problem
        if not store._copy_readable(folder / DB_FILENAME):
            store._first_start(demo_catalogue)
        kept = read_keys(folder)
        store.keys_found = kept is not None
        for key, value in (kept or {}).items():
            if value is not None and store.get_setting(key) is None:
                with store._writing("keep a staff setting in memory") as conn:
                    conn.execute(
                        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                        (key, json.dumps(value, ensure_ascii=False)),
                    )
        return store

    _COPY_TABLES = (
        "settings",
        "catalogue_state",
        "catalogue_services",
        "catalogue_steps",
        "catalogue_documents",
    )

    def _copy_readable(self, source: Path) -> bool:
        """Copy the catalogue and settings of ``source`` (opened read-only, immutable:
        nothing is written next to it) into this store; False if it cannot be read."""
        if not source.exists():
            return False
        conn = self._conn
        try:
            conn.execute("ATTACH DATABASE ? AS src", (f"file:{quote(str(source))}?immutable=1",))
        except sqlite3.Error:
            return False
        try:
            conn.execute("BEGIN")
            for table in self._COPY_TABLES:
                mine = [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]
                theirs = {r[1] for r in conn.execute(f"PRAGMA src.table_info({table})")}
                cols = ", ".join(c for c in mine if c in theirs)
                if cols:
                    conn.execute(
                        f"INSERT OR REPLACE INTO main.{table} ({cols}) "
                        f"SELECT {cols} FROM src.{table}"
                    )
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            log.warning("could not read the catalogue from %s: %s", source, exc)
            self._rollback_quietly()
            return False
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("DETACH DATABASE src")
        self._generation += 1
        return bool(self.catalogue_version())

    def _first_start(self, demo_catalogue: Path | None) -> None:
        if self.get_setting(SETTING_KIOSK_ID) is None:
            with self._writing("create the kiosk id") as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
                    (SETTING_KIOSK_ID, json.dumps(str(uuidlib.uuid4()))),
                )
        if self.catalogue_version():
            return
        source = demo_catalogue or demo_catalogue_path()
        try:
            payload = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StorageError(
                f"No catalogue is cached and the bundled demo catalogue {source} "
                f"cannot be read: {exc}."
            ) from exc
        try:
            self.apply_catalogue(payload)
        except ValueError as exc:
            raise StorageError(f"The bundled demo catalogue {source} is invalid: {exc}") from exc


__all__ = [
    "DB_FILENAME",
    "DEFAULT_FOLLOWUP_HOLD_S",
    "DEFAULT_MIN_RATING_INTERVAL_S",
    "SCHEMA_VERSION",
    "SETTING_CATALOGUE_REFUSED",
    "SETTING_COUNTER_SERVICES",
    "SETTING_ENROLMENT",
    "SETTING_FOLLOWUP_HOLD",
    "SETTING_KIOSK_ID",
    "SETTING_MIN_RATING_INTERVAL",
    "SETTING_RECOVERY",
    "SETTING_SALVAGED",
    "SYNC_LOG_KEEP",
    "SYNC_STATUSES",
    "KioskStore",
]
