"""Ratings outbox of kiosk.storage: durable records, sequence numbers, the interval flag,
follow-ups, and the bookkeeping the sync layer relies on. Real SQLite files, no mocks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.storage import DIMENSIONS, KioskStore

REPO = Path(__file__).resolve().parents[2]
BANGKOK = timezone(timedelta(hours=7))
WIRE_KEYS = {
    "uuid",
    "seq",
    "kiosk_time",
    "score",
    "service_code",
    "dimensions",
    "asked_for_copy",
    "comment",
    "interval_flag",
}


class FakeNow:
    """A wall clock the test moves by hand (aware datetimes, Bangkok time)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.value = start or datetime(2026, 11, 23, 10, 0, 0, tzinfo=BANGKOK)

    def __call__(self) -> datetime:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += timedelta(seconds=seconds)


@pytest.fixture
def now() -> FakeNow:
    return FakeNow()


@pytest.fixture
def kiosk_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(kiosk_dir, now):
    s = KioskStore.open(kiosk_dir, now=now)
    yield s
    s.close()


def test_record_rating_returns_ref_and_stores_wire_fields(store, now):
    ref = store.record_rating(4, "ID_RENEW")
    assert ref.seq == 1 and ref.interval_flag is False
    assert str(uuid.UUID(ref.uuid, version=4)) == ref.uuid
    row = store.rating(ref.uuid)
    assert set(row) == WIRE_KEYS | {"state", "reason"}
    assert row == {
        "uuid": ref.uuid,
        "seq": 1,
        "kiosk_time": "2026-11-23T10:00:00+07:00",
        "score": 4,
        "service_code": "ID_RENEW",
        "dimensions": [],
        "asked_for_copy": None,
        "comment": None,
        "interval_flag": False,
        "state": "pending",
        "reason": None,
    }
    assert store.queue_depth() == 1
    assert store.rating(str(uuid.uuid4())) is None


def test_rating_without_service_and_naive_clock_gets_an_offset(kiosk_dir):
    with KioskStore.open(kiosk_dir, now=lambda: datetime(2026, 1, 2, 3, 4, 5)) as s:
        ref = s.record_rating(1, None)
        row = s.rating(ref.uuid)
    assert row["service_code"] is None
    assert datetime.fromisoformat(row["kiosk_time"]).utcoffset() is not None


@pytest.mark.parametrize("bad", [0, 6, -1, 3.0, "5", True, None])
def test_score_outside_1_to_5_is_refused_and_nothing_stored(store, bad):
    with pytest.raises(ValueError, match="score"):
        store.record_rating(bad, "ID_RENEW")
    assert store.queue_depth() == 0


