"""Carry a kiosk's queued ratings to another kiosk: ``export-queue`` / ``import-queue``.

A tablet breaks; its disk (or its data folder) still holds ratings central never got.
``export_queue`` reads them from that folder without opening it as a kiosk: the database
and its ``-wal`` are copied to a temporary folder and read there with the same salvage
reader that rescues a damaged database (so a read-only disk, a database written by a
newer app or a damaged file still give up what can be read, and the source is never
written). ``import_queue`` adds them to the replacement kiosk's outbox under their own
uuids: central stores each uuid once, so ratings the broken kiosk had already sent come
back as ``duplicate`` and nothing is counted twice. The kiosk's credential never leaves
the device in the file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid as uuidlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.storage.recovery import _salvage, _salvage_rating
from kiosk.storage.store import (
    DB_FILENAME,
    SETTING_ENROLMENT,
    SETTING_KIOSK_ID,
    KioskStore,
)

FORMAT = "counterpoint-kiosk-queue"
FORMAT_VERSION = 1


def _setting(settings: dict[str, str], key: str) -> Any:
    try:
        return json.loads(settings[key])
    except (KeyError, TypeError, ValueError):
        return None


def read_queue(data_dir: Path) -> dict:
    """The queued (pending) ratings of the kiosk database in ``data_dir``, as the export
    document. Raises ``FileNotFoundError`` when there is no database there."""
    source = Path(data_dir) / DB_FILENAME
    if not source.is_file():
        raise FileNotFoundError(f"no kiosk database {DB_FILENAME} in {data_dir}")
    with tempfile.TemporaryDirectory(prefix="kiosk-export-") as tmp:
        copy = Path(tmp) / DB_FILENAME
        shutil.copyfile(source, copy)
        wal = source.with_name(DB_FILENAME + "-wal")
        if wal.is_file():  # the latest commits; -shm is rebuilt from it
            shutil.copyfile(wal, copy.with_name(DB_FILENAME + "-wal"))
        found = _salvage(copy)
    pending = sorted(
        (r for r in found.ratings.values() if r["state"] == "pending"), key=lambda r: r["seq"]
    )
    enrolment = _setting(found.settings, SETTING_ENROLMENT)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": {
            "data_dir": str(Path(data_dir).resolve()),
            "local_kiosk_id": _setting(found.settings, SETTING_KIOSK_ID),
            "kiosk_id": enrolment.get("kiosk_id") if isinstance(enrolment, dict) else None,
            "server_url": enrolment.get("server_url") if isinstance(enrolment, dict) else None,
        },
        "ratings": [
            {
                "uuid": r["uuid"],
                "seq": r["seq"],
                "kiosk_time": r["kiosk_time"],
                "tapped_at": r["tapped_at"],
                "score": r["score"],
                "service_code": r["service_code"],
                "dimensions": json.loads(r["dimensions"]),
                "asked_for_copy": None
                if r["asked_for_copy"] is None
                else bool(r["asked_for_copy"]),
                "comment": r["comment"],
                "interval_flag": bool(r["interval_flag"]),
            }
            for r in pending
        ],
    }


def export_queue(data_dir: Path, out: Path) -> dict:
    """Write the queue of ``data_dir`` to ``out`` (JSON, written whole or not at all)."""
    document = read_queue(data_dir)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out)
    return document


def load_queue_file(path: Path) -> list[dict]:
    """The ratings of an export file, each checked; ``ValueError`` names the first problem."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable queue file: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{path} is not a CounterPoint kiosk queue file")
    if document.get("version") != FORMAT_VERSION:
        raise ValueError(
            f"{path} has queue format version {document.get('version')!r}; "
            f"this app reads version {FORMAT_VERSION}"
        )
    ratings = document.get("ratings")
    if not isinstance(ratings, list):
        raise ValueError(f"{path}: 'ratings' must be a list")
    checked = []
    for i, item in enumerate(ratings):
        if not isinstance(item, dict) or not isinstance(item.get("dimensions"), list):
            raise ValueError(f"{path}: rating {i} is not a rating object")
        row = {
            **item,
            "dimensions": json.dumps(item["dimensions"]),
            "asked_for_copy": None
            if item.get("asked_for_copy") is None
            else int(bool(item["asked_for_copy"])),
            "state": "pending",
        }
        rating = _salvage_rating(row)
        if rating is None or str(uuidlib.UUID(str(item.get("uuid")))) != item.get("uuid"):
            raise ValueError(f"{path}: rating {i} ({item.get('uuid')!r}) is not valid")
        checked.append(rating)
    return checked


def import_queue(store: KioskStore, path: Path) -> tuple[int, int]:
    """Add the file's ratings to ``store``'s outbox, in one transaction; ratings whose uuid
    is already there are left alone. Returns (added, already there)."""
    ratings = load_queue_file(path)
    added = 0
    with store._writing("import queued ratings") as conn:
        for r in ratings:
            if conn.execute("SELECT 1 FROM ratings WHERE uuid = ?", (r["uuid"],)).fetchone():
                continue
            seq = conn.execute(
                "UPDATE rating_seq SET last_seq = last_seq + 1 WHERE slot = 1 RETURNING last_seq"
            ).fetchall()[0][0]
            conn.execute(
                "INSERT INTO ratings (seq, uuid, kiosk_time, tapped_at, score, service_code, "
                "dimensions, asked_for_copy, comment, interval_flag, state, followup_done) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1)",
                (
                    seq,
                    r["uuid"],
                    r["kiosk_time"],
                    r["tapped_at"],
                    r["score"],
                    r["service_code"],
                    r["dimensions"],
                    r["asked_for_copy"],
                    r["comment"],
                    r["interval_flag"],
                ),
            )
            added += 1
    return added, len(ratings) - added
