"""Logins, failed logins, lockouts and logouts of the admin site, in the audit log.

Connected in ``WebConfig.ready``. A failed login names the username that was tried (cut
to 150 characters); when it is an existing account, the entry points at it and at its
agency, so that agency's admins see attempts on their accounts. The client address is
the one django-axes resolved (X-Forwarded-For behind the proxy, see settings).
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from central import audit
from central.fleet.services import client_ip


def _ip(request) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or client_ip(request)


def _agency_id(user) -> int | None:
    membership = getattr(user, "membership", None) if user is not None else None
    return getattr(membership, "agency_id", None)


def _account(username: str):
    if not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()


def _record(action: str, request, *, user=None, tried: str = "") -> None:
    account = user if user is not None else _account(tried)
    audit.record(
        action,
        None,
        actor=user if user is not None else f"login:{tried}"[:150],
        agency=_agency_id(account),
        object_type="auth.user",
        object_id=account.pk if account is not None else None,
        after={"username": tried[:150]} if user is None else None,
        ip=_ip(request),
    )


def on_login(sender, request, user, **kwargs) -> None:
    _record("auth.login", request, user=user)


def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        _record("auth.logout", request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    _record("auth.login_failed", request, tried=str(credentials.get("username") or ""))


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    _record("auth.lockout", request, tried=str(username or ""))


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="cp-audit-login")
    user_logged_out.connect(on_logout, dispatch_uid="cp-audit-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="cp-audit-login-failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="cp-audit-lockout")
