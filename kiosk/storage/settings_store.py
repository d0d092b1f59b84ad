"""Settings: small JSON values by key in the ``settings`` table, and the names of the
ones the store itself reads or writes (any other key is free for the app to use)."""

from __future__ import annotations

import json
from typing import Any

from kiosk.storage.connection import StoreConnection

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


class SettingsStore(StoreConnection):
    """Read and write settings. ``_setting_changed`` is called after every committed
    change (``Identity`` mirrors the staff-access settings into the keys file there)."""

    def _setting_changed(self, key: str) -> None:
        """A setting was written or deleted (committed)."""

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
        self._setting_changed(key)

    def delete_setting(self, key: str) -> None:
        with self._writing(f"delete the setting {key!r}") as conn:
            conn.execute("DELETE FROM settings WHERE key = ?", (key,))
        self.settings_version += 1
        self._setting_changed(key)

    def _number_setting(self, key: str, default: float) -> float:
        value = self.get_setting(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            return default
        return float(value)
