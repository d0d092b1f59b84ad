"""POST /api/v1/kiosk/ratings: per-item results, idempotency, item-level rejection, skew."""

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

from central.fleet.models import Kiosk
from central.ratings.models import Rating
from protocol import codec, models
from tests.central.helpers import enrol_kiosk, post_json, rating, requires_postgres

URL = "/api/v1/kiosk/ratings"


def _post(api, kiosk, items):
    response = post_json(api, URL, {"ratings": items}, **kiosk.auth)
    assert response.status_code == 200, response.content
    body = response.json()
    codec.convert(body, models.RatingsResponse)
    assert len(body["results"]) == len(items)
    return body


def _statuses(body):
    return [r["status"] for r in body["results"]]


def test_accepts_and_stores_every_field(api, kiosk, world):
    item = rating(
        seq=1042, score=4, dimensions=["documents", "outcome"], asked_for_copy=True,
        comment="เจ้าหน้าที่บริการดี\nขอบคุณ", interval_flag=True,
        kiosk_time="2026-11-23T10:15:00.5+07:00",
    )  # fmt: skip
    before = datetime.now(UTC)
    body = _post(api, kiosk, [item])
    assert body["results"] == [{"uuid": item["uuid"], "status": "accepted", "reason": None}]
    stored = Rating.objects.get()
    assert str(stored.uuid) == item["uuid"]
    assert (stored.kiosk, stored.service_point, stored.counter) == (
        kiosk.kiosk, world.sp, world.counter,
    )  # fmt: skip
    assert stored.service == world.id_renew and stored.score == 4
    assert stored.dimensions == ["documents", "outcome"]
    assert stored.dim_documents and stored.dim_outcome and not stored.dim_staff
    assert stored.asked_for_copy is True and stored.comment == item["comment"]
    assert stored.kiosk_seq == 1042 and stored.interval_flag is True
    assert stored.kiosk_time == datetime(2026, 11, 23, 3, 15, 0, 500000, tzinfo=UTC)
    assert before <= stored.received_at <= datetime.now(UTC)
    assert datetime.fromisoformat(body["server_time"]) == stored.received_at


def test_same_batch_twice_is_stored_once(api, kiosk):
    items = [rating(seq=i) for i in range(50)]
    assert _statuses(_post(api, kiosk, items)) == ["accepted"] * 50
    again = _post(api, kiosk, items)
    assert _statuses(again) == ["duplicate"] * 50
    assert [r["uuid"] for r in again["results"]] == [i["uuid"] for i in items]
    assert Rating.objects.count() == 50


def test_partly_seen_batch_and_repeat_inside_one_batch(api, kiosk):
    old = rating()
    _post(api, kiosk, [old])
    new = rating()
    body = _post(api, kiosk, [new, old, new, rating(score=0), new])
    assert _statuses(body) == ["accepted", "duplicate", "duplicate", "rejected", "duplicate"]
    assert Rating.objects.count() == 2


def test_uuid_case_does_not_make_a_second_rating(api, kiosk):
    item = rating()
    _post(api, kiosk, [item])
    body = _post(api, kiosk, [dict(item, uuid=item["uuid"].upper())])
    assert _statuses(body) == ["duplicate"]


def test_the_same_uuid_from_another_kiosk_is_a_duplicate(api, kiosk, world):
    other = enrol_kiosk(world.counter2)
    item = rating()
    _post(api, kiosk, [item])
    assert _statuses(_post(api, other, [item])) == ["duplicate"]
    assert Rating.objects.get().kiosk == kiosk.kiosk


