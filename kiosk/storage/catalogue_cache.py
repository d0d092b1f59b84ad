"""The catalogue cache: central's (or the bundled demo) service catalogue in the
``catalogue_*`` tables, applied whole or as a delta in one transaction, read back as
``Service``/``ServicePoint`` (cached in memory until the catalogue changes, here or
through another connection: ``PRAGMA data_version``), the counter's choice of services,
and the record of a catalogue central sent that could not be applied."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kiosk.storage.catalogue import thai_sort_key, validate_catalogue
from kiosk.storage.connection import _dicts
from kiosk.storage.errors import StorageError
from kiosk.storage.models import Document, Service, ServicePoint, Step
from kiosk.storage.settings_store import (
    SETTING_CATALOGUE_REFUSED,
    SETTING_COUNTER_SERVICES,
    SettingsStore,
)


class CatalogueCache(SettingsStore):
    """The cached service catalogue."""

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
