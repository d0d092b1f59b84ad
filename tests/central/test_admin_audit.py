"""The audit log of admin changes (central.web.adminkit.CounterPointAdmin, the one place
admin saves and deletes are hooked) and its read-only, scoped view."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from central.audit.models import AuditLog
from central.directory.models import ServicePoint
from central.web.admin_site import site
from central.web.adminkit import diff, snapshot
from tests.central.admin_world import build_admin_world, form_data


@pytest.fixture
def aw(world):
    return build_admin_world(world)


def _change_sp(aw, role="owner", **changes):
    client = aw.client(role)
    url = reverse("admin:directory_servicepoint_change", args=[aw.w.sp.pk])
    response = client.post(url, form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def test_a_change_records_who_what_before_and_after_of_changed_fields_only(aw):
    _change_sp(aw, hours_en="Mon–Sat 8:00–16:00", lat="13.7467")
    entry = AuditLog.objects.get(action="servicepoint.change")
    assert entry.actor == aw.users["owner"] and entry.actor_label == "bkk_staff"
    assert entry.object_type == "directory.servicepoint" and entry.object_id == str(aw.w.sp.pk)
    assert entry.agency_id == aw.w.bkk.pk and entry.ip == "127.0.0.1"
    assert entry.before == {"hours_en": "Mon–Fri", "lat": 13.7466}
    assert entry.after == {"hours_en": "Mon–Sat 8:00–16:00", "lat": 13.7467}


def test_saving_without_changes_writes_no_entry(aw):
    _change_sp(aw)
    assert not AuditLog.objects.filter(action="servicepoint.change").exists()


def test_inline_add_and_delete_are_recorded(aw):
    client = aw.client("owner")
    url = reverse("admin:directory_servicepoint_change", args=[aw.w.sp.pk])
    page = client.get(url)
    data = form_data(
        page,
        **{
            "counters-TOTAL_FORMS": "3",
            "counters-2-number": "3",
            "counters-2-name_th": "ช่อง 3",
            "counters-2-name_en": "Counter 3",
            "counters-2-id": "",
            "counters-2-service_point": str(aw.w.sp.pk),
        },
    )
    assert client.post(url, data).status_code == 302
    added = AuditLog.objects.get(action="counter.add")
    assert added.after["number"] == 3 and added.agency_id == aw.w.bkk.pk
    spare = aw.w.sp.counters.get(number=3)
    page = client.get(url)
    index = [f.instance.pk for f in page.context["inline_admin_formsets"][0].formset.forms]
    data = form_data(page, **{f"counters-{index.index(spare.pk)}-DELETE": "on"})
    assert client.post(url, data).status_code == 302
    deleted = AuditLog.objects.get(action="counter.delete")
    assert deleted.object_id == str(spare.pk) and deleted.before["name_en"] == "Counter 3"
    assert deleted.after is None and deleted.agency_id == aw.w.bkk.pk


def test_a_refused_save_rolls_back_and_leaves_no_entry(aw):
    """The scope check in save_model is the last line of defence (the form's choices are
    already scoped): an object of another agency is refused before anything is written."""
    request = RequestFactory().post("/admin/")
    request.user = aw.users["other"]
    model_admin = site._registry[ServicePoint]
    sp = ServicePoint.objects.get(pk=aw.w.sp.pk)
    sp.phone = "1"
    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, sp, None, True)
    assert ServicePoint.objects.get(pk=sp.pk).phone == "02 000 0000"
    assert not AuditLog.objects.filter(action="servicepoint.change").exists()


def test_snapshots_hide_secrets_and_bookkeeping(aw):
    data = snapshot(aw.bkk_kiosk)
    assert "credential_hash" not in data and data["counter"].endswith(f"(#{aw.w.counter.pk})")
    data = snapshot(aw.w.id_renew)
    assert "change_seq" not in data and "updated_at" not in data
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == ({"b": 2}, {"b": 3})


def test_the_audit_log_is_read_only_and_shows_before_and_after(aw):
    _change_sp(aw, phone="02 111 1111")
    entry = AuditLog.objects.get(action="servicepoint.change")
    client = aw.client("central")
    page = client.get(reverse("admin:audit_auditlog_change", args=[entry.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert "02 000 0000" in page.text and "02 111 1111" in page.text
    assert "cp-audit-table" in page.text
    listing = client.get(reverse("admin:audit_auditlog_changelist")).text
    assert "servicepoint.change" in listing and "แก้ไข" in listing
    assert client.get(reverse("admin:audit_auditlog_add")).status_code == 403
    url = reverse("admin:audit_auditlog_delete", args=[entry.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_agency_staff_see_their_agencies_entries_only(aw):
    _change_sp(aw, phone="02 111 1111")
    entry = AuditLog.objects.get(action="servicepoint.change")
    assert (
        aw.client("owner").get(reverse("admin:audit_auditlog_change", args=[entry.pk])).status_code
        == 200
    )
    assert (
        aw.client("parent").get(reverse("admin:audit_auditlog_change", args=[entry.pk])).status_code
        == 200
    )
    response = aw.client("other").get(reverse("admin:audit_auditlog_change", args=[entry.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_catalogue_entries_are_central_only(aw):
    client = aw.client("central")
    url = reverse("admin:catalogue_document_change", args=[aw.w.photo.pk])
    response = client.post(url, form_data(client.get(url), note_en="Recent, 1 inch"))
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="document.change")
    assert entry.agency is None and entry.after == {"note_en": "Recent, 1 inch"}
    for role in ("owner", "other"):
        listing = aw.client(role).get(reverse("admin:audit_auditlog_changelist")).text
        assert "document.change" not in listing
