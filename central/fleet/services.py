"""Kiosk fleet operations, shared by the sync API and the admin UI.

Secrets are stored as SHA-256 hex digests, never in clear:

- kiosk credentials are ``cpk_`` + 32 random bytes (``secrets.token_urlsafe``). With 256
  bits of randomness nobody can guess one or brute-force a leaked hash, so a deliberately
  slow password hash (PBKDF2/Argon2) would add nothing but ~100 ms of CPU to *every* sync
  call — the API must hold 500 req/s. A plain digest also makes the lookup an indexed
  equality on ``credential_hash`` (no timing side channel on the secret itself);
- enrolment codes are 12 characters from a 30-letter alphabet (~59 bits), one-time and
  expiring, typed by staff as ``ABCD-EFGH-JKMN``; online guessing within their lifetime is
  hopeless, so the same reasoning applies.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from central import audit
from central.directory.models import Counter
from central.fleet.models import EnrolmentCode, Kiosk
from central.scope import Scope

# No 0/O, 1/I/L, U: unambiguous when read aloud or typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 12
CREDENTIAL_PREFIX = "cpk_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_code(text: str) -> str:
    """What staff typed -> canonical code: case, spaces and hyphens do not matter."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def client_ip(request) -> str | None:
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def issue_enrolment_code(
    counter: Counter, *, by=None, ttl: timedelta | None = None
) -> tuple[EnrolmentCode, str]:
    """Create a one-time code for ``counter``; returns ``(row, code)``. The code (formatted
    ``ABCD-EFGH-JKMN``) is not stored: show it now (text and QR) or issue a new one."""
    ttl = ttl or timedelta(hours=settings.CP_ENROLMENT_CODE_TTL_HOURS)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    with transaction.atomic():
        row = EnrolmentCode.objects.create(
            counter=counter,
            code_hash=hash_secret(code),
            hint=code[-4:],
            created_by=by if getattr(by, "is_authenticated", False) else None,
            expires_at=timezone.now() + ttl,
        )
        audit.record(
            "enrolment_code.issue",
            row,
            actor=by,
            after={"counter": counter.public_id, "expires_at": row.expires_at, "hint": row.hint},
        )
    return row, format_code(code)


