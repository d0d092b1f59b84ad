"""What the kiosk reports about its storage: the staff status page's facts (and central's
fleet view), whether storage works again after a failure, the recovery notice."""

from __future__ import annotations

import shutil

from kiosk import APP_VERSION
from kiosk.storage.errors import StorageError, probe_folder
from kiosk.storage.identity import Identity
from kiosk.storage.recovery import _wal_files
from kiosk.storage.schema import user_version
from kiosk.storage.settings_store import SETTING_KIOSK_ID, SETTING_RECOVERY


class StatusReport(Identity):
    """Status of the store (reads the outbox, the catalogue and the identity)."""

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
