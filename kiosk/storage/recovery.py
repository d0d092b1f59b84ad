"""Opening the kiosk's database file safely: the integrity check, the pragmas and the
schema migration, moving a damaged file aside (with its -wal/-shm) and salvaging what can
still be read from it. ``KioskStore.open`` puts these together; the salvaged rows are
written into the fresh database by ``Restore._restore`` (``restore.py``) in one
transaction, so a recovery cut short by a power cut is finished at the next start (see
``_interrupted_move`` and ``Restore._unsalvaged``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from kiosk.storage.errors import StorageError, is_corruption, translate
from kiosk.storage.keys import fsync_dir
from kiosk.storage.models import DIMENSIONS, MAX_COMMENT_CHARS
from kiosk.storage.schema import SchemaTooNewError, migrate

log = logging.getLogger(__name__)


def crash_point(name: str) -> None:
    """Tests cut the power here: ``KIOSK_TEST_CRASH_AT=name`` kills the process on the
    spot (SIGKILL: no cleanup, no flush), as a power cut during recovery would."""
    if os.environ.get("KIOSK_TEST_CRASH_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _wal_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


class _Damaged(Exception):
    """The file at the path is not a usable database: move it aside."""


@dataclass
class _Salvage:
    settings: dict[str, str] = field(default_factory=dict)
    ratings: dict[str, dict] = field(default_factory=dict)
    last_seq: int | None = None
    max_seq: int = 0
    seen: set[int] = field(default_factory=set)  # sequence numbers of rows read whole
    outbox_readable: bool = False

    def lost(self) -> int | None:
        """Queued ratings that could not be read back (an estimate from the sequence
        numbers: every number from the oldest queued one up to the last one given out
        that no readable row carries). None when nothing could be read at all."""
        if not self.outbox_readable:
            return None
        floor = max(self.last_seq or 0, self.max_seq)
        queued = [r["seq"] for r in self.ratings.values() if r["state"] == "pending"]
        if queued:
            start = min(queued)
        elif self.seen:
            start = max(self.seen) + 1
        else:
            return 0  # a readable, empty outbox: nothing was waiting
        return sum(1 for seq in range(start, floor + 1) if seq not in self.seen)


def _check_integrity(path: Path) -> None:
    """Raise ``_Damaged`` if SQLite finds ``path`` corrupt or not a database at all.

    Runs on a read-only connection: closing it never checkpoints or deletes the -wal and
    -shm files, so a damaged database is moved aside exactly as it was found (a
    read-write connection would remove a -wal it could not use when it closes).
    Problems other than damage are left for the read-write open to report.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        check = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        problems = [row[0] for row in check.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.Error as exc:
        if is_corruption(exc):
            raise _Damaged(str(exc)) from exc
        return
    finally:
        check.close()
    if problems != ["ok"]:
        raise _Damaged("integrity check failed: " + "; ".join(map(str, problems)))


def _connect(path: Path, folder: Path) -> sqlite3.Connection:
    """Open ``path`` with the kiosk's pragmas, check it, bring its schema up to date.

    Raises ``_Damaged`` when SQLite says the file is corrupt or not a database (or the
    integrity check fails), ``StorageError`` subclasses for everything else.
    """
    _check_integrity(path)
    try:
        conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=5.0
        )
    except sqlite3.Error as exc:
        raise translate(exc, action="open the database", folder=folder) from exc
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise StorageError(f"Could not switch {path} to WAL mode (got {mode}).")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except SchemaTooNewError as exc:
        conn.close()
        raise StorageError(f"Could not open {path}: {exc}.") from exc
    except sqlite3.Error as exc:
        conn.close()
        if is_corruption(exc):
            raise _Damaged(str(exc)) from exc
        raise translate(exc, action="open the database", folder=folder) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _interrupted_move(path: Path) -> Path | None:
    """The name a move aside that was cut short was giving ``path``: its -wal (or -shm)
    already carries a ``.corrupt-`` name but the file itself, moved last, does not.
    None when there is no such move to finish. A moved log whose place beside ``path``
    is taken again does not count (finishing that move would leave the newer log
    behind)."""
    if not path.exists():
        return None
    for side in sorted(path.parent.glob(f"{path.name}.corrupt-*")):
        for suffix in ("-wal", "-shm", "-journal"):
            if not side.name.endswith(suffix):
                continue
            main = side.with_name(side.name[: -len(suffix)])
            if main.exists():
                continue
            pairs = zip(_wal_files(path), _wal_files(main), strict=True)
            if not any(mine.exists() and moved.exists() for mine, moved in pairs):
                return main
    return None


