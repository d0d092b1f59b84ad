"""One sync pass against a real local HTTP server: exactly once, per-item answers,
rejected items kept, batches of at most 500, atomic catalogue deltas, purging."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest

from kiosk.storage import KioskStore
from kiosk.sync.client import CentralClient, SyncError
from kiosk.sync.engine import SETTING_CURSOR_OWNER, SETTING_SKEW, SyncConfig, SyncEngine
from kiosk.sync.enrol import enrol
from tests.kiosk.fake_central import FakeCentral


@pytest.fixture
def fake():
    server = FakeCentral()
    yield server
    server.close()


class ShiftedClock:
    """The kiosk's wall clock, movable by the test."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now().astimezone() + self.offset


@pytest.fixture
def kclock():
    return ShiftedClock()


@pytest.fixture
def kstore(data_dir, kclock, fake):
    s = KioskStore.open(data_dir, now=kclock)
    s.set_setting("min_rating_interval_s", 0)
    s.set_setting("followup_hold_s", 0)
    enrol(s, fake.url, "GOOD-CODE-0001")
    yield s
    s.close()


def engine_for(store, *, batch: int = 500, clock=None, **kw) -> SyncEngine:
    rec = store.enrolment()
    client = CentralClient(rec["server_url"], rec["credential"], timeout=(2, 5))
    return SyncEngine(
        store,
        client,
        kiosk_id=rec["kiosk_id"],
        config=SyncConfig(batch_size=batch),
        now=clock,
        app_version="test",
        **kw,
    )


def rate(store, n: int, service: str | None = None) -> list[str]:
    return [store.record_rating(i % 5 + 1, service).uuid for i in range(n)]


def test_a_pass_pushes_everything_in_batches_of_at_most_500(kstore, fake):
    uuids = rate(kstore, 1203)
    result = engine_for(kstore).run()
    assert result.ok, result.error
    assert fake.batches == [500, 500, 203]
    assert set(fake.ratings) == set(uuids)
    assert kstore.queue_depth() == 0
    assert all(kstore.rating(u)["state"] == "synced" for u in uuids)
    assert (result.accepted, result.duplicate, result.rejected) == (1203, 0, 0)
    assert kstore.status()["last_sync_at"] is not None
    assert kstore.status()["last_sync_error"] is None


def test_batch_size_setting_is_capped_at_500(kstore, fake):
    kstore.set_setting("sync_batch_size", 5000)
    assert SyncConfig.from_store(kstore).batch_size == 500
    kstore.set_setting("sync_batch_size", 7)
    assert SyncConfig.from_store(kstore).batch_size == 7


def test_the_wire_format_is_the_protocol(kstore, fake):
    ref = kstore.record_rating(4, None)
    kstore.update_followup(
        ref.uuid, dimensions=["staff", "steps"], asked_for_copy=True, comment="ดี"
    )
    assert engine_for(kstore).run().ok
    sent = fake.ratings[ref.uuid]
    assert {k: sent[k] for k in sent if k != "kiosk"} == {
        "uuid": ref.uuid,
        "seq": ref.seq,
        "kiosk_time": kstore.rating(ref.uuid)["kiosk_time"],
        "score": 4,
        "service_code": None,
        "dimensions": ["staff", "steps"],
        "asked_for_copy": True,
        "comment": "ดี",
        "interval_flag": False,
    }


def test_an_answer_lost_on_the_way_marks_nothing_and_the_resend_is_a_duplicate(kstore, fake):
    uuids = rate(kstore, 30)
    # Catalogue and heartbeat fine; central stores the batch, its answer is cut.
    fake.fail_next = [None, None, "cut"]
    first = engine_for(kstore).run()
    assert not first.ok
    assert first.error.kind == "unreachable"
    assert set(fake.ratings) == set(uuids), "central did store them"
    assert kstore.queue_depth() == 30, "but the kiosk has no answer: nothing is marked"
    second = engine_for(kstore).run()
    assert second.ok
    assert (second.accepted, second.duplicate) == (0, 30)
    assert kstore.queue_depth() == 0
    assert len(fake.ratings) == 30


def test_a_dropped_request_and_a_503_mark_nothing(kstore, fake):
    rate(kstore, 10)
    fake.fail_next = [None, None, "close"]  # the ratings request is dropped
    r = engine_for(kstore).run()
    assert not r.ok and r.error.transient
    fake.fail_next = [None, None, 503]
    r = engine_for(kstore).run()
    assert not r.ok and r.error.kind == "server" and "503" in str(r.error)
    assert kstore.queue_depth() == 10
    assert fake.ratings == {}
    assert "503" in kstore.status()["last_sync_error"]