BAD_ITEMS = [
    ("score", {"score": 0}, "score"),
    ("score", {"score": 6}, "score"),
    ("score", {"score": 4.0}, "score"),
    ("score", {"score": True}, "score"),
    ("score", {"score": "5"}, "score"),
    ("uuid", {"uuid": "not-a-uuid"}, "uuid"),
    ("uuid", {"uuid": "00000000-0000-0000-0000-000000000000"}, "uuid"),
    ("uuid", {"uuid": "0b1d2c3e4f504a6b8c7d9e0f1a2b3c4d"}, "uuid"),
    ("uuid", {"uuid": "{0b1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d}"}, "uuid"),
    ("uuid", {"uuid": 12345}, "uuid"),
    ("seq", {"seq": -1}, "seq"),
    ("seq", {"seq": 2**63}, "seq"),
    ("seq", {"seq": "1"}, "seq"),
    ("seq", {"seq": False}, "seq"),
    ("kiosk_time", {"kiosk_time": "2026-11-23T10:15:00"}, "kiosk_time"),
    ("kiosk_time", {"kiosk_time": "2026-11-23 10:15:00+07:00"}, "kiosk_time"),
    ("kiosk_time", {"kiosk_time": "2026-13-40T10:15:00+07:00"}, "kiosk_time"),
    ("kiosk_time", {"kiosk_time": "0001-01-01T00:00:00+01:00"}, "kiosk_time"),
    ("kiosk_time", {"kiosk_time": 1763867700}, "kiosk_time"),
    ("kiosk_time", {"kiosk_time": "2026-W48"}, "kiosk_time"),
    ("service_code", {"service_code": "id_renew"}, "service_code"),
    ("service_code", {"service_code": 7}, "service_code"),
    ("dimensions", {"dimensions": ["staff", "staff"]}, "dimensions"),
    ("dimensions", {"dimensions": ["speed"]}, "dimensions[0]"),
    ("dimensions", {"dimensions": "staff"}, "dimensions"),
    ("dimensions", {"dimensions": None}, "dimensions"),
    ("asked_for_copy", {"asked_for_copy": 0}, "asked_for_copy"),
    ("asked_for_copy", {"asked_for_copy": "no"}, "asked_for_copy"),
    ("comment", {"comment": "x" * 501}, "comment"),
    ("comment", {"comment": "nul\u0000byte"}, "comment"),
    ("comment", {"comment": "lone \ud800 surrogate"}, "comment"),
    ("comment", {"comment": ["a"]}, "comment"),
    ("interval_flag", {"interval_flag": None}, "interval_flag"),
    ("interval_flag", {"interval_flag": 1}, "interval_flag"),
    ("unknown field", {"extra": 1}, "extra"),
    ("unknown field", {"service_point": "sp-000001"}, "service_point"),
]


@pytest.mark.parametrize(
    "_, change, reason", BAD_ITEMS, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD_ITEMS)]
)
def test_a_bad_item_is_rejected_alone(api, kiosk, _, change, reason):
    good_before, bad, good_after = rating(), rating(**change), rating()
    body = _post(api, kiosk, [good_before, bad, good_after])
    assert _statuses(body) == ["accepted", "rejected", "accepted"]
    assert reason in body["results"][1]["reason"]
    stored = {str(u) for u in Rating.objects.values_list("uuid", flat=True)}
    assert stored == {good_before["uuid"], good_after["uuid"]}


@pytest.mark.parametrize("field", list(rating()))
def test_every_field_is_required(api, kiosk, field):
    item = rating()
    del item[field]
    body = _post(api, kiosk, [item])
    assert body["results"][0]["status"] == "rejected"
    assert body["results"][0]["reason"] == f"{field}: is required"
    assert Rating.objects.count() == 0


def test_rejected_result_echoes_what_it_can(api, kiosk):
    body = _post(api, kiosk, [rating(uuid=None, score=9), rating(uuid="x" * 300)])
    assert body["results"][0]["uuid"] is None
    assert body["results"][1]["uuid"] == "x" * 100


def test_optional_values_may_be_null_or_empty(api, kiosk):
    body = _post(
        api, kiosk,
        [rating(service_code=None, dimensions=[], asked_for_copy=None, comment=None),
         rating(comment="", kiosk_time="2026-11-23T03:15:00Z"),
         rating(comment="x" * 500, kiosk_time="2026-11-23t03:15:00.123456789z")],
    )  # fmt: skip
    assert _statuses(body) == ["accepted"] * 3
    assert Rating.objects.filter(service__isnull=True).count() == 1


@pytest.mark.parametrize("code", ["DL_RENEW", "NOPE"])  # another office's; unknown anywhere
def test_a_service_not_offered_here_is_stored_as_unknown_not_rejected(api, kiosk, world, code):
    before, item, after = rating(), rating(service_code=code, score=2), rating()
    assert _statuses(_post(api, kiosk, [before, item, after])) == ["accepted"] * 3
    stored = Rating.objects.get(uuid=item["uuid"])
    assert stored.service is None and stored.score == 2
    assert stored.unknown_service_code == code
    assert stored.unknown_service_reason == "not offered at this kiosk's service point"
    assert (stored.service_point, stored.counter) == (world.sp, world.counter)
    # It counts for the service point with the others; known ones are not marked.
    assert Rating.objects.filter(service_point=world.sp).count() == 3
    assert Rating.objects.filter(unknown_service_code="").count() == 2
    assert _statuses(_post(api, kiosk, [item])) == ["duplicate"]


def test_service_removed_from_the_office_still_counts(api, kiosk, world):
    world.offering_move_in.delete()
    body = _post(api, kiosk, [rating(service_code="MOVE_IN")])
    assert _statuses(body) == ["accepted"]
    assert Rating.objects.get().service == world.move_in


def test_500_items_is_the_limit(api, kiosk):
    items = [rating(seq=i, comment="ความคิดเห็น " * 40) for i in range(500)]
    assert _statuses(_post(api, kiosk, items)) == ["accepted"] * 500
    assert Rating.objects.count() == 500
    over = [rating(seq=i) for i in range(501)]
    response = post_json(api, URL, {"ratings": over}, **kiosk.auth)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request", "detail": "ratings: must have at most 500 items",
    }  # fmt: skip
    assert Rating.objects.count() == 500


