"""The kiosk fleet in the admin: issuing one-time enrolment codes (text + QR, shown once),
withdrawing them, the kiosk list with its health, and revoking kiosks (audited)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from central.audit.models import AuditLog
from central.fleet import services as fleet
from central.fleet.models import EnrolmentCode, Kiosk
from tests.central.admin_world import build_admin_world
from tests.central.helpers import post_json

ISSUE = "admin:fleet_enrolmentcode_issue"
CODE_RE = re.compile(r'id="cp-code">([A-Z0-9-]{14})<')


@pytest.fixture
def aw(world):
    return build_admin_world(world)


def _issue(client, counter) -> tuple[object, str]:
    response = client.post(reverse(ISSUE), {"counter": counter.pk})
    assert response.status_code == 200
    match = CODE_RE.search(response.text)
    assert match, response.text[:2000]
    return response, match.group(1)


def test_issue_form_preselects_the_counter(aw):
    page = aw.client("owner").get(reverse(ISSUE), {"counter": aw.w.counter2.pk})
    assert page.status_code == 200
    assert page.context["form"].initial["counter"] == aw.w.counter2.pk
    assert "BKKCOUNTERTWO" in page.text  # the chosen counter, named
    assert "admin/js/autocomplete.js" in page.text  # a searchable select


def test_issued_code_is_shown_once_as_text_and_qr_and_enrols_a_kiosk(aw):
    client = aw.client("owner")
    response, code = _issue(client, aw.w.counter2)
    assert "no-store" in response["Cache-Control"]
    text = response.text
    assert "<svg" in text and 'class="cp-qr"' in text and "<path" in text
    assert "http://testserver" in text  # the server address staff type on the kiosk
    row = EnrolmentCode.objects.filter(counter=aw.w.counter2).latest("created_at")
    assert row.code_hash == fleet.hash_secret(fleet.normalize_code(code))
    assert code.replace("-", "") not in row.code_hash and row.hint == code[-4:]
    assert row.created_by == aw.users["owner"]
    entry = AuditLog.objects.get(action="enrolment_code.issue", object_id=str(row.pk))
    assert entry.actor == aw.users["owner"] and entry.agency == aw.w.bkk
    # The code enrols a kiosk at that counter, once.
    api = Client()
    answer = post_json(api, "/api/v1/kiosks/enroll", {"code": code, "app_version": "1.0.0"})
    assert answer.status_code in (200, 201), answer.content
    again = post_json(api, "/api/v1/kiosks/enroll", {"code": code, "app_version": "1.0.0"})
    assert again.status_code == 409
    # The list never shows the code, only its last characters.
    listing = client.get(reverse("admin:fleet_enrolmentcode_changelist")).text
    assert code not in listing and f"…{row.hint}" in listing


def test_qr_encodes_the_code(aw):
    from central.web.qr import qr_svg

    svg = qr_svg("ABCD-EFGH-JKMN")
    assert svg.startswith("<svg") and 'aria-label="ABCD-EFGH-JKMN"' in svg
    assert "width=" not in svg.split(">", 1)[0]  # sized by CSS, not in mm


def test_withdrawn_code_no_longer_enrols(aw):
    client = aw.client("owner")
    _, code = _issue(client, aw.w.counter2)
    row = EnrolmentCode.objects.filter(counter=aw.w.counter2, used_at=None).latest("created_at")
    response = client.post(
        reverse("admin:fleet_enrolmentcode_changelist"),
        {"action": "revoke_codes", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    answer = post_json(Client(), "/api/v1/kiosks/enroll", {"code": code, "app_version": "1"})
    assert answer.status_code == 410
    assert AuditLog.objects.filter(action="enrolment_code.revoke", object_id=str(row.pk)).exists()


def test_code_state_filter(aw):
    client = aw.client("central")
    url = reverse("admin:fleet_enrolmentcode_changelist")
    EnrolmentCode.objects.filter(pk=aw.dlt_code.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    expired = client.get(url, {"state": "expired"}).text
    assert "DLTCOUNTERONE" in expired and "BKKCOUNTERTWO" not in expired
    valid = client.get(url, {"state": "valid"}).text
    assert "BKKCOUNTERTWO" in valid and "DLTCOUNTERONE" not in valid
    used = client.get(url, {"state": "used"}).text
    assert "BKKCOUNTERONE" in used  # the code that enrolled the Bangkok kiosk


def test_kiosk_list_shows_health(aw):
    Kiosk.objects.filter(pk=aw.bkk_kiosk.pk).update(
        app_version="9.8.7",
        queue_depth=321,
        skew_flag=True,
        clock_skew_seconds=-1800,
        last_seen=timezone.now() - timedelta(days=3),
    )
    client = aw.client("owner")
    text = client.get(reverse("admin:fleet_kiosk_changelist")).text
    assert "9.8.7" in text and "321" in text
    assert "ขาดการติดต่อ 3 วัน" in text and "คลาด -30 นาที" in text
    offline = client.get(reverse("admin:fleet_kiosk_changelist"), {"health": "offline"}).text
    assert aw.bkk_kiosk.public_id in offline
    online = client.get(reverse("admin:fleet_kiosk_changelist"), {"health": "online"}).text
    assert aw.bkk_kiosk.public_id not in online
    client.cookies["django_language"] = "en"
    english = client.get(reverse("admin:fleet_kiosk_changelist")).text
    assert "offline for 3 days" in english and "off by -30 min" in english


def test_revoked_kiosk_is_refused_by_the_api_and_the_revoke_is_audited(aw, world):
    from tests.central.helpers import enrol_kiosk

    enrolled = enrol_kiosk(world.counter2)
    client = aw.client("owner")
    page = client.get(reverse("admin:fleet_kiosk_change", args=[enrolled.kiosk.pk]))
    revoke_url = reverse("admin:fleet_kiosk_revoke", args=[enrolled.kiosk.pk])
    assert revoke_url in page.text
    assert client.get(revoke_url).status_code == 405  # POST only
    response = client.post(revoke_url)
    assert response.status_code == 302
    kiosk = Kiosk.objects.get(pk=enrolled.kiosk.pk)
    assert kiosk.revoked_at is not None and kiosk.revoked_by == aw.users["owner"]
    answer = Client().get("/api/v1/kiosk/catalogue", **enrolled.auth)
    assert answer.status_code == 403 and answer.json()["error"] == "kiosk_revoked"
    entry = AuditLog.objects.get(action="kiosk.revoke", object_id=str(kiosk.pk))
    assert entry.actor == aw.users["owner"] and entry.agency == aw.w.bkk
    assert entry.before == {"revoked_at": None} and entry.after["revoked_at"]
    # The page of a revoked kiosk offers no revoke button.
    page = client.get(reverse("admin:fleet_kiosk_change", args=[kiosk.pk]))
    assert revoke_url not in page.text
    assert client.post(revoke_url).status_code == 302  # already revoked: says so
    assert AuditLog.objects.filter(action="kiosk.revoke").count() == 1


def test_kiosks_cannot_be_added_changed_or_deleted(aw):
    client = aw.client("central")
    assert client.get(reverse("admin:fleet_kiosk_add")).status_code == 403
    page = client.get(reverse("admin:fleet_kiosk_change", args=[aw.bkk_kiosk.pk]))
    assert 'name="_save"' not in page.text
    url = reverse("admin:fleet_kiosk_delete", args=[aw.bkk_kiosk.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403


def test_a_kiosk_that_refused_its_catalogue_is_listed_as_such(aw, world):
    from datetime import UTC, datetime

    from tests.central.helpers import enrol_kiosk

    enrolled = enrol_kiosk(world.counter)
    reason = "invalid catalogue: services[0].steps[0].order: must be at least 1"

    def beat(**extra):
        body = {"app_version": "1.0", "queue_depth": 0, "kiosk_time": datetime.now(UTC).isoformat()}
        response = post_json(
            Client(), "/api/v1/kiosk/heartbeat", {**body, **extra}, **enrolled.auth
        )
        assert response.status_code == 200

    beat(catalogue_refused=reason)
    client = aw.client("owner")
    client.cookies["django_language"] = "en"
    url = reverse("admin:fleet_kiosk_changelist")
    refused = client.get(url, {"catalogue": "refused"}).text
    assert enrolled.kiosk.public_id in refused and "catalogue refused" in refused
    assert reason in refused  # the reason is on the badge
    assert aw.bkk_kiosk.public_id not in refused
    page = client.get(reverse("admin:fleet_kiosk_change", args=[enrolled.kiosk.pk])).text
    assert reason in page
    beat()  # the kiosk applied a catalogue again
    assert enrolled.kiosk.public_id not in client.get(url, {"catalogue": "refused"}).text
    assert enrolled.kiosk.public_id in client.get(url, {"catalogue": "ok"}).text
