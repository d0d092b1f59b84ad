"""HSDS 3.0 open data under /hsds/: real responses validated against the standard's
compiled JSON schemas (../shared/standards/hsds-3/compiled) with a JSON Schema validator,
paging, filters, errors, the bulk download, and that nothing unpublished or private is
in it."""

from __future__ import annotations

import io
import json
import zipfile
from functools import cache
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from central.public import bulk, hsds
from tests.central.helpers import enrol_kiosk

jsonschema = pytest.importorskip("jsonschema")

HSDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "standards" / "hsds-3" / "compiled"
if not HSDS_DIR.is_dir():  # a worktree under /work/wt/<branch>: shared/ is /work/shared
    HSDS_DIR = Path("/work/shared/standards/hsds-3/compiled")

pytestmark = pytest.mark.skipif(not HSDS_DIR.is_dir(), reason="HSDS schemas not found")


@cache
def _validator(name: str):
    schema = json.loads((HSDS_DIR / f"{name}.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate(name: str, instance) -> None:
    errors = sorted(_validator(name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def validate_page(list_name: str, body: dict) -> None:
    for key, kind in (
        ("total_items", int),
        ("total_pages", int),
        ("page_number", int),
        ("size", int),
        ("first_page", bool),
        ("last_page", bool),
        ("empty", bool),
        ("contents", list),
    ):
        assert isinstance(body[key], kind), key
    assert body["size"] == len(body["contents"])
    for item in body["contents"]:
        validate(list_name, item)


@pytest.fixture
def api() -> Client:
    return Client(raise_request_exception=True)


def test_services_list_and_detail_validate(api, world):
    body = api.get("/hsds/services").json()
    validate_page("service_list", body)
    assert body["total_items"] == 3 and {s["alternate_name"] for s in body["contents"]} == {
        "ID card renewal",
        "Move in",
        "Licence renewal",
    }
    detail = api.get(f"/hsds/services/{hsds.make_id('service', world.move_in.pk)}")
    assert detail.status_code == 200
    data = detail.json()
    validate("service", data)
    docs = [d["document"] for d in data["required_documents"]]
    assert any("copy per the Citizen's Manual" in d and "House reg" in d for d in docs)
    assert "1. ขั้นตอน 1 / Submit (5 นาที / min)" in data["application_process"]
    assert data["organization"]["name"] == "กรมการปกครอง"


def test_organizations_list_and_detail_validate(api, world):
    body = api.get("/hsds/organizations").json()
    validate_page("organization_list", body)
    assert body["total_items"] == 3
    bkk = next(o for o in body["contents"] if o["alternate_name"] == "Bangkok")
    assert bkk["parent_organization_id"] == hsds.make_id("organization", world.dopa.pk)
    data = api.get(f"/hsds/organizations/{hsds.make_id('organization', world.dopa.pk)}").json()
    validate("organization", data)
    assert {s["alternate_name"] for s in data["services"]} == {"ID card renewal", "Move in"}


def test_service_at_locations_say_whether_a_copy_is_needed_there(api, world):
    body = api.get("/hsds/service_at_locations").json()
    validate_page("service_at_location_list", body)
    assert body["total_items"] == 3
    sal_id = hsds.make_id("service_at_location", world.offering_id_renew.pk)
    data = api.get(f"/hsds/service_at_locations/{sal_id}").json()
    validate("service_at_location", data)
    assert data["location"]["latitude"] == world.sp.lat
    assert data["location"]["external_identifier"] == world.sp.public_id
    assert data["location"]["addresses"][0]["country"] == "TH"
    (doc,) = data["service"]["required_documents"]
    assert "no copy needed at this office" in doc["document"] and "2021-10-01" in doc["document"]
    assert "no photocopies needed at this office" in data["description"]
    move_in = hsds.make_id("service_at_location", world.offering_move_in.pk)
    docs = api.get(f"/hsds/service_at_locations/{move_in}").json()["service"]["required_documents"]
    assert any("1 copy needed at this office" in d["document"] for d in docs)
    assert any("per the Citizen's Manual" in d["document"] for d in docs)  # no office status


def test_paging_and_filters(api, world):
    page2 = api.get("/hsds/services?per_page=2&page=2").json()
    assert page2["page_number"] == 2 and page2["size"] == 1 and page2["last_page"]
    assert page2["total_pages"] == 2 and not page2["first_page"]
    empty = api.get("/hsds/services?per_page=2&page=5").json()
    assert empty["empty"] and empty["contents"] == []
    loc = hsds.make_id("location", world.sp.pk)
    assert api.get(f"/hsds/service_at_locations?location_id={loc}").json()["total_items"] == 2
    by_sp = api.get(f"/hsds/service_at_locations?location_id={world.sp.public_id}").json()
    assert by_sp["total_items"] == 2
    svc = hsds.make_id("service", world.dl_renew.pk)
    assert api.get(f"/hsds/service_at_locations?service_id={svc}").json()["total_items"] == 1
    org = hsds.make_id("organization", world.dlt.pk)
    assert api.get(f"/hsds/services?organization_id={org}").json()["total_items"] == 1
    assert api.get("/hsds/services?search=Move").json()["total_items"] == 1


@pytest.mark.parametrize(
    "url, status",
    [
        ("/hsds/services?page=0", 400),
        ("/hsds/services?per_page=5000", 400),
        ("/hsds/services?page=%C2%B2", 400),  # a Unicode digit
        ("/hsds/service_at_locations?service_id=nope", 400),
        ("/hsds/service_at_locations?location_id=" + "9" * 40, 400),
        ("/hsds/services/not-a-uuid", 404),
        ("/hsds/services/c0de0001-0000-8000-8000-000000000001", 404),  # an organization id
        ("/hsds/organizations/c0de0001-0000-8000-8000-00000000ffff", 404),
        ("/hsds/service_at_locations/%27%3B--", 404),
    ],
)
def test_errors_are_json_4xx(api, world, url, status):
    response = api.get(url)
    assert response.status_code == status
    assert "error" in response.json()


def test_unpublished_and_private_data_are_never_exported(api, world):
    world.dlt_sp.is_active = False
    world.dlt_sp.save()
    world.move_in.is_published = False
    world.move_in.save()
    kiosk = enrol_kiosk(world.counter)
    world.counter.name_th = "PRIVATECOUNTER"
    world.counter.save()
    from tests.central.helpers import post_json, rating

    post_json(
        Client(),
        "/api/v1/kiosk/ratings",
        {"ratings": [rating(comment="PRIVATECOMMENT")]},
        **kiosk.auth,
    )
    texts = [
        api.get("/hsds/services").content.decode(),
        api.get("/hsds/service_at_locations").content.decode(),
        api.get(f"/hsds/organizations/{hsds.make_id('organization', world.dopa.pk)}").text,
    ]
    sals = json.loads(texts[1])
    assert sals["total_items"] == 1  # ID_RENEW at the Bangkok office only
    assert "Move in" not in texts[0] and "Move in" not in texts[2]
    for text in texts:
        for secret in ("PRIVATECOMMENT", "PRIVATECOUNTER", kiosk.kiosk.public_id, "dlt-bkk1"):
            assert secret not in text
    hidden = hsds.make_id("service_at_location", world.offering_move_in.pk)
    assert api.get(f"/hsds/service_at_locations/{hidden}").status_code == 404
    assert api.get(f"/hsds/services/{hsds.make_id('service', world.move_in.pk)}").status_code == 404


def test_bulk_download(api, world, settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    response = api.get("/hsds/bulk.zip")
    assert response.status_code == 200
    assert "counterpoint-hsds.zip" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {name: json.loads(zf.read(name)) for name in zf.namelist()}
    assert set(files) == {
        "organizations.json",
        "services.json",
        "locations.json",
        "service_at_locations.json",
    }
    assert len(files["locations.json"]) == 2 and len(files["service_at_locations.json"]) == 3
    for item in files["services.json"]:
        validate("service", item)
    for item in files["organizations.json"]:
        validate("organization_list", item)
    for item in files["service_at_locations.json"]:
        validate("service_at_location_list", item)
    # built once, then served from the file until the data changes
    assert len(list((tmp_path / "hsds").glob("*.zip"))) == 1
    assert "X-Data-Stale" not in api.get("/hsds/bulk.zip")
    world.sp.name_th = "เปลี่ยนชื่อ"
    world.sp.save()
    # the data changed: the previous file is served while the new one is built (here the
    # "background" build runs inline, so the next download has it)
    started = []
    monkeypatch.setattr(bulk, "build_in_background", lambda base: started.append(bulk.build(base)))
    stale = api.get("/hsds/bulk.zip")
    assert stale["X-Data-Stale"] == "1" and len(started) == 1
    again = b"".join(api.get("/hsds/bulk.zip").streaming_content)
    with zipfile.ZipFile(io.BytesIO(again)) as zf:
        assert "เปลี่ยนชื่อ" in zf.read("locations.json").decode()
    assert len(list((tmp_path / "hsds").glob("*.zip"))) == 1


def test_bulk_command_builds_ahead(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("hsds_bulk", "--base-url", "https://example.go.th", stdout=out)
    path = Path(out.getvalue().strip())
    assert path.exists() and path.parent == tmp_path / "hsds"
    with zipfile.ZipFile(path) as zf:
        locations = json.loads(zf.read("locations.json"))
    assert locations[0]["url"].startswith("https://example.go.th/directory/sp-")


def test_ids_round_trip():
    for kind in ("service", "location", "organization", "service_at_location"):
        assert hsds.parse_id(kind, hsds.make_id(kind, 123456)) == 123456
        assert hsds.parse_id(kind, hsds.make_id(kind, 1).upper()) == 1  # case-insensitive
        assert hsds.parse_id(kind, "{" + hsds.make_id(kind, 1) + "}") is None
        assert hsds.parse_id(kind, hsds.make_id(kind, 1).replace("-", "")) is None
    assert hsds.parse_id("service", hsds.make_id("location", 5)) is None
