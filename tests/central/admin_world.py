"""Data and clients for the admin UI tests (test_admin_*.py, test_scope_matrix.py).

``build_admin_world(world)`` adds to the shared ``world`` (conftest.py) what the admin
tests need: one user per role, a kiosk, a rating, an enrolment code, a copy status and an
audit entry on each side (the Bangkok office, agency ``dopa-bkk``, and the DLT office), and
for each side a set of *markers*: strings that appear only in that side's data, so a test
can assert that no other agency's data leaks into a page or an export.

Roles: ``central`` (Membership.is_central, not a superuser), ``owner`` (staff of dopa-bkk,
which owns ``world.sp``), ``parent`` (staff of dopa, the parent agency: sees dopa-bkk),
``other`` (staff of dlt), ``stranger`` (is_staff but no membership) and ``anon``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import User
from django.test import Client

from central import audit
from central.audit.models import AuditLog
from central.catalogue.models import CopyStatus, Offering
from central.directory.models import Membership
from central.fleet import services as fleet
from central.fleet.models import EnrolmentCode, Kiosk
from central.ratings.models import Rating
from tests.central.helpers import World, enrol_kiosk, post_json, rating

ROLES = ["central", "owner", "parent", "other", "stranger", "anon"]
STAFF_ROLES = ["central", "owner", "parent", "other"]


def make_user(username, *, agency=None, central=False, superuser=False, staff=True) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=staff, is_superuser=superuser)
    if agency is not None or central:
        Membership.objects.create(user=user, agency=agency, is_central=central)
    return user


@dataclass
class AdminWorld:
    w: World
    users: dict[str, User | None]
    bkk_kiosk: Kiosk
    dlt_kiosk: Kiosk
    bkk_rating: Rating
    dlt_rating: Rating
    bkk_code: EnrolmentCode
    dlt_code: EnrolmentCode
    bkk_status: CopyStatus
    dlt_status: CopyStatus
    dlt_offering: Offering
    bkk_audit: AuditLog
    dlt_audit: AuditLog
    markers: dict[str, set[str]] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        client = Client(raise_request_exception=True)
        user = self.users.get(role)
        if user is not None:
            client.force_login(user)
        return client

    def forbidden_markers(self, role: str) -> set[str]:
        """What ``role`` must never see: the other side's markers (everything for
        anonymous users and staff without a membership, nothing for central admins)."""
        if role == "central":
            return set()
        if role in ("owner", "parent"):
            return self.markers["dlt"]
        if role == "other":
            return self.markers["bkk"]
        return self.markers["bkk"] | self.markers["dlt"]


def _rate(kiosk_credential: str, service_code: str, comment: str) -> Rating:
    item = rating(service_code=service_code, comment=comment)
    response = post_json(
        Client(),
        "/api/v1/kiosk/ratings",
        {"ratings": [item]},
        HTTP_AUTHORIZATION=f"Bearer {kiosk_credential}",
    )
    assert response.status_code == 200, response.content
    return Rating.objects.get(uuid=uuid.UUID(item["uuid"]))


def build_admin_world(w: World) -> AdminWorld:
    # Names that appear nowhere else: a page that shows one of them shows that side's data.
    for counter, marker in (
        (w.counter, "BKKCOUNTERONE"),
        (w.counter2, "BKKCOUNTERTWO"),
        (w.dlt_counter, "DLTCOUNTERONE"),
    ):
        counter.name_th = f"ช่อง {marker}"
        counter.name_en = marker
        counter.save()
    bkk_status = CopyStatus.objects.get(offering=w.offering_move_in, document=w.house_reg)
    bkk_status.reason_th = "BKKREASON"
    bkk_status.save()
    dlt_offering = Offering.objects.get(service_point=w.dlt_sp)
    dlt_status = CopyStatus.objects.create(
        offering=dlt_offering,
        document=w.id_card,
        status=CopyStatus.NO_COPY,
        copies=0,
        no_copy_since=date(2022, 1, 1),
        verify_th="DLTVERIFY",
        verify_en="DLTVERIFY",
    )
    bkk = enrol_kiosk(w.counter)
    dlt = enrol_kiosk(w.dlt_counter)
    bkk_rating = _rate(bkk.credential, "ID_RENEW", "BKKCOMMENT")
    dlt_rating = _rate(dlt.credential, "DL_RENEW", "DLTCOMMENT")
    bkk_code, _ = fleet.issue_enrolment_code(w.counter2)
    dlt_code, _ = fleet.issue_enrolment_code(w.dlt_counter)
    bkk_audit = audit.record("test.marker", w.sp, after={"note": "BKKAUDIT"})
    dlt_audit = audit.record("test.marker", w.dlt_sp, after={"note": "DLTAUDIT"})
    users = {
        "central": make_user("boss", central=True),
        "owner": make_user("bkk_staff", agency=w.bkk),
        "parent": make_user("dopa_staff", agency=w.dopa),
        "other": make_user("dlt_staff", agency=w.dlt),
        "stranger": make_user("stranger"),
        "anon": None,
    }
    markers = {
        "bkk": {
            "bkk-pathumwan",
            "BKKCOUNTERONE",
            "BKKCOUNTERTWO",
            "BKKREASON",
            "BKKCOMMENT",
            "BKKAUDIT",
            bkk.kiosk.public_id,
        },
        "dlt": {
            "dlt-bkk1",
            "DLTCOUNTERONE",
            "DLTVERIFY",
            "DLTCOMMENT",
            "DLTAUDIT",
            dlt.kiosk.public_id,
        },
    }
    return AdminWorld(
        w=w,
        users=users,
        bkk_kiosk=bkk.kiosk,
        dlt_kiosk=dlt.kiosk,
        bkk_rating=bkk_rating,
        dlt_rating=dlt_rating,
        bkk_code=bkk_code,
        dlt_code=dlt_code,
        bkk_status=bkk_status,
        dlt_status=dlt_status,
        dlt_offering=dlt_offering,
        bkk_audit=bkk_audit,
        dlt_audit=dlt_audit,
        markers=markers,
    )


def body(response) -> str:
    """A response's text, streamed or not."""
    raw = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if raw.startswith(b"PK"):  # an XLSX: the text of every part of the workbook
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            return "".join(zf.read(name).decode("utf-8") for name in zf.namelist())
    return raw.decode("utf-8")


def _flat(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def form_data(response, **changes) -> dict:
    """POST data that re-submits an admin add/change page as it was rendered (main form
    and every inline, with their management forms), then applies ``changes`` (use
    ``"prefix-0-field"`` keys for inline fields; a value of None drops the key)."""
    data: dict = {}

    def add(form):
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            key = form.add_prefix(name)
            if value is False:
                continue
            if value is True:
                data[key] = "on"
            else:
                data[key] = _flat(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
