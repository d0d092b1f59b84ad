"""The store's connection: one SQLite connection guarded by a lock, the clock, and the
one path of every read and write (``_reading`` / ``_writing``).

Durability: every connection runs in WAL mode with ``synchronous=FULL`` (a committed
transaction survives a power cut) and foreign keys on (see ``recovery._connect``). Every
write goes through ``_writing``: one ``BEGIN IMMEDIATE`` transaction, rolled back whole on
any error, with SQLite/OS errors turned into ``StorageError`` subclasses. A failed write
therefore never touches what was committed before it.

Thread safety: one connection, guarded by a lock, so the UI thread and a sync job in a
worker thread may share one store. Separate stores (processes) on the same file also work
(WAL, busy timeout).
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from kiosk.storage.errors import StorageError, translate

if TYPE_CHECKING:
    from sqlite_utils import Database

    from kiosk.storage.models import Service

DB_FILENAME = "kiosk.db"


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


class StoreConnection:
    """The connection, its lock and clock, and the read/write transactions every part
    of ``KioskStore`` goes through."""

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
        # the catalogue cache's (see ``CatalogueCache._services``)
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

    @staticmethod
    def _aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo is not None else moment.astimezone()

    def _now(self) -> datetime:
        return self._aware(self._now_fn())

    def _limit_size(self, max_db_bytes: int) -> None:
        with self._reading("limit the database size") as conn:
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            pages = max(1, int(max_db_bytes) // int(page_size))
            conn.execute(f"PRAGMA max_page_count = {pages}").fetchall()

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> Self:
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

    def _rewind_wal(self) -> None:
        """Checkpoint and restart the write-ahead log, so the next transaction reuses
        the log file's space from its start instead of growing it (best effort)."""
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._require_open().execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
