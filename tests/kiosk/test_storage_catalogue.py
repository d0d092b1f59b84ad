"""Catalogue cache of kiosk.storage: the demo catalogue on first start, the counter's
services, and full/delta catalogue payloads of docs/sync-protocol.md."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from kiosk.paths import demo_catalogue_path
from kiosk.storage import KioskStore, Service, StorageFullError, thai_sort_key

DOPA_COUNTER = [
    "ID_RENEW",
    "ID_LOST",
    "ID_FIRST",
    "MOVE_IN",
    "MOVE_OUT",
    "BIRTH",
    "DEATH",
    "MARRIAGE",
    "DIVORCE",
    "NAME_CHANGE",
    "SURNAME_CHANGE",
    "HOUSE_NUMBER",
]


@pytest.fixture
def kiosk_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(kiosk_dir):
    s = KioskStore.open(kiosk_dir)
    yield s
    s.close()


def service_payload(code: str, *, name_th: str = "บริการทดสอบ", steps: int = 2, **extra) -> dict:
    svc = {
        "code": code,
        "version": 1,
        "deleted": False,
        "name_th": name_th,
        "name_en": f"Test service {code}",
        "agency_th": "หน่วยงานทดสอบ",
        "agency_en": "Test agency",
        "fee_amount": "0.00",
        "fee_th": "ไม่มีค่าธรรมเนียม",
        "fee_en": "No fee",
        "total_minutes": 5 * steps,
        "legal_basis_th": "กฎหมายทดสอบ",
        "legal_basis_en": "Test act",
        "channels_th": "ที่เคาน์เตอร์",
        "channels_en": "At the counter",
        "complaint_th": "โทร 1111",
        "complaint_en": "Call 1111",
        "public_url": f"https://counterpoint.example/services/{code}?sp=sp-1",
        "demo": False,
        "steps": [
            {"order": i, "title_th": f"ขั้นที่ {i}", "title_en": f"Step {i}", "minutes": 5}
            for i in range(1, steps + 1)
        ],
        "documents": [
            {
                "code": "ID_CARD",
                "name_th": "บัตรประจำตัวประชาชน",
                "name_en": "Thai national ID card",
                "originals": 1,
                "copies": 0,
                "copy_status": "no_copy",
                "no_copy_since": "2021-10-01",
                "reason_th": "",
                "reason_en": "",
                "verify_th": "อ่านบัตรสมาร์ทการ์ด",
                "verify_en": "We read your smart card",
            },
            {
                "code": "BANK_BOOK",
                "name_th": "สมุดบัญชีเงินฝาก",
                "name_en": "Bank book",
                "originals": 1,
                "copies": 1,
                "copy_status": "copy_required",
                "no_copy_since": None,
                "reason_th": "ใช้บันทึกเลขบัญชี",
                "reason_en": "Records the account number",
                "verify_th": "",
                "verify_en": "",
            },
        ],
    }
    svc.update(extra)
    return svc


def catalogue(cursor: str, services: list[dict], *, full: bool, counter_codes=("A1",)) -> dict:
    return {
        "cursor": cursor,
        "full": full,
        "service_point": {
            "id": "sp-1",
            "name_th": "สำนักงานทดสอบ",
            "name_en": "Test office",
            "address_th": "ที่อยู่",
            "address_en": "Address",
            "lat": 13.75,
            "lon": 100.5,
            "province_code": "10",
            "district_code": "1001",
            "subdistrict_code": "100101",
            "hours_th": "จ-ศ",
            "hours_en": "Mon-Fri",
            "phone": "02 000 0000",
            "map_url": "https://www.openstreetmap.org/",
        },
        "counter": {
            "id": "ct-1",
            "name_th": "เคาน์เตอร์ 1",
            "name_en": "Counter 1",
            "service_codes": list(counter_codes),
        },
        "services": services,
    }


def snapshot(store) -> tuple:
    return store.catalogue_version(), store.service_point(), store.all_services()


def test_first_open_loads_the_demo_catalogue_and_the_counter_services(store):
    demo = json.loads(demo_catalogue_path().read_text(encoding="utf-8"))
    assert store.catalogue_version() == demo["cursor"] == "demo-1"
    sp = store.service_point()
    assert (sp.id, sp.name_en, sp.counter_name_en) == (
        "sp-demo-1030",
        "Chatuchak District Office",
        "Civil registration and ID cards",
    )
    assert sp.counter_name_th == "งานทะเบียนราษฎรและบัตร"
    assert (sp.province_code, sp.district_code) == ("10", "1030")
    assert 13.5 < sp.lat < 14.0 and 100.3 < sp.lon < 100.8
    assert len(store.all_services()) == 35
    assert [s.code for s in store.counter_services()] == DOPA_COUNTER

    renew = store.service("ID_RENEW")
    assert isinstance(renew, Service) and renew.demo is True
    assert renew.name_th == "การขอมีบัตรประจำตัวประชาชนใหม่ กรณีบัตรหมดอายุ"
    assert 2 <= len(renew.steps) <= 4
    assert [st.order for st in renew.steps] == sorted(st.order for st in renew.steps)
    assert renew.total_minutes == sum(st.minutes for st in renew.steps)
    card = next(d for d in renew.documents if d.code == "ID_CARD")
    assert (card.copy_status, card.copies, card.no_copy_since) == ("no_copy", 0, "2021-10-01")
    assert card.no_copy and card.verify_th and card.verify_en
    assert store.service("NOPE") is None


def test_demo_catalogue_is_not_reloaded_over_a_synced_one(kiosk_dir):
    with KioskStore.open(kiosk_dir) as s:
        s.apply_catalogue(catalogue("c-1", [service_payload("A1")], full=True))
    with KioskStore.open(kiosk_dir) as s:
        assert s.catalogue_version() == "c-1"
        assert [x.code for x in s.all_services()] == ["A1"]


def test_all_services_are_in_thai_dictionary_order(store):
    names = [s.name_th for s in store.all_services()]
    assert names == sorted(names, key=thai_sort_key)
    # A leading vowel sorts by the consonant after it (เกิด after กา, before ขอ).
    assert sorted(["ขอ", "เกิด", "กา"], key=thai_sort_key) == ["กา", "เกิด", "ขอ"]


def test_counter_services_staff_choice_wins_unknown_codes_ignored(kiosk_dir):
    with KioskStore.open(kiosk_dir) as s:
        s.set_counter_services(["DL_RENEW", "NO_SUCH_CODE", "ID_RENEW", "DL_RENEW"])
        assert [x.code for x in s.counter_services()] == ["DL_RENEW", "ID_RENEW"]
    with KioskStore.open(kiosk_dir) as s:  # the choice is kept
        assert [x.code for x in s.counter_services()] == ["DL_RENEW", "ID_RENEW"]
        s.set_counter_services(["GONE_1", "GONE_2"])  # nothing left: central's default
        assert [x.code for x in s.counter_services()] == DOPA_COUNTER
        s.set_counter_services(["PIT"])
        s.set_counter_services([])  # clears the choice
        assert [x.code for x in s.counter_services()] == DOPA_COUNTER
        with pytest.raises(ValueError):
            s.set_counter_services("PIT")


def test_counter_services_fall_back_to_every_service(store):
    store.apply_catalogue(
        catalogue(
            "c-1",
            [service_payload("B2", name_th="ข"), service_payload("A1", name_th="ก")],
            full=True,
            counter_codes=["ZZ"],
        )
    )
    assert [s.code for s in store.counter_services()] == ["A1", "B2"]


def test_full_payload_replaces_the_whole_catalogue(store):
    store.set_counter_services(["ID_RENEW"])
    store.apply_catalogue(
        catalogue(
            "c-1",
            [service_payload("A1", name_th="ข"), service_payload("A2", name_th="ก")],
            full=True,
            counter_codes=["A2", "A1"],
        )
    )
    assert store.catalogue_version() == "c-1"
    assert [s.code for s in store.all_services()] == ["A2", "A1"]
    assert store.service("ID_RENEW") is None
    assert store.service_point().name_en == "Test office"
    assert store.service_point().counter_id == "ct-1"
    # The staff's choice names a service that is gone: central's default applies.
    assert [s.code for s in store.counter_services()] == ["A2", "A1"]
    a1 = store.service("A1")
    assert [d.code for d in a1.documents] == ["ID_CARD", "BANK_BOOK"]
    bank = a1.documents[1]
    assert (bank.copy_status, bank.copies, bank.no_copy_since) == ("copy_required", 1, None)
    assert bank.reason_en == "Records the account number"


def test_delta_replaces_adds_and_deletes_services(store):
    store.apply_catalogue(
        catalogue("c-1", [service_payload("A1"), service_payload("A2")], full=True)
    )
    changed = service_payload("A1", name_th="ชื่อใหม่", steps=4, version=2)
    changed["documents"] = changed["documents"][:1]
    store.apply_catalogue(
        catalogue(
            "c-2",
            [
                changed,
                {"code": "A2", "version": 2, "deleted": True},
                service_payload("A3"),
                {"code": "NEVER_CACHED", "version": 1, "deleted": True},
            ],
            full=False,
        )
    )
    assert store.catalogue_version() == "c-2"
    assert sorted(s.code for s in store.all_services()) == ["A1", "A3"]
    a1 = store.service("A1")
    assert (a1.name_th, a1.version) == ("ชื่อใหม่", 2)
    assert [st.order for st in a1.steps] == [1, 2, 3, 4]
    assert [d.code for d in a1.documents] == ["ID_CARD"]
    assert store.service("A2") is None


def test_a_full_payload_ignores_deleted_entries(store):
    store.apply_catalogue(
        catalogue(
            "c-1",
            [service_payload("A1"), {"code": "A2", "version": 3, "deleted": True}],
            full=True,
        )
    )
    assert [s.code for s in store.all_services()] == ["A1"]


def _bad(mutate) -> dict:
    payload = catalogue("c-bad", [service_payload("A1"), service_payload("A2")], full=True)
    mutate(payload)
    return payload


BAD_PAYLOADS = {
    "not an object": (lambda p: None, "object"),
    "no cursor": (lambda p: p.pop("cursor"), "cursor: is required"),
    "full not bool": (lambda p: p.update(full="yes"), "full"),
    "no service point": (lambda p: p.pop("service_point"), "service_point"),
    "no counter codes": (lambda p: p["counter"].pop("service_codes"), "counter.service_codes"),
    "services not a list": (lambda p: p.update(services={}), "services"),
    "blank fee text": (lambda p: p["services"][1].update(fee_th=" "), r"services\[1\].fee_th"),
    "missing name": (lambda p: p["services"][0].pop("name_en"), r"services\[0\].name_en"),
    "bad fee amount": (lambda p: p["services"][0].update(fee_amount="free"), "fee_amount"),
    "negative minutes": (lambda p: p["services"][0].update(total_minutes=-5), "total_minutes"),
    "bad copy status": (
        lambda p: p["services"][1]["documents"][0].update(copy_status="maybe"),
        r"services\[1\].documents\[0\].copy_status",
    ),
    "no_copy with copies": (
        lambda p: p["services"][0]["documents"][0].update(copies=2),
        "copies",
    ),
    "copy_required with no copies": (
        lambda p: p["services"][0]["documents"][1].update(copies=0),
        "copies",
    ),
    "copy_required with a since date": (
        lambda p: p["services"][0]["documents"][1].update(no_copy_since="2021-10-01"),
        "no_copy_since",
    ),
    "bad since date": (
        lambda p: p["services"][0]["documents"][0].update(no_copy_since="Oct 2021"),
        "no_copy_since",
    ),
    "duplicate step order": (
        lambda p: p["services"][0]["steps"][1].update(order=1),
        "same order",
    ),
    "duplicate service": (lambda p: p["services"].append(service_payload("A1")), "twice"),
    "latitude out of range": (lambda p: p["service_point"].update(lat=200), "lat"),
    "string version": (lambda p: p["services"][0].update(version="2"), "version"),
    "not a url": (lambda p: p["services"][0].update(public_url="ftp://x"), "public_url"),
}


@pytest.mark.parametrize("case", sorted(BAD_PAYLOADS))
def test_invalid_payload_raises_and_leaves_the_previous_catalogue(store, case):
    mutate, message = BAD_PAYLOADS[case]
    payload = "not a dict" if case == "not an object" else _bad(mutate)
    before = snapshot(store)
    with pytest.raises(ValueError, match=message):
        store.apply_catalogue(payload)
    assert snapshot(store) == before


def test_invalid_delta_leaves_the_previous_catalogue(store):
    store.apply_catalogue(catalogue("c-1", [service_payload("A1")], full=True))
    before = snapshot(store)
    bad = service_payload("A2")
    bad["documents"][0]["copy_status"] = "nope"
    with pytest.raises(ValueError, match="copy_status"):
        store.apply_catalogue(catalogue("c-2", [service_payload("A3"), bad], full=False))
    assert snapshot(store) == before


def test_a_catalogue_that_fails_to_write_is_rolled_back_whole(kiosk_dir):
    """One transaction: a write that runs out of space half-way leaves the old catalogue."""
    demo = json.loads(demo_catalogue_path().read_text(encoding="utf-8"))
    bigger = copy.deepcopy(demo)
    bigger["cursor"] = "c-big"
    for svc in bigger["services"]:
        svc["legal_basis_en"] = "x" * 20_000
    with KioskStore.open(kiosk_dir, max_db_bytes=1) as s:  # no room to grow
        before = snapshot(s)
        with pytest.raises(StorageFullError):
            s.apply_catalogue(bigger)
        assert snapshot(s) == before
        assert s.catalogue_version() == "demo-1"


def test_a_catalogue_applied_by_another_connection_is_seen(kiosk_dir):
    """The sync layer may run its own store on the same file."""
    with KioskStore.open(kiosk_dir) as ui, KioskStore.open(kiosk_dir) as sync:
        assert len(ui.all_services()) == 35
        sync.apply_catalogue(catalogue("c-9", [service_payload("A1")], full=True))
        assert [s.code for s in ui.all_services()] == ["A1"]
        assert ui.catalogue_version() == "c-9"


def test_missing_demo_catalogue_is_a_clear_storage_error(kiosk_dir, tmp_path):
    from kiosk.storage import StorageError

    with pytest.raises(StorageError, match="demo catalogue"):
        KioskStore.open(kiosk_dir, demo_catalogue=tmp_path / "nope.json")