def _move_aside(path: Path, moment: datetime) -> Path:
    """Rename the damaged ``path`` and its -wal/-shm to ``path.corrupt-<time>``.

    The -wal and -shm go first and the file itself last, so a power cut in between
    never leaves the file's log beside a fresh database (SQLite would read it into the
    new file) nor the file apart from its log: the next start sees the log moved
    without its file (``_interrupted_move``) and finishes the move under that name."""
    target = _interrupted_move(path)
    if target is None:
        stamp = moment.strftime("%Y%m%dT%H%M%S")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        n = 1
        while target.exists() or any(p.exists() for p in _wal_files(target)):
            n += 1
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        for src, dst in zip(_wal_files(path), _wal_files(target), strict=True):
            if src.exists() and not dst.exists():
                os.rename(src, dst)
        if path.exists():
            os.rename(path, target)
    except OSError as exc:
        raise translate(exc, action="move the damaged database aside", folder=path.parent) from exc
    fsync_dir(path.parent)
    return target


def _salvage_rating(row: dict) -> dict | None:
    """A rating row read from a damaged file, checked field by field (None if unusable)."""
    try:
        uuid = str(uuidlib.UUID(str(row["uuid"])))
        seq = int(row["seq"])
        score = int(row["score"])
        kiosk_time = str(row["kiosk_time"])
        tapped_at = row.get("tapped_at")
        if tapped_at is None:
            tapped_at = datetime.fromisoformat(kiosk_time).timestamp()
        dims = json.loads(row.get("dimensions") or "[]")
        if not isinstance(dims, list) or any(d not in DIMENSIONS for d in dims):
            dims = []
        copy = row.get("asked_for_copy")
        comment = row.get("comment")
        state = row.get("state") or "pending"
    except (KeyError, TypeError, ValueError):
        return None
    if seq < 1 or not 1 <= score <= 5 or state not in ("pending", "rejected"):
        return None
    service_code = row.get("service_code")
    return {
        "seq": seq,
        "uuid": uuid,
        "kiosk_time": kiosk_time,
        "tapped_at": float(tapped_at),
        "score": score,
        "service_code": service_code if isinstance(service_code, str) else None,
        "dimensions": json.dumps(dims),
        "asked_for_copy": copy if copy in (0, 1) else None,
        "comment": comment[:MAX_COMMENT_CHARS] if isinstance(comment, str) else None,
        "interval_flag": 1 if row.get("interval_flag") else 0,
        "state": state,
        "reject_reason": row.get("reject_reason") if state == "rejected" else None,
        "synced_at": None,
        "followup_done": 1,
    }


def _salvage(aside: Path) -> _Salvage:
    """Best effort: read what can still be read from a damaged file (queued ratings,
    settings, the sequence counter). Nothing here may raise."""
    found = _Salvage()
    # Read through the file's -wal first (the latest commits). Only if that fails, read
    # the main file alone ("immutable"): an older view, which might still list ratings
    # the -wal had marked synced (harmless: central answers "duplicate").
    for options in ("mode=ro", "immutable=1"):
        try:
            src = sqlite3.connect(f"file:{quote(str(aside))}?{options}", uri=True)
        except sqlite3.Error:
            continue
        outbox_readable = False
        try:
            with contextlib.suppress(sqlite3.Error):
                for key, value in src.execute("SELECT key, value FROM settings"):
                    with contextlib.suppress(TypeError, ValueError):
                        json.loads(value)
                        found.settings.setdefault(str(key), value)
            with contextlib.suppress(sqlite3.Error, TypeError, ValueError):
                last = src.execute("SELECT last_seq FROM rating_seq WHERE slot = 1").fetchone()
                if last is not None:
                    found.last_seq = max(found.last_seq or 0, int(last[0]))
            # Read forwards and backwards: a bad page in the middle of the table stops a
            # scan, but the rows on either side of it can still be reached.
            for order in ("ASC", "DESC"):
                with contextlib.suppress(sqlite3.Error):
                    cur = src.execute(f"SELECT * FROM ratings ORDER BY seq {order}")
                    outbox_readable = True
                    names = [d[0] for d in cur.description]
                    for values in cur:
                        row = dict(zip(names, values, strict=True))
                        with contextlib.suppress(TypeError, ValueError):
                            found.max_seq = max(found.max_seq, int(row.get("seq") or 0))
                        rating = _salvage_rating(row)
                        if rating is not None:
                            found.ratings.setdefault(rating["uuid"], rating)
                            found.seen.add(rating["seq"])
                        elif row.get("state") == "synced":
                            with contextlib.suppress(TypeError, ValueError):
                                found.seen.add(int(row["seq"]))
        finally:
            src.close()
        if outbox_readable:
            found.outbox_readable = True
            break
    return found
