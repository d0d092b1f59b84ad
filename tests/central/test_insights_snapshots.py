"""Insights at national scale: the standard windows' snapshots show what the live SQL
shows, a stale snapshot is refreshed, counters are ranked, growing queues, the No Copy
trend with the status declared in each month, and the PostgreSQL export paths (COPY, XML
rows made by the database) write what the portable path writes."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from central.catalogue.models import CopyStatus, DeclaredNoCopy
from central.fleet import queues
from central.fleet.models import Kiosk, QueueSample
from central.insights import data, exports, snapshots, stats
from central.insights.filters import Filters
from central.insights.models import Snapshot
from central.scope import Scope, scope_for
from tests.central.admin_world import make_user
from tests.central.helpers import enrol_kiosk
from tests.central.test_insights_pages import _store

CENTRAL = Scope(is_central=True)


@pytest.fixture
def boss(world):
    client = Client(raise_request_exception=True)
    client.force_login(make_user("boss", central=True))
    return client


def _filters(days: int, **kwargs) -> Filters:
    today = timezone.localdate()
    return Filters(start=today - timedelta(days=days - 1), end=today, **kwargs)


def _populate(world) -> dict:
    cache.clear()  # the national priors are cached per month range
    k1 = enrol_kiosk(world.counter).kiosk
    k2 = enrol_kiosk(world.counter2).kiosk
    k3 = enrol_kiosk(world.dlt_counter).kiosk
    _store(world.counter, k1, world.id_renew, [5, 4, 5, 4, 5, 3] * 5, copy=[True, False, False])
    _store(world.counter, k1, world.move_in, [4, 3, 4] * 4, copy=[True])
    _store(world.counter2, k2, world.move_in, [2, 3, 1, 2, 3] * 6, copy=[True, False])
    _store(world.dlt_counter, k3, world.dl_renew, [4, 4, 3, 5] * 8, copy=[False])
    _store(world.counter, k1, None, [1, 2])  # a service central did not know
    return {"bkk": k1, "bkk2": k2, "dlt": k3}


def _plain(result: dict) -> dict:
    def items(key):
        return [
            (r["obj"].pk, r["fair"].n, round(r["fair"].score, 9), round(r["fair"].low, 9),
             round(r["fair"].prior_mean, 9))
            for r in result[key]
        ]  # fmt: skip

    return {
        "best": items("best"),
        "worst": items("worst"),
        "clearly_worst": items("clearly_worst"),
        "ranked": result["ranked"],
        "below_min": result["below_min"],
    }


@pytest.mark.parametrize("entity", ["point", "counter"])
def test_snapshot_shows_what_the_live_sql_shows(world, entity):
    _populate(world)
    staff = scope_for(make_user("bkk_staff", agency=world.bkk))
    for scope in (CENTRAL, staff):
        for days in snapshots.WINDOWS:
            for service in (None, world.move_in):
                for min_n in (1, 20):
                    f = _filters(days, min_n=min_n, service=service)
                    from_snapshot = data.rank(scope, f, entity)
                    assert from_snapshot["snapshot"] is not None
                    live = data.rank(scope, f, entity, live=True)
                    assert live["snapshot"] is None
                    assert _plain(from_snapshot) == _plain(live), (scope, days, service, min_n)
                    assert from_snapshot["ranked"] > 0
    f = _filters(365, min_n=1)
    assert data.rank_services(CENTRAL, f) == data.rank_services(CENTRAL, f, live=True)
    assert data.rank_services(staff, f) == data.rank_services(staff, f, live=True)
    # The staff of Bangkok never see the DLT office, from the snapshot or live.
    ranked = data.rank(staff, f, entity)
    shown = {r["obj"].pk for key in ("best", "worst") for r in ranked[key]}
    dlt = world.dlt_sp.pk if entity == "point" else world.dlt_counter.pk
    assert shown and dlt not in shown


def _passing(rows):
    """The candidates that pass the Wilson test (the live SQL returns more candidates and
    leaves the test to Python; the snapshot stores the bound and filters in SQL)."""
    kept = [
        r for r in rows if stats.wilson(r["yes"], r["yes"] + r["no"])[0] >= data.CONTRADICTION_SHARE
    ]
    return sorted(kept, key=lambda r: (r["service_point_id"], r["service_key"]))


def test_compliance_from_the_snapshot_matches_the_live_sql(world):
    _populate(world)
    for scope in (CENTRAL, scope_for(make_user("bkk_staff", agency=world.bkk))):
        f = _filters(180)
        snap = snapshots.current(f, compliance=True)
        assert snap is not None
        rows = _passing(data._contradiction_rows(scope, f, snap))
        live = _passing(data._contradiction_rows(scope, f, None))
        assert rows == live and rows  # ID_RENEW at Bangkok: declared No Copy, 1 in 3 asked
        assert sorted(data.copy_shares(scope, f, snap)) == sorted(data.copy_shares(scope, f, None))
    # A province filter is not in the monthly copy table: the live SQL answers it.
    assert (
        snapshots.current(_filters(180, province=world.sp.province_code), compliance=True) is None
    )


def test_a_stale_snapshot_is_refreshed_and_the_page_says_how_fresh(boss, world, settings):
    kiosks = _populate(world)
    url = reverse("admin:insights-rankings") + "?min=1"
    first = boss.get(url)
    snap = first.context["ranks"]["snapshot"]
    assert snap is not None and snap.days == 365
    before = first.context["ranks"]["ranked"]
    html = first.content.decode()
    assert timezone.localtime(snap.refreshed_at).strftime("%Y-%m-%d %H:%M") in html
    # A new office's ratings arrive: a fresh snapshot does not show them yet ...
    other = enrol_kiosk(world.dlt_counter).kiosk
    assert other != kiosks["dlt"]
    new_point = world.dlt_sp.__class__.objects.create(
        agency=world.dlt, code="dlt-new", name_th="ใหม่", name_en="New",
        province_code=world.dlt_sp.province_code, district_code=world.dlt_sp.district_code,
        subdistrict_code=world.dlt_sp.subdistrict_code, lat=13.8, lon=100.5,
    )  # fmt: skip
    _store(world.dlt_counter, other, world.dl_renew, [5] * 5, sp=new_point)
    assert boss.get(url).context["ranks"]["ranked"] == before
    # ... once it is older than CP_SNAPSHOT_MAX_AGE the page refreshes it first.
    Snapshot.objects.update(refreshed_at=timezone.now() - timedelta(hours=2))
    again = boss.get(url).context["ranks"]
    assert again["snapshot"].pk != snap.pk and again["ranked"] == before + 1
    # The previous snapshot is kept (a page may be reading it), older ones go.
    assert Snapshot.objects.filter(days=365).count() == 2
    Snapshot.objects.filter(pk=again["snapshot"].pk).update(
        refreshed_at=timezone.now() - timedelta(hours=2)
    )
    latest = boss.get(url).context["ranks"]["snapshot"]
    assert set(Snapshot.objects.filter(days=365).values_list("pk", flat=True)) == {
        again["snapshot"].pk,
        latest.pk,
    }
    # A custom range is computed live and says so.
    custom = boss.get(url + f"&from={timezone.localdate() - timedelta(days=500)}")
    assert custom.context["ranks"]["snapshot"] is None
    assert "Custom range" in custom.content.decode() or "กำหนดเอง" in custom.content.decode()
    # The worker refreshes every due window.
    settings.CP_SNAPSHOT_EVERY = 0
    call_command("insights_worker", "--once", stdout=io.StringIO())
    assert set(Snapshot.objects.values_list("days", flat=True)) == set(snapshots.WINDOWS)


def test_counters_are_ranked_with_their_scores(boss, world):
    _populate(world)
    page = boss.get(reverse("admin:insights-rankings") + "?min=1")
    counters = page.context["counters"]
    assert counters["ranked"] == 3
    assert counters["worst"][0]["obj"] == world.counter2  # the 1-3 counter
    assert counters["best"][0]["obj"] != world.counter2
    assert counters["worst"][0]["fair"].n == 30
    text = b"".join(boss.get(reverse("admin:insights-rankings") + "?min=1&csv=counters_worst"))
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[1][2] == "30"
    # Too few ratings: not ranked, but counted.
    page = boss.get(reverse("admin:insights-rankings") + "?min=31")
    assert page.context["counters"]["ranked"] == 2  # counter 1 has 42, the DLT one 32
    assert page.context["counters"]["below_min"] == 1  # counter 2 has 30


def test_growing_queues_are_told_from_long_ones(boss, world):
    growing = enrol_kiosk(world.counter).kiosk
    stuck = enrol_kiosk(world.counter2).kiosk  # long but steady
    foreign = enrol_kiosk(world.dlt_counter).kiosk
    now = timezone.now()
    for hours, depth in [(8, 10), (6, 45), (4, 90), (2, 130), (0, 180)]:
        at = now - timedelta(hours=hours)
        Kiosk.objects.filter(pk=growing.pk).update(last_seen=at, queue_depth=depth)
        Kiosk.objects.filter(pk=stuck.pk).update(last_seen=at, queue_depth=900)
        Kiosk.objects.filter(pk=foreign.pk).update(last_seen=at, queue_depth=depth * 2)
        queues.sample(at)
    assert queues.sample(now) == 0  # sampled already in the last 15 minutes
    found = queues.growing(CENTRAL, now)
    assert set(found) == {growing.pk, foreign.pk}
    assert found[growing.pk]["first"] == 10 and found[growing.pk]["last"] == 180
    bkk = scope_for(make_user("bkk_staff", agency=world.bkk))
    assert set(queues.growing(bkk, now)) == {growing.pk}
    page = boss.get(reverse("admin:insights-fleet"))
    assert page.context["counts"]["growing"] == 2
    table = b"".join(boss.get(reverse("admin:insights-fleet") + "?csv=growing")).decode()
    assert growing.public_id in table and stuck.public_id not in table
    # Samples are kept a week.
    assert QueueSample.objects.count() == 15
    queues.sample(now + queues.RETENTION + timedelta(hours=9))
    assert QueueSample.objects.count() == 0


def _month(day: date) -> date:
    return date(day.year, day.month, 1)


def test_compliance_trend_uses_the_status_declared_in_each_month(boss, world):
    kiosk = enrol_kiosk(world.counter2).kiosk
    now = timezone.now()
    # MOVE_IN at Bangkok requires a copy (world); citizens asked for one, two months ago
    # and now.
    _store(
        world.counter2, kiosk, world.move_in, [4] * 10, copy=[True], when=now - timedelta(days=62)
    )
    _store(world.counter2, kiosk, world.move_in, [4] * 10, copy=[True], when=now)
    assert not DeclaredNoCopy.objects.filter(service_id=world.move_in.pk).exists()
    # Today the office declares No Copy for MOVE_IN.
    status = CopyStatus.objects.get(offering=world.offering_move_in)
    status.status, status.copies, status.reason_th = CopyStatus.NO_COPY, 0, ""
    status.no_copy_since, status.verify_th = timezone.localdate(), "อ่านบัตร"
    status.save()
    period = DeclaredNoCopy.objects.get(service_id=world.move_in.pk)
    assert period.valid_to is None and period.valid_from <= now
    page = boss.get(reverse("admin:insights-compliance"))
    c = page.context["c"]
    assert c["snapshot"] is not None
    by_month = {r["month"]: r["answers"] for r in c["by_month"]}
    this_month = _month(timezone.localdate())
    assert by_month.get(this_month) == 10  # declared No Copy this month
    assert _month(timezone.localdate() - timedelta(days=62)) not in by_month  # not then
    assert c["required"]["answers"] == 10  # two months ago it still required a copy
    # Contradictions use today's declaration: all 20 answers, all "asked".
    assert [(r["service"].code, r["answers"]) for r in c["contradictions"]] == [("MOVE_IN", 20)]
    # The same from the live SQL (a custom range over the same months).
    start = _month(timezone.localdate() - timedelta(days=179))
    live = boss.get(
        reverse("admin:insights-compliance")
        + f"?from={start}&to={timezone.localdate() + timedelta(days=0)}"
    )
    assert {r["month"]: r["answers"] for r in live.context["c"]["by_month"]} == by_month
    # Withdrawn again: the period ends.
    status.status, status.copies, status.reason_th = CopyStatus.COPY_REQUIRED, 1, "เก็บสำเนา"
    status.no_copy_since, status.verify_th = None, ""
    status.save()
    period.refresh_from_db()
    assert period.valid_to is not None


def _csv_rows(chunks) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))


def _xlsx_rows(chunks) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(chunks)), read_only=True)
    return [
        tuple(int(v) if isinstance(v, bool) else v for v in row)
        for ws in book.worksheets
        for row in ws.values
    ]


def test_postgres_exports_write_what_the_portable_path_writes(world):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the COPY / XML-row paths run on PostgreSQL only (SQLite uses the portable one)"
        )
    _populate(world)
    kiosk = enrol_kiosk(world.dlt_counter).kiosk
    rows = _store(world.dlt_counter, kiosk, world.dl_renew, [1, 2])
    rows[0].__class__.objects.filter(uuid=rows[0].uuid).update(
        comment='=HYPERLINK("x") <b>&amp; "quoted", two\nlines \x07bell'
    )
    staff = scope_for(make_user("bkk_staff", agency=world.bkk))
    for scope, f in [(CENTRAL, _filters(90)), (staff, _filters(90)),
                     (CENTRAL, _filters(90, service=world.dl_renew))]:  # fmt: skip
        fast = _csv_rows(exports.csv_stream(scope, f))
        portable = _csv_rows(exports.csv_portable(scope, f))
        assert sorted(fast) == sorted(portable) and len(fast) > 1
        fast_x = _xlsx_rows(exports.xlsx_stream(scope, f))
        portable_x = _xlsx_rows(exports.xlsx_portable(scope, f))
        assert sorted(fast_x, key=str) == sorted(portable_x, key=str)
    comment = [r for r in _csv_rows(exports.csv_stream(CENTRAL, _filters(90))) if "lines" in r[-3]]
    assert comment[0][-3].startswith("'=HYPERLINK")


def test_a_batch_costs_one_rollup_statement_per_table(world):
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from central.insights import rollups
    from central.insights.models import CounterMonth, PointMonth
    from central.ratings.models import Rating

    kiosk = enrol_kiosk(world.counter).kiosk
    rows = _store(world.counter, kiosk, world.id_renew, [3] * 5)  # rollups already hold these
    spread = []
    for i in range(500):  # 500 ratings over ~80 days, two services: many keys per table
        at = timezone.now() - timedelta(hours=4 * i)
        spread.append(
            Rating(
                uuid=rows[0].uuid, kiosk=kiosk, service_point=world.sp, counter=world.counter,
                service=world.id_renew if i % 2 else world.move_in, score=1 + i % 5,
                asked_for_copy=bool(i % 3), kiosk_time=at, kiosk_seq=i, received_at=at,
                rated_at=at, skew_seconds=0, batch_id=rows[0].batch_id,
            )
        )  # fmt: skip
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        rollups.add(spread, world.sp.agency_id, world.sp.province_code)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(writes) == 4  # point-month, agency-day, agency-hour, counter-month
    n = sum(sum(r) for r in PointMonth.unscoped.values_list("n1", "n2", "n3", "n4", "n5"))
    assert n == 505
    assert (
        sum(sum(r) for r in CounterMonth.unscoped.values_list("n1", "n2", "n3", "n4", "n5")) == 505
    )
