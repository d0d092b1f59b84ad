"""Rollups are written in the same transaction as the ratings, count each UUID once, agree
with a rebuild from raw rows, and (PostgreSQL) ratings land in monthly partitions."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import Sum

from central.insights import rollups
from central.insights.models import AgencyDay, AgencyHour, PointMonth
from central.ratings import partitions
from central.ratings.models import Rating, RatingKey
from tests.central.helpers import post_json, rating, requires_postgres

URL = "/api/v1/kiosk/ratings"


def _snapshot():
    def rows(model):
        return sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k != "id"))
            for row in model.unscoped.values()
        )

    return rows(PointMonth), rows(AgencyDay), rows(AgencyHour)


def test_ingest_keeps_rollups_current_and_counts_each_uuid_once(api, kiosk, world):
    items = [
        rating(seq=1, score=1, asked_for_copy=True, kiosk_time="2026-11-23T09:15:00+07:00"),
        rating(seq=2, score=2, asked_for_copy=True, kiosk_time="2026-11-23T09:45:00+07:00"),
        rating(seq=3, score=5, asked_for_copy=False, kiosk_time="2026-11-24T14:00:00+07:00"),
        rating(seq=4, score=4, asked_for_copy=None, service_code=None,
               kiosk_time="2026-10-31T23:30:00+07:00", dimensions=["documents"]),
    ]  # fmt: skip
    assert post_json(api, URL, {"ratings": items}, **kiosk.auth).status_code == 200
    # The same batch again (a lost answer, a retry): nothing counted twice.
    assert post_json(api, URL, {"ratings": items}, **kiosk.auth).status_code == 200
    assert Rating.objects.count() == 4 == RatingKey.objects.count()

    nov = PointMonth.unscoped.get(month=date(2026, 11, 1), service_key=world.id_renew.pk)
    assert (nov.n1, nov.n2, nov.n3, nov.n4, nov.n5) == (1, 1, 0, 0, 1)
    assert (nov.copy_yes, nov.copy_no) == (2, 1)
    assert nov.agency_id == world.bkk.pk and nov.province_code == "10"
    # 23:30 Bangkok on 31 October is October locally (16:30 UTC), and an unknown service
    # counts for the point under service_key 0.
    octo = PointMonth.unscoped.get(month=date(2026, 10, 1))
    assert octo.service_key == 0 and octo.n4 == 1 and octo.d_documents == 1
    day = AgencyDay.unscoped.get(day=date(2026, 11, 23))
    assert (day.n1, day.n2, day.n5) == (1, 1, 0)
    hours = dict(AgencyHour.unscoped.filter(day=date(2026, 11, 23)).values_list("hour", "n"))
    assert hours == {9: 2}
    assert AgencyHour.unscoped.aggregate(s=Sum("score_sum"))["s"] == 12

    before = _snapshot()
    rollups.rebuild()
    assert _snapshot() == before


def test_a_failed_batch_leaves_no_rollup_behind(api, kiosk, world, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("rollup write failed")

    monkeypatch.setattr(rollups, "add", boom)
    response = post_json(api, URL, {"ratings": [rating(seq=1)]}, **kiosk.auth)
    assert response.status_code == 500
    assert not Rating.objects.exists() and not RatingKey.objects.exists()
    assert not PointMonth.unscoped.exists()


@requires_postgres
def test_postgres_ratings_table_is_partitioned_by_month(api, kiosk, world):
    assert partitions.is_partitioned()
    partitions.ensure(date(2026, 11, 1), date(2026, 11, 1))
    item = rating(seq=1, kiosk_time="2026-11-23T09:15:00+07:00")
    assert post_json(api, URL, {"ratings": [item]}, **kiosk.auth).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ratings_rating_202611")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM ratings_rating_default")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_partition_helpers_do_nothing_on_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite behaviour")
    assert partitions.ensure(date(2026, 1, 1), date(2026, 12, 1)) == []


@pytest.mark.django_db
def test_a_rollup_query_that_forgot_the_scope_fails_loudly():
    from central.scope import Scope, ScopeRequired

    with pytest.raises(ScopeRequired):
        list(PointMonth.objects.all())
    with pytest.raises(ScopeRequired):
        AgencyDay.objects.filter(day=date(2026, 1, 1)).exists()
    assert list(PointMonth.objects.scoped(Scope())) == []
