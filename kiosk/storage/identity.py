"""The kiosk's identity and staff access: the kiosk id, the enrolment with central, and
the keys file (``keys.py``) that mirrors them together with the PIN hash and its lockout,
so that a damaged database never hands staff mode to whoever stands at the counter."""

from __future__ import annotations

import json
import logging
from typing import Any

from kiosk.storage.catalogue import validate_catalogue
from kiosk.storage.catalogue_cache import CatalogueCache
from kiosk.storage.keys import KEY_SETTINGS, read_keys, write_keys
from kiosk.storage.settings_store import (
    SETTING_ENROLMENT,
    SETTING_KIOSK_ID,
    SETTING_RECOVERY,
    SETTING_SALVAGED,
)

log = logging.getLogger(__name__)


class Identity(CatalogueCache):
    """Kiosk id, enrolment, staff access and the keys file. (Enrolment may replace the
    cached catalogue in its own transaction, hence the catalogue cache underneath.)"""

    def _setting_changed(self, key: str) -> None:
        if key in KEY_SETTINGS:
            self._save_keys()

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
