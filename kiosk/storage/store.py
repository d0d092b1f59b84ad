"""``KioskStore``: the kiosk's one SQLite file (``kiosk.db``) and every query on it.

Durability: every connection runs in WAL mode with ``synchronous=FULL`` (a committed
transaction survives a power cut) and foreign keys on. Every write goes through
``KioskStore._writing``: one ``BEGIN IMMEDIATE`` transaction, rolled back whole on any
error, with SQLite/OS errors turned into ``StorageError`` subclasses. A failed write
therefore never touches what was committed before it.

Thread safety: one connection, guarded by a lock, so the UI thread and a sync job in a
worker thread may share one store. Separate stores (processes) on the same file also work
(WAL, busy timeout); a cache of the catalogue notices their changes via ``data_version``.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
import uuid as uuidlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from protocol import constants
from protocol.rules import clean_text

if TYPE_CHECKING:
    from sqlite_utils import Database

from kiosk import APP_VERSION
from kiosk.paths import demo_catalogue_path
from kiosk.storage.catalogue import thai_sort_key, validate_catalogue
from kiosk.storage.errors import (
    StorageError,
    StorageFullError,
    probe_folder,
    translate,
)
from kiosk.storage.keys import KEY_SETTINGS, read_keys, write_keys
from kiosk.storage.models import (
    DIMENSIONS,
    MAX_COMMENT_CHARS,
    Document,
    RatingRef,
    Service,
    ServicePoint,
    Step,
)
from kiosk.storage.recovery import (
    _connect,
    _Damaged,
    _move_aside,
    _salvage,
    _wal_files,
    crash_point,
)
from kiosk.storage.schema import SCHEMA_VERSION, migrate, user_version
from protocol.pii import mask as mask_pii

log = logging.getLogger(__name__)

DB_FILENAME = "kiosk.db"

# Settings the store itself reads or writes (any other key is free for the app to use).
SETTING_KIOSK_ID = "kiosk_id"
SETTING_COUNTER_SERVICES = "counter_services"
SETTING_MIN_RATING_INTERVAL = "min_rating_interval_s"
SETTING_FOLLOWUP_HOLD = "followup_hold_s"
SETTING_ENROLMENT = "enrolment"
SETTING_RECOVERY = "storage.recovery"
# {"reason", "at", "cursor"}: central's last catalogue could not be applied (the previous
# one is kept); reported to central in the heartbeat and on the staff status page.
SETTING_CATALOGUE_REFUSED = "catalogue_refused"
SETTING_SALVAGED = "storage.salvaged_files"  # damaged files already salvaged (names)

DEFAULT_MIN_RATING_INTERVAL_S = 10.0
DEFAULT_FOLLOWUP_HOLD_S = 300.0
SYNC_LOG_KEEP = 200
SYNC_STATUSES = ("accepted", "duplicate", "rejected")

_RATING_COLUMNS = (
    "uuid, seq, kiosk_time, score, service_code, dimensions, asked_for_copy, comment, "
    "interval_flag, state, reject_reason"
)


def _local_now() -> datetime:
    return datetime.now().astimezone()


def _utc_iso(moment: datetime) -> str:
    """Fixed-width UTC timestamp: sorts as text in time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _dicts(conn: sqlite3.Connection, sql: str) -> Iterator[dict]:
    cur = conn.execute(sql)
    names = [d[0] for d in cur.description]
    for row in cur:
        yield dict(zip(names, row, strict=True))


