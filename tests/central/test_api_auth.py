"""Kiosk authentication: bearer credential; missing/unknown 401, revoked 403."""

import pytest

from central.audit.models import AuditLog
from central.fleet import services as fleet
from central.ratings.models import Rating
from tests.central.helpers import post_json, rating

ENDPOINTS = [
    ("get", "/api/v1/kiosk/catalogue", None),
    ("post", "/api/v1/kiosk/ratings", {"ratings": []}),
    (
        "post",
        "/api/v1/kiosk/heartbeat",
        {"app_version": "1", "queue_depth": 0, "kiosk_time": "2026-11-23T10:15:00+07:00"},
    ),
]


def _call(api, method, url, body, **headers):
    if method == "get":
        return api.get(url, **headers)
    return post_json(api, url, body, **headers)


@pytest.mark.parametrize("method, url, body", ENDPOINTS)
@pytest.mark.parametrize(
    "header, error",
    [
        (None, "missing_credential"),
        ("", "missing_credential"),
        ("Basic dXNlcjpwYXNz", "invalid_credential"),
        ("Bearer", "invalid_credential"),
        ("Bearer ", "invalid_credential"),
        ("Bearer cpk_not-a-real-credential", "invalid_credential"),
        ("Bearer " + "x" * 5000, "invalid_credential"),
        ("Bearer ключ", "invalid_credential"),
    ],
)
def test_missing_or_unknown_credential_is_401(api, kiosk, method, url, body, header, error):
    headers = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = _call(api, method, url, body, **headers)
    assert response.status_code == 401
    assert response.json()["error"] == error
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_scheme_is_case_insensitive(api, kiosk):
    response = api.get("/api/v1/kiosk/catalogue", HTTP_AUTHORIZATION=f"bearer {kiosk.credential}")
    assert response.status_code == 200


@pytest.mark.parametrize("method, url, body", ENDPOINTS)
def test_revoked_kiosk_is_403(api, kiosk, method, url, body):
    assert fleet.revoke_kiosk(kiosk.kiosk)
    response = _call(api, method, url, body, **kiosk.auth)
    assert response.status_code == 403
    assert response.json()["error"] == "kiosk_revoked"


def test_revoked_kiosk_stores_nothing_and_revocation_is_audited(api, kiosk):
    fleet.revoke_kiosk(kiosk.kiosk)
    assert not fleet.revoke_kiosk(kiosk.kiosk)
    post_json(api, "/api/v1/kiosk/ratings", {"ratings": [rating()]}, **kiosk.auth)
    assert Rating.objects.count() == 0
    assert AuditLog.objects.filter(action="kiosk.revoke").count() == 1
