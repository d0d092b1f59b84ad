"""The keys file: what staff access and the kiosk's identity depend on, kept beside the
database so that it survives damage to it.

``kiosk.keys.json`` holds the PIN hash and its lockout counters, the kiosk id and the
enrolment (central's address and this kiosk's credential). It is small and rewritten
whole on every change to one of those settings: written under a temporary name, flushed
to disk (fsync), renamed over the old one, and the folder flushed, so after a power cut
it is either the old or the new version, never half of one. The database stays the
source of truth while it is healthy; the file is read when the database had to be
recovered or lost those settings (see ``KioskStore.open``). It is as secret as the
database itself (mode 0600): the credential is in both.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KEYS_FILENAME = "kiosk.keys.json"
KEYS_VERSION = 1

#: the settings mirrored in the keys file
KEY_SETTINGS = (
    "pin_hash",
    "pin_failures",
    "pin_lockouts",
    "pin_locked_until",
    "kiosk_id",
    "enrolment",
)


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a power cut leaves the old or the new file:
    temporary name, fsync, rename, fsync of the folder. Raises ``OSError``."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def read_keys(folder: Path) -> dict[str, Any] | None:
    """The settings kept in the keys file (None if there is no readable file)."""
    path = Path(folder) / KEYS_FILENAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.error("the keys file %s cannot be read: %s", path, exc)
        return None
    settings = data.get("settings") if isinstance(data, dict) else None
    if not isinstance(settings, dict):
        log.error("the keys file %s has no settings", path)
        return None
    return {k: v for k, v in settings.items() if k in KEY_SETTINGS}


def write_keys(folder: Path, settings: dict[str, Any]) -> None:
    """Write the keys file atomically (raises ``OSError``)."""
    body = {
        "version": KEYS_VERSION,
        "settings": {k: v for k, v in settings.items() if k in KEY_SETTINGS},
    }
    data = json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    write_atomically(Path(folder) / KEYS_FILENAME, data)


__all__ = ["KEYS_FILENAME", "KEY_SETTINGS", "read_keys", "write_atomically", "write_keys"]