class KioskStore:
    """The kiosk's local storage. Open with ``KioskStore.open(data_dir)``."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        data_dir: Path,
        path: Path,
        now: Callable[[], datetime],
        recovered_from: Path | None,
    ) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self._now_fn = now
        self._closed = False
        self._cache: tuple[tuple[int, int], dict[str, Service]] | None = None
        self._generation = 0
        self.data_dir = data_dir
        self.path = path
        self.recovered_from = recovered_from
        #: set on a stand-in store (``open_fallback``): why the real one could not open
        self.unavailable: StorageError | None = None
        #: a keys file was there at open (the kiosk was set up before)
        self.keys_found = False
        #: counts the setting changes made through this store (for caches of settings)
        self.settings_version = 0

    @functools.cached_property
    def _db(self) -> Database:
        """sqlite-utils on the same connection, for bulk inserts. Made on first use: the
        package takes about 60 ms to import, which a cold start does not need to pay."""
        from sqlite_utils import Database

        return Database(self._conn, execute_plugins=False)

    # ------------------------------------------------------------------ opening

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

    def _unsalvaged(self) -> list[Path]:
        """Damaged files moved aside whose salvage was never committed (oldest first)."""
        done = set(self.get_setting(SETTING_SALVAGED) or [])
        record = self.get_setting(SETTING_RECOVERY)
        if isinstance(record, dict) and record.get("moved_to"):
            done.add(Path(str(record["moved_to"])).name)
        asides = [
            p
            for p in self.path.parent.glob(f"{self.path.name}.corrupt-*")
            if not p.name.endswith(("-wal", "-shm", "-journal")) and p.name not in done
        ]
        return sorted(asides, key=lambda p: p.name)

    # ------------------------------------------------------------------ keys file

    def _key_values(self) -> dict[str, Any]:
        with self._reading("read the staff settings") as conn:
            rows = conn.execute(
                f"SELECT key, value FROM settings WHERE key IN ({', '.join('?' * len(KEY_SETTINGS))})",
                KEY_SETTINGS,
            ).fetchall()
        return {key: json.loads(value) for key, value in rows}

    def _save_keys(self) -> None:
        """Mirror the staff-access and identity settings into the keys file."""
        if self.unavailable is not None:
            return
        try:
            write_keys(self.data_dir, self._key_values())
        except OSError as exc:
            log.error("could not write the keys file in %s: %s", self.data_dir, exc)

    def _reconcile_keys(self) -> None:
        """Bring the keys file and the database together at open.

        After a recovery the file wins (the salvaged copy may be older); otherwise it
        only fills in what the database lacks (a database replaced by a fresh one). The
        local kiosk id is never taken from the file: it stays tied to the sequence
        numbers the database can vouch for."""
        kept = read_keys(self.data_dir)
        self.keys_found = kept is not None
        if kept:
            mine = self._key_values()
            recovered = self.recovered_from is not None
            restore = {
                k: v
                for k, v in kept.items()
                if k != SETTING_KIOSK_ID and v is not None
                if (recovered and mine.get(k) != v) or k not in mine
            }
            if restore:
                log.warning("restoring %s from the keys file", ", ".join(sorted(restore)))
                with self._writing("restore the staff settings") as conn:
                    conn.executemany(
                        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                        [(k, json.dumps(v, ensure_ascii=False)) for k, v in restore.items()],
                    )
        if self._key_values() != kept:
            self._save_keys()

    def staff_access(self) -> str:
        """How staff mode opens: "pin" (a PIN is set), "first_run" (a new kiosk: staff
        choose a PIN) or "enrolment" (the PIN was lost with a damaged database: only a
        fresh enrolment code from central opens staff mode, never a PIN prompt for
        whoever stands at the counter)."""
        if self.get_setting("pin_hash"):
            return "pin"
        damaged = (
            self.recovered_from is not None
            or self.get_setting(SETTING_RECOVERY) is not None
            or bool(self.get_setting(SETTING_SALVAGED))
        )
        if damaged or getattr(self, "keys_found", False) or self.unavailable is not None:
            return "enrolment"
        return "first_run"

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

    def storage_ok(self) -> bool:
        """True when the data folder takes a small file and the database a small write
        (used to clear a storage alert once its cause is gone)."""
        if self.unavailable is not None or probe_folder(self.data_dir) is not None:
            return False
        try:
            self.set_setting("storage.checked_at", self._now().isoformat(timespec="seconds"))
        except StorageError:
            return False
        return True

    @staticmethod
    def _aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo is not None else moment.astimezone()

    def _now(self) -> datetime:
        return self._aware(self._now_fn())

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

    def _limit_size(self, max_db_bytes: int) -> None:
        with self._reading("limit the database size") as conn:
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            pages = max(1, int(max_db_bytes) // int(page_size))
            conn.execute(f"PRAGMA max_page_count = {pages}").fetchall()

    def _restore(self, aside: Path, reason: str) -> None:
        """Copy what survived in the damaged file into the fresh one; record the event."""
        found = _salvage(aside)
        settings = dict(found.settings)
        settings.pop(SETTING_RECOVERY, None)
        settings.pop(SETTING_SALVAGED, None)
        if found.last_seq is None:
            # Without the counter we cannot promise never to reuse a sequence number
            # under the old kiosk id, so the kiosk gets a new id.
            settings.pop(SETTING_KIOSK_ID, None)
        ratings = sorted(found.ratings.values(), key=lambda r: r["seq"])
        floor = max(found.last_seq or 0, found.max_seq)
        record = {
            "moved_to": str(aside),
            "at": self._now().isoformat(timespec="seconds"),
            "reason": reason,
            "salvaged_ratings": len(ratings),
            "lost_ratings": found.lost(),
            "salvaged_settings": len(settings),
        }
        salvaged_files = list(self.get_setting(SETTING_SALVAGED) or []) + [aside.name]
        with self._writing("restore data from the damaged database") as conn:
            crash_point("during_salvage")
            conn.executemany(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                list(settings.items()),
            )
            if ratings:
                self._db.table("ratings").insert_all(ratings, ignore=True)
            conn.execute(
                "UPDATE rating_seq SET last_seq = max(last_seq, ?) WHERE slot = 1", (floor,)
            )
            conn.executemany(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                [
                    (SETTING_RECOVERY, json.dumps(record)),
                    (SETTING_SALVAGED, json.dumps(salvaged_files)),
                ],
            )
        log.warning(
            "recovered from damaged database: moved to %s, %d queued ratings salvaged",
            aside,
            len(ratings),
        )

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> KioskStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    def _require_open(self) -> sqlite3.Connection:
        if self._closed:
            raise StorageError("The kiosk's storage is closed.")
        return self._conn

    def _rollback_quietly(self) -> None:
        if self._conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def _reading(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._require_open()
            try:
                yield conn
            except (sqlite3.Error, OSError) as exc:
                raise translate(exc, action=action, folder=self.data_dir) from exc

    @contextlib.contextmanager
    def _writing(self, action: str) -> Iterator[sqlite3.Connection]:
        """The one path of every write: a single ``BEGIN IMMEDIATE`` transaction that is
        committed (durably: WAL + synchronous=FULL) or rolled back whole. SQLite and OS
        errors become ``StorageFullError`` / ``StorageReadOnlyError`` / ``StorageError``
        (``action`` completes "Could not ..."); other exceptions pass through unchanged
        after the rollback."""
        with self._lock:
            conn = self._require_open()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    self._rollback_quietly()
                    raise
            except (sqlite3.Error, OSError) as exc:
                raise translate(exc, action=action, folder=self.data_dir) from exc

    # ------------------------------------------------------------------ settings

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self._reading("read a setting") as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        if not isinstance(key, str) or not key:
            raise ValueError("a setting key must be a non-empty string")
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"setting {key!r}: value is not JSON-serialisable: {exc}") from exc
        with self._writing(f"save the setting {key!r}") as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, text),
            )
        self.settings_version += 1
        if key in KEY_SETTINGS:
            self._save_keys()

    def delete_setting(self, key: str) -> None:
        with self._writing(f"delete the setting {key!r}") as conn:
            conn.execute("DELETE FROM settings WHERE key = ?", (key,))
        self.settings_version += 1
        if key in KEY_SETTINGS:
            self._save_keys()

    def _number_setting(self, key: str, default: float) -> float:
        value = self.get_setting(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            return default
        return float(value)

    # ------------------------------------------------------------------ enrolment

    def set_enrolment(
        self,
        server_url: str,
        credential: str,
        *,
        catalogue: Any = None,
        settings: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        """Remember the central server and this kiosk's credential (from enrolment).

        In the same transaction: ``catalogue`` (central's, validated first: a bad one
        raises ``ValueError`` before anything is written) replaces the cached one, and
        ``settings`` are written (a value of None deletes the key). An enrolled kiosk so
        never shows the catalogue it had before, even for a moment."""
        if not server_url or not credential:
            raise ValueError("enrolment needs a server URL and a credential")
        data = None if catalogue is None else validate_catalogue(catalogue)
        record = {
            **extra,
            "server_url": server_url,
            "credential": credential,
            "enrolled_at": self._now().isoformat(timespec="seconds"),
        }
        changes = {SETTING_ENROLMENT: record, **(settings or {})}
        texts = {}
        for key, value in changes.items():
            if value is not None:
                texts[key] = json.dumps(value, ensure_ascii=False, allow_nan=False)
        with self._writing("save the enrolment") as conn:
            for key, value in changes.items():
                if value is None:
                    conn.execute("DELETE FROM settings WHERE key = ?", (key,))
                else:
                    conn.execute(
                        "INSERT INTO settings (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, texts[key]),
                    )
            if data is not None:
                self._write_catalogue(conn, data)

    def enrolment(self) -> dict | None:
        value = self.get_setting(SETTING_ENROLMENT)
        return value if isinstance(value, dict) and value.get("credential") else None

    def clear_enrolment(self) -> None:
        self.delete_setting(SETTING_ENROLMENT)

    # ------------------------------------------------------------------ catalogue

    def apply_catalogue(self, payload: Any) -> None:
        """Apply a catalogue payload of docs/sync-protocol.md (full or delta) in one
        transaction. ``payload`` is parsed JSON or a ``protocol.models.Catalogue``. The
        whole payload is validated first (``validate_catalogue``): a bad one raises
        ``ValueError`` and leaves the cached catalogue exactly as it was."""
        data = validate_catalogue(payload)
        with self._writing("update the service catalogue") as conn:
            self._write_catalogue(conn, data)

    def record_catalogue_refusal(self, reason: str, cursor: str | None = None) -> None:
        """Central sent a catalogue this kiosk could not apply (the previous one is kept):
        remember why, for the heartbeat and the staff status page. The first time of the
        same reason is kept."""
        previous = self.catalogue_refusal()
        at = self._now().isoformat(timespec="seconds")
        if previous and previous.get("reason") == reason:
            at = previous.get("at") or at
        self.set_setting(SETTING_CATALOGUE_REFUSED, {"reason": reason, "at": at, "cursor": cursor})

    def catalogue_refusal(self) -> dict | None:
        """``{"reason", "at", "cursor"}`` of the last refused catalogue, or None."""
        value = self.get_setting(SETTING_CATALOGUE_REFUSED)
        return value if isinstance(value, dict) and value.get("reason") else None

    def clear_catalogue_refusal(self) -> None:
        if self.get_setting(SETTING_CATALOGUE_REFUSED) is not None:
            self.delete_setting(SETTING_CATALOGUE_REFUSED)

    def _write_catalogue(self, conn: sqlite3.Connection, data: Any) -> None:
        """Write a validated ``Catalogue`` inside the caller's transaction."""
        import msgspec  # here, not at the top: keeps the kiosk's cold start fast

        if data.full:
            conn.execute("DELETE FROM catalogue_services")  # steps/documents cascade
        services: list[dict[str, Any]] = []
        steps: list[dict[str, Any]] = []
        documents: list[dict[str, Any]] = []
        for svc in data.services:
            conn.execute("DELETE FROM catalogue_services WHERE code = ?", (svc.code,))
            if svc.deleted:
                continue
            services.append(
                {
                    k: v
                    for k, v in msgspec.structs.asdict(svc).items()
                    if k not in ("deleted", "steps", "documents", "demo")
                }
                | {"demo": int(svc.demo)}
            )
            steps.extend(
                {
                    "service_code": svc.code,
                    "step_order": s.order,
                    "title_th": s.title_th,
                    "title_en": s.title_en,
                    "minutes": s.minutes,
                }
                for s in sorted(svc.steps, key=lambda s: s.order)
            )
            documents.extend(
                {"service_code": svc.code, "position": i, **msgspec.to_builtins(d)}
                for i, d in enumerate(svc.documents)
            )
        self._db.table("catalogue_services").insert_all(services)
        self._db.table("catalogue_steps").insert_all(steps)
        self._db.table("catalogue_documents").insert_all(documents)
        conn.execute(
            "INSERT OR REPLACE INTO catalogue_state "
            "(slot, cursor, service_point, counter, applied_at) VALUES (1, ?, ?, ?, ?)",
            (
                data.cursor,
                json.dumps(msgspec.to_builtins(data.service_point), ensure_ascii=False),
                json.dumps(msgspec.to_builtins(data.counter), ensure_ascii=False),
                self._now().isoformat(timespec="seconds"),
            ),
        )
        self._generation += 1

    def _catalogue_state(self) -> dict | None:
        with self._reading("read the catalogue") as conn:
            row = conn.execute(
                "SELECT cursor, service_point, counter, applied_at FROM catalogue_state"
            ).fetchone()
        if row is None:
            return None
        return {
            "cursor": row[0],
            "service_point": json.loads(row[1]),
            "counter": json.loads(row[2]),
            "applied_at": row[3],
        }

    def catalogue_version(self) -> str:
        """The cursor of the cached catalogue ("" if none is cached)."""
        state = self._catalogue_state()
        return state["cursor"] if state else ""

    def service_point(self) -> ServicePoint:
        state = self._catalogue_state()
        if state is None:
            raise StorageError("No service catalogue is cached on this kiosk.")
        sp, counter = state["service_point"], state["counter"]
        return ServicePoint(
            id=sp["id"],
            name_th=sp["name_th"],
            name_en=sp["name_en"],
            address_th=sp["address_th"],
            address_en=sp["address_en"],
            lat=sp["lat"],
            lon=sp["lon"],
            hours_th=sp["hours_th"],
            hours_en=sp["hours_en"],
            phone=sp["phone"],
            map_url=sp["map_url"],
            counter_id=counter["id"],
            counter_name_th=counter["name_th"],
            # Central's counter name in English is optional: show the Thai one then.
            counter_name_en=counter["name_en"] or counter["name_th"],
            province_code=sp["province_code"],
            district_code=sp["district_code"],
            subdistrict_code=sp["subdistrict_code"],
        )

    def _services(self) -> dict[str, Service]:
        """Every cached service by code, in Thai name order (cached until the catalogue
        changes, here or through another connection)."""
        with self._reading("read the catalogue") as conn:
            key = (conn.execute("PRAGMA data_version").fetchone()[0], self._generation)
            if self._cache is not None and self._cache[0] == key:
                return self._cache[1]
            steps: dict[str, list[Step]] = {}
            for code, order, title_th, title_en, minutes in conn.execute(
                "SELECT service_code, step_order, title_th, title_en, minutes "
                "FROM catalogue_steps ORDER BY service_code, step_order"
            ):
                # An English step title is optional on central: the Thai one stands in.
                steps.setdefault(code, []).append(
                    Step(order, title_th, title_en or title_th, minutes)
                )
            docs: dict[str, list[Document]] = {}
            for row in _dicts(
                conn, "SELECT * FROM catalogue_documents ORDER BY service_code, position"
            ):
                code = row.pop("service_code")
                row.pop("position")
                docs.setdefault(code, []).append(Document(**row))
            services = []
            for row in _dicts(conn, "SELECT * FROM catalogue_services"):
                code = row["code"]
                row["demo"] = bool(row["demo"])
                services.append(
                    Service(
                        **row,
                        steps=tuple(steps.get(code, ())),
                        documents=tuple(docs.get(code, ())),
                    )
                )
            services.sort(key=lambda s: (thai_sort_key(s.name_th), s.code))
            result = {s.code: s for s in services}
            self._cache = (key, result)
            return result

    def all_services(self) -> list[Service]:
        """Every cached service, in Thai dictionary order of ``name_th``."""
        return list(self._services().values())

    def service(self, code: str) -> Service | None:
        return self._services().get(code)

    def counter_services(self) -> list[Service]:
        """The services offered at this counter.

        The staff's choice (``set_counter_services``) if made, else the counter's default
        list from the catalogue, else every service; codes the catalogue does not (or no
        longer) hold are skipped, and a choice that leaves nothing falls back to the next
        rule. Chosen/default lists keep their order; "every service" is in name order.
        """
        services = self._services()
        chosen = self.get_setting(SETTING_COUNTER_SERVICES)
        state = self._catalogue_state()
        default = state["counter"]["service_codes"] if state else []
        for codes in (chosen, default):
            if isinstance(codes, list):
                picked = [services[c] for c in codes if isinstance(c, str) and c in services]
                if picked:
                    return picked
        return list(services.values())

    def set_counter_services(self, codes: list[str]) -> None:
        """Staff's choice of this counter's services (order kept, duplicates dropped).
        An empty list clears the choice: the catalogue's default for the counter applies."""
        if isinstance(codes, str) or not all(isinstance(c, str) and c for c in codes):
            raise ValueError("service codes must be a list of non-empty strings")
        unique = list(dict.fromkeys(codes))
        if unique:
            self.set_setting(SETTING_COUNTER_SERVICES, unique)
        else:
            self.delete_setting(SETTING_COUNTER_SERVICES)

    # ------------------------------------------------------------------ ratings

    def record_rating(self, score: int, service_code: str | None) -> RatingRef:
        """Store a rating durably (committed with WAL + synchronous=FULL) and return its
        reference. A tap within ``min_rating_interval_s`` (setting, default 10 s) of the
        last counted rating is stored with ``interval_flag`` set, never dropped."""
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise ValueError(f"score must be an integer from 1 to 5, got {score!r}")
        if service_code is not None and (
            not isinstance(service_code, str)
            or not re.fullmatch(constants.SERVICE_CODE_PATTERN, service_code)
        ):
            # Central accepts every code of this shape (one it does not know is kept as
            # unknown): the kiosk stores nothing central would refuse.
            raise ValueError(
                f"service_code must be a service code like ID_RENEW or None, got {service_code!r}"
            )
        interval = self._number_setting(SETTING_MIN_RATING_INTERVAL, DEFAULT_MIN_RATING_INTERVAL_S)
        moment = self._now()
        tapped_at = moment.timestamp()
        rating_uuid = str(uuidlib.uuid4())
        with self._writing("save the rating") as conn:
            seq = conn.execute(
                "UPDATE rating_seq SET last_seq = last_seq + 1 WHERE slot = 1 RETURNING last_seq"
            ).fetchall()[0][0]
            last = conn.execute(
                "SELECT tapped_at FROM ratings WHERE interval_flag = 0 ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            # A clock set back (now before the last tap) does not flag: clocks lie.
            flag = last is not None and 0 <= tapped_at - last[0] < interval
            conn.execute(
                "INSERT INTO ratings (seq, uuid, kiosk_time, tapped_at, score, service_code, "
                "interval_flag) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    seq,
                    rating_uuid,
                    moment.isoformat(timespec="seconds"),
                    tapped_at,
                    score,
                    service_code,
                    int(flag),
                ),
            )
        return RatingRef(uuid=rating_uuid, seq=seq, interval_flag=flag)

    def update_followup(
        self,
        uuid: str,
        *,
        dimensions: list[str] | None = None,
        asked_for_copy: bool | None = None,
        comment: str | None = None,
    ) -> None:
        """Save optional follow-up answers on the rating ``uuid`` (only the fields given).

        ``dimensions``: a subset of staff, waiting_time, steps, documents, facilities,
        outcome (duplicates dropped); ``comment``: at most 500 characters (blank = none).
        Raises ``ValueError`` for a bad answer, ``LookupError`` for an unknown uuid.
        """
        changes: dict[str, Any] = {}
        if dimensions is not None:
            if isinstance(dimensions, str) or not isinstance(dimensions, Iterable):
                raise ValueError("dimensions must be a list of dimension names")
            dims = list(dict.fromkeys(dimensions))
            unknown = [d for d in dims if d not in DIMENSIONS]
            if unknown:
                raise ValueError(
                    f"unknown dimension(s) {unknown}; allowed: {', '.join(DIMENSIONS)}"
                )
            changes["dimensions"] = json.dumps(dims)
        if asked_for_copy is not None:
            if not isinstance(asked_for_copy, bool):
                raise ValueError(
                    f"asked_for_copy must be True, False or None, got {asked_for_copy!r}"
                )
            changes["asked_for_copy"] = int(asked_for_copy)
        if comment is not None:
            if not isinstance(comment, str):
                raise ValueError("comment must be a string")
            # Control characters and lone surrogates cannot travel (or be stored by
            # central's PostgreSQL): dropped here, so central never refuses the rating.
            text = clean_text(comment).strip()
            if len(text) > MAX_COMMENT_CHARS:
                raise ValueError(
                    f"comment is {len(text)} characters long; at most {MAX_COMMENT_CHARS} allowed"
                )
            changes["comment"] = mask_pii(text)[:MAX_COMMENT_CHARS] or None
        with self._writing("save the follow-up answers") as conn:
            if conn.execute("SELECT 1 FROM ratings WHERE uuid = ?", (uuid,)).fetchone() is None:
                raise LookupError(f"no rating with uuid {uuid!r}")
            if changes:
                assignments = ", ".join(f"{column} = ?" for column in changes)
                conn.execute(
                    f"UPDATE ratings SET {assignments} WHERE uuid = ?", (*changes.values(), uuid)
                )

    def finish_followup(self, uuid: str) -> None:
        """The citizen is done with the follow-up questions: the rating may be sent now.

        Until this is called (or ``followup_hold_s``, default 300 s, has passed) a fresh
        rating stays out of ``pending_ratings``, so answers given after the tap go to
        central with it (central stores each uuid once and would ignore a later update).
        """
        with self._writing("save the follow-up answers") as conn:
            cur = conn.execute("UPDATE ratings SET followup_done = 1 WHERE uuid = ?", (uuid,))
            if cur.rowcount == 0:
                raise LookupError(f"no rating with uuid {uuid!r}")

    @staticmethod
    def _wire(row: tuple) -> dict:
        (uuid, seq, kiosk_time, score, service_code, dims, copy, comment, flag) = row[:9]
        return {
            "uuid": uuid,
            "seq": seq,
            "kiosk_time": kiosk_time,
            "score": score,
            "service_code": service_code,
            "dimensions": json.loads(dims),
            "asked_for_copy": None if copy is None else bool(copy),
            "comment": comment,
            "interval_flag": bool(flag),
        }

    def rating(self, uuid: str) -> dict | None:
        """The rating as the wire dict of docs/sync-protocol.md, plus ``state``
        ("pending", "synced" or "rejected") and ``reason`` (why central rejected it)."""
        with self._reading("read a rating") as conn:
            row = conn.execute(
                f"SELECT {_RATING_COLUMNS} FROM ratings WHERE uuid = ?", (uuid,)
            ).fetchone()
        if row is None:
            return None
        return self._wire(row) | {"state": row[9], "reason": row[10]}

    def rejected_ratings(self, limit: int = 20) -> list[dict]:
        """The newest ratings central refused (kept, never re-sent), with its reason."""
        with self._reading("read refused ratings") as conn:
            rows = conn.execute(
                f"SELECT {_RATING_COLUMNS} FROM ratings WHERE state = 'rejected' "
                "ORDER BY seq DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [self._wire(row) | {"state": row[9], "reason": row[10]} for row in rows]

    def queue_depth(self) -> int:
        """Ratings not yet accepted by central (state pending)."""
        with self._reading("count queued ratings") as conn:
            row = conn.execute("SELECT count(*) FROM ratings WHERE state = 'pending'").fetchone()
        return row[0]

    def pending_ratings(self, limit: int) -> list[dict]:
        """Up to ``limit`` queued ratings, oldest first, as wire dicts ready to send.

        A rating whose follow-up is still open (see ``finish_followup``) is held back for
        at most ``followup_hold_s`` seconds after its tap."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer, got {limit!r}")
        hold = self._number_setting(SETTING_FOLLOWUP_HOLD, DEFAULT_FOLLOWUP_HOLD_S)
        now = self._now().timestamp()
        with self._reading("read queued ratings") as conn:
            rows = conn.execute(
                f"SELECT {_RATING_COLUMNS} FROM ratings WHERE state = 'pending' "
                "AND (followup_done = 1 OR NOT (tapped_at <= ? AND tapped_at > ?)) "
                "ORDER BY seq LIMIT ?",
                (now, now - hold, limit),
            ).fetchall()
        return [self._wire(row) for row in rows]

    def mark_sync_results(self, results: list[dict]) -> None:
        """Apply central's per-item answers in one transaction: accepted/duplicate make a
        rating "synced" (with ``synced_at``); rejected makes it "rejected" with the reason
        (kept, never re-sent). Unknown uuids are ignored. A malformed result raises
        ``ValueError`` before anything changes."""
        synced, rejected = [], []
        for i, result in enumerate(results):
            if not isinstance(result, dict) or not isinstance(result.get("uuid"), str):
                raise ValueError(f"results[{i}] must be an object with a string 'uuid'")
            status = result.get("status")
            if status not in SYNC_STATUSES:
                raise ValueError(
                    f"results[{i}].status must be one of {', '.join(SYNC_STATUSES)}, got {status!r}"
                )
            reason = result.get("reason")
            if reason is not None and not isinstance(reason, str):
                raise ValueError(f"results[{i}].reason must be a string or null")
            if status == "rejected":
                rejected.append((reason or "rejected by central (no reason given)", result["uuid"]))
            else:
                synced.append(result["uuid"])
        stamp = _utc_iso(self._now())

        def mark() -> None:
            with self._writing("record the sync results") as conn:
                conn.executemany(
                    "UPDATE ratings SET state = 'synced', synced_at = ?, reject_reason = NULL "
                    "WHERE uuid = ? AND state <> 'synced'",
                    [(stamp, u) for u in synced],
                )
                conn.executemany(
                    "UPDATE ratings SET state = 'rejected', reject_reason = ? "
                    "WHERE uuid = ? AND state = 'pending'",
                    rejected,
                )

        try:
            mark()
        except StorageFullError:
            # A full disk: these updates change rows in place, so they fit once the
            # write-ahead log is rewound to its start (its file keeps its size).
            self._rewind_wal()
            mark()

    def _rewind_wal(self) -> None:
        """Checkpoint and restart the write-ahead log, so the next transaction reuses
        the log file's space from its start instead of growing it (best effort)."""
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._require_open().execute("PRAGMA wal_checkpoint(RESTART)").fetchall()

    def purge_synced(self, older_than: timedelta) -> int:
        """Delete ratings central accepted more than ``older_than`` ago; return how many.
        Pending and rejected ratings are never purged."""
        if older_than < timedelta(0):
            raise ValueError("older_than must not be negative")
        cutoff = _utc_iso(self._now() - older_than)
        with self._writing("remove old synced ratings") as conn:
            cur = conn.execute(
                "DELETE FROM ratings WHERE state = 'synced' AND synced_at < ?", (cutoff,)
            )
            return cur.rowcount

    # ------------------------------------------------------------------ sync bookkeeping

    def record_sync_attempt(self, *, ok: bool, error: str | None) -> None:
        """Log one sync attempt (for the status page): its time, success, error text."""
        moment = self._now()
        with self._writing("record the sync attempt") as conn:
            conn.execute(
                "INSERT INTO sync_log (at, at_utc, ok, error) VALUES (?, ?, ?, ?)",
                (moment.isoformat(timespec="seconds"), _utc_iso(moment), int(bool(ok)), error),
            )
            conn.execute(
                "DELETE FROM sync_log WHERE id <= (SELECT max(id) FROM sync_log) - ?",
                (SYNC_LOG_KEEP,),
            )

    def clear_recovery(self) -> None:
        """Staff saw the recovery notice: stop reporting it in ``status()``."""
        self.delete_setting(SETTING_RECOVERY)

    def status(self) -> dict:
        """Facts for the staff status page (and for central's fleet view)."""
        with self._reading("read the kiosk status") as conn:
            counts = dict(
                conn.execute("SELECT state, count(*) FROM ratings GROUP BY state").fetchall()
            )
            last_ok = conn.execute(
                "SELECT at FROM sync_log WHERE ok = 1 ORDER BY id DESC LIMIT 1"
            ).fetchone()
            last = conn.execute(
                "SELECT at, ok, error FROM sync_log ORDER BY id DESC LIMIT 1"
            ).fetchone()
            schema = user_version(conn)
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
            synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
            foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
        state = self._catalogue_state()
        recovery = self.get_setting(SETTING_RECOVERY)
        refused = self.catalogue_refusal()
        enrolment = self.enrolment()
        try:
            free = shutil.disk_usage(self.data_dir).free
        except OSError:
            free = None
        db_bytes = sum(p.stat().st_size for p in (self.path, *_wal_files(self.path)) if p.exists())
        recovery_detail = None
        if isinstance(recovery, dict):
            recovery_detail = (
                f"{recovery.get('at')}: the database was damaged ({recovery.get('reason')}); "
                f"it was moved to {recovery.get('moved_to')} and a fresh one was created "
                f"({recovery.get('salvaged_ratings', 0)} queued ratings recovered, "
                f"{recovery.get('lost_ratings', 'an unknown number of')} lost)."
            )
        return {
            "queued": counts.get("pending", 0),
            "rejected": counts.get("rejected", 0),
            "synced": counts.get("synced", 0),
            "last_sync_at": last_ok[0] if last_ok else None,
            "last_sync_attempt_at": last[0] if last else None,
            "last_sync_error": (last[2] or "sync failed") if last and not last[1] else None,
            "catalogue_version": state["cursor"] if state else "",
            "catalogue_applied_at": state["applied_at"] if state else None,
            "catalogue_refused": refused.get("reason") if refused else None,
            "catalogue_refused_at": refused.get("at") if refused else None,
            "free_disk_bytes": free,
            "db_bytes": db_bytes,
            "app_version": APP_VERSION,
            "kiosk_id": self.get_setting(SETTING_KIOSK_ID),
            "schema_version": schema,
            "recovery": recovery.get("moved_to") if isinstance(recovery, dict) else None,
            "recovery_detail": recovery_detail,
            "recovery_info": recovery if isinstance(recovery, dict) else None,
            "enrolled": enrolment is not None,
            "enrolled_to": enrolment.get("server_url") if enrolment else None,
            "data_dir": str(self.data_dir),
            "durability": {
                "journal_mode": journal,
                "synchronous": {0: "off", 1: "normal", 2: "full", 3: "extra"}.get(synchronous),
                "foreign_keys": bool(foreign_keys),
            },
        }


__all__ = ["DB_FILENAME", "SCHEMA_VERSION", "KioskStore"]
