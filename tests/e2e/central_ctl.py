"""Central-side helper for the end-to-end tests: one long-lived Django process that reads
JSON commands on stdin (one per line) and answers one JSON line each on stdout.

It plays the central admin (issue enrolment codes, revoke a kiosk, flip a copy status)
and the auditor (read back the ratings central holds). It uses the same database as the
central server under test (same DATABASE_URL / CP_DATA_DIR environment), never the HTTP
API, so what it reports is what central stored.

    {"cmd": "code", "counter": "ct-000001"}        -> {"code": "ABCD-EFGH-JKMN"}
    {"cmd": "ratings", "kiosk": "ks-000001"}      -> {"ratings": [{...}, ...]}
    {"cmd": "count", "kiosk": "ks-000001"}        -> {"count": n, "distinct": n}
    {"cmd": "kiosk", "kiosk": "ks-000001"}        -> {"skew_flag": ..., ...}
    {"cmd": "revoke", "kiosk": "ks-000001"}       -> {"revoked": true}
    {"cmd": "flip_copy", "kiosk": "ks-000001"}    -> {"service": code, "document": code}
"""

from __future__ import annotations

import json
import os
import sys
import traceback


def _pk(public_id: str) -> int:
    return int(public_id.split("-", 1)[1])


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "central.settings")
    import django

    django.setup()
    from datetime import date

    from django.db import connection

    from central.catalogue.models import CopyStatus, Offering, ServiceDocument
    from central.directory.models import Counter
    from central.fleet import services as fleet
    from central.fleet.models import Kiosk
    from central.ratings.models import Rating

    def code(msg: dict) -> dict:
        counter = Counter.objects.get(pk=_pk(msg["counter"]))
        _row, text = fleet.issue_enrolment_code(counter)
        return {"code": text}

    def ratings(msg: dict) -> dict:
        qs = Rating.objects.all()
        if msg.get("kiosk"):
            qs = qs.filter(kiosk_id=_pk(msg["kiosk"]))
        out = []
        for r in qs.select_related("service", "kiosk").order_by("id").iterator(chunk_size=2000):
            out.append(
                {
                    "uuid": str(r.uuid),
                    "seq": r.kiosk_seq,
                    "kiosk": r.kiosk.public_id,
                    "kiosk_time": r.kiosk_time.isoformat(),
                    "received_at": r.received_at.isoformat(),
                    "rated_at": r.rated_at.isoformat(),
                    "skew_seconds": r.skew_seconds,
                    "skew_flag": r.skew_flag,
                    "score": r.score,
                    # A code central does not offer at the point is kept as unknown.
                    "service_code": r.service.code
                    if r.service_id
                    else (r.unknown_service_code or None),
                    "service_known": r.service_id is not None,
                    "unknown_service_reason": r.unknown_service_reason,
                    "dimensions": r.dimensions,
                    "asked_for_copy": r.asked_for_copy,
                    "comment": r.comment,
                    "interval_flag": r.interval_flag,
                }
            )
        return {"ratings": out}

    def count(msg: dict) -> dict:
        qs = Rating.objects.all()
        if msg.get("kiosk"):
            qs = qs.filter(kiosk_id=_pk(msg["kiosk"]))
        return {"count": qs.count(), "distinct": qs.values("uuid").distinct().count()}

    def kiosk(msg: dict) -> dict:
        k = Kiosk.objects.get(pk=_pk(msg["kiosk"]))
        return {
            "id": k.public_id,
            "skew_flag": k.skew_flag,
            "clock_skew_seconds": k.clock_skew_seconds,
            "last_kiosk_time": k.last_kiosk_time.isoformat() if k.last_kiosk_time else None,
            "queue_depth": k.queue_depth,
            "revoked": k.revoked_at is not None,
            "counter": Counter.objects.get(pk=k.counter_id).public_id,
        }

    def revoke(msg: dict) -> dict:
        return {"revoked": fleet.revoke_kiosk(Kiosk.objects.get(pk=_pk(msg["kiosk"])))}

    def flip_copy(msg: dict) -> dict:
        """Switch one copy_required document of a service at the kiosk's counter to
        no_copy, through the ORM (so central's change tracking sees it)."""
        k = Kiosk.objects.select_related("counter").get(pk=_pk(msg["kiosk"]))
        offerings = Offering.objects.filter(
            service_point_id=k.counter.service_point_id, counters=k.counter
        ).select_related("service")
        verify = {
            "verify_th": "เจ้าหน้าที่ตรวจสอบจากบัตรประจำตัวประชาชนด้วยเครื่องอ่านบัตร",
            "verify_en": "Staff check it with the smart ID card reader",
        }
        for off in offerings.order_by("service__code"):
            cs = (
                CopyStatus.objects.filter(offering=off, status=CopyStatus.COPY_REQUIRED)
                .select_related("document")
                .order_by("document__code")
                .first()
            )
            if cs is not None:
                cs.status, cs.copies, cs.no_copy_since = CopyStatus.NO_COPY, 0, date(2026, 1, 1)
                cs.reason_th = cs.reason_en = ""
                cs.verify_th, cs.verify_en = verify["verify_th"], verify["verify_en"]
                cs.save()
                return {"service": off.service.code, "document": cs.document.code}
            has_row = CopyStatus.objects.filter(offering=off).values_list("document_id", flat=True)
            sd = (
                ServiceDocument.objects.filter(service=off.service, copies__gte=1)
                .exclude(document_id__in=list(has_row))
                .select_related("document")
                .order_by("document__code")
                .first()
            )
            if sd is not None:
                CopyStatus.objects.create(
                    offering=off,
                    document=sd.document,
                    status=CopyStatus.NO_COPY,
                    copies=0,
                    no_copy_since=date(2026, 1, 1),
                    **verify,
                )
                return {"service": off.service.code, "document": sd.document.code}
        raise LookupError("no copy_required document at this kiosk's counter")

    commands = {
        "code": code,
        "ratings": ratings,
        "count": count,
        "kiosk": kiosk,
        "revoke": revoke,
        "flip_copy": flip_copy,
        "ping": lambda msg: {"pong": True},
    }
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            msg = json.loads(line)
            answer = commands[msg["cmd"]](msg)
        except Exception as exc:  # report, keep serving
            answer = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
        finally:
            connection.close()  # next command sees every commit (and no stale SQLite snapshot)
        print(json.dumps(answer, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
