"""POST /api/v1/kiosks/enroll: one-time, expiring codes; atomic consumption."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from central.audit.models import AuditLog
from central.fleet import services as fleet
from central.fleet.models import EnrolmentCode, Kiosk
from protocol import codec, models
from tests.central.helpers import post_json, requires_postgres

URL = "/api/v1/kiosks/enroll"


def _enroll(api, code, app_version="1.2.3"):
    return post_json(api, URL, {"code": code, "app_version": app_version})


def test_enroll_returns_credential_once_and_stores_only_its_hash(api, world):
    row, code = fleet.issue_enrolment_code(world.counter)
    response = _enroll(api, code)
    assert response.status_code == 201
    body = response.json()
    codec.convert(body, models.EnrollResponse)
    kiosk = Kiosk.objects.get()
    assert body["kiosk_id"] == kiosk.public_id
    assert body["service_point"]["id"] == world.sp.public_id
    assert body["counter"] == {
        "id": world.counter.public_id, "name_th": "ช่อง 1", "name_en": "C1",
        "service_codes": ["ID_RENEW"],
    }  # fmt: skip
    assert body["credential"] not in kiosk.credential_hash
    assert kiosk.credential_hash == fleet.hash_secret(body["credential"])
    assert kiosk.app_version == "1.2.3" and kiosk.counter == world.counter
    row.refresh_from_db()
    assert row.used_at is not None and row.kiosk == kiosk
    assert code.replace("-", "") not in str(EnrolmentCode.objects.values_list())
    entry = AuditLog.objects.get(action="kiosk.enrol")
    assert entry.actor_label == f"kiosk:{kiosk.public_id}" and entry.agency == world.bkk
    # The credential works.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {body['credential']}"}
    assert api.get("/api/v1/kiosk/catalogue", **auth).status_code == 200


RETRY_ID = "3f9c2b1e-5d4a-4c8b-9e7f-0a1b2c3d4e5f"


def _attempt(api, code, request_id=RETRY_ID):
    return post_json(api, URL, {"code": code, "app_version": "1.2.3", "request_id": request_id})


def test_a_lost_answer_can_be_fetched_again_by_the_same_attempt(api, world):
    _, code = fleet.issue_enrolment_code(world.counter)
    first = _attempt(api, code)
    assert first.status_code == 201  # ... and suppose this answer never reached the kiosk
    again = _attempt(api, code)
    assert again.status_code == 201
    assert again.json()["kiosk_id"] == first.json()["kiosk_id"]
    assert Kiosk.objects.count() == 1, "a retry never makes a second kiosk"
    old, new = first.json()["credential"], again.json()["credential"]
    assert old != new
    assert api.get("/api/v1/kiosk/catalogue", HTTP_AUTHORIZATION=f"Bearer {new}").status_code == 200
    assert api.get("/api/v1/kiosk/catalogue", HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 401
    assert AuditLog.objects.filter(action="kiosk.enrol_retry").count() == 1


def test_only_the_same_attempt_may_retry(api, world):
    _, code = fleet.issue_enrolment_code(world.counter)
    assert _attempt(api, code).status_code == 201
    other = _attempt(api, code, request_id="11111111-2222-4333-8444-555555555555")
    assert other.status_code == 409
    assert _enroll(api, code).status_code == 409  # no request id: a plain reuse
    assert Kiosk.objects.count() == 1


def test_no_retry_after_the_code_expires_or_the_kiosk_is_revoked(api, world):
    _, code = fleet.issue_enrolment_code(world.counter)
    body = _attempt(api, code).json()
    kiosk = Kiosk.objects.get()
    assert kiosk.public_id == body["kiosk_id"]
    fleet.revoke_kiosk(kiosk)
    assert _attempt(api, code).status_code == 409
    _, code2 = fleet.issue_enrolment_code(world.counter)
    assert _attempt(api, code2).status_code == 201
    EnrolmentCode.objects.filter(kiosk__isnull=False).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert _attempt(api, code2).status_code == 409


def test_code_is_forgiving_about_case_spaces_and_hyphens(api, world):
    _, code = fleet.issue_enrolment_code(world.counter)
    assert _enroll(api, " " + code.replace("-", " ").lower()).status_code == 201


def test_code_cannot_be_reused(api, world):
    _, code = fleet.issue_enrolment_code(world.counter)
    assert _enroll(api, code).status_code == 201
    again = _enroll(api, code)
    assert again.status_code == 409
    assert again.json()["error"] == "enrolment_code_used"
    assert Kiosk.objects.count() == 1


def test_expired_unknown_and_withdrawn_codes(api, world):
    row, code = fleet.issue_enrolment_code(world.counter, ttl=timedelta(hours=1))
    EnrolmentCode.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _enroll(api, code)
    assert (response.status_code, response.json()["error"]) == (410, "enrolment_code_expired")

    response = _enroll(api, "AAAA-BBBB-CCCC")
    assert (response.status_code, response.json()["error"]) == (404, "enrolment_code_unknown")

    row, code = fleet.issue_enrolment_code(world.counter)
    assert fleet.revoke_enrolment_code(row)
    response = _enroll(api, code)
    assert (response.status_code, response.json()["error"]) == (410, "enrolment_code_revoked")
    assert not fleet.revoke_enrolment_code(row)
    assert Kiosk.objects.count() == 0
    codec.convert(response.json(), models.Error)


@pytest.mark.parametrize(
    "body",
    [
        {"code": "X"},
        {"code": "X", "app_version": "1", "extra": 1},
        {"code": 123456, "app_version": "1"},
        {"code": "", "app_version": "1"},
        {"code": "X" * 65, "app_version": "1"},
        {"code": "X", "app_version": "1" * 41},
        {"code": "X", "app_version": None},
        ["X", "1"],
    ],
)
def test_bad_enroll_bodies(api, world, body):
    response = post_json(api, URL, body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert Kiosk.objects.count() == 0


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_with_one_code_only_one_wins(world):
    _, code = fleet.issue_enrolment_code(world.counter)
    start = threading.Barrier(8)
    statuses = []

    def attempt():
        try:
            start.wait()
            statuses.append(_enroll(Client(), code).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * 7
    assert Kiosk.objects.count() == 1
    assert AuditLog.objects.filter(action="kiosk.enrol").count() == 1
