"""python -m central demo: idempotent seed, --json summary with working enrolment codes."""

import json
import re
from io import StringIO

import geothai
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from central.catalogue import changes
from central.catalogue.models import CopyStatus, Offering, Service
from central.directory.models import Agency, Counter, ServicePoint
from central.fleet.models import Kiosk
from central.scope import scope_for
from tests.central.helpers import post_json


def _demo(*args) -> dict:
    out = StringIO()
    call_command("demo", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def seeded(db):
    return _demo()


def test_demo_data(seeded):
    assert Agency.objects.get(code="dopa-bkk").parent.code == "dopa"
    assert ServicePoint.objects.count() == 12
    for sp in ServicePoint.objects.all():
        sp.full_clean()  # geothai codes, coordinates
        province = geothai.province(sp.province_code)
        assert province is not None and 5 < sp.lat < 21 and 97 < sp.lon < 106
    assert Service.objects.count() == 35 and not Service.objects.filter(is_demo=False).exists()
    assert not Service.objects.filter(fee_th="").exists()
    dopa_no_copy = CopyStatus.objects.filter(
        offering__service_point__agency__code__in=["dopa", "dopa-bkk"],
        document__code__in=["ID_CARD", "HOUSE_REG"],
    )
    assert dopa_no_copy.exists()
    assert {(s.status, str(s.no_copy_since)) for s in dopa_no_copy} == {("no_copy", "2021-10-01")}
    assert CopyStatus.objects.filter(status="copy_required").exists()
    assert seeded["catalogue"]["services"] == 35
    assert {u["username"] for u in seeded["users"]} >= {"central", "dopa_admin", "dlt_admin"}


def test_demo_users_and_scopes(seeded):
    passwords = {u["username"]: u["password"] for u in seeded["users"]}
    # Logins go through django-axes, which needs the request (it counts failures per address).
    request = RequestFactory().post("/admin/login/")
    central = authenticate(request, username="central", password=passwords["central"])
    dlt = authenticate(request, username="dlt_admin", password=passwords["dlt_admin"])
    dopa = authenticate(request, username="dopa_admin", password=passwords["dopa_admin"])
    assert central.is_superuser and scope_for(central).is_central
    dlt_points = scope_for(dlt).filter(ServicePoint.objects.all())
    assert {sp.agency.code for sp in dlt_points} == {"dlt"}
    dopa_points = scope_for(dopa).filter(ServicePoint.objects.all())
    assert {sp.agency.code for sp in dopa_points} == {"dopa", "dopa-bkk"}


def test_demo_is_idempotent(seeded):
    before = changes.current()
    counts = (Offering.objects.count(), CopyStatus.objects.count(), Counter.objects.count())
    second = _demo()
    assert changes.current() == before  # nothing changed: kiosk cursors stay valid
    assert (Offering.objects.count(), CopyStatus.objects.count(), Counter.objects.count()) == counts
    first_codes = {c["enrolment_code"] for sp in seeded["service_points"] for c in sp["counters"]}
    second_codes = {c["enrolment_code"] for sp in second["service_points"] for c in sp["counters"]}
    assert len(second_codes) == Counter.objects.count() and not first_codes & second_codes


def test_demo_reset(seeded, api):
    epoch = changes.current()[0]
    third = _demo("--reset")
    assert changes.current()[0] != epoch
    assert ServicePoint.objects.count() == 12
    assert len(third["service_points"]) == 12


def test_demo_enrolment_codes_work(seeded, api):
    counter = seeded["service_points"][0]["counters"][0]
    response = post_json(
        api, "/api/v1/kiosks/enroll", {"code": counter["enrolment_code"], "app_version": "demo"}
    )
    assert response.status_code == 201
    assert response.json()["counter"]["id"] == counter["id"]
    credential = response.json()["credential"]
    catalogue = api.get(
        "/api/v1/kiosk/catalogue", HTTP_AUTHORIZATION=f"Bearer {credential}"
    ).json()  # fmt: skip
    assert {"ID_RENEW", "ID_FIRST", "ID_LOST"} <= {s["code"] for s in catalogue["services"]}
    assert catalogue["counter"]["service_codes"] == ["ID_FIRST", "ID_LOST", "ID_RENEW"]
    assert Kiosk.objects.count() == 1


def test_demo_text_output(db):
    out = StringIO()
    call_command("demo", "--password", "demo-pass-123", stdout=out)
    text = out.getvalue()
    assert "demo-pass-123" in text and "DEMO values" in text
    assert re.search(r"ct-\d{6} [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", text)
