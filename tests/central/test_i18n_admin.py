"""The admin is Thai first through Django's own i18n: Django's and the admin's Thai,
completed and corrected by central/locale_django, and the project's strings from
central/locale. Thai whatever the browser's Accept-Language; English only when the user
picks it with the switch (a cookie)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from central.catalogue.models import CopyStatus
from central.web.admin_site import site
from tests.central.admin_world import build_admin_world, form_data

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
# English UI wording that Django's own Thai catalogue lacked: none may be left on a
# Thai page (matched as whole words in the visible text and in titles/labels).
LEFTOVERS = [
    "Clear all filters",
    "already exists",
    "selected",
    "Show counts",
    "Hide counts",
    "Empty",
    "Not empty",
    "Skip to main content",
    "Toggle theme",
    "Start typing to filter",
    "Enabled",
    "Disabled",
    "Please correct the error",
    "Select all objects on this page",
    "Select this object",
    "Breadcrumbs",
    "Sidebar",
]


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", " ", html, flags=re.S)
    labels = re.findall(r'(?:title|placeholder|aria-label|alt)="([^"]*)"', html)
    return re.sub(r"<[^>]+>", " ", html) + " " + " ".join(labels)


def leftovers(html: str) -> list[str]:
    text = visible(html)
    return [w for w in LEFTOVERS if re.search(rf"\b{re.escape(w)}\b", text)]


@pytest.fixture
def boss(db, world) -> Client:
    aw = build_admin_world(world)
    aw.users["central"].is_superuser = True
    aw.users["central"].save()
    client = Client(**ENGLISH_BROWSER)
    client.force_login(aw.users["central"])
    client.aw = aw
    return client


def admin_pages() -> list[str]:
    pages = ["/admin/"]
    for model in site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages += [base, base + "add/"]
    return pages


def test_every_admin_page_is_thai_for_a_browser_set_to_english(boss) -> None:
    found = {}
    for url in admin_pages():
        response = boss.get(url)
        if response.status_code != 200:
            continue
        assert response["Content-Language"] == "th", url
        assert '<html lang="th"' in response.content.decode(), url
        left = leftovers(response.content.decode())
        if left:
            found[url] = left
    assert found == {}


def test_the_unique_error_is_thai(boss) -> None:
    """The issue's "สถานะสำเนาเอกสาร with this … already exists": a second copy status for
    the same service at the same office and document."""
    status = boss.aw.bkk_status
    page = boss.get("/admin/catalogue/copystatus/add/")
    data = form_data(
        page,
        offering=str(status.offering_id),
        document=str(status.document_id),
        status=CopyStatus.COPY_REQUIRED,
        copies="1",
        reason_th="ซ้ำ",
    )
    response = boss.post("/admin/catalogue/copystatus/add/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "มีสถานะสำเนาเอกสารที่มี" in html and "อยู่แล้ว" in html
    assert leftovers(html) == []


def test_the_action_counter_of_the_javascript_catalogue_is_thai(boss) -> None:
    """ "0 จาก 33 selected" came from the admin's JavaScript catalogue (Django's Thai)."""
    js = boss.get("/admin/jsi18n/").content.decode()
    assert "\\u0e40\\u0e25\\u0e37\\u0e2d\\u0e01 %(sel)s" in js or "เลือก %(sel)s" in js
    assert "%(sel)s \\u0e08\\u0e32\\u0e01 %(cnt)s selected" not in js
    assert "จาก %(cnt)s selected" not in js


def test_switching_to_english_and_back(boss) -> None:
    switched = boss.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert switched.status_code == 302
    assert boss.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = boss.get("/admin/catalogue/copystatus/")
    assert page["Content-Language"] == "en"
    assert '<html lang="en"' in page.content.decode()
    assert "Copy status" in page.content.decode() or "copy status" in page.content.decode()
    boss.post("/i18n/setlang/", {"language": "th", "next": "/admin/"})
    page = boss.get("/admin/catalogue/copystatus/")
    assert page["Content-Language"] == "th"
    assert "สถานะสำเนาเอกสาร" in page.content.decode()


def test_an_unknown_language_cookie_means_thai(db) -> None:
    client = Client(**ENGLISH_BROWSER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/admin/login/")
    assert response["Content-Language"] == "th"
    assert "เข้าสู่ระบบ" in response.content.decode()


def test_audit_log_filters_name_each_action_once_in_thai(boss) -> None:
    """Not the stored codes (servicepoint.change, auth.login) as filter values."""
    from central import audit

    for _ in range(3):
        audit.record("enrolment_code.issue", boss.aw.bkk_code)
    html = boss.get("/admin/audit/auditlog/").content.decode()
    filters = html[html.index('id="changelist-filter"') :]
    issued = re.findall(r">\s*ออกรหัส · รหัสลงทะเบียนตู้\s*<", filters)
    assert len(issued) == 1
    assert ">enrolment_code.issue<" not in filters
