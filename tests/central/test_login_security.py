"""Admin login: throttling and lockout (django-axes), every login, failed login and
lockout in the audit log, and no admin can delete their own account."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from central.audit.models import AuditLog
from tests.central.admin_world import make_user

LOGIN = "/admin/login/"


@pytest.fixture
def boss(db, world) -> User:
    return make_user("boss", central=True)


@pytest.fixture
def staff_user(db, world) -> User:
    return make_user("bkk_staff", agency=world.bkk)


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def test_a_login_is_audited_with_who_and_where(staff_user, world) -> None:
    client = Client()
    response = _login(client, "bkk_staff", "pw")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    entry = AuditLog.objects.get(action="auth.login")
    assert entry.actor == staff_user and entry.actor_label == "bkk_staff"
    assert entry.ip == "10.0.0.7"
    assert entry.agency_id == world.bkk.pk  # the agency's admins see their staff's logins
    client.post("/admin/logout/", REMOTE_ADDR="10.0.0.7")
    assert AuditLog.objects.filter(action="auth.logout", actor=staff_user).count() == 1


def test_wrong_passwords_lock_the_account_out_even_for_the_right_one(staff_user, world) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    for _ in range(limit - 1):
        response = _login(client, "bkk_staff", "wrong")
        assert response.status_code == 200  # the login form again, with its error
    locked = _login(client, "bkk_staff", "wrong")
    assert locked.status_code == 429
    right = _login(client, "bkk_staff", "pw")
    assert right.status_code == 429, "the right password must not get through a lockout"
    text = right.content.decode()
    assert "เข้าสู่ระบบผิด" in text  # Thai first: the page says why, in Thai
    assert "_auth_user_id" not in client.session
    failed = AuditLog.objects.filter(action="auth.login_failed")
    assert failed.count() >= limit
    assert {e.object_id for e in failed} == {str(staff_user.pk)}
    assert {e.agency_id for e in failed} == {world.bkk.pk}
    assert {e.ip for e in failed} == {"10.0.0.7"}
    assert AuditLog.objects.filter(action="auth.lockout", object_id=str(staff_user.pk)).exists()
    # Another address is not locked out (no denial of service on the account from one
    # attacker), and a success there clears nothing for the locked address.
    elsewhere = _login(Client(), "bkk_staff", "pw", ip="10.0.0.8")
    assert elsewhere.status_code == 302


def test_failed_logins_for_unknown_names_are_audited_too(db) -> None:
    _login(Client(), "no-such-user" * 20, "x")
    entry = AuditLog.objects.get(action="auth.login_failed")
    assert entry.actor is None and entry.object_id == "" and entry.agency_id is None
    assert entry.actor_label.startswith("login:no-such-user") and len(entry.actor_label) <= 150


def test_an_admin_cannot_delete_their_own_account(boss) -> None:
    other = make_user("someone", central=True)
    client = Client(raise_request_exception=False)
    client.force_login(boss)
    page = client.get(f"/admin/auth/user/{boss.pk}/delete/")
    assert page.status_code == 403
    assert client.post(f"/admin/auth/user/{boss.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": [boss.pk, other.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert User.objects.filter(pk__in=[boss.pk, other.pk]).count() == 2  # nothing half-done
    # Deleting somebody else works and is audited by the admin who did it.
    response = client.post(f"/admin/auth/user/{other.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="user.delete")
    assert entry.actor == boss and entry.object_id == str(other.pk)
