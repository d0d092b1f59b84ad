"""Storage exceptions, and the one place that turns SQLite/OS failures into them."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

# Primary SQLite result codes (https://www.sqlite.org/rescode.html).
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


class StorageError(Exception):
    """The kiosk's local storage failed. ``str()`` is a message staff can act on."""


class StorageFullError(StorageError):
    """The disk (or the database's size limit) is full: nothing more can be written."""


class StorageReadOnlyError(StorageError):
    """The database or its folder cannot be written (read-only file, folder or disk)."""


class StorageCorruptError(StorageError):
    """The database file is damaged. The next ``KioskStore.open`` moves it aside."""


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of ``exc`` (None if it is not a SQLite error)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()
    for needle, guess in (
        ("database or disk is full", SQLITE_FULL),
        ("readonly database", SQLITE_READONLY),
        ("read-only", SQLITE_READONLY),
        ("unable to open database", SQLITE_CANTOPEN),
        ("disk i/o error", SQLITE_IOERR),
        ("malformed", SQLITE_CORRUPT),
        ("file is not a database", SQLITE_NOTADB),
        ("database is locked", SQLITE_BUSY),
    ):
        if needle in text:
            return guess
    return None


def is_corruption(exc: BaseException) -> bool:
    """True when SQLite says the file is damaged or is not a database at all."""
    return sqlite_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB)


def probe_folder(folder: Path, *, sync: bool = True) -> int | None:
    """Try to create (and remove) a small file in ``folder``; the errno if that fails.

    SQLite reports a write refused by a read-only or full file system as a generic
    "disk I/O error" (or "unable to open database file"); this probe tells which it was.
    ``sync`` also flushes the file to disk, where some file systems report ENOSPC.
    """
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".probe-") as f:
            f.write(b"\0" * 4096)
            f.flush()
            if sync:
                os.fsync(f.fileno())
    except OSError as exc:
        return exc.errno
    return None


def _read_only(action: str, where: Path) -> StorageReadOnlyError:
    return StorageReadOnlyError(
        f"Could not {action}: the kiosk's storage is read-only ({where}). "
        "The disk may have been switched to read-only after an error, or the folder or "
        "file is not writable. Ratings saved before this are safe; restart the kiosk "
        "after fixing the disk."
    )


def _full(action: str, where: Path) -> StorageFullError:
    return StorageFullError(
        f"Could not {action}: the kiosk's storage is full ({where}). "
        "Free some disk space (or sync so that old ratings can be removed). "
        "Ratings saved before this are safe."
    )


def translate(exc: BaseException, *, action: str, folder: Path) -> StorageError:
    """Turn a ``sqlite3.Error`` or ``OSError`` raised while doing ``action`` into the
    matching ``StorageError`` (the caller raises it ``from exc``)."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return _full(action, folder)
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return _read_only(action, folder)
        return StorageError(f"Could not {action}: {exc.strerror or exc} ({folder}).")
    code = sqlite_code(exc)
    if code == SQLITE_FULL:
        return _full(action, folder)
    if code == SQLITE_READONLY:
        return _read_only(action, folder)
    if code in (SQLITE_IOERR, SQLITE_CANTOPEN):
        probed = probe_folder(folder)
        if probed in (errno.ENOSPC, errno.EDQUOT):
            return _full(action, folder)
        if probed in (errno.EROFS, errno.EACCES, errno.EPERM):
            return _read_only(action, folder)
        if code == SQLITE_CANTOPEN:
            return StorageError(
                f"Could not {action}: the database file in {folder} cannot be opened ({exc})."
            )
        return StorageError(
            f"Could not {action}: the disk reported an input/output error ({exc}). "
            "The storage device may be failing."
        )
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return StorageCorruptError(
            f"Could not {action}: the database file in {folder} is damaged ({exc}). "
            "Restart the kiosk: it will move the damaged file aside and start a fresh one."
        )
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StorageError(
            f"Could not {action}: the database is busy (used by another program?) ({exc})."
        )
    return StorageError(f"Could not {action}: {exc}.")


__all__ = [
    "StorageCorruptError",
    "StorageError",
    "StorageFullError",
    "StorageReadOnlyError",
    "is_corruption",
    "probe_folder",
    "sqlite_code",
    "translate",
]