def test_results_that_do_not_match_the_batch_mark_nothing(kstore, fake):
    rate(kstore, 5)
    fake.bad_results = True
    r = engine_for(kstore).run()
    assert not r.ok and r.error.kind == "protocol"
    assert kstore.queue_depth() == 5


def test_rejected_items_are_kept_with_their_reason_and_not_sent_again(kstore, fake, kclock):
    code = kstore.all_services()[0].code
    fake.reject_service = {code}
    bad = rate(kstore, 3, service=code)
    good = rate(kstore, 4)
    r = engine_for(kstore).run()
    assert r.ok and r.rejected == 3 and r.accepted == 4
    for u in bad:
        row = kstore.rating(u)
        assert row["state"] == "rejected"
        assert "not offered" in row["reason"]
    assert kstore.queue_depth() == 0
    assert kstore.status()["rejected"] == 3
    before = list(fake.batches)
    assert engine_for(kstore).run().ok
    assert fake.batches == before, "rejected ratings are never retried"
    # ... nor deleted: purging only removes synced ratings.
    kclock.offset = timedelta(days=1)
    kstore.purge_synced(timedelta(hours=1))
    assert all(kstore.rating(u)["state"] == "rejected" for u in bad)
    assert all(kstore.rating(u) is None for u in good)


def test_synced_ratings_are_purged_after_the_retention(kstore, fake, kclock):
    old = rate(kstore, 5)
    assert engine_for(kstore).run().ok
    kclock.offset = timedelta(days=29)
    fresh = rate(kstore, 2)
    assert engine_for(kstore, clock=kclock).run().ok
    assert all(kstore.rating(u) for u in old), "29 days: kept"
    kclock.offset = timedelta(days=31)
    r = engine_for(kstore, clock=kclock).run()
    assert r.ok and r.purged == 5
    assert all(kstore.rating(u) is None for u in old)
    assert all(kstore.rating(u)["state"] == "synced" for u in fresh)


def test_retention_is_a_setting(kstore, fake, kclock):
    uuids = rate(kstore, 3)
    assert engine_for(kstore).run().ok
    kstore.set_setting("sync_retention_days", 1)
    kclock.offset = timedelta(days=2)
    engine = engine_for(kstore, clock=kclock)
    engine.config = SyncConfig.from_store(kstore)
    assert engine.run().purged == 3
    assert all(kstore.rating(u) is None for u in uuids)


def test_catalogue_cursor_is_sent_back_and_a_delta_applies(kstore, fake):
    svc = copy.deepcopy(next(s for s in fake.catalogue["services"] if s["documents"]))
    doc = svc["documents"][0]
    doc.update(copy_status="no_copy", copies=0, no_copy_since="2026-01-01",
               verify_th="ตรวจจากบัตร", verify_en="Checked on the card")  # fmt: skip
    svc["version"] += 1
    delta = copy.deepcopy(fake.catalogue)
    delta.update(cursor="c-2", full=False, services=[svc])
    fake.deltas["c-1"] = delta
    assert kstore.get_setting(SETTING_CURSOR_OWNER) == "ks-000001"
    r = engine_for(kstore).run()
    assert r.ok and r.catalogue_changed and r.catalogue_cursor == "c-2"
    assert kstore.catalogue_version() == "c-2"
    assert kstore.service(svc["code"]).documents[0].copy_status == "no_copy"


def test_the_catalogue_is_pulled_before_ratings_are_pushed(kstore, fake):
    rate(kstore, 3)
    assert engine_for(kstore).run().ok
    calls = [path for _, method, path in fake.log if path.startswith("/api/v1/kiosk/")]
    assert calls[-3:] == [
        "/api/v1/kiosk/catalogue", "/api/v1/kiosk/heartbeat", "/api/v1/kiosk/ratings",
    ]  # fmt: skip
    rate(kstore, 1)
    assert engine_for(kstore).run(push_only=True).ok  # the push after a rating, too
    calls = [path for _, method, path in fake.log if path.startswith("/api/v1/kiosk/")]
    assert calls[-2:] == ["/api/v1/kiosk/catalogue", "/api/v1/kiosk/ratings"]


def test_a_lost_catalogue_download_does_not_hold_the_ratings_back(kstore, fake):
    uuids = rate(kstore, 12)
    fake.fail_next = ["close"]  # the catalogue download is dropped
    r = engine_for(kstore).run()
    assert not r.ok and r.error.kind == "unreachable", "the pass says what failed"
    assert set(fake.ratings) == set(uuids) and kstore.queue_depth() == 0
    assert "Could not reach" in kstore.status()["last_sync_error"]


