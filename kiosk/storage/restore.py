"""Writing what was salvaged from a damaged database into the fresh one (one transaction,
together with the damaged file's name in ``storage.salvaged_files``), and finding files
moved aside whose salvage never committed (a recovery cut short by a power cut)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kiosk.storage.recovery import _salvage, crash_point
from kiosk.storage.settings_store import (
    SETTING_KIOSK_ID,
    SETTING_RECOVERY,
    SETTING_SALVAGED,
    SettingsStore,
)

log = logging.getLogger(__name__)


class Restore(SettingsStore):
    """Salvage into the fresh database (``KioskStore.open`` decides when)."""

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