def test_rating_is_durable_when_record_returns_even_if_process_is_killed(kiosk_dir):
    """kill -9 a process that records ratings as fast as it can: every rating it had
    acknowledged (printed after record_rating returned) is in the file, once."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from kiosk.storage import KioskStore\n"
        "s = KioskStore.open(Path(sys.argv[1]))\n"
        "while True:\n"
        "    ref = s.record_rating(5, 'ID_RENEW')\n"
        "    print(ref.uuid, ref.seq, flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(kiosk_dir)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    acknowledged = []
    try:
        for line in proc.stdout:
            acknowledged.append(line.split())
            if len(acknowledged) == 40:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert len(acknowledged) == 40
    with KioskStore.open(kiosk_dir) as s:
        for rating_uuid, seq in acknowledged:
            row = s.rating(rating_uuid)
            assert row is not None, f"acknowledged rating {seq} was lost"
            assert row["seq"] == int(seq) and row["state"] == "pending"
        queued = s.pending_ratings(10_000)
    seqs = [r["seq"] for r in queued]
    assert len(seqs) == len(set(seqs)) and len({r["uuid"] for r in queued}) == len(queued)


def test_seq_is_monotonic_across_reopen_and_purge(kiosk_dir, now):
    with KioskStore.open(kiosk_dir, now=now) as s:
        refs = [s.record_rating(5, None) for _ in range(3)]
        assert [r.seq for r in refs] == [1, 2, 3]
        s.mark_sync_results([{"uuid": r.uuid, "status": "accepted"} for r in refs])
        now.advance(3600)
        assert s.purge_synced(timedelta(minutes=1)) == 3
        assert s.pending_ratings(10) == [] and s.status()["synced"] == 0
        assert s.record_rating(5, None).seq == 4
    with KioskStore.open(kiosk_dir, now=now) as s:
        assert s.record_rating(5, None).seq == 5
        s.mark_sync_results(
            [{"uuid": r["uuid"], "status": "accepted"} for r in s.pending_ratings(9)]
        )
        now.advance(3600)
        s.purge_synced(timedelta(0))
    with KioskStore.open(kiosk_dir, now=now) as s:
        assert s.record_rating(5, None).seq == 6


def test_seq_unique_when_threads_share_one_store(store):
    seqs: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            ref = store.record_rating(3, None)
            with lock:
                seqs.append(ref.seq)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seqs) == list(range(1, 101))
    assert store.queue_depth() == 100


def test_interval_flag_marks_bursts_but_keeps_them(store, now):
    first = store.record_rating(5, "ID_RENEW")
    now.advance(3)
    burst = store.record_rating(1, "ID_RENEW")
    now.advance(6)  # 9 s after the last counted rating
    burst2 = store.record_rating(1, "ID_RENEW")
    now.advance(1)  # 10 s after the last counted rating: counts again
    counted = store.record_rating(4, "ID_RENEW")
    now.advance(9.5)
    late_burst = store.record_rating(2, None)
    assert [first.interval_flag, burst.interval_flag, burst2.interval_flag] == [False, True, True]
    assert counted.interval_flag is False and late_burst.interval_flag is True
    assert store.queue_depth() == 5  # flagged ratings are stored, never dropped
    assert store.rating(burst.uuid)["interval_flag"] is True
    store.set_setting("followup_hold_s", 0)  # no follow-ups in this test: send at once
    flags = [r["interval_flag"] for r in store.pending_ratings(10)]
    assert flags == [False, True, True, False, True]


def test_interval_is_a_setting_and_a_clock_set_back_does_not_flag(store, now):
    store.set_setting("min_rating_interval_s", 60)
    store.record_rating(5, None)
    now.advance(30)
    assert store.record_rating(5, None).interval_flag is True
    now.advance(-3600)  # someone fixed the clock
    assert store.record_rating(5, None).interval_flag is False
    store.set_setting("min_rating_interval_s", 0)
    assert store.record_rating(5, None).interval_flag is False


def test_update_followup_updates_only_given_fields(store):
    ref = store.record_rating(2, "MOVE_IN")
    store.update_followup(ref.uuid, dimensions=["waiting_time", "staff", "staff"])
    store.update_followup(ref.uuid, asked_for_copy=True)
    store.update_followup(ref.uuid, comment="  รอนานมาก ต้องถ่ายสำเนาบัตร  ")
    store.update_followup(ref.uuid)  # nothing given: nothing changes
    row = store.rating(ref.uuid)
    assert row["dimensions"] == ["waiting_time", "staff"]
    assert row["asked_for_copy"] is True
    assert row["comment"] == "รอนานมาก ต้องถ่ายสำเนาบัตร"
    assert (row["score"], row["seq"], row["state"]) == (2, ref.seq, "pending")
    store.update_followup(ref.uuid, asked_for_copy=False, dimensions=[])
    row = store.rating(ref.uuid)
    assert row["asked_for_copy"] is False and row["dimensions"] == []
    assert row["comment"] == "รอนานมาก ต้องถ่ายสำเนาบัตร"


def test_every_protocol_dimension_is_accepted(store):
    ref = store.record_rating(5, None)
    store.update_followup(ref.uuid, dimensions=list(DIMENSIONS))
    assert store.rating(ref.uuid)["dimensions"] == [
        "staff",
        "waiting_time",
        "steps",
        "documents",
        "facilities",
        "outcome",
    ]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"dimensions": ["speed"]}, "unknown dimension"),
        ({"dimensions": "staff"}, "list"),
        ({"asked_for_copy": "yes"}, "asked_for_copy"),
        ({"comment": "ก" * 501}, "at most 500"),
        ({"comment": 42}, "comment"),
    ],
)
def test_update_followup_validates_and_changes_nothing(store, answers, message):
    ref = store.record_rating(3, None)
    store.update_followup(ref.uuid, dimensions=["staff"], comment="ok")
    before = store.rating(ref.uuid)
    with pytest.raises(ValueError, match=message):
        store.update_followup(ref.uuid, **answers)
    assert store.rating(ref.uuid) == before


def test_comment_of_exactly_500_characters_and_blank_comment(store):
    ref = store.record_rating(3, None)
    store.update_followup(ref.uuid, comment="ดี" * 250)
    assert len(store.rating(ref.uuid)["comment"]) == 500
    store.update_followup(ref.uuid, comment="   ")
    assert store.rating(ref.uuid)["comment"] is None


def test_update_followup_of_unknown_rating_raises_lookup_error(store):
    with pytest.raises(LookupError):
        store.update_followup(str(uuid.uuid4()), asked_for_copy=True)
    with pytest.raises(LookupError):
        store.finish_followup(str(uuid.uuid4()))


def test_pending_ratings_hold_back_an_open_followup(store, now):
    old = store.record_rating(5, "ID_RENEW")
    store.finish_followup(old.uuid)
    fresh = store.record_rating(2, "ID_RENEW")
    # The citizen is still answering follow-ups on `fresh`: it waits, so its answers
    # travel with it (central stores each uuid once).
    assert [r["uuid"] for r in store.pending_ratings(10)] == [old.uuid]
    store.update_followup(fresh.uuid, asked_for_copy=True)
    store.finish_followup(fresh.uuid)
    sent = store.pending_ratings(10)
    assert [r["uuid"] for r in sent] == [old.uuid, fresh.uuid]
    assert sent[1]["asked_for_copy"] is True
    # A follow-up never finished (the kiosk crashed, the citizen walked away) is sent
    # after followup_hold_s (default 300 s).
    abandoned = store.record_rating(4, None)
    now.advance(299)
    assert abandoned.uuid not in [r["uuid"] for r in store.pending_ratings(10)]
    now.advance(2)
    assert abandoned.uuid in [r["uuid"] for r in store.pending_ratings(10)]
    assert store.queue_depth() == 3


def test_pending_ratings_are_wire_dicts_oldest_first_with_limit(store, now):
    refs = []
    for score in (1, 2, 3, 4, 5):
        refs.append(store.record_rating(score, "BIRTH"))
        store.finish_followup(refs[-1].uuid)
        now.advance(20)
    batch = store.pending_ratings(3)
    assert [r["uuid"] for r in batch] == [r.uuid for r in refs[:3]]
    assert all(set(r) == WIRE_KEYS for r in batch)
    json.dumps(batch)  # ready to send
    assert [r["seq"] for r in store.pending_ratings(100)] == [1, 2, 3, 4, 5]
    with pytest.raises(ValueError):
        store.pending_ratings(0)


def test_mark_sync_results(store, now):
    refs = [store.record_rating(s, None) for s in (5, 4, 3, 2)]
    for r in refs:
        store.finish_followup(r.uuid)
    store.mark_sync_results(
        [
            {"uuid": refs[0].uuid, "status": "accepted", "reason": None},
            {"uuid": refs[1].uuid, "status": "duplicate"},
            {"uuid": refs[2].uuid, "status": "rejected", "reason": "score out of range"},
            {"uuid": str(uuid.uuid4()), "status": "accepted"},  # unknown: ignored
        ]
    )
    assert store.rating(refs[0].uuid)["state"] == "synced"
    assert store.rating(refs[1].uuid)["state"] == "synced"
    rejected = store.rating(refs[2].uuid)
    assert rejected["state"] == "rejected" and rejected["reason"] == "score out of range"
    assert [r["uuid"] for r in store.pending_ratings(10)] == [refs[3].uuid]  # not retried
    assert store.queue_depth() == 1
    st = store.status()
    assert (st["queued"], st["rejected"], st["synced"]) == (1, 1, 2)
    # A replayed answer does not resurrect or change anything.
    store.mark_sync_results([{"uuid": refs[2].uuid, "status": "rejected", "reason": "other"}])
    assert store.rating(refs[2].uuid)["reason"] == "score out of range"


@pytest.mark.parametrize(
    "results",
    [
        [{"uuid": "x", "status": "ok"}],
        [{"status": "accepted"}],
        ["not a dict"],
        [{"uuid": "x", "status": "rejected", "reason": 5}],
    ],
)
def test_malformed_sync_results_change_nothing(store, results):
    ref = store.record_rating(5, None)
    store.finish_followup(ref.uuid)
    with pytest.raises(ValueError):
        store.mark_sync_results([{"uuid": ref.uuid, "status": "accepted"}, *results])
    assert store.rating(ref.uuid)["state"] == "pending"


def test_purge_synced_removes_only_old_synced_ratings(store, now):
    old = store.record_rating(5, None)
    rejected = store.record_rating(1, None)
    pending = store.record_rating(3, None)
    store.mark_sync_results(
        [
            {"uuid": old.uuid, "status": "accepted"},
            {"uuid": rejected.uuid, "status": "rejected", "reason": "bad"},
        ]
    )
    now.advance(10 * 86400)
    recent = store.record_rating(4, None)
    store.mark_sync_results([{"uuid": recent.uuid, "status": "accepted"}])
    now.advance(86400)
    assert store.purge_synced(timedelta(days=7)) == 1
    assert store.rating(old.uuid) is None
    assert store.rating(recent.uuid)["state"] == "synced"
    assert store.rating(rejected.uuid)["state"] == "rejected"
    assert store.rating(pending.uuid)["state"] == "pending"
    assert store.purge_synced(timedelta(days=7)) == 0


def test_sync_attempts_feed_the_status(store, now):
    st = store.status()
    assert st["last_sync_at"] is None and st["last_sync_error"] is None
    store.record_sync_attempt(ok=True, error=None)
    ok_at = now().isoformat(timespec="seconds")
    now.advance(300)
    store.record_sync_attempt(ok=False, error="connection refused")
    st = store.status()
    assert st["last_sync_at"] == ok_at
    assert st["last_sync_error"] == "connection refused"
    now.advance(300)
    store.record_sync_attempt(ok=True, error=None)
    st = store.status()
    assert st["last_sync_error"] is None
    assert st["last_sync_at"] == now().isoformat(timespec="seconds")


def test_status_reports_every_key_the_staff_page_needs(store):
    store.record_rating(5, None)
    st = store.status()
    for key in (
        "queued",
        "rejected",
        "last_sync_at",
        "last_sync_error",
        "catalogue_version",
        "free_disk_bytes",
        "db_bytes",
        "app_version",
        "kiosk_id",
        "schema_version",
        "recovery",
        "enrolled",
    ):
        assert key in st, key
    from kiosk import APP_VERSION
    from kiosk.storage import SCHEMA_VERSION

    assert st["queued"] == 1 and st["rejected"] == 0
    assert st["catalogue_version"] == "demo-1"
    assert st["free_disk_bytes"] > 0 and st["db_bytes"] > 0
    assert st["app_version"] == APP_VERSION
    assert str(uuid.UUID(st["kiosk_id"])) == st["kiosk_id"]
    assert st["schema_version"] == SCHEMA_VERSION
    assert st["recovery"] is None and st["enrolled"] is False
    assert st["durability"] == {"journal_mode": "wal", "synchronous": "full", "foreign_keys": True}
    json.dumps(st)


def test_kiosk_id_is_made_once_and_kept(kiosk_dir):
    with KioskStore.open(kiosk_dir) as s:
        first = s.status()["kiosk_id"]
    with KioskStore.open(kiosk_dir) as s:
        assert s.status()["kiosk_id"] == first


def test_enrolment_is_reported_without_the_credential(store):
    store.set_enrolment("https://central.example", "secret-token")
    st = store.status()
    assert st["enrolled"] is True and st["enrolled_to"] == "https://central.example"
    assert "secret-token" not in json.dumps(st)
    assert store.enrolment()["credential"] == "secret-token"
    store.clear_enrolment()
    assert store.status()["enrolled"] is False and store.enrolment() is None


def test_settings_round_trip_json_values_and_survive_reopen(kiosk_dir):
    with KioskStore.open(kiosk_dir) as s:
        assert s.get_setting("missing", "dflt") == "dflt"
        s.set_setting("pin_hash", {"salt": "ab", "hash": "cd"})
        s.set_setting("idle_timeout_s", 45.5)
        s.set_setting("langs", ["th", "en"])
        s.set_setting("idle_timeout_s", 30)
        with pytest.raises(ValueError):
            s.set_setting("bad", object())
        with pytest.raises(ValueError):
            s.set_setting("nan", float("nan"))
    with KioskStore.open(kiosk_dir) as s:
        assert s.get_setting("pin_hash") == {"salt": "ab", "hash": "cd"}
        assert s.get_setting("idle_timeout_s") == 30
        assert s.get_setting("langs") == ["th", "en"]
        assert s.get_setting("bad") is None
        s.delete_setting("langs")
        assert s.get_setting("langs", "gone") == "gone"


def test_closed_store_refuses_work_with_a_storage_error(kiosk_dir):
    from kiosk.storage import StorageError

    s = KioskStore.open(kiosk_dir)
    s.close()
    s.close()  # closing twice is harmless
    with pytest.raises(StorageError, match="closed"):
        s.record_rating(5, None)