def test_a_bad_delta_leaves_the_cached_catalogue_whole(kstore, fake):
    codes = [s.code for s in kstore.all_services()]
    good = copy.deepcopy(fake.catalogue["services"][0])
    good["name_en"] = "CHANGED"
    broken = copy.deepcopy(fake.catalogue["services"][1])
    broken["documents"] = [{"code": "X"}]  # invalid
    delta = copy.deepcopy(fake.catalogue)
    delta.update(cursor="c-3", full=False, services=[good, broken])
    fake.deltas["c-1"] = delta
    uuids = rate(kstore, 4)
    r = engine_for(kstore).run()
    assert kstore.catalogue_version() == "c-1"
    assert kstore.service(good["code"]).name_en != "CHANGED", "nothing of the delta applied"
    assert [s.code for s in kstore.all_services()] == codes
    # Never silent: the pass, the staff status and central (this pass's heartbeat) say why;
    # the ratings still go.
    assert r.ok and "services[1].documents[0]" in r.catalogue_refused
    assert set(fake.ratings) == set(uuids)
    refused = kstore.status()["catalogue_refused"]
    assert "services[1].documents[0]" in refused and kstore.status()["catalogue_refused_at"]
    assert fake.heartbeats[-1]["catalogue_refused"] == refused
    # Central fixes its catalogue: the next pass applies it and reports no refusal.
    delta["services"] = [good]
    r = engine_for(kstore).run()
    assert r.ok and r.catalogue_changed and r.catalogue_refused is None
    assert kstore.service(good["code"]).name_en == "CHANGED"
    assert kstore.status()["catalogue_refused"] is None
    assert fake.heartbeats[-1]["catalogue_refused"] is None


def test_a_new_enrolment_fetches_the_full_catalogue_not_a_delta(kstore, fake):
    kstore.set_setting(SETTING_CURSOR_OWNER, "ks-999999")  # cursor from another enrolment
    fake.catalogue = dict(fake.catalogue, cursor="c-7")
    assert engine_for(kstore).run().ok
    assert kstore.catalogue_version() == "c-7"
    assert kstore.get_setting(SETTING_CURSOR_OWNER) == "ks-000001"


def test_the_heartbeat_reports_queue_depth_and_records_the_skew(kstore, fake, kclock):
    rate(kstore, 3)
    kclock.offset = timedelta(days=365)
    r = engine_for(kstore, clock=kclock).run()
    assert r.ok
    hb = fake.heartbeats[-1]
    assert hb["queue_depth"] == 3
    assert datetime.fromisoformat(hb["kiosk_time"]).year == datetime.now().year + 1
    assert r.skew_seconds == pytest.approx(365 * 86400, abs=120)
    assert kstore.get_setting(SETTING_SKEW) == pytest.approx(365 * 86400, abs=120)


def test_revoked_and_unknown_credentials_are_auth_errors(kstore, fake):
    rate(kstore, 2)
    fake.revoked.add(kstore.enrolment()["credential"])
    r = engine_for(kstore).run()
    assert not r.ok and r.error.kind == "revoked" and r.error.auth
    assert "revoked" in str(r.error) and "enrol it again" in str(r.error)
    assert kstore.queue_depth() == 2
    fake.credentials.clear()
    r = engine_for(kstore).run()
    assert r.error.kind == "unknown_kiosk" and r.error.auth


def test_stop_between_batches(kstore, fake):
    rate(kstore, 30)
    eng = engine_for(kstore, batch=10)
    eng.on_batch = lambda r: eng.stop.set()
    r = eng.run()
    assert r.stopped and r.batches == 1
    assert kstore.queue_depth() == 20


def test_client_refuses_more_than_500():
    client = CentralClient("http://127.0.0.1:9", "x")
    with pytest.raises(ValueError):
        client.push_ratings([{"uuid": str(i)} for i in range(501)])


def test_backoff_doubles_and_is_capped():
    cfg = SyncConfig(backoff_base_s=30, backoff_cap_s=1800)
    top = [cfg.backoff(n, lambda: 0.999999) for n in range(1, 10)]
    assert [round(x) for x in top] == [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]
    low = [cfg.backoff(n, lambda: 0.0) for n in range(1, 4)]
    assert low == [15, 30, 60], "jitter takes up to half off"


def test_no_credential_no_call():
    with pytest.raises(SyncError, match="not enrolled"):
        CentralClient("http://127.0.0.1:9").heartbeat("x", 0, "2026-01-01T00:00:00+00:00")


def test_a_cursor_central_refuses_falls_back_to_the_full_catalogue(kstore, fake):
    orig = fake.handle

    def handle(method, path, query, headers, body):
        if path == "/api/v1/kiosk/catalogue" and query.get("since"):
            return 400, {"error": "bad_cursor", "detail": "since= must be a cursor"}
        return orig(method, path, query, headers, body)

    fake.handle = handle
    fake.catalogue = dict(fake.catalogue, cursor="c-5")
    r = engine_for(kstore).run()
    assert r.ok, r.error
    assert kstore.catalogue_version() == "c-5"
