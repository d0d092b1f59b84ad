"""The admin site as a whole: who may log in, Thai/English labels and the language switch,
the home page, every admin's pages render, and labels do not disturb migrations."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from central.web.admin_site import site
from tests.central.admin_world import build_admin_world, make_user


@pytest.fixture
def aw(world):
    return build_admin_world(world)


def test_labels_do_not_change_migration_state(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits 1 on changes
    assert "No changes detected" in out.getvalue()


def test_login_needs_staff_and_a_membership(aw, client):
    # A staff account without a membership is refused like a wrong password.
    response = client.post(reverse("admin:login"), {"username": "stranger", "password": "pw"})
    assert response.status_code == 200
    assert "ยังไม่ได้สังกัดหน่วยงาน" in response.text
    assert client.get(reverse("admin:index")).status_code == 302
    # Agency staff log in.
    response = client.post(
        reverse("admin:login"),
        {"username": "bkk_staff", "password": "pw", "next": reverse("admin:index")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    # Not staff: refused even with a membership.
    make_user("clerk", agency=aw.w.bkk, staff=False)
    other = client.__class__()
    other.post(reverse("admin:login"), {"username": "clerk", "password": "pw"})
    assert other.get(reverse("admin:index")).status_code == 302


def test_thai_by_default_english_with_the_switch(aw):
    client = aw.client("owner")
    thai = client.get(reverse("admin:directory_servicepoint_changelist")).text
    assert "จุดให้บริการ" in thai and 'lang="th"' in thai
    assert "รหัสจุดให้บริการ" in thai  # a column header from central.web.labels
    response = client.post(
        "/i18n/setlang/",
        {"language": "en", "next": reverse("admin:directory_servicepoint_changelist")},
    )
    assert response.status_code == 302
    english = client.get(reverse("admin:directory_servicepoint_changelist")).text
    assert "Service point code" in english and 'lang="en"' in english
    assert "รหัสจุดให้บริการ" not in english


def test_pages_declare_a_thai_capable_font_stack(aw):
    page = aw.client("owner").get(reverse("admin:index")).text
    assert "cp/admin.css" in page
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("cp/admin.css")).read_text(encoding="utf-8")
    assert '"Sarabun", "Noto Sans Thai"' in css and "Tahoma" in css


def test_home_page_shortcuts_and_scoped_recent_changes(aw):
    page = aw.client("owner").get(reverse("admin:index")).text
    assert reverse("admin:fleet_enrolmentcode_issue") in page
    assert reverse("admin:fleet_kiosk_changelist") in page
    assert "test.marker" in page  # the Bangkok audit entry
    assert f"audit/auditlog/{aw.dlt_audit.pk}/" not in page
    assert f"audit/auditlog/{aw.bkk_audit.pk}/" in page


def test_agency_staff_header_names_their_agency(aw):
    page = aw.client("owner").get(reverse("admin:index")).text
    assert "cp-scope" in page and aw.w.bkk.name_th in page
    page = aw.client("central").get(reverse("admin:index")).text
    assert "ทุกหน่วยงาน" in page


ADMINS = sorted(site._registry.items(), key=lambda item: item[0]._meta.label)
# Admins whose rows have no page of their own: a change URL leads back to the list.
LIST_ONLY = {"comments.commentanalysis"}


@pytest.mark.parametrize(
    ("model", "model_admin"), ADMINS, ids=[m._meta.label_lower for m, _ in ADMINS]
)
@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_admin_renders_for_a_central_admin(aw, model, model_admin, lang):
    client = aw.client("central")
    client.cookies["django_language"] = lang
    info = (model._meta.app_label, model._meta.model_name)
    assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    obj = model_admin.get_queryset(_request(aw.users["central"])).first()
    if obj is not None:
        url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        response = client.get(url)
        if model._meta.label_lower in LIST_ONLY:
            assert response.status_code == 302
            assert response["Location"] == reverse("admin:{}_{}_changelist".format(*info))
        else:
            assert response.status_code == 200
    add = client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code in (200, 302, 403)


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_root_redirects_to_the_admin(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
