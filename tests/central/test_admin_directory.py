"""Service points (map pin, address, Thai admin area from geothai, hours, phone, counters
inline), counters, agencies and admin users in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from central.audit.models import AuditLog
from central.directory.models import Counter, Membership, ServicePoint
from tests.central.admin_world import build_admin_world, form_data


@pytest.fixture
def aw(world):
    return build_admin_world(world)


NEW_POINT = {
    "code": "bkk-silom",
    "name_th": "สำนักงานเขตบางรัก",
    "name_en": "Bang Rak District Office",
    "lat": "13.729900",
    "lon": "100.519600",
    "address_th": "ถนนนเรศ",
    "address_en": "Naret Road",
    "province_code": "10",
    "district_code": "1004",
    "subdistrict_code": "100401",
    "hours_th": "จันทร์–ศุกร์ 08:30–16:30 น.",
    "hours_en": "Mon–Fri 8:30–16:30",
    "phone": "02 236 1395",
    "counters-TOTAL_FORMS": "1",
    "counters-INITIAL_FORMS": "0",
    "counters-0-number": "1",
    "counters-0-name_th": "ช่อง 1",
    "counters-0-name_en": "Counter 1",
}


def test_add_page_has_map_picker_area_selects_and_own_agency_preselected(aw):
    page = aw.client("owner").get(reverse("admin:directory_servicepoint_add"))
    assert page.status_code == 200
    text = page.text
    assert 'class="cp-map"' in text and "cp/map_picker.js" in text
    assert 'data-lat-input="id_lat"' in text and "openstreetmap.org" in text
    assert 'data-cp-area="province"' in text and "กรุงเทพมหานคร (Bangkok)" in text
    assert reverse("admin:geo-districts") in text and "cp/area_select.js" in text
    agency = page.context["adminform"].form.fields["agency"]
    assert list(agency.queryset) == [aw.w.bkk]
    assert agency.empty_label is None  # the only choice is already chosen


def test_parent_agency_staff_choose_among_their_agencies(aw):
    page = aw.client("parent").get(reverse("admin:directory_servicepoint_add"))
    agency = page.context["adminform"].form.fields["agency"]
    assert set(agency.queryset) == {aw.w.dopa, aw.w.bkk}


def test_agency_staff_add_a_service_point_with_a_counter(aw):
    client = aw.client("owner")
    response = client.post(
        reverse("admin:directory_servicepoint_add"), {**NEW_POINT, "agency": aw.w.bkk.pk}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    sp = ServicePoint.objects.get(code="bkk-silom")
    assert sp.agency == aw.w.bkk and sp.lat == pytest.approx(13.7299)
    assert sp.counters.get().name_en == "Counter 1"
    entries = AuditLog.objects.filter(object_type="directory.servicepoint", object_id=str(sp.pk))
    entry = entries.get(action="servicepoint.add")
    assert entry.actor == aw.users["owner"] and entry.agency_id == aw.w.bkk.pk
    assert entry.after["code"] == "bkk-silom" and entry.before is None
    assert AuditLog.objects.filter(action="counter.add", agency=aw.w.bkk).exists()


def test_agency_staff_cannot_put_a_service_point_in_another_agency(aw):
    client = aw.client("owner")
    response = client.post(
        reverse("admin:directory_servicepoint_add"), {**NEW_POINT, "agency": aw.w.dlt.pk}
    )
    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not ServicePoint.objects.filter(code="bkk-silom").exists()


def test_area_codes_must_exist_and_nest(aw):
    client = aw.client("owner")
    data = {**NEW_POINT, "agency": aw.w.bkk.pk, "district_code": "5001"}  # Chiang Mai
    response = client.post(reverse("admin:directory_servicepoint_add"), data)
    assert response.status_code == 200
    assert "district_code" in response.context["adminform"].form.errors
    data = {**NEW_POINT, "agency": aw.w.bkk.pk, "subdistrict_code": "999999"}
    response = client.post(reverse("admin:directory_servicepoint_add"), data)
    assert "subdistrict_code" in response.context["adminform"].form.errors


def test_bound_form_lists_the_districts_of_the_posted_province(aw):
    client = aw.client("owner")
    data = {**NEW_POINT, "agency": aw.w.bkk.pk, "lat": "not a number"}
    response = client.post(reverse("admin:directory_servicepoint_add"), data)
    form = response.context["adminform"].form
    districts = dict(form.fields["district_code"].widget.choices)
    assert "1004" in districts and "5001" not in districts
    subdistricts = dict(form.fields["subdistrict_code"].widget.choices)
    assert "100401" in subdistricts


def test_geo_endpoints(aw):
    client = aw.client("owner")
    districts = client.get(reverse("admin:geo-districts"), {"province": "10"}).json()
    codes = {c["code"] for c in districts["choices"]}
    assert "1007" in codes and len(codes) == 50
    pathum_wan = next(c for c in districts["choices"] if c["code"] == "1007")
    assert "ปทุมวัน" in pathum_wan["label"]
    subs = client.get(reverse("admin:geo-subdistricts"), {"district": "1007"}).json()
    assert any(c["code"] == "100701" and "10330" in c["label"] for c in subs["choices"])
    assert client.get(reverse("admin:geo-districts"), {"province": "zz"}).json() == {"choices": []}
    client.cookies["django_language"] = "en"
    english = client.get(reverse("admin:geo-districts"), {"province": "10"}).json()
    assert any(c["label"].startswith("Pathum Wan") for c in english["choices"])


def test_change_page_shows_pin_public_id_counters_and_enrol_links(aw):
    page = aw.client("owner").get(reverse("admin:directory_servicepoint_change", args=[aw.w.sp.pk]))
    text = page.text
    assert aw.w.sp.public_id in text
    assert 'data-lat="13.746600"' in text and aw.w.sp.map_url.replace("&", "&amp;") in text
    issue = reverse("admin:fleet_enrolmentcode_issue")
    assert f"{issue}?counter={aw.w.counter.pk}" in text
    assert aw.bkk_kiosk.public_id in text


def test_editing_a_counter_inline_is_audited_with_before_and_after(aw):
    client = aw.client("owner")
    url = reverse("admin:directory_servicepoint_change", args=[aw.w.sp.pk])
    page = client.get(url)
    data = form_data(page, **{"counters-0-name_en": "Counter One", "phone": "02 999 9999"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    sp_entry = AuditLog.objects.get(action="servicepoint.change")
    assert sp_entry.before == {"phone": "02 000 0000"}
    assert sp_entry.after == {"phone": "02 999 9999"}
    counter_entry = AuditLog.objects.get(action="counter.change")
    assert counter_entry.before == {"name_en": "BKKCOUNTERONE"}
    assert counter_entry.after == {"name_en": "Counter One"}
    assert counter_entry.agency_id == aw.w.bkk.pk


def test_counter_list_and_add_are_scoped(aw):
    client = aw.client("other")
    page = client.get(reverse("admin:directory_counter_add"))
    choices = page.context["adminform"].form.fields["service_point"].queryset
    assert list(choices) == [aw.w.dlt_sp]
    response = client.post(
        reverse("admin:directory_counter_add"),
        {"service_point": aw.w.dlt_sp.pk, "number": 5, "name_th": "ช่อง 5", "name_en": ""},
    )
    assert response.status_code == 302
    counter = Counter.objects.get(service_point=aw.w.dlt_sp, number=5)
    assert AuditLog.objects.get(action="counter.add", object_id=str(counter.pk)).agency == aw.w.dlt


def test_bulk_delete_is_audited(aw):
    client = aw.client("owner")
    spare = Counter.objects.create(service_point=aw.w.sp, number=9, name_th="ช่อง 9")
    response = client.post(
        reverse("admin:directory_counter_changelist"),
        {"action": "delete_selected", "_selected_action": [spare.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Counter.objects.filter(pk=spare.pk).exists()
    entry = AuditLog.objects.get(action="counter.delete")
    assert entry.object_id == str(spare.pk) and entry.before["number"] == 9
    assert entry.agency_id == aw.w.bkk.pk and entry.after is None


def test_central_admin_creates_an_agency_user(aw):
    client = aw.client("central")
    page = client.get(reverse("admin:auth_user_add"))
    assert page.status_code == 200
    data = form_data(
        page,
        username="newstaff",
        password1="a-long-enough-password-42",
        password2="a-long-enough-password-42",
        **{"membership-0-agency": str(aw.w.dlt.pk)},
    )
    data.setdefault("usable_password", "true")
    response = client.post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="newstaff")
    assert user.is_staff
    assert Membership.objects.get(user=user).agency == aw.w.dlt
    entry = AuditLog.objects.get(action="user.add")
    assert "password" not in entry.after and entry.agency is None
