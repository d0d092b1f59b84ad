"""The agency-scope matrix: every admin view and endpoint × every role.

Each cell asserts the status code (or where a redirect goes) AND that the response (page,
JSON or CSV export) contains none of the markers of data the role must not see, and, for
requests that try to change something, that nothing changed.

The objects under test belong to the Bangkok office (agency ``dopa-bkk``). ``owner`` is
its staff, ``parent`` the staff of its parent agency (dopa: sees it), ``other`` the staff
of DLT (must get "not found" and see nothing of Bangkok), ``central`` a central admin,
``stranger`` a staff account without membership and ``anon`` nobody.

Expectations: a number is the status code; ``"login"`` a redirect to the admin login;
``"index"`` Django admin's "not found" redirect to the admin index (what an object of
another agency looks like: the same as an object that does not exist); ``"to:<url name>"``
a redirect to that URL.

The data is built once for the module inside a transaction that is rolled back at the
end; each cell runs in its own nested transaction (pytest-django's ``db``), so a cell that
changes something does not affect the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from central.catalogue.models import Offering
from central.directory.models import Counter, ServicePoint
from central.fleet.models import EnrolmentCode, Kiosk
from tests.central.admin_world import ROLES, AdminWorld, body, build_admin_world
from tests.central.helpers import build_world


@pytest.fixture(scope="module")
def aw(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_admin_world(build_world())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def E(central=200, owner=200, parent=200, other=200, stranger="login", anon="login"):
    return {
        "central": central,
        "owner": owner,
        "parent": parent,
        "other": other,
        "stranger": stranger,
        "anon": anon,
    }


@dataclass
class Cell:
    id: str
    url: Any  # str or callable(aw) -> str
    expect: dict
    method: str = "get"
    data: Any = None  # dict or callable(aw) -> dict
    check: Any = None  # callable(aw, role) -> None, run after the request
    roles: list = field(default_factory=lambda: list(ROLES))


def admin(name, *args):
    return lambda aw: reverse(f"admin:{name}", args=[a(aw) if callable(a) else a for a in args])


SP = lambda aw: aw.w.sp.pk  # noqa: E731
COUNTER = lambda aw: aw.w.counter.pk  # noqa: E731
AGENCY = lambda aw: aw.w.bkk.pk  # noqa: E731
OFFERING = lambda aw: aw.w.offering_move_in.pk  # noqa: E731
STATUS = lambda aw: aw.bkk_status.pk  # noqa: E731
CODE = lambda aw: aw.bkk_code.pk  # noqa: E731
KIOSK = lambda aw: aw.bkk_kiosk.pk  # noqa: E731
RATING = lambda aw: aw.bkk_rating.pk  # noqa: E731
AUDIT = lambda aw: aw.bkk_audit.pk  # noqa: E731
SERVICE = lambda aw: aw.w.id_renew.pk  # noqa: E731
DOCUMENT = lambda aw: aw.w.id_card.pk  # noqa: E731

OWNED = E(other="index")  # an object of the Bangkok office
READ_ONLY = E(central=403, owner=403, parent=403, other=403)
CENTRAL_ONLY = E(owner=403, parent=403, other=403)
PUBLIC = E(stranger=200, anon=200)


def _hsds(kind, pk):
    from central.public.hsds import make_id

    return make_id(kind, pk)


def PRIVATE_MARKERS(aw):  # noqa: N802
    """What no public page or open data may ever show, to anyone: comments, counters,
    kiosks, audit entries, staff accounts. (Copy-status reasons and office names are
    public by design.)"""
    private = {"BKKCOMMENT", "DLTCOMMENT", "BKKCOUNTERONE", "BKKCOUNTERTWO", "DLTCOUNTERONE"}
    private |= {"BKKAUDIT", "DLTAUDIT", aw.bkk_kiosk.public_id, aw.dlt_kiosk.public_id}
    return private | {"bkk_staff", "dopa_staff", "dlt_staff"}


ALLOWED = ("central", "owner", "parent")


def _unchanged(model, pk, **fields):
    def check(aw, role):
        obj = model.objects.get(pk=pk(aw))
        for name, value in fields.items():
            assert getattr(obj, name) == value, f"{role} changed {model.__name__}.{name}"

    return check


def _sp_renamed_only_by_allowed(aw, role):
    sp = ServicePoint.objects.get(pk=aw.w.sp.pk)
    assert sp.name_en == aw.w.sp.name_en  # the denied roles' POST changed nothing


def _sp_exists(aw, role):
    assert ServicePoint.objects.filter(pk=aw.w.sp.pk).exists(), f"{role} deleted it"


def _counter_exists(aw, role):
    assert Counter.objects.filter(pk=aw.w.counter.pk).exists(), f"{role} deleted it"


def _no_counter_added(aw, role):
    assert not Counter.objects.filter(number=77).exists(), f"{role} added a counter there"


def _no_offering_added(aw, role):
    assert not Offering.objects.filter(service_point=aw.w.sp, service=aw.w.dl_renew).exists(), (
        f"{role} added an offering there"
    )


def _kiosk_revoked_iff_allowed(aw, role):
    revoked = Kiosk.objects.get(pk=aw.bkk_kiosk.pk).revoked_at is not None
    assert revoked == (role in ALLOWED), f"{role}: revoked={revoked}"


def _code_revoked_iff_allowed(aw, role):
    revoked = EnrolmentCode.objects.get(pk=aw.bkk_code.pk).revoked_at is not None
    assert revoked == (role in ALLOWED), f"{role}: revoked={revoked}"


def _code_issued_iff_allowed(aw, role):
    count = EnrolmentCode.objects.filter(counter=aw.w.counter, used_at=None).count()
    assert count == (1 if role in ALLOWED else 0), f"{role}: {count} codes"


def _comment_flagged_iff_allowed(aw, role):
    from central.comments.models import CommentAnalysis

    junk = CommentAnalysis.objects.get(pk=aw.bkk_rating.pk).junk
    assert junk == (role in ALLOWED), f"{role}: junk={junk}"


DENIED = ["other", "stranger", "anon"]

CELLS = [
    # the admin home and app pages
    Cell("index", "/admin/", E()),
    Cell("app-directory", "/admin/directory/", E()),
    Cell("app-fleet", "/admin/fleet/", E()),
    # service points
    Cell("servicepoint-list", admin("directory_servicepoint_changelist"), E()),
    Cell("servicepoint-change", admin("directory_servicepoint_change", SP), OWNED),
    Cell("servicepoint-history", admin("directory_servicepoint_history", SP), OWNED),
    Cell("servicepoint-delete", admin("directory_servicepoint_delete", SP), OWNED),
    Cell("servicepoint-add", admin("directory_servicepoint_add"), E()),
    Cell(
        "servicepoint-change-post",
        admin("directory_servicepoint_change", SP),
        E(other="index"),
        method="post",
        data={"name_en": "HACKED", "code": "hacked"},
        check=_sp_renamed_only_by_allowed,
        roles=DENIED,
    ),
    Cell(
        "servicepoint-delete-post",
        admin("directory_servicepoint_delete", SP),
        E(other="index"),
        method="post",
        data={"post": "yes"},
        check=_sp_exists,
        roles=DENIED,
    ),
    Cell(
        "servicepoint-bulk-delete",
        admin("directory_servicepoint_changelist"),
        E(other=302),
        method="post",
        data=lambda aw: {
            "action": "delete_selected",
            "_selected_action": [aw.w.sp.pk],
            "post": "yes",
        },
        check=_sp_exists,
        roles=DENIED,
    ),
    # counters
    Cell("counter-list", admin("directory_counter_changelist"), E()),
    Cell("counter-change", admin("directory_counter_change", COUNTER), OWNED),
    Cell("counter-delete", admin("directory_counter_delete", COUNTER), OWNED),
    Cell("counter-add", admin("directory_counter_add"), E()),
    Cell(
        "counter-add-post-into-other-agency",
        admin("directory_counter_add"),
        E(other=200),  # the form refuses the foreign service point
        method="post",
        data=lambda aw: {"service_point": aw.w.sp.pk, "number": 77, "name_th": "x"},
        check=_no_counter_added,
        roles=DENIED,
    ),
    Cell(
        "counter-delete-post",
        admin("directory_counter_delete", COUNTER),
        E(other="index"),
        method="post",
        data={"post": "yes"},
        check=_counter_exists,
        roles=DENIED,
    ),
    # agencies: central edits; staff see their own
    Cell("agency-list", admin("directory_agency_changelist"), E()),
    Cell("agency-change", admin("directory_agency_change", AGENCY), OWNED),
    Cell("agency-add", admin("directory_agency_add"), CENTRAL_ONLY),
    Cell("agency-delete", admin("directory_agency_delete", AGENCY), CENTRAL_ONLY),
    # offerings and copy status
    Cell("offering-list", admin("catalogue_offering_changelist"), E()),
    Cell("offering-change", admin("catalogue_offering_change", OFFERING), OWNED),
    Cell("offering-delete", admin("catalogue_offering_delete", OFFERING), OWNED),
    Cell("offering-add", admin("catalogue_offering_add"), E()),
    Cell(
        "offering-add-post-into-other-agency",
        admin("catalogue_offering_add"),
        E(other=200),
        method="post",
        data=lambda aw: {
            "service_point": aw.w.sp.pk,
            "service": aw.w.dl_renew.pk,
            "copy_statuses-TOTAL_FORMS": "0",
            "copy_statuses-INITIAL_FORMS": "0",
        },
        check=_no_offering_added,
        roles=DENIED,
    ),
    Cell("copystatus-list", admin("catalogue_copystatus_changelist"), E()),
    Cell("copystatus-change", admin("catalogue_copystatus_change", STATUS), OWNED),
    Cell("copystatus-delete", admin("catalogue_copystatus_delete", STATUS), OWNED),
    Cell("copystatus-add", admin("catalogue_copystatus_add"), E()),
    # the shared catalogue: everyone with a scope reads, central admins edit
    Cell("service-list", admin("catalogue_service_changelist"), E()),
    Cell("service-change", admin("catalogue_service_change", SERVICE), E()),
    Cell("service-add", admin("catalogue_service_add"), CENTRAL_ONLY),
    Cell("service-delete", admin("catalogue_service_delete", SERVICE), CENTRAL_ONLY),
    Cell(
        "service-change-post",
        admin("catalogue_service_change", SERVICE),
        E(other=403),
        method="post",
        data={"name_en": "HACKED"},
        check=lambda aw, role: _unchanged(type(aw.w.id_renew), SERVICE, name_en="ID card renewal")(
            aw, role
        ),
        roles=DENIED,
    ),
    Cell("document-list", admin("catalogue_document_changelist"), E()),
    Cell("document-change", admin("catalogue_document_change", DOCUMENT), E()),
    Cell("document-add", admin("catalogue_document_add"), CENTRAL_ONLY),
    # enrolment codes
    Cell("code-list", admin("fleet_enrolmentcode_changelist"), E()),
    Cell("code-change", admin("fleet_enrolmentcode_change", CODE), OWNED),
    Cell("code-delete", admin("fleet_enrolmentcode_delete", CODE), READ_ONLY),
    Cell(
        "code-add",
        admin("fleet_enrolmentcode_add"),
        E(*(["to:fleet_enrolmentcode_issue"] * 4)),
    ),
    Cell("code-issue-form", admin("fleet_enrolmentcode_issue"), E()),
    Cell(
        "code-issue-form-for-counter",
        lambda aw: reverse("admin:fleet_enrolmentcode_issue") + f"?counter={aw.w.counter.pk}",
        E(other=404),
    ),
    Cell(
        "code-issue-post",
        admin("fleet_enrolmentcode_issue"),
        E(other=200),  # the form refuses the foreign counter; no code is made
        method="post",
        data=lambda aw: {"counter": aw.w.counter.pk},
        check=_code_issued_iff_allowed,
    ),
    Cell(
        "code-revoke-action",
        admin("fleet_enrolmentcode_changelist"),
        E(302, 302, 302, 302),
        method="post",
        data=lambda aw: {"action": "revoke_codes", "_selected_action": [aw.bkk_code.pk]},
        check=_code_revoked_iff_allowed,
    ),
    # kiosks
    Cell("kiosk-list", admin("fleet_kiosk_changelist"), E()),
    Cell("kiosk-change", admin("fleet_kiosk_change", KIOSK), OWNED),
    Cell("kiosk-add", admin("fleet_kiosk_add"), READ_ONLY),
    Cell("kiosk-delete", admin("fleet_kiosk_delete", KIOSK), READ_ONLY),
    Cell(
        "kiosk-revoke-button",
        admin("fleet_kiosk_revoke", KIOSK),
        E(302, 302, 302, 404),
        method="post",
        check=_kiosk_revoked_iff_allowed,
    ),
    Cell(
        "kiosk-revoke-action",
        admin("fleet_kiosk_changelist"),
        E(302, 302, 302, 302),
        method="post",
        data=lambda aw: {"action": "revoke_kiosks", "_selected_action": [aw.bkk_kiosk.pk]},
        check=_kiosk_revoked_iff_allowed,
    ),
    # ratings and their export
    Cell("rating-list", admin("ratings_rating_changelist"), E()),
    Cell("rating-change", admin("ratings_rating_change", RATING), OWNED),
    Cell("rating-add", admin("ratings_rating_add"), READ_ONLY),
    Cell("rating-delete", admin("ratings_rating_delete", RATING), READ_ONLY),
    Cell("rating-export", admin("ratings_rating_export"), E()),
    Cell(
        "rating-export-filtered-to-other-agency",
        lambda aw: (
            reverse("admin:ratings_rating_export") + f"?service_point__id__exact={aw.w.sp.pk}"
        ),
        E(other=404),  # issue 9: a foreign filter is refused, no longer silently ignored
    ),
    Cell(
        "rating-export-bad-filter",
        lambda aw: reverse("admin:ratings_rating_export") + "?rated_at__gte=not-a-date",
        E(*(["to:ratings_rating_changelist"] * 4)),
    ),
    # audit log
    Cell("audit-list", admin("audit_auditlog_changelist"), E()),
    Cell("audit-change", admin("audit_auditlog_change", AUDIT), OWNED),
    Cell("audit-add", admin("audit_auditlog_add"), READ_ONLY),
    Cell("audit-delete", admin("audit_auditlog_delete", AUDIT), READ_ONLY),
    # admin users: central admins only
    Cell("user-list", admin("auth_user_changelist"), CENTRAL_ONLY),
    Cell("user-add", admin("auth_user_add"), CENTRAL_ONLY),
    Cell(
        "user-change",
        lambda aw: reverse("admin:auth_user_change", args=[aw.users["owner"].pk]),
        CENTRAL_ONLY,
    ),
    # autocomplete (select boxes that search) and the admin-area helpers
    Cell(
        "autocomplete-service-points",
        lambda aw: (
            "/admin/autocomplete/?app_label=directory&model_name=counter"
            "&field_name=service_point&term="
        ),
        E(),
    ),
    Cell(
        "autocomplete-counters",
        lambda aw: (
            "/admin/autocomplete/?app_label=fleet&model_name=enrolmentcode&field_name=counter&term="
        ),
        E(),
    ),
    Cell(
        "autocomplete-offerings",
        lambda aw: (
            "/admin/autocomplete/?app_label=catalogue&model_name=copystatus"
            "&field_name=offering&term="
        ),
        E(),
    ),
    Cell("geo-districts", lambda aw: reverse("admin:geo-districts") + "?province=10", E()),
    Cell("geo-subdistricts", lambda aw: reverse("admin:geo-subdistricts") + "?district=1007", E()),
    # the public page: no login, public data by design (no leak check)
    Cell(
        "public-service-page",
        lambda aw: f"/services/ID_RENEW?sp={aw.w.sp.public_id}",
        E(stranger=200, anon=200),
    ),
    # the health check: no login, no agency data (leak-checked like the rest)
    Cell("health", "/health", E(stranger=200, anon=200)),
    # the public directory and open data (central/public): the same for everyone, and
    # never anything private (checked against PRIVATE_MARKERS below)
    Cell("public-directory", "/directory/?province=10", PUBLIC),
    Cell("public-directory-near", "/directory/near?lat=13.75&lon=100.53", PUBLIC),
    Cell("public-point", lambda aw: f"/directory/{aw.w.sp.public_id}", PUBLIC),
    Cell("public-point-other", lambda aw: f"/directory/{aw.w.dlt_sp.public_id}", PUBLIC),
    Cell("public-hsds-root", "/hsds/", PUBLIC),
    Cell("public-hsds-services", "/hsds/services", PUBLIC),
    Cell(
        "public-hsds-service", lambda aw: f"/hsds/services/{_hsds('service', SERVICE(aw))}", PUBLIC
    ),
    Cell("public-hsds-organizations", "/hsds/organizations", PUBLIC),
    Cell(
        "public-hsds-organization",
        lambda aw: f"/hsds/organizations/{_hsds('organization', AGENCY(aw))}",
        PUBLIC,
    ),
    Cell("public-hsds-sals", "/hsds/service_at_locations?per_page=200", PUBLIC),
    Cell(
        "public-hsds-sal",
        lambda aw: f"/hsds/service_at_locations/{_hsds('service_at_location', OFFERING(aw))}",
        PUBLIC,
    ),
    # the comments page (issue 10)
    Cell("commentanalysis-page", admin("comments_commentanalysis_changelist"), E()),
    Cell(
        "commentanalysis-page-filtered-to-other-agency",
        lambda aw: (
            reverse("admin:comments_commentanalysis_changelist")
            + f"?agency={aw.w.bkk.pk}&point={aw.w.sp.pk}&junk=on"
        ),
        E(other=404),
    ),
    Cell(
        "commentanalysis-one-comment",
        admin("comments_commentanalysis_change", RATING),
        E(*(["to:comments_commentanalysis_changelist"] * 4)),
    ),
    Cell(
        "commentanalysis-flag-junk",
        admin("comments_commentanalysis_junk", RATING),
        E(302, 302, 302, 404),
        method="post",
        data={"junk": "1"},
        check=_comment_flagged_iff_allowed,
    ),
]


# -- insights (issue 9): every page, chart CSV, export, alert and job ------------------------


def _bkk_alert(aw):
    from datetime import date

    from django.utils import timezone

    from central.insights.models import Alert

    alert, _ = Alert.unscoped.get_or_create(
        kind=Alert.DROP,
        service_point=aw.w.sp,
        agency=aw.w.bkk,
        month=date(2026, 11, 1),
        defaults={
            "raised_at": timezone.now(),
            "summary_th": "BKKALERT",
            "summary_en": "BKKALERT",
        },
    )
    return alert


def _bkk_job(aw):
    import tempfile

    from central.insights.models import ExportJob

    handle, path = tempfile.mkstemp(suffix=".csv")
    with open(handle, "w") as out:
        out.write("BKKJOBFILE\n")
    return ExportJob.unscoped.create(
        user=aw.users["owner"], agency=aw.w.bkk, fmt="csv", query="", state="done", path=path
    )


ALERT = lambda aw: _bkk_alert(aw).pk  # noqa: E731
JOB = lambda aw: _bkk_job(aw).pk  # noqa: E731


def _alert_state(expected_if_allowed):
    def check(aw, role):
        from central.insights.models import Alert

        state = Alert.unscoped.get(kind="drop", service_point=aw.w.sp).state
        want = expected_if_allowed if role in ALLOWED else "new"
        assert state == want, f"{role}: alert {state}"

    return check


def _days_ago(days: int) -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.localdate() - timedelta(days=days)).isoformat()


def insights(name, query=""):
    return lambda aw: reverse(f"admin:{name}") + (query(aw) if callable(query) else query)


FOREIGN = E(other=404)  # a filter naming the Bangkok office / agency
INSIGHTS_CELLS = [
    Cell("insights-compliance", insights("insights-compliance"), E()),
    Cell("insights-compliance-csv", insights("insights-compliance", "?csv=contradictions"), E()),
    Cell("insights-compliance-trend-csv", insights("insights-compliance", "?csv=trend"), E()),
    Cell("insights-dashboard", insights("insights-dashboard"), E()),
    Cell("insights-dashboard-csv", insights("insights-dashboard", "?csv=breakdown"), E()),
    Cell("insights-dashboard-services-csv", insights("insights-dashboard", "?csv=services"), E()),
    Cell(
        "insights-dashboard-point",
        insights("insights-dashboard", lambda aw: f"?point={aw.w.sp.pk}"),
        FOREIGN,
    ),
    Cell(
        "insights-dashboard-agency",
        insights("insights-dashboard", lambda aw: f"?agency={aw.w.bkk.pk}"),
        FOREIGN,
    ),
    Cell("insights-rankings", insights("insights-rankings", "?min=1"), E()),
    Cell("insights-rankings-csv", insights("insights-rankings", "?min=1&csv=worst"), E()),
    Cell(
        "insights-rankings-counters-csv",
        insights("insights-rankings", "?min=1&csv=counters_best"),
        E(),
    ),
    Cell(
        "insights-rankings-live",  # a custom range: the live SQL, not the snapshot
        insights("insights-rankings", lambda aw: f"?min=1&from={_days_ago(400)}"),
        E(),
    ),
    Cell(
        "insights-rankings-point",
        insights("insights-rankings", lambda aw: f"?min=1&point={aw.w.sp.pk}"),
        FOREIGN,
    ),
    Cell(
        "insights-compliance-live",
        insights("insights-compliance", lambda aw: f"?from={_days_ago(400)}&csv=agencies"),
        E(),
    ),
    Cell("insights-fleet", insights("insights-fleet"), E()),
    Cell("insights-fleet-csv", insights("insights-fleet", "?csv=visit"), E()),
    Cell("insights-fleet-growing-csv", insights("insights-fleet", "?csv=growing"), E()),
    Cell("insights-alerts", lambda aw: (_bkk_alert(aw), reverse("admin:insights-alerts"))[1], E()),
    Cell(
        "insights-alerts-csv",
        lambda aw: (_bkk_alert(aw), reverse("admin:insights-alerts") + "?csv=alerts")[1],
        E(),
    ),
    Cell(
        "insights-alert-acknowledge",
        lambda aw: reverse("admin:insights-alert-action", args=[ALERT(aw), "acknowledge"]),
        E(central=302, owner=302, parent=302, other=404),
        method="post",
        check=_alert_state("acknowledged"),
    ),
    Cell(
        "insights-alert-close",
        lambda aw: reverse("admin:insights-alert-action", args=[ALERT(aw), "close"]),
        E(central=302, owner=302, parent=302, other=404),
        method="post",
        check=_alert_state("closed"),
    ),
    Cell("insights-exports", insights("insights-exports"), E()),
    Cell("insights-export-csv", lambda aw: reverse("admin:insights-export", args=["csv"]), E()),
    Cell("insights-export-xlsx", lambda aw: reverse("admin:insights-export", args=["xlsx"]), E()),
    Cell(
        "insights-export-csv-foreign-point",
        lambda aw: reverse("admin:insights-export", args=["csv"]) + f"?point={aw.w.sp.pk}",
        FOREIGN,
    ),
    Cell(
        "insights-export-queue",
        insights("insights-export-queue"),
        E(central=302, owner=302, parent=302, other=404),
        method="post",
        data=lambda aw: {"fmt": "csv", "agency": aw.w.bkk.pk},
    ),
    Cell(
        "insights-export-download",
        lambda aw: reverse("admin:insights-export-download", args=[JOB(aw)]),
        E(parent=404, other=404),
    ),
    Cell("insights-points", insights("insights-points", "?q=office"), E()),
    Cell(
        "ratings-export-foreign-agency",
        lambda aw: (
            reverse("admin:ratings_rating_export")
            + f"?service_point__agency__id__exact={aw.w.bkk.pk}"
        ),
        FOREIGN,
    ),
]
CELLS += INSIGHTS_CELLS

PARAMS = [pytest.param(cell, role, id=f"{cell.id}-{role}") for cell in CELLS for role in cell.roles]


def _assert_status(response, expected, role):
    if expected == "login":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("admin:login")), response["Location"]
    elif expected == "index":
        assert response.status_code == 302, response.status_code
        assert response["Location"] == reverse("admin:index"), response["Location"]
    elif isinstance(expected, str) and expected.startswith("to:"):
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse(f"admin:{expected[3:]}"))
    else:
        assert response.status_code == expected, (role, response.status_code)


@pytest.mark.parametrize(("cell", "role"), PARAMS)
def test_cell(aw: AdminWorld, db, cell: Cell, role: str):
    client = aw.client(role)
    url = cell.url(aw) if callable(cell.url) else cell.url
    data = cell.data(aw) if callable(cell.data) else (cell.data or {})
    response = getattr(client, cell.method)(url, data)
    expected = cell.expect[role]
    _assert_status(response, expected, role)

    forbidden = aw.forbidden_markers(role)
    if cell.id.startswith("public-") and cell.id != "public-service-page":
        text = body(response)
        leaked = sorted(m for m in PRIVATE_MARKERS(aw) if m in text)
        assert not leaked, f"{role} sees {leaked} in {cell.id}"
    elif cell.id != "public-service-page":
        text = body(response)
        leaked = sorted(m for m in forbidden if m in text)
        assert not leaked, f"{role} sees {leaked} in {cell.id}"
        if expected == "index" or (cell.method == "post" and response.status_code == 302):
            # Follow to the page the user lands on: its messages must not leak either.
            landed = client.get(response["Location"])
            text = body(landed)
            leaked = sorted(m for m in forbidden if m in text)
            assert not leaked, f"{role} sees {leaked} after {cell.id}"
    if cell.check is not None:
        cell.check(aw, role)


def test_matrix_covers_every_registered_admin():
    """A new ModelAdmin must get rows in the matrix."""
    from central.web.admin_site import site

    covered = {cell.id.split("-")[0] for cell in CELLS}
    registered = {model._meta.model_name for model in site._registry}
    aliases = {"enrolmentcode": "code", "auditlog": "audit"}
    missing = {name for name in registered if aliases.get(name, name) not in covered}
    assert not missing, f"add matrix cells for {missing}"


def test_central_admin_sees_both_sides(aw: AdminWorld, db):
    """The positive side of the matrix: the lists show the central admin everything."""
    client = aw.client("central")
    for name in (
        "directory_servicepoint_changelist",
        "directory_counter_changelist",
        "fleet_kiosk_changelist",
        "ratings_rating_changelist",
        "audit_auditlog_changelist",
    ):
        text = client.get(reverse(f"admin:{name}")).content.decode()
        for side in ("bkk", "dlt"):
            assert any(m in text for m in aw.markers[side]), (name, side)
    export = body(client.get(reverse("admin:ratings_rating_export")))
    assert "BKKCOMMENT" in export and "DLTCOMMENT" in export


@pytest.mark.parametrize("role", ["owner", "parent", "other"])
def test_staff_see_their_own_side(aw: AdminWorld, db, role):
    side = "dlt" if role == "other" else "bkk"
    client = aw.client(role)
    for name in (
        "directory_servicepoint_changelist",
        "directory_counter_changelist",
        "fleet_kiosk_changelist",
        "ratings_rating_changelist",
        "audit_auditlog_changelist",
        "catalogue_copystatus_changelist",
    ):
        text = client.get(reverse(f"admin:{name}")).content.decode()
        assert any(m in text for m in aw.markers[side]), (name, role)
    export = body(client.get(reverse("admin:ratings_rating_export")))
    assert ("DLTCOMMENT" if side == "dlt" else "BKKCOMMENT") in export