def revoke_enrolment_code(row: EnrolmentCode, *, by=None) -> bool:
    """Withdraw an unused code. False if it was already used or withdrawn."""
    with transaction.atomic():
        now = timezone.now()
        done = EnrolmentCode.objects.filter(
            pk=row.pk, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        if done:
            row.revoked_at = now
            audit.record("enrolment_code.revoke", row, actor=by, after={"revoked_at": now})
    return bool(done)


class EnrolmentRefused(Exception):
    """Why a code cannot enrol a kiosk: ``reason`` is ``unknown``, ``used``, ``revoked``
    or ``expired``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def enrol(
    code_text: str, app_version: str, *, ip: str | None = None, request_id: str | None = None
) -> tuple[Kiosk, str]:
    """Consume ``code_text`` and create a kiosk at its counter; returns ``(kiosk,
    credential)``. Raises ``EnrolmentRefused``.

    A retry of the same attempt (same code and ``request_id``, before the code's expiry,
    the kiosk not revoked) gets a fresh credential for the kiosk that attempt created; the
    credential sent with the lost answer stops working.

    Atomic under concurrency: the code row is locked (``select_for_update`` on PostgreSQL;
    SQLite runs write transactions one at a time, BEGIN IMMEDIATE) and consumed with a
    conditional UPDATE (``used_at IS NULL AND not expired``) that must hit exactly one row,
    so of two simultaneous enrolments with one code exactly one succeeds."""
    code_hash = hash_secret(normalize_code(code_text))
    now = timezone.now()
    with transaction.atomic():
        row = (
            EnrolmentCode.objects.select_for_update(of=("self",))
            .select_related("counter__service_point")
            .filter(code_hash=code_hash)
            .first()
        )
        if row is None:
            raise EnrolmentRefused("unknown")
        state = row.state(now)
        if state == "used" and _same_attempt(row, request_id, now):
            return _reissue(row, app_version, now, ip)
        if state != "valid":
            raise EnrolmentRefused(state)
        credential = CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
        kiosk = Kiosk.objects.create(
            counter=row.counter,
            credential_hash=hash_secret(credential),
            app_version=app_version,
            last_seen=now,
            last_ip=ip,
        )
        consumed = EnrolmentCode.objects.filter(
            pk=row.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(used_at=now, kiosk=kiosk, request_id=request_id)
        if consumed != 1:  # lost a race the lock should have prevented: refuse, roll back
            raise EnrolmentRefused("used")
        audit.record(
            "kiosk.enrol",
            kiosk,
            actor=f"kiosk:{kiosk.public_id}",
            after={
                "kiosk": kiosk.public_id,
                "counter": row.counter.public_id,
                "code_hint": row.hint,
                "app_version": app_version,
            },
            ip=ip,
        )
    return kiosk, credential


def _same_attempt(row: EnrolmentCode, request_id: str | None, now) -> bool:
    return (
        request_id is not None
        and row.request_id is not None
        and str(row.request_id) == str(request_id)
        and row.kiosk_id is not None
        and row.revoked_at is None
        and row.expires_at > now
    )


def _reissue(row: EnrolmentCode, app_version: str, now, ip: str | None) -> tuple[Kiosk, str]:
    """The answer to this attempt was lost: a new credential for the same kiosk."""
    kiosk = Kiosk.objects.select_for_update().get(pk=row.kiosk_id)
    if kiosk.revoked_at is not None:
        raise EnrolmentRefused("used")
    credential = CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
    kiosk.credential_hash = hash_secret(credential)
    kiosk.app_version = app_version
    kiosk.last_seen = now
    kiosk.last_ip = ip
    kiosk.save(update_fields=["credential_hash", "app_version", "last_seen", "last_ip"])
    audit.record(
        "kiosk.enrol_retry",
        kiosk,
        actor=f"kiosk:{kiosk.public_id}",
        after={"kiosk": kiosk.public_id, "code_hint": row.hint, "app_version": app_version},
        ip=ip,
    )
    return kiosk, credential


def revoke_kiosk(kiosk: Kiosk, *, by=None, ip: str | None = None) -> bool:
    """Revoke a kiosk's credential: its next call is refused with 403. False if it was
    already revoked."""
    with transaction.atomic():
        now = timezone.now()
        done = Kiosk.objects.filter(pk=kiosk.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by if getattr(by, "is_authenticated", False) else None
        )
        if done:
            kiosk.revoked_at = now
            audit.record(
                "kiosk.revoke",
                kiosk,
                actor=by,
                before={"revoked_at": None},
                after={"revoked_at": now},
                ip=ip,
            )
    return bool(done)


_AUTH_SQL: str | None = None


def authenticate(credential: str) -> Kiosk | None:
    """The kiosk holding ``credential`` (revoked or not), or None if unknown. It also
    carries ``service_point_id`` (its counter's); the counter itself is not loaded.

    This runs on every sync call, so it is one raw query (about a third of the CPU of the
    equivalent ``select_related`` ORM query; field conversion still applies)."""
    global _AUTH_SQL
    if _AUTH_SQL is None:
        qn = connection.ops.quote_name
        kiosk, counter = Kiosk._meta, Counter._meta
        _AUTH_SQL = (
            f"SELECT k.*, c.{qn('service_point_id')} AS {qn('service_point_id')} "
            f"FROM {qn(kiosk.db_table)} k JOIN {qn(counter.db_table)} c "
            f"ON c.{qn(counter.pk.column)} = k.{qn('counter_id')} "
            f"WHERE k.{qn('credential_hash')} = %s"
        )
    found = list(Kiosk.objects.raw(_AUTH_SQL, [hash_secret(credential)]))
    return found[0] if found else None


# A kiosk not heard from for this long counts as offline on the admin pages.
STALE_HOURS = 24


def kiosks_needing_attention(scope: Scope) -> dict[str, int]:
    """Counts for the admin home page, within ``scope``: kiosks offline, with clock skew,
    never seen, and all (revoked kiosks left out)."""
    qs = scope.filter(Kiosk.objects.filter(revoked_at=None))
    stale_since = timezone.now() - timedelta(hours=STALE_HOURS)
    return {
        "offline": qs.filter(last_seen__lt=stale_since).count(),
        "skew": qs.filter(skew_flag=True).count(),
        "never": qs.filter(last_seen=None).count(),
        "total": qs.count(),
    }


def catalogue_refusal(kiosk: Kiosk, reason: str | None, now) -> dict:
    """The fleet-record fields to write for the catalogue refusal a kiosk reported in its
    heartbeat (``reason``; None or blank: its last catalogue applied). A new reason is
    stamped ``now``; the same reason again keeps its first time; none clears both."""
    reason = (reason or "").strip()
    if not reason:
        if kiosk.catalogue_refused_reason or kiosk.catalogue_refused_at is not None:
            return {"catalogue_refused_reason": "", "catalogue_refused_at": None}
        return {}
    if reason == kiosk.catalogue_refused_reason and kiosk.catalogue_refused_at is not None:
        return {}
    return {"catalogue_refused_reason": reason, "catalogue_refused_at": now}
