"""Fixtures for the central tests. Django is configured here (not in pyproject), so the
kiosk tests never need central's settings:

- ``DJANGO_SETTINGS_MODULE=central.settings`` unless already set;
- no ``DATABASE_URL``: SQLite (in memory for tests); with
  ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/counterpoint`` pytest-django creates
  and drops ``test_counterpoint``.
"""

from __future__ import annotations

import os
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "central.settings")

import django  # noqa: E402

django.setup()

import pytest  # noqa: E402
from django.test import Client  # noqa: E402

from central.catalogue.models import CopyStatus, Document, Offering  # noqa: E402
from central.directory.models import Agency, Counter  # noqa: E402
from tests.central.helpers import (  # noqa: E402
    EnrolledKiosk,
    World,
    enrol_kiosk,
    make_point,
    make_service,
)


@pytest.fixture
def world(db) -> World:
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


@pytest.fixture
def kiosk(world) -> EnrolledKiosk:
    """A kiosk enrolled at ``world.counter`` (Bangkok office, counter 1)."""
    return enrol_kiosk(world.counter)


@pytest.fixture
def api() -> Client:
    return Client(raise_request_exception=False)
