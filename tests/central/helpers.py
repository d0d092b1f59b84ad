"""Helpers shared by the central tests (fixtures are in conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from central.catalogue.models import (
    CopyStatus,
    Document,
    Offering,
    Service,
    ServiceDocument,
    ServiceStep,
)
from central.directory.models import Agency, Counter, ServicePoint
from central.fleet import services as fleet

requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite runs one writer at a "
    "time, so there is no real concurrency to test",
)


@dataclass
class World:
    dopa: Agency
    bkk: Agency
    dlt: Agency
    id_card: Document
    house_reg: Document
    photo: Document
    id_renew: Service
    move_in: Service
    dl_renew: Service
    sp: ServicePoint  # a Bangkok district office (agency bkk, child of dopa)
    counter: Counter
    counter2: Counter
    dlt_sp: ServicePoint
    dlt_counter: Counter
    offering_id_renew: Offering
    offering_move_in: Offering


def make_service(code, name_en, agency, docs, fee="0", steps=((5, "Submit"), (10, "Check"))):
    service = Service.objects.create(
        code=code,
        name_th=f"บริการ {code}",
        name_en=name_en,
        agency=agency,
        agency_th=agency.name_th,
        agency_en=agency.name_en,
        fee_amount=Decimal(fee),
        legal_basis_th="กฎหมาย",
        legal_basis_en="Law",
        is_demo=True,
    )
    for order, (minutes, title) in enumerate(steps, start=1):
        ServiceStep.objects.create(
            service=service, order=order, title_th=f"ขั้นตอน {order}", title_en=title, minutes=minutes
        )
    for order, (doc, copies) in enumerate(docs, start=1):
        ServiceDocument.objects.create(
            service=service, document=doc, order=order, originals=1, copies=copies
        )
    return service


def make_point(code, agency, sub="100701", lat=13.7466, lon=100.5232):
    return ServicePoint.objects.create(
        agency=agency,
        code=code,
        name_th=f"สำนักงาน {code}",
        name_en=f"Office {code}",
        lat=lat,
        lon=lon,
        address_th="ถนนพระราม 1",
        address_en="Rama I Road",
        province_code=sub[:2],
        district_code=sub[:4],
        subdistrict_code=sub,
        hours_th="จันทร์–ศุกร์",
        hours_en="Mon–Fri",
        phone="02 000 0000",
    )


@dataclass
class EnrolledKiosk:
    kiosk: object
    credential: str

    @property
    def auth(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.credential}"}


def enrol_kiosk(counter) -> EnrolledKiosk:
    _, code = fleet.issue_enrolment_code(counter)
    kiosk, credential = fleet.enrol(code, "1.0.0")
    return EnrolledKiosk(kiosk, credential)


def post_json(client: Client, path: str, data, **extra):
    body = data if isinstance(data, bytes | str) else json.dumps(data)
    return client.post(path, body, content_type="application/json", **extra)


def rating(**overrides) -> dict:
    """A valid rating item (protocol shape); override any field."""
    item = {
        "uuid": str(uuid.uuid4()),
        "seq": 1,
        "kiosk_time": datetime.now(UTC).isoformat(),
        "score": 5,
        "service_code": "ID_RENEW",
        "dimensions": ["staff", "waiting_time"],
        "asked_for_copy": False,
        "comment": None,
        "interval_flag": False,
    }
    item.update(overrides)
    return item


def build_world() -> World:
    """Two agencies' offices, counters, services and copy statuses: the ``world`` fixture
    (and module-scoped admin set-ups) build their data with this."""
    dopa = Agency.objects.create(code="dopa", name_th="กรมการปกครอง", name_en="DOPA")
    bkk = Agency.objects.create(code="dopa-bkk", name_th="เขต", name_en="Bangkok", parent=dopa)
    dlt = Agency.objects.create(code="dlt", name_th="กรมการขนส่งทางบก", name_en="DLT")
    id_card = Document.objects.create(code="ID_CARD", name_th="บัตร", name_en="ID card")
    house_reg = Document.objects.create(code="HOUSE_REG", name_th="ทะเบียนบ้าน", name_en="House reg")
    photo = Document.objects.create(code="PHOTO", name_th="รูปถ่าย", name_en="Photo")
    id_renew = make_service("ID_RENEW", "ID card renewal", dopa, [(id_card, 1)])
    move_in = make_service("MOVE_IN", "Move in", dopa, [(id_card, 1), (house_reg, 1)], fee="20")
    dl_renew = make_service("DL_RENEW", "Licence renewal", dlt, [(id_card, 1), (photo, 0)], "505")
    sp = make_point("bkk-pathumwan", bkk)
    counter = Counter.objects.create(service_point=sp, number=1, name_th="ช่อง 1", name_en="C1")
    counter2 = Counter.objects.create(service_point=sp, number=2, name_th="ช่อง 2", name_en="C2")
    dlt_sp = make_point("dlt-bkk1", dlt, sub="103004", lat=13.8128, lon=100.5617)
    dlt_counter = Counter.objects.create(service_point=dlt_sp, number=1, name_th="ช่อง 1")
    off1 = Offering.objects.create(service_point=sp, service=id_renew)
    off1.counters.add(counter)
    off2 = Offering.objects.create(service_point=sp, service=move_in)
    off2.counters.add(counter2)
    Offering.objects.create(service_point=dlt_sp, service=dl_renew).counters.add(dlt_counter)
    CopyStatus.objects.create(
        offering=off1,
        document=id_card,
        status=CopyStatus.NO_COPY,
        copies=0,
        no_copy_since=date(2021, 10, 1),
        verify_th="อ่านบัตร",
        verify_en="Reads the smart card",
    )
    CopyStatus.objects.create(
        offering=off2,
        document=house_reg,
        status=CopyStatus.COPY_REQUIRED,
        copies=1,
        reason_th="เก็บสำเนา",
        reason_en="Kept on file",
    )
    return World(
        dopa, bkk, dlt, id_card, house_reg, photo, id_renew, move_in, dl_renew,
        sp, counter, counter2, dlt_sp, dlt_counter, off1, off2,
    )  # fmt: skip


def classify_comments(lines: list[str]) -> list[dict]:
    """``python -m central classify-comments`` on ``lines`` (as operators run it): one
    JSON object per line out."""
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(repo), DEBUG="1", PYTHAINLP_OFFLINE="1")
    done = subprocess.run(
        [sys.executable, "-m", "central", "classify-comments"],
        input=("\n".join(lines) + "\n").encode("utf-8"),
        capture_output=True,
        env=env,
        cwd=repo,
        timeout=120,
        check=True,
    )
    return [json.loads(x) for x in done.stdout.decode("utf-8").splitlines()]
