"""Comments on central: analysed on ingest, backfilled by a command, classified from
stdin, and shown on the comments page (junk hidden, unflag audited, per-topic figures)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from central.audit.models import AuditLog
from central.comments.models import CommentAnalysis
from central.ratings.models import Rating
from protocol.pii import mask as mask_text
from tests.central.admin_world import make_user
from tests.central.helpers import classify_comments, post_json, rating

REPO = Path(__file__).resolve().parents[2]
PAGE = "/admin/comments/commentanalysis/"
COMMENTS = [
    ("เจ้าหน้าที่พูดจาไม่สุภาพ รอนานมาก", ["staff"], 1),
    ("บริการดีมาก ประทับใจ ขอบคุณค่ะ", [], 5),
    ("ยังขอสำเนาบัตรประชาชนอยู่เลย ทั้งที่บอกว่ายกเลิกแล้ว", ["documents"], 2),
    ("ฟหกดฟหกดฟหกด", [], 3),
    (None, ["staff"], 4),
]


def _ingest(api, kiosk, comments=COMMENTS) -> list[dict]:
    items = [
        rating(comment=text, dimensions=dims, score=score, seq=i + 1)
        for i, (text, dims, score) in enumerate(comments)
    ]
    response = post_json(api, "/api/v1/kiosk/ratings", {"ratings": items}, **kiosk.auth)
    assert response.status_code == 200
    assert {r["status"] for r in response.json()["results"]} == {"accepted"}
    return items


def _analysis(item) -> CommentAnalysis | None:
    stored = Rating.objects.get(uuid=uuid.UUID(item["uuid"]))
    return CommentAnalysis.objects.filter(rating=stored).first()


def test_ingest_analyses_each_comment_in_the_same_request(api, kiosk) -> None:
    staff, praise, copy, mash, none = (_analysis(i) for i in _ingest(api, kiosk))
    assert staff.sentiment == "neg" and staff.topics == ["staff", "waiting"]
    assert praise.sentiment == "pos" and not praise.junk
    assert copy.mentions_copy_asked and "documents" in copy.topics
    assert mash.junk and mash.junk_reason == "mashing"
    assert none is None  # no comment, no analysis
    assert CommentAnalysis.objects.count() == 4


def test_a_resent_batch_keeps_one_analysis(api, kiosk) -> None:
    items = _ingest(api, kiosk)
    response = post_json(api, "/api/v1/kiosk/ratings", {"ratings": items}, **kiosk.auth)
    assert {r["status"] for r in response.json()["results"]} == {"duplicate"}
    assert CommentAnalysis.objects.count() == 4


def test_backfill_analyses_stored_comments_and_keeps_an_unflag(world, kiosk) -> None:
    now = datetime.now(UTC)
    made = [
        Rating.objects.create(
            uuid=uuid.uuid4(),
            kiosk=kiosk.kiosk,
            service_point=world.sp,
            counter=world.counter,
            score=2,
            comment=text,
            kiosk_time=now,
            kiosk_seq=i,
            received_at=now,
            rated_at=now,
            skew_seconds=0.0,
            batch_id=uuid.uuid4(),
            dim_facilities=True,
        )  # fmt: skip
        for i, text in enumerate(["ห้องน้ำสกปรกมาก", "ดดดดดดดดดด", "", None])
    ]
    call_command("analyse-comments")
    assert CommentAnalysis.objects.count() == 2
    toilet = CommentAnalysis.objects.get(rating=made[0])
    assert toilet.topics == ["facilities"] and toilet.sentiment == "neg"
    repeated = CommentAnalysis.objects.get(rating=made[1])
    assert repeated.junk
    repeated.junk, repeated.junk_cleared = False, True
    repeated.save()
    call_command("analyse-comments", "--redo")
    assert CommentAnalysis.objects.count() == 2
    assert not CommentAnalysis.objects.get(rating=made[1]).junk  # the admin's word stands


def test_classify_comments_command_writes_one_json_per_line() -> None:
    lines = [
        "เจ้าหน้าที่ใจดีมาก บริการรวดเร็ว",
        "รอนานมาก แย่ที่สุด",
        "ต้องใช้เอกสารอะไรบ้างคะ",
        "asdfghjkl",
        "",
    ]
    out = classify_comments(lines)
    assert len(out) == len(lines)
    for obj in out:
        assert set(obj) == {"sentiment", "score", "topics", "junk"}
        assert obj["sentiment"] in {"pos", "neu", "neg", "q"} and -1 <= obj["score"] <= 1
        assert set(obj["topics"]) <= {
            "process", "staff", "facilities", "outcome", "waiting", "documents"
        }  # fmt: skip
    assert out[0]["sentiment"] == "pos" and out[0]["topics"] == ["staff", "waiting"]
    assert out[1]["sentiment"] == "neg" and out[1]["topics"] == ["waiting"]
    assert out[2]["sentiment"] == "q" and out[2]["topics"] == ["documents"]
    assert out[3]["junk"] is True and out[4]["junk"] is True
    assert out[0]["junk"] is False


@pytest.fixture
def staff_client(world) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(make_user("bkk_comments", agency=world.bkk))
    return client


def test_page_shows_comments_with_figures_and_hides_junk(api, kiosk, staff_client) -> None:
    _ingest(api, kiosk)
    page = staff_client.get(PAGE).content.decode()
    assert "เจ้าหน้าที่พูดจาไม่สุภาพ รอนานมาก" in page
    assert "ฟหกดฟหกดฟหกด" not in page  # junk hidden by default
    assert "ความคิดเห็นของประชาชน" in page and "ถูกขอสำเนา" in page
    assert "ซ่อนความคิดเห็นขยะ: 1" in page
    # per topic: staff has one comment, negative -> 100 %
    assert "100%" in page
    shown = staff_client.get(PAGE, {"junk": "on"}).content.decode()
    assert "ฟหกดฟหกดฟหกด" in shown and "ขยะ: mashing" in shown
    negative = staff_client.get(PAGE, {"sentiment": "neg"}).content.decode()
    assert "บริการดีมาก" not in negative and "รอนานมาก" in negative


def test_page_filters_by_date_and_refuses_bad_input(api, kiosk, staff_client, world) -> None:
    _ingest(api, kiosk)
    empty = staff_client.get(PAGE, {"from": "2001-01-01", "to": "2001-01-02"})
    assert empty.status_code == 200 and "รอนานมาก" not in empty.content.decode()
    point = staff_client.get(PAGE, {"point": world.sp.pk}).content.decode()
    assert "รอนานมาก" in point
    # the shared insights filters refuse what they cannot read or what is out of scope
    assert staff_client.get(PAGE, {"from": "not-a-date"}).status_code == 400
    assert staff_client.get(PAGE, {"from": "2026-02-01", "to": "2026-01-01"}).status_code == 400
    assert staff_client.get(PAGE, {"agency": world.dlt.pk}).status_code == 404
    assert staff_client.get(PAGE, {"point": world.dlt_sp.pk}).status_code == 404
    # ... and so do the page's own
    assert staff_client.get(PAGE, {"sentiment": "angry"}).status_code == 400
    assert staff_client.get(PAGE, {"topic": "weather"}).status_code == 400
    assert staff_client.get(PAGE, {"p": "x"}).status_code == 200


def test_page_is_an_insights_tab(api, kiosk, staff_client) -> None:
    _ingest(api, kiosk)
    page = staff_client.get(PAGE).content.decode()
    assert 'aria-current="page" class="cp-tab-on">ความคิดเห็น</a>' in page
    dashboard = staff_client.get(reverse("admin:insights-dashboard")).content.decode()
    assert reverse("admin:comments_commentanalysis_changelist") in dashboard


def test_unflag_shows_the_comment_and_is_audited(api, kiosk, staff_client) -> None:
    items = _ingest(api, kiosk)
    mash = _analysis(items[3])
    url = reverse("admin:comments_commentanalysis_junk", args=[mash.pk])
    response = staff_client.post(url, {"junk": "0"})
    assert response.status_code == 302
    assert "ฟหกดฟหกดฟหกด" in staff_client.get(PAGE).content.decode()
    entry = AuditLog.objects.get(action="commentanalysis.unflag")
    assert entry.actor.username == "bkk_comments" and entry.after == {
        "junk": False, "junk_cleared": True
    }  # fmt: skip
    assert "ฟหกด" not in json.dumps(entry.before) + json.dumps(entry.after)
    assert staff_client.post(url, {"junk": "maybe"}).status_code == 302  # refused, no change
    assert AuditLog.objects.filter(action__startswith="commentanalysis.").count() == 1


def test_page_in_english(api, kiosk, staff_client) -> None:
    _ingest(api, kiosk)
    staff_client.cookies["django_language"] = "en"
    page = staff_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Citizens&#x27; comments" in page or "Citizens' comments" in page
    assert "By topic" in page and "negative" in page


def test_demo_comments_fit_the_score_are_masked_and_analysed(api, kiosk) -> None:
    from central.comments.demo import BAD, GOOD, add_comments

    items = [rating(score=1 + i % 5, seq=i + 1, comment=None) for i in range(400)]
    response = post_json(api, "/api/v1/kiosk/ratings", {"ratings": items}, **kiosk.auth)
    assert response.status_code == 200
    summary = add_comments(seed=7)
    assert 0 < summary["comments"] == summary["analysed"] == CommentAnalysis.objects.count()
    for stored in Rating.objects.exclude(comment=None):
        assert not any(ch.isdigit() for ch in stored.comment.replace("1,500", ""))
        if stored.score >= 4:
            assert stored.comment in {mask_text(t) for t in GOOD}
        if stored.score <= 2:
            assert stored.comment in {mask_text(t) for t in BAD}


AWKWARD = [
    'เจ้าหน้าที่บอกว่า "ต้องมีสำเนา" ทั้งที่ป้ายเขียนว่าไม่ต้อง',
    "path C:\\new\\table and {braces} [brackets] 100% fine",
    "รอคิว 2 ชั่วโมง 😡😡 แย่มาก",
    "Staff were kind: 'very' helpful\ttoday\nthank you",
    "คำว่า ' และ \" และ \\ ปนกัน {x: 1}",
]


def test_ingest_stores_the_analysers_answer_exactly_for_awkward_text(api, kiosk) -> None:
    """Quotes, backslashes, braces, tabs, newlines, emoji and Thai travel through ingest's
    bulk statements (one JSON parameter on PostgreSQL) and come back as the analyser said."""
    from central.comments.analysis import analyse

    items = _ingest(api, kiosk, [(text, ["staff"], 2) for text in AWKWARD])
    for item in items:
        stored = _analysis(item)
        assert stored is not None, item["comment"]
        rating_row = Rating.objects.get(uuid=uuid.UUID(item["uuid"]))
        expected = analyse(rating_row.comment, ["staff"])
        assert stored.sentiment == expected.sentiment, rating_row.comment
        assert stored.polarity == pytest.approx(expected.polarity), rating_row.comment
        assert [
            t
            for t in ("process", "staff", "facilities", "outcome", "waiting", "documents")
            if getattr(stored, f"t_{t}")
        ] == sorted(
            expected.topics,
            key=["process", "staff", "facilities", "outcome", "waiting", "documents"].index,
        )
        assert stored.junk == expected.junk and stored.junk_reason == expected.junk_reason
        assert stored.mentions_copy_asked == expected.mentions_copy_asked
        assert stored.words == " ".join(expected.words), rating_row.comment
