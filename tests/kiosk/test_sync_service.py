"""The background service (APScheduler): off the caller's thread, backoff with a cap,
push after a rating, staff "sync now", revocation stops it, re-enrolment resumes it."""

from __future__ import annotations

import threading
import time

import pytest

from kiosk.storage import KioskStore
from kiosk.sync.enrol import enrol
from kiosk.sync.service import CentralSync
from tests.kiosk.fake_central import FakeCentral

FAST = {
    "backoff_base_s": 0.2,
    "backoff_cap_s": 0.8,
    "push_delay_s": 0.2,
    "interval_s": 3600,
    "jitter_s": 0,
    "connect_timeout_s": 2,
    "read_timeout_s": 3,
}


@pytest.fixture
def fake():
    server = FakeCentral()
    yield server
    server.close()


@pytest.fixture
def enrolled(data_dir, fake):
    s = KioskStore.open(data_dir)
    s.set_setting("min_rating_interval_s", 0)
    s.set_setting("followup_hold_s", 0)
    enrol(s, fake.url, "GOOD-CODE-0001")
    yield s
    s.close()


@pytest.fixture
def service(data_dir, enrolled):
    svc = CentralSync(data_dir, store=enrolled, overrides=FAST)
    yield svc
    svc.stop()


def wait_for(cond, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_state_is_read_at_construction(service, fake):
    st = service.state()
    assert st.enrolled and st.kiosk_id == "ks-000001"
    assert st.server_url == fake.url
    assert st.catalogue_version == "c-1"
    assert st.queue_depth == 0


def test_sync_now_runs_off_the_calling_thread_and_reports_through_listeners(
    service, enrolled, fake
):
    seen: list[tuple[str, object]] = []
    service.add_listener(lambda st: seen.append((threading.current_thread().name, st)))
    for _ in range(3):
        enrolled.record_rating(5, None)
    service.start()
    assert service.wait_started()
    caller = threading.current_thread().name
    t0 = time.perf_counter()
    service.sync_now()
    assert time.perf_counter() - t0 < 0.05, "sync_now returns at once"
    wait_for(lambda: service.state().last_sync_at is not None, what="a sync")
    assert len(fake.ratings) == 3
    st = service.state()
    assert st.online is True and st.last_error is None and st.queue_depth == 0
    assert {name for name, _ in seen} - {caller}, "listeners hear from the worker thread"
    assert all(name != caller for name, s in seen if s.last_sync_at is not None)


def test_failures_back_off_exponentially_up_to_the_cap_then_recover(service, fake):
    fake.fail_next = [503] * 12  # a failing pass asks for the catalogue, then a heartbeat
    service.start()
    service.wait_started()
    service.sync_now()
    wait_for(lambda: len(fake.requests_to("/api/v1/kiosk/heartbeat")) >= 6, 20, "6 attempts")
    times = fake.requests_to("/api/v1/kiosk/heartbeat")[:6]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # base 0.2 s doubling, capped at 0.8 s, each scaled by [0.5, 1): 0.1-0.2, 0.2-0.4, 0.4-0.8,
    # then 0.4-0.8 (capped).
    for gap, (lo, hi) in zip(gaps, [(0.1, 0.2), (0.2, 0.4), (0.4, 0.8), (0.4, 0.8), (0.4, 0.8)],
                             strict=False):  # fmt: skip
        assert lo - 0.03 <= gap <= hi + 0.15, (gaps, lo, hi)
    assert service.state().failures >= 5 or service.state().online
    wait_for(lambda: service.state().online is True, 10, "recovery after the failures")
    st = service.state()
    assert st.failures == 0 and st.last_error is None


def test_last_error_is_the_real_one(service, fake):
    fake.fail_next = [503] * 50
    service.start()
    service.wait_started()
    service.sync_now()
    wait_for(lambda: service.state().last_error is not None, what="an error")
    st = service.state()
    assert st.online is False
    assert "HTTP 503" in st.last_error
    assert st.next_sync_at is not None


def test_a_rating_is_pushed_soon_after_when_online(service, enrolled, fake):
    service.start()
    service.wait_started()
    service.sync_now()
    wait_for(lambda: service.state().online is True, what="first sync")
    ref = enrolled.record_rating(4, None)
    service.notify_rating()
    service.notify_rating()  # coalesced
    wait_for(lambda: ref.uuid in fake.ratings, 5, "the push after the rating")
    assert fake.requests_to("/api/v1/kiosk/heartbeat").__len__() == 1, "push only, no full pass"


def test_no_push_after_a_rating_while_offline(service, enrolled, fake):
    fake.fail_next = [503]
    service.start()
    service.wait_started()
    service._overrides.update(backoff_base_s=30, backoff_cap_s=60)
    service.sync_now()
    wait_for(lambda: service.state().online is False, what="a failure")
    n = len(fake.log)
    enrolled.record_rating(4, None)
    service.notify_rating()
    time.sleep(0.6)
    assert len(fake.log) == n, "an offline kiosk does not try after every tap"


def test_revocation_stops_sync_and_re_enrolment_resumes_it(service, enrolled, fake, data_dir):
    fake.revoked.add(enrolled.enrolment()["credential"])
    for _ in range(4):
        enrolled.record_rating(3, None)
    service._overrides["interval_s"] = 1
    service.start()
    service.wait_started()
    service.sync_now()
    wait_for(lambda: service.state().blocked is not None, what="the refusal")
    st = service.state()
    assert "revoked" in st.blocked and st.online is False
    assert "enrol it again" in st.last_error
    n = len(fake.log)
    time.sleep(2.5)
    assert len(fake.log) == n, "no more calls with a revoked credential"
    assert enrolled.queue_depth() == 4
    # A restart remembers it (status page right at start).
    again = CentralSync(data_dir, store=enrolled)
    assert again.state().blocked and "revoked" in again.state().last_error
    # Re-enrol: the queued ratings go out.
    fake.add_code("NEW-CODE")
    outcome = []
    done = threading.Event()
    service.enroll(fake.url, "NEW-CODE", lambda r: (outcome.append(r), done.set()))
    assert done.wait(10)
    assert outcome[0].kiosk_id == "ks-000002"
    wait_for(lambda: enrolled.queue_depth() == 0, what="the queued ratings")
    assert {r["kiosk"] for r in fake.ratings.values()} == {"ks-000002"}
    assert service.state().blocked is None


def test_enrol_failure_is_reported_and_changes_nothing(service, enrolled, fake):
    before = enrolled.enrolment()
    outcome = []
    done = threading.Event()
    service.enroll(fake.url, "NOPE", lambda r: (outcome.append(r), done.set()))
    assert done.wait(10)
    assert outcome[0].kind == "bad_code"
    assert enrolled.enrolment() == before


def test_stop_returns_quickly_even_mid_pass(data_dir, enrolled):
    from tests.e2e.proxy import HangingServer

    hang = HangingServer()
    rec = enrolled.enrolment()
    enrolled.set_enrolment(hang.url, rec["credential"], kiosk_id=rec["kiosk_id"])
    svc = CentralSync(data_dir, store=enrolled, overrides=dict(FAST, read_timeout_s=30))
    try:
        svc.start()
        svc.wait_started()
        svc.sync_now()
        wait_for(lambda: hang.accepted, what="the hanging connection")
        t0 = time.perf_counter()
        svc.stop(timeout=0.5)
        assert time.perf_counter() - t0 < 1.5
    finally:
        hang.close()


def test_an_unenrolled_kiosk_does_nothing(tmp_path):
    s = KioskStore.open(tmp_path / "k")
    try:
        svc = CentralSync(tmp_path / "k", store=s, overrides=FAST)
        assert svc.state().enrolled is False
        svc.sync_now()
        assert svc.state().last_error == "not enrolled"
        svc.notify_rating()  # no-op
        svc.stop()
    finally:
        s.close()
