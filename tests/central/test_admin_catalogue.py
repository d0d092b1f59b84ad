"""The catalogue in the admin: services with steps and documents (central admins edit,
agency staff read), offerings with their per-document copy status (agency staff edit), and
every admin save reaching kiosks as a catalogue delta through the change sequence."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from central.audit.models import AuditLog
from central.catalogue import changes
from central.catalogue.models import CopyStatus, Offering, Service
from protocol import codec
from tests.central.admin_world import build_admin_world, form_data
from tests.central.helpers import enrol_kiosk

CATALOGUE = "/api/v1/kiosk/catalogue"


@pytest.fixture
def aw(world):
    return build_admin_world(world)


def _catalogue(kiosk, since=None):
    data = {} if since is None else {"since": since}
    response = Client().get(CATALOGUE, data, **kiosk.auth)
    assert response.status_code == 200, response.content
    body = response.json()
    codec.catalogue_from(body)
    return body


def _services(body):
    return {s["code"]: s for s in body["services"]}


def test_copy_status_edited_in_the_offering_reaches_the_kiosk_as_a_delta(aw):
    kiosk = enrol_kiosk(aw.w.counter2)  # counter 2 serves MOVE_IN
    cursor = _catalogue(kiosk)["cursor"]
    client = aw.client("owner")
    url = reverse("admin:catalogue_offering_change", args=[aw.w.offering_move_in.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(
        page,
        **{
            "copy_statuses-0-status": "no_copy",
            "copy_statuses-0-copies": "0",
            "copy_statuses-0-no_copy_since": "2026-01-05",
            "copy_statuses-0-verify_th": "ตรวจผ่าน Linkage Center",
            "copy_statuses-0-verify_en": "Checked with the Linkage Center",
            "copy_statuses-0-reason_th": "",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    status = CopyStatus.objects.get(pk=aw.bkk_status.pk)
    assert status.status == "no_copy" and status.no_copy_since == date(2026, 1, 5)
    assert status.updated_by == aw.users["owner"]
    delta = _catalogue(kiosk, cursor)
    assert delta["full"] is False and list(_services(delta)) == ["MOVE_IN"]
    docs = {d["code"]: d for d in delta["services"][0]["documents"]}
    assert docs["HOUSE_REG"]["copy_status"] == "no_copy"
    assert docs["HOUSE_REG"]["verify_en"] == "Checked with the Linkage Center"
    entry = AuditLog.objects.get(action="copystatus.change")
    assert entry.before["status"] == "copy_required" and entry.after["status"] == "no_copy"
    assert entry.agency_id == aw.w.bkk.pk
    # The page told the user kiosks get it at their next sync.
    followed = client.get(response["Location"])
    assert "ซิงก์ครั้งถัดไป" in followed.text


def test_copy_status_rules_are_enforced_with_clear_errors(aw):
    client = aw.client("owner")
    url = reverse("admin:catalogue_offering_change", args=[aw.w.offering_move_in.pk])
    data = form_data(
        client.get(url),
        **{"copy_statuses-0-status": "no_copy", "copy_statuses-0-copies": "0"},
    )
    before = changes.current()
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert "no_copy_since" in errors and "verify_th" in errors
    assert changes.current() == before  # nothing saved, nothing bumped


def test_copy_status_documents_are_the_services_own(aw):
    page = aw.client("owner").get(
        reverse("admin:catalogue_offering_change", args=[aw.w.offering_move_in.pk])
    )
    formset = page.context["inline_admin_formsets"][0].formset
    assert set(formset.form.base_fields["document"].queryset) == {aw.w.id_card, aw.w.house_reg}
    # The overview says what kiosks show for every document, with words.
    assert "ต้องใช้สำเนา 1 ฉบับ" in page.text and "ตามคู่มือ" in page.text
    assert f"/services/MOVE_IN?sp={aw.w.sp.public_id}" in page.text


def test_counters_offered_are_the_service_points_own(aw):
    page = aw.client("owner").get(
        reverse("admin:catalogue_offering_change", args=[aw.w.offering_id_renew.pk])
    )
    field = page.context["adminform"].form.fields["counters"]
    assert set(field.queryset) == {aw.w.counter, aw.w.counter2}


def test_offering_counters_change_reaches_the_kiosk(aw):
    kiosk = enrol_kiosk(aw.w.counter2)
    first = _catalogue(kiosk)
    assert first["counter"]["service_codes"] == ["MOVE_IN"]
    client = aw.client("owner")
    url = reverse("admin:catalogue_offering_change", args=[aw.w.offering_id_renew.pk])
    data = form_data(client.get(url), counters=[str(aw.w.counter.pk), str(aw.w.counter2.pk)])
    assert client.post(url, data).status_code == 302
    delta = _catalogue(kiosk, first["cursor"])
    assert delta["counter"]["service_codes"] == ["ID_RENEW", "MOVE_IN"]
    assert "ID_RENEW" in _services(delta)
    entry = AuditLog.objects.get(action="offering.change")
    assert len(entry.after["counters"]) == 2 and len(entry.before["counters"]) == 1


def test_adding_and_deleting_an_offering_sends_the_service_and_then_its_deletion(aw):
    kiosk = enrol_kiosk(aw.w.counter)
    cursor = _catalogue(kiosk)["cursor"]
    client = aw.client("owner")
    response = client.post(
        reverse("admin:catalogue_offering_add"),
        {
            "service_point": aw.w.sp.pk,
            "service": aw.w.dl_renew.pk,
            "counters": [aw.w.counter.pk],
            "copy_statuses-TOTAL_FORMS": "0",
            "copy_statuses-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    offering = Offering.objects.get(service_point=aw.w.sp, service=aw.w.dl_renew)
    delta = _catalogue(kiosk, cursor)
    assert "DL_RENEW" in _services(delta)
    response = client.post(
        reverse("admin:catalogue_offering_delete", args=[offering.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    gone = _catalogue(kiosk, delta["cursor"])
    assert _services(gone)["DL_RENEW"]["deleted"] is True
    assert AuditLog.objects.filter(action="offering.delete", agency=aw.w.bkk).exists()


def test_central_admin_edits_a_service_and_its_steps_and_every_kiosk_gets_it(aw):
    kiosk = enrol_kiosk(aw.w.counter)
    cursor = _catalogue(kiosk)["cursor"]
    client = aw.client("central")
    url = reverse("admin:catalogue_service_change", args=[aw.w.id_renew.pk])
    page = client.get(url)
    data = form_data(
        page,
        fee_amount="100.00",
        fee_th="",
        fee_en="",
        **{"steps-1-minutes": "25", "steps-1-title_en": "Check the papers"},
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    service = Service.objects.get(pk=aw.w.id_renew.pk)
    assert service.fee_th == "100 บาท" and service.fee_en == "100 baht"
    renew = _services(_catalogue(kiosk, cursor))["ID_RENEW"]
    assert renew["fee_amount"] == "100.00" and renew["total_minutes"] == 30
    assert [s["title_en"] for s in renew["steps"]] == ["Submit", "Check the papers"]
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"service.change", "servicestep.change"} <= actions
    step_entry = AuditLog.objects.get(action="servicestep.change")
    assert step_entry.agency is None  # the shared catalogue: central admins' log


def test_agency_staff_read_the_catalogue_but_cannot_change_it(aw):
    client = aw.client("owner")
    url = reverse("admin:catalogue_service_change", args=[aw.w.id_renew.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text  # read-only: no save button
    assert "ID card renewal" in page.text
    before = changes.current()
    data = {"name_en": "Changed", "fee_amount": "1"}
    assert client.post(url, data).status_code == 403
    assert Service.objects.get(pk=aw.w.id_renew.pk).name_en == "ID card renewal"
    assert changes.current() == before


def test_copy_status_list_filters(aw):
    client = aw.client("central")
    url = reverse("admin:catalogue_copystatus_changelist")
    no_copy = client.get(url, {"status__exact": "no_copy"}).text
    assert "DLTVERIFY" in no_copy and "BKKREASON" not in no_copy
    required = client.get(url, {"status__exact": "copy_required"}).text
    assert "BKKREASON" in required and "DLTVERIFY" not in required


def test_copy_status_standalone_edit_sets_updated_by_and_bumps(aw):
    client = aw.client("other")
    url = reverse("admin:catalogue_copystatus_change", args=[aw.dlt_status.pk])
    page = client.get(url)
    before = changes.current()[1]
    data = form_data(page, status="copy_required", copies="2", no_copy_since="", reason_th="ต้องเก็บ")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    status = CopyStatus.objects.get(pk=aw.dlt_status.pk)
    assert status.copies == 2 and status.updated_by == aw.users["other"]
    assert changes.current()[1] > before
    assert Offering.objects.get(pk=aw.dlt_offering.pk).change_seq > before