def test_largest_possible_valid_batch_fits_the_body_limit(api, kiosk):
    # 500 comments of 500 emoji, JSON-escaped as surrogate pairs (12 bytes a character).
    items = [rating(seq=i, comment="\U0001f600" * 500) for i in range(500)]
    body = json.dumps({"ratings": items}, indent=2)
    assert len(body) > 3_000_000
    response = post_json(api, URL, body, **kiosk.auth)
    assert response.status_code == 200
    assert Rating.objects.count() == 500


@pytest.mark.parametrize(
    "envelope",
    [
        [],
        {},
        {"ratings": None},
        {"ratings": {}},
        {"ratings": [rating()], "kiosk": "x"},
        {"Ratings": []},
        {"ratings": [rating(), 5]},
        {"ratings": [rating(), [rating()]]},
        {"ratings": [rating(), None]},
        "ratings",
        None,
    ],
)
def test_bad_envelope_refuses_the_whole_request(api, kiosk, envelope):
    response = post_json(api, URL, json.dumps(envelope), **kiosk.auth)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    codec.convert(response.json(), models.Error)
    assert Rating.objects.count() == 0


def test_skew_flags(api, kiosk):
    now = datetime.now(UTC)
    items = [
        rating(kiosk_time=(now - timedelta(days=3)).isoformat()),  # queued offline: fine
        rating(kiosk_time=(now + timedelta(minutes=5)).isoformat()),  # small: fine
        rating(kiosk_time=(now + timedelta(minutes=30)).isoformat()),  # clock ahead
        rating(kiosk_time="1970-01-01T00:00:05+00:00"),  # clock reset
    ]
    assert _statuses(_post(api, kiosk, items)) == ["accepted"] * 4
    by_uuid = {str(r.uuid): r for r in Rating.objects.all()}
    flags = [by_uuid[i["uuid"]].skew_flag for i in items]
    assert flags == [False, False, True, True]
    queued = by_uuid[items[0]["uuid"]]
    assert queued.rated_at == queued.kiosk_time
    assert -3 * 86400 - 60 < queued.skew_seconds < -3 * 86400 + 60
    ahead = by_uuid[items[2]["uuid"]]
    assert ahead.rated_at == ahead.received_at and 1700 < ahead.skew_seconds < 1900
    assert Kiosk.objects.get(pk=kiosk.kiosk.pk).skew_flag is True


def test_kiosk_known_to_be_skewed_flags_its_ratings(api, kiosk):
    Kiosk.objects.filter(pk=kiosk.kiosk.pk).update(skew_flag=True)
    _post(api, kiosk, [rating(kiosk_time=(datetime.now(UTC) - timedelta(hours=1)).isoformat())])
    stored = Rating.objects.get()
    assert stored.skew_flag and stored.rated_at == stored.received_at


def test_empty_batch(api, kiosk):
    assert _post(api, kiosk, [])["results"] == []


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_same_batch_from_two_threads_at_once_is_stored_once(world):
    kiosk = enrol_kiosk(world.counter)
    items = [rating(seq=i) for i in range(300)]
    barrier = threading.Barrier(4)
    bodies = []

    def send():
        try:
            barrier.wait()
            response = post_json(Client(), URL, {"ratings": items}, **kiosk.auth)
            bodies.append(response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Rating.objects.count() == 300
    assert len({str(u) for u in Rating.objects.values_list("uuid", flat=True)}) == 300
    # Every item is accepted by exactly one request and a duplicate for the others.
    for index, item in enumerate(items):
        statuses = sorted(body["results"][index]["status"] for body in bodies)
        assert statuses == ["accepted", "duplicate", "duplicate", "duplicate"], item


def test_uuid_param_is_really_unique(api, kiosk):
    same = str(uuid.uuid4())
    _post(api, kiosk, [rating(uuid=same)])
    assert _statuses(_post(api, kiosk, [rating(uuid=same, score=1)])) == ["duplicate"]
    assert Rating.objects.get().score == 5


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_in_opposite_orders_do_not_deadlock(world):
    kiosk = enrol_kiosk(world.counter)
    statuses = []
    for round_ in range(5):
        items = [rating(seq=round_ * 100 + i) for i in range(100)]
        barrier = threading.Barrier(2)

        def send(batch, barrier=barrier):
            try:
                barrier.wait()
                statuses.append(
                    post_json(Client(), URL, {"ratings": batch}, **kiosk.auth).status_code
                )
            finally:
                connection.close()

        threads = [
            threading.Thread(target=send, args=(items,)),
            threading.Thread(target=send, args=(items[::-1],)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [200] * 10
    assert Rating.objects.count() == 500
