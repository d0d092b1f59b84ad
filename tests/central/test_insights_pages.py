"""Insights: the maths, what the pages and exports say, alerts, jobs and the demo data.

Ratings are stored the way ingest stores them (keys, rows, rollups in one transaction) by
``_store``; scope leaks are covered by test_scope_matrix.py."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from central.insights import alerts, rollups, stats, xlsx
from central.insights.models import Alert, ExportJob, PointMonth
from central.ratings.models import Rating, RatingKey
from tests.central.admin_world import body, make_user
from tests.central.helpers import enrol_kiosk


def _store(counter, kiosk, service, scores, *, copy=None, when=None, sp=None):
    """Ratings with these scores (and 'asked for a copy' answers) at ``counter``."""
    sp = sp or counter.service_point
    when = when or timezone.now() - timedelta(days=3)
    batch = uuid.uuid4()
    rows = []
    for i, score in enumerate(scores):
        at = when - timedelta(minutes=i)
        rows.append(
            Rating(
                uuid=uuid.uuid4(), kiosk=kiosk, service_point=sp, counter=counter,
                service=service, score=score,
                asked_for_copy=None if copy is None else copy[i % len(copy)],
                kiosk_time=at, kiosk_seq=i, received_at=at, rated_at=at, skew_seconds=0,
                batch_id=batch,
            )
        )  # fmt: skip
    with transaction.atomic():
        RatingKey.objects.bulk_create([RatingKey(uuid=r.uuid, batch_id=batch) for r in rows])
        Rating.objects.bulk_create(rows)
        rollups.add(rows, sp.agency_id, sp.province_code)
    return rows


@pytest.fixture
def staff(world):
    client = Client(raise_request_exception=True)
    client.force_login(make_user("bkk_staff", agency=world.bkk))
    return client


@pytest.fixture
def boss(world):
    client = Client(raise_request_exception=True)
    client.force_login(make_user("boss", central=True))
    return client


# -- maths -----------------------------------------------------------------------------------


def test_three_lucky_ratings_do_not_beat_a_thousand_good_ones():
    many_points = [[5, 5, 20, 50, 20], [2, 5, 20, 45, 28], [8, 10, 25, 40, 17], [1, 2, 10, 50, 37]]
    prior = stats.estimate_prior(many_points)
    lucky = stats.fair_score([([0, 0, 0, 0, 3], prior)])
    solid = stats.fair_score([([10, 20, 60, 400, 510], prior)])
    assert lucky.raw_mean == 5.0 and solid.raw_mean < 4.4
    assert solid.score > lucky.score
    assert lucky.high - lucky.low > solid.high - solid.low  # few ratings: wide interval


def test_wilson_interval_brackets_the_share():
    low, high = stats.wilson(30, 100)
    assert 0.21 < low < 0.30 < high < 0.40
    assert stats.wilson(0, 0) is None


# -- pages -----------------------------------------------------------------------------------


def test_compliance_lists_a_no_copy_office_where_citizens_are_asked(staff, world):
    kiosk = enrol_kiosk(world.counter).kiosk
    # ID_RENEW at the Bangkok office is declared No Copy (world): 12 of 30 asked anyway.
    _store(world.counter, kiosk, world.id_renew, [4] * 30, copy=[True] * 2 + [False] * 3)
    # MOVE_IN there still requires a copy: being asked is no contradiction.
    _store(world.counter2, kiosk, world.move_in, [4] * 30, copy=[True])
    page = staff.get(reverse("admin:insights-compliance"))
    assert page.status_code == 200
    rows = page.context["c"]["contradictions"]
    assert [(r["service"].code, r["yes"], r["answers"]) for r in rows] == [("ID_RENEW", 12, 30)]
    edit = reverse("admin:catalogue_offering_change", args=[world.offering_id_renew.pk])
    assert edit in page.content.decode()
    csv_text = body(staff.get(reverse("admin:insights-compliance") + "?csv=contradictions"))
    assert csv_text.startswith("\ufeff") and "ID_RENEW,30,12,40.0" in csv_text


def test_dashboard_counts_trend_breakdown_and_refuses_bad_filters(staff, world):
    kiosk = enrol_kiosk(world.counter).kiosk
    _store(world.counter, kiosk, world.id_renew, [5, 4, 1, 2])
    page = staff.get(reverse("admin:insights-dashboard") + "?grain=week")
    assert page.status_code == 200
    assert page.context["head"]["n"] == 4 and page.context["head"]["mean"] == 3.0
    assert sum(r["n"] for r in page.context["parts"]) == 4
    assert page.context["level"] == "agency"
    drill = staff.get(reverse("admin:insights-dashboard") + f"?point={world.sp.pk}")
    assert drill.context["level"] == "counter" and drill.context["parts"][0]["n"] == 4
    assert staff.get(reverse("admin:insights-dashboard") + "?from=2026-13-01").status_code == 400
    assert staff.get(reverse("admin:insights-dashboard") + "?grain=year").status_code == 400
    assert staff.get(reverse("admin:insights-dashboard") + "?csv=nothing").status_code == 404
    html = page.content.decode()
    assert "<script>" not in html.replace('<script id="', "")  # charts: static JS + json_script
    assert "vendor/chart.js/chart.umd.min.js" in html


def test_rankings_hide_points_below_the_minimum(staff, world):
    kiosk = enrol_kiosk(world.counter).kiosk
    _store(world.counter, kiosk, world.id_renew, [5, 5, 5])
    page = staff.get(reverse("admin:insights-rankings"))
    assert page.context["ranks"]["ranked"] == 0 and page.context["ranks"]["below_min"] == 1
    page = staff.get(reverse("admin:insights-rankings") + "?min=3")
    assert page.context["ranks"]["ranked"] == 1
    assert "Three lucky 5s" in page.content.decode() or "โชคดี" in page.content.decode()


def test_point_search_finds_in_scope_only(staff, world):
    found = staff.get(reverse("admin:insights-points") + "?q=pathumwan").json()["results"]
    assert [r["id"] for r in found] == [world.sp.pk]
    assert staff.get(reverse("admin:insights-points") + "?q=dlt-bkk1").json()["results"] == []


# -- exports ---------------------------------------------------------------------------------


def test_csv_and_xlsx_exports_hold_the_filtered_ratings(boss, world):
    kiosk = enrol_kiosk(world.counter).kiosk
    dlt_kiosk = enrol_kiosk(world.dlt_counter).kiosk
    _store(world.counter, kiosk, world.id_renew, [1, 2, 3])
    _store(world.dlt_counter, dlt_kiosk, world.dl_renew, [5])
    query = f"?agency={world.dopa.pk}"
    text = body(boss.get(reverse("admin:insights-export", args=["csv"]) + query))
    lines = text.strip().splitlines()
    assert len(lines) == 4 and all("bkk-pathumwan" in line for line in lines[1:])
    raw = b"".join(boss.get(reverse("admin:insights-export", args=["xlsx"]) + query))
    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    values = list(book.worksheets[0].values)
    assert values[0][0] == "uuid" and len(values) == 4
    assert sorted(v[values[0].index("score")] for v in values[1:]) == [1, 2, 3]


def test_xlsx_continues_on_a_new_sheet_past_the_row_limit():
    raw = b"".join(xlsx.stream(["n", "text"], ([i, f"row {i}"] for i in range(7)), max_rows=4))
    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    sheets = [list(ws.values) for ws in book.worksheets]
    assert [len(s) for s in sheets] == [4, 4, 2]  # header + 3, header + 3, header + 1
    assert all(s[0] == ("n", "text") for s in sheets)
    assert [r[0] for s in sheets for r in s[1:]] == list(range(7))


def test_a_big_export_becomes_a_job_the_worker_finishes(boss, world, settings, tmp_path):
    settings.CP_EXPORT_INLINE_MAX_ROWS = 2
    settings.DATA_DIR = tmp_path
    kiosk = enrol_kiosk(world.counter).kiosk
    _store(world.counter, kiosk, world.id_renew, [4, 4, 5])
    assert boss.get(reverse("admin:insights-export", args=["csv"])).status_code == 409
    queued = boss.post(reverse("admin:insights-export-queue"), {"fmt": "csv"})
    assert queued.status_code == 302
    job = ExportJob.unscoped.get()
    assert job.state == ExportJob.QUEUED
    call_command("insights_worker", "--once", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.state == ExportJob.DONE
    download = boss.get(reverse("admin:insights-export-download", args=[job.pk]))
    assert download.status_code == 200
    assert len(b"".join(download.streaming_content).decode("utf-8-sig").splitlines()) == 4


# -- alerts ----------------------------------------------------------------------------------


def test_a_clear_drop_raises_one_alert_that_staff_handle_and_the_digest_reports(staff, world):
    kiosk = enrol_kiosk(world.counter).kiosk
    today = timezone.localdate()
    month = date(today.year, today.month, 1)
    base_day = datetime(month.year - (month.month <= 4), (month.month - 5) % 12 + 1, 10, tzinfo=UTC)
    _store(world.counter, kiosk, world.id_renew, [5, 4, 5, 4] * 20, when=base_day)
    _store(world.counter, kiosk, world.id_renew, [2, 3, 1, 2] * 10, when=timezone.now())
    assert alerts.scan() == 1
    assert alerts.scan() == 0  # one per point, kind and month
    alert = Alert.unscoped.get()
    assert alert.kind == Alert.DROP and alert.agency == world.bkk
    staff_user = make_user("bkk_mail", agency=world.bkk)
    staff_user.email = "bkk@example.invalid"
    staff_user.save()
    assert alerts.send_digest() >= 1
    assert any("bkk@example.invalid" in m.to for m in mail.outbox)
    page = staff.get(reverse("admin:insights-alerts"))
    assert alert in page.context["alerts"]
    staff.post(reverse("admin:insights-alert-action", args=[alert.pk, "acknowledge"]))
    staff.post(reverse("admin:insights-alert-action", args=[alert.pk, "close"]))
    alert.refresh_from_db()
    assert alert.state == Alert.CLOSED and alert.changed_by.username == "bkk_staff"
    from central.audit.models import AuditLog

    actions = list(
        AuditLog.objects.filter(object_type="insights.alert").values_list("action", flat=True)
    )
    assert sorted(actions) == ["alert.acknowledge", "alert.close", "alert.raise"]


# -- demo ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_ratings_tell_the_story():
    out = io.StringIO()
    call_command("demo", "--ratings", "3000", "--password", "pw-demo-12345", stdout=out)
    assert "Demo ratings: 3000" in out.getvalue()
    assert Rating.objects.count() == 3000 == RatingKey.objects.count()
    total = sum(sum(getattr(r, c) for c in ("n1", "n2", "n3", "n4", "n5"))
                for r in PointMonth.unscoped.all())  # fmt: skip
    assert total == 3000
    weekend = sum(
        1 for r in Rating.objects.only("rated_at") if timezone.localtime(r.rated_at).weekday() >= 5
    )
    assert weekend < 3000 * 0.06
    from central.insights import data
    from central.insights.filters import Filters
    from central.scope import Scope

    f = Filters(
        start=timezone.localdate() - timedelta(days=200), end=timezone.localdate(), min_n=20
    )
    ranks = data.rank_points(Scope(is_central=True), f)
    worst = {r["obj"].code for r in ranks["clearly_worst"]}
    assert {"bkk-bangkapi", "dlt-kkn"} <= worst
    flagged = {
        r["point"].code for r in data.compliance(Scope(is_central=True), f)["contradictions"]
    }
    assert "cmi-mueang" in flagged and "bkk-pathumwan" not in flagged


def test_ratings_list_filters_any_of_many_points_and_counts_bounded(boss, world, monkeypatch):
    from central.directory.models import Counter, ServicePoint
    from central.insights import listing
    from tests.central.helpers import make_point

    points = [make_point(f"many-{i:03d}", world.bkk) for i in range(412)]
    last = points[-1]
    counter = Counter.objects.create(service_point=last, number=1, name_th="ช่อง 1")
    kiosk = enrol_kiosk(counter).kiosk
    _store(counter, kiosk, None, [3, 4, 5, 2, 1])
    url = reverse("admin:ratings_rating_changelist")
    page = boss.get(url, {"service_point__id__exact": last.pk})
    assert page.status_code == 200 and page.context["cl"].result_count == 5
    html = page.content.decode()
    assert 'id="cp-point-text"' in html and reverse("admin:insights-points") in html
    assert "many-000" not in html  # no list of hundreds of points
    found = boss.get(reverse("admin:insights-points"), {"q": "many-411"}).json()["results"]
    assert [r["id"] for r in found] == [last.pk]
    assert ServicePoint.objects.count() > 400
    monkeypatch.setattr(listing, "CAP", 3)
    capped = boss.get(url)
    assert capped.context["cl"].result_count == 4  # CAP + 1: "more than 3", never a full count
    assert "cp-count-cap" in capped.content.decode()
