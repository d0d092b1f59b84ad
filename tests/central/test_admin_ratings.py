"""Ratings in the admin: a read-only list with filters, and the CSV export (streamed, the
same scope, filters and search as the list)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from central.audit.models import AuditLog
from central.ratings.models import Rating
from tests.central.admin_world import body, build_admin_world
from tests.central.helpers import enrol_kiosk, post_json, rating

LIST = "admin:ratings_rating_changelist"
EXPORT = "admin:ratings_rating_export"


@pytest.fixture
def aw(world):
    aw = build_admin_world(world)
    kiosk = enrol_kiosk(world.counter2)
    items = [
        rating(seq=1, score=1, service_code="MOVE_IN", comment="=SUM(A1:A9)"),
        rating(seq=2, score=2, service_code=None, asked_for_copy=True, interval_flag=True),
        rating(seq=3, score=5, service_code="MOVE_IN", dimensions=["documents"]),
    ]
    response = post_json(Client(), "/api/v1/kiosk/ratings", {"ratings": items}, **kiosk.auth)
    assert response.status_code == 200
    return aw


def _rows(response):
    text = body(response)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_list_filters(aw):
    client = aw.client("owner")
    url = reverse(LIST)
    page = client.get(url)
    assert page.status_code == 200 and "BKKCOMMENT" in page.text
    assert client.get(url, {"score": "1"}).context["cl"].result_count == 1
    assert client.get(url, {"flag": "burst"}).context["cl"].result_count == 1
    assert client.get(url, {"flag": "copy"}).context["cl"].result_count == 1
    assert client.get(url, {"flag": "comment"}).context["cl"].result_count == 2
    services = client.get(url, {"service__id__exact": aw.w.move_in.pk})
    assert services.context["cl"].result_count == 2
    by_point = client.get(url, {"service_point__id__exact": aw.w.sp.pk})
    assert by_point.context["cl"].result_count == 4
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = client.get(url, {"rated_at__gte": str(midnight)})
    assert today.context["cl"].result_count == 4
    # The score is shown with its word, not as a bare number.
    assert "1 · ไม่พอใจมาก" in page.text and "5 · พอใจมาก" in page.text


def test_export_link_carries_the_current_filters(aw):
    page = aw.client("owner").get(reverse(LIST), {"score": "1"})
    assert page.context["export_url"] == reverse(EXPORT) + "?score=1"
    assert "score=1" in page.text


def test_export_streams_exactly_the_filtered_scoped_rows(aw):
    client = aw.client("owner")
    response = client.get(reverse(EXPORT))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert len(rows) == 4 and all(r["agency_code"] == "dopa-bkk" for r in rows)
    assert {r["service_point"] for r in rows} == {aw.w.sp.public_id}
    assert all(r["kiosk"].startswith("ks-") and r["counter"].startswith("ct-") for r in rows)
    by_score = {r["score"]: r for r in rows}
    assert by_score["1"]["comment"] == "'=SUM(A1:A9)"  # not run as a formula
    assert by_score["2"]["service_code"] == "" and by_score["2"]["interval_flag"] == "1"
    assert by_score["2"]["asked_for_copy"] == "1"
    fives = [r for r in rows if r["score"] == "5"]
    assert sorted(r["dim_documents"] for r in fives) == ["0", "1"]
    assert all(r["rated_at"].endswith("+07:00") for r in rows)  # Bangkok time, with offset
    filtered = _rows(client.get(reverse(EXPORT), {"score": "1"}))
    assert [r["score"] for r in filtered] == ["1"]
    searched = _rows(client.get(reverse(EXPORT), {"q": "BKKCOMMENT"}))
    assert [r["comment"] for r in searched] == ["BKKCOMMENT"]


def test_export_is_audited(aw):
    aw.client("owner").get(reverse(EXPORT), {"score": "5"})
    entry = AuditLog.objects.get(action="rating.export")
    assert entry.actor == aw.users["owner"] and entry.agency == aw.w.bkk
    assert entry.after == {"filters": "score=5"}


def test_export_reads_rows_with_a_chunked_iterator(aw, monkeypatch):
    """Memory stays flat: rows come from QuerySet.iterator() in chunks, read only while
    the response is streamed (never a list of every row)."""
    from django.db import connection
    from django.db.models.query import QuerySet
    from django.test.utils import CaptureQueriesContext

    calls = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        calls.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    with CaptureQueriesContext(connection) as before:
        response = aw.client("central").get(reverse(EXPORT))
    assert calls == [2000]
    assert not any('"uuid"' in q["sql"] for q in before.captured_queries)  # not read yet
    with CaptureQueriesContext(connection) as during:
        assert len(_rows(response)) == 5
    assert any('"uuid"' in q["sql"] for q in during.captured_queries)


def test_many_ratings_export_in_full(aw, world):
    kiosk = enrol_kiosk(world.counter)
    base = timezone.now() - timedelta(days=1)
    items = [
        rating(seq=100 + i, kiosk_time=(base + timedelta(seconds=i)).isoformat(), score=3)
        for i in range(450)
    ]
    assert post_json(Client(), "/api/v1/kiosk/ratings", {"ratings": items}, **kiosk.auth)
    rows = _rows(aw.client("owner").get(reverse(EXPORT)))
    assert len(rows) == Rating.objects.filter(service_point=world.sp).count() == 454


def test_rating_detail_is_read_only(aw):
    client = aw.client("owner")
    page = client.get(reverse("admin:ratings_rating_change", args=[aw.bkk_rating.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert "BKKCOMMENT" in page.text
