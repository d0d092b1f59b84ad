"""Helper process for tests/deploy/test_replica.py: Django configured with DATABASE_URL (a
primary) and DATABASE_REPLICA_URL (its standby); answers one JSON line per command line.

    {"cmd": "route"}   -> {"alias": "replica"|"default", "why": "...", "agencies": n,
                           "in_recovery": bool}     (fresh check, then a read through it)
    {"cmd": "write"}   -> {"agencies": n}           (a new agency on the primary)
    {"cmd": "save_from_replica"} -> {"saved_on": "default"}
    {"cmd": "health"}  -> {"healthy": bool, "report": {...}} (what /health answers)
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "central.settings")
    import django

    django.setup()
    from django.db import connections

    from central import db
    from central.directory.models import Agency

    def route(msg: dict) -> dict:
        db.forget_replica_state()
        t0 = time.perf_counter()
        alias = db.read_replica()
        decided_ms = 1000 * (time.perf_counter() - t0)
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            in_recovery = cursor.fetchone()[0]
        return {
            "alias": alias,
            "why": db._verdict[2],
            "decided_ms": decided_ms,
            "agencies": Agency.objects.using(alias).count(),
            "in_recovery": in_recovery,
            "cached_alias": db.read_replica(),
        }

    def write(msg: dict) -> dict:
        n = Agency.objects.count()
        Agency.objects.create(code=f"probe-{n}", name_th=f"หน่วยงาน {n}", name_en=f"Agency {n}")
        return {"agencies": Agency.objects.count()}

    def save_from_replica(msg: dict) -> dict:
        agency = Agency.objects.using(db.REPLICA).order_by("id").first()
        agency.name_en = agency.name_en + " (renamed)"
        agency.save()
        return {"saved_on": agency._state.db, "primary_has": Agency.objects.filter(
            pk=agency.pk, name_en=agency.name_en).exists()}  # fmt: skip

    def health(msg: dict) -> dict:
        from central import health as health_check

        healthy, report = health_check.check()
        return {"healthy": healthy, "report": report}

    commands = {"route": route, "write": write, "save_from_replica": save_from_replica,
                "health": health}  # fmt: skip
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            msg = json.loads(line)
            answer = commands[msg["cmd"]](msg)
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
        print(json.dumps(answer, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
