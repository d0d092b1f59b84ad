"""The bundled demo catalogue (resources/demo_catalogue.json) and its generator."""

from __future__ import annotations

import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.paths import default_data_dir, demo_catalogue_path
from kiosk.storage import validate_catalogue

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO.parent / "shared" / "catalogue"
DOPA = "Department of Provincial Administration"
STILL_COPIES = {"LAND_SALE", "VEHICLE_TRANSFER", "COMPANY_REG", "PASSPORT_NEW"}


@pytest.fixture(scope="module")
def demo() -> dict:
    return json.loads(demo_catalogue_path().read_text(encoding="utf-8"))


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "build_demo_catalogue", REPO / "scripts" / "build_demo_catalogue.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def strings(value, path=""):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, f"{path}[{i}]")


def test_committed_file_matches_the_generator(tmp_path):
    if not (SOURCE / "services.csv").exists():
        pytest.skip(f"catalogue CSVs not found in {SOURCE}")
    gen = load_generator()
    assert gen.render(gen.build(SOURCE)) == demo_catalogue_path().read_text(encoding="utf-8")
    out = tmp_path / "demo.json"
    assert gen.main([str(SOURCE), "--out", str(out)]) == 0
    assert gen.main([str(SOURCE), "--out", str(out), "--check"]) == 0
    out.write_text("{}", encoding="utf-8")
    assert gen.main([str(SOURCE), "--out", str(out), "--check"]) == 1


def test_demo_catalogue_is_a_valid_full_payload(demo):
    assert demo["cursor"] == "demo-1" and demo["full"] is True
    validate_catalogue(demo)
    assert len(demo["services"]) == 35
    assert len({s["code"] for s in demo["services"]}) == 35


def test_every_text_is_filled_in(demo):
    blank = [path for path, text in strings(demo) if not text.strip()]
    assert blank == []


def test_service_point_is_chatuchak_district_office(demo):
    sp = demo["service_point"]
    assert sp["name_th"] == "สำนักงานเขตจตุจักร"
    assert (sp["province_code"], sp["district_code"]) == ("10", "1030")
    assert sp["subdistrict_code"].startswith("1030")
    assert 13.80 < sp["lat"] < 13.86 and 100.53 < sp["lon"] < 100.60  # Chatuchak
    geothai = pytest.importorskip("geothai")
    district = next(d for d in geothai.districts("10") if d.code == "1030")
    sub = next(s for s in geothai.subdistricts("1030") if s.code == sp["subdistrict_code"])
    assert district.name_en in sp["address_en"] and sub.name_th in sp["address_th"]


def test_counter_offers_the_dopa_services_but_all_are_included(demo):
    counter = demo["counter"]
    assert counter["name_th"] == "งานทะเบียนราษฎรและบัตร"
    by_code = {s["code"]: s for s in demo["services"]}
    assert set(counter["service_codes"]) <= set(by_code)
    for code in ("ID_RENEW", "ID_LOST", "ID_FIRST", "BIRTH", "DEATH", "MOVE_IN", "MOVE_OUT"):
        assert code in counter["service_codes"]
    assert all(by_code[c]["agency_en"] == DOPA for c in counter["service_codes"])
    assert "DL_RENEW" in by_code and "DL_RENEW" not in counter["service_codes"]


def test_services_carry_demo_values_consistently(demo):
    for svc in demo["services"]:
        code = svc["code"]
        assert svc["demo"] is True
        assert svc["public_url"] == f"https://counterpoint.example/services/{code}?sp=sp-demo-1030"
        assert 2 <= len(svc["steps"]) <= 4, code
        assert svc["total_minutes"] == sum(s["minutes"] for s in svc["steps"]), code
        if Decimal(svc["fee_amount"]) == 0:
            assert svc["fee_th"].startswith("ไม่มีค่าธรรมเนียม"), code
            assert svc["fee_en"].startswith("No fee"), code
        else:
            assert "บาท" in svc["fee_th"] and "baht" in svc["fee_en"], code


def test_no_copy_status_follows_the_dopa_policy(demo):
    for svc in demo["services"]:
        for doc in svc["documents"]:
            if doc["code"] not in ("ID_CARD", "HOUSE_REG"):
                continue
            where = f"{svc['code']}/{doc['code']}"
            if svc["code"] in STILL_COPIES:
                assert doc["copy_status"] == "copy_required", where
                assert doc["copies"] == 1 and doc["no_copy_since"] is None, where
            else:
                assert doc["copy_status"] == "no_copy", where
                assert (doc["copies"], doc["no_copy_since"]) == (0, "2021-10-01"), where
                assert "Linkage" in doc["verify_th"] and "Linkage" in doc["verify_en"], where


def test_other_documents_follow_common_sense(demo):
    docs = {(s["code"], d["code"]): d for s in demo["services"] for d in s["documents"]}
    bank = docs[("ELDERLY_ALLOWANCE", "BANK_BOOK")]
    assert (bank["copy_status"], bank["originals"], bank["copies"]) == ("copy_required", 1, 1)
    medical = docs[("DL_RENEW", "MEDICAL_CERT")]
    assert (medical["copy_status"], medical["originals"], medical["copies"]) == ("no_copy", 1, 0)
    photo = docs[("IDP", "PHOTO")]
    assert (photo["originals"], photo["copies"]) == (2, 0)
    proxy = docs[("LAND_SALE", "POWER_OF_ATTORNEY")]
    assert proxy["copy_status"] == "copy_required" and "grantor" in proxy["reason_en"]


def test_default_data_dir_follows_xdg():
    assert default_data_dir({"XDG_DATA_HOME": "/srv/data", "HOME": "/home/k"}) == Path(
        "/srv/data/counterpoint-kiosk"
    )
    assert default_data_dir({"HOME": "/home/k"}) == Path("/home/k/.local/share/counterpoint-kiosk")
    # A relative XDG_DATA_HOME is invalid per the spec and ignored.
    assert default_data_dir({"XDG_DATA_HOME": "rel", "HOME": "/home/k"}) == Path(
        "/home/k/.local/share/counterpoint-kiosk"
    )
