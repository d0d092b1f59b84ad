"""Kiosk <-> real central (gunicorn on loopback; SQLite or PostgreSQL per DATABASE_URL).

a. 10,000 ratings through a proxy that drops, delays, errors, cuts and replays;
b. the kiosk's sync process killed with SIGKILL at random moments, 50 times;
c. central killed and restarted in the middle of a batch;
d. kiosk clock a year ahead / a year behind;
e. kiosk revoked on central, then re-enrolled;
f. a copy status flipped on central shows on the kiosk screen after the next sync.

Each ends with the same check: central holds exactly the ratings the kiosk recorded,
each once, every answer intact; the kiosk's outbox is empty.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    assert_central_holds_exactly,
    enrol,
    expected_wire,
    open_store,
    record_ratings,
)

ROOT = Path(__file__).resolve().parents[2]

FAST = {
    "backoff_base_s": 0.05,
    "backoff_cap_s": 0.4,
    "interval_s": 3600,
    "jitter_s": 0,
    "push_delay_s": 0.1,
    "connect_timeout_s": 2,
    "read_timeout_s": 2,
}


def wait_for(cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def drain_with_service(data_dir: Path, store, timeout: float, **overrides) -> object:
    """Run the real background service until the outbox is empty and a pass succeeded."""
    from kiosk.sync.service import CentralSync

    svc = CentralSync(data_dir, store=store, overrides={**FAST, **overrides})
    svc.start()
    try:
        assert svc.wait_started()
        svc.sync_now()
        wait_for(
            lambda: store.queue_depth() == 0 and svc.state().online is True,
            timeout,
            f"the outbox to drain (state: {svc.state()})",
        )
        return svc.state()
    finally:
        svc.stop(timeout=5)


def services_of(store) -> list[str]:
    return [s.code for s in store.all_services()]


# -- a -------------------------------------------------------------------------------------
def test_a_10000_ratings_through_a_faulty_link(central, ctl, counter_id, proxy, tmp_path):
    data_dir = tmp_path / "kiosk"
    store = open_store(data_dir)
    try:
        proxy.set_weights({"pass": 1})  # enrolment itself goes through cleanly
        result = enrol(store, proxy.url, ctl, counter_id)
        assert result.catalogue_error is None, result.catalogue_error
        rng = random.Random(4)
        uuids = record_ratings(store, 10_000, rng, services_of(store))
        expected = expected_wire(store, uuids)
        proxy.set_weights(
            {
                "pass": 40, "delay": 10, "drop": 8, "e502": 6, "e503": 6, "cut": 12,
                "replay": 8, "replay_first": 8, "stall": 2,
            }
        )  # fmt: skip
        proxy.stall_s = 2.5
        # Every fault at least once on a ratings batch, then whatever the dice say.
        proxy.forced = ["drop", "e502", "cut", "replay", "e503", "replay_first", "delay", "stall"]
        rng.shuffle(proxy.forced)
        started = time.monotonic()
        drain_with_service(data_dir, store, timeout=240, batch_size=250)
        elapsed = time.monotonic() - started
        assert not proxy.forced
        assert store.queue_depth() == 0
        assert store.status()["rejected"] == 0
        assert all(store.rating(u)["state"] == "synced" for u in uuids)
        assert_central_holds_exactly(ctl, [result.kiosk_id], expected)
        faults = {k: v for k, v in proxy.stats.items() if v}
        print(f"\n10,000 ratings drained in {elapsed:.1f} s through faults {faults}")
        for kind in ("drop", "e502", "e503", "cut", "replay", "replay_first", "delay"):
            assert proxy.stats[kind] > 0, f"the proxy never injected {kind}"
    finally:
        store.close()


def test_a_rating_for_a_service_central_does_not_offer_here_is_kept(
    central, ctl, counter_id, tmp_path
):
    """A rating for a service central does not offer at the point (an old catalogue, a
    race): central stores it with the service marked unknown; the kiosk marks it synced."""
    data_dir = tmp_path / "kiosk"
    store = open_store(data_dir)
    try:
        result = enrol(store, central.url, ctl, counter_id)
        good = record_ratings(store, 20, random.Random(1), services_of(store))
        odd = store.record_rating(3, "NOT_OFFERED_HERE").uuid
        drain_with_service(data_dir, store, timeout=60)
        assert store.rating(odd)["state"] == "synced"
        assert store.status()["rejected"] == 0
        rows = assert_central_holds_exactly(
            ctl, [result.kiosk_id], expected_wire(store, [*good, odd])
        )
        unknown = [r for r in rows if not r["service_known"] and r["service_code"]]
        assert [r["uuid"] for r in unknown] == [odd]
        assert unknown[0]["unknown_service_reason"]
    finally:
        store.close()


# -- b -------------------------------------------------------------------------------------
def test_b_sigkill_during_sync_50_times(central, ctl, counter_id, tmp_path):
    data_dir = tmp_path / "kiosk"
    # Small batches and a long backlog, so every run is mid-stream when the kill lands.
    store = open_store(data_dir, sync_batch_size=10)
    rng = random.Random(50)
    try:
        result = enrol(store, central.url, ctl, counter_id)
        codes = services_of(store)
        uuids = record_ratings(store, 6000, rng, codes)
    finally:
        store.close()
    env = dict(os.environ, PYTHONUNBUFFERED="1", QT_QPA_PLATFORM="offscreen")
    kills = finished = 0
    for i in range(50):
        store = open_store(data_dir)
        try:
            assert store.recovered_from is None, "a kill never corrupts the database"
            uuids += record_ratings(store, 60, rng, codes)
        finally:
            store.close()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "sync", "--once", "--data-dir", str(data_dir)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen: list[str] = []
        if i % 5 == 0:
            time.sleep(rng.uniform(0.0, 0.5))  # anywhere: start-up, heartbeat, first batch
        else:
            for line in proc.stderr:  # wait until batches are flowing, then kill mid-stream
                seen.append(line)
                if "pushed" in line:
                    break
            time.sleep(rng.uniform(0.0, 0.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.returncode == -signal.SIGKILL:
            kills += 1
        else:
            seen += proc.stderr.readlines()
            finished += 1
            print(f"run {i} ended by itself ({proc.returncode}): {''.join(seen)[-600:]}")
        proc.stderr.close()
    assert kills >= 45, f"only {kills} of 50 runs were killed mid-sync"
    store = open_store(data_dir, sync_batch_size=500)
    try:
        assert store.recovered_from is None
        assert store.queue_depth() > 0, "the kills left work for the last run"
        expected = expected_wire(store, uuids)
    finally:
        store.close()
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "sync", "--once", "--data-dir", str(data_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    store = open_store(data_dir)
    try:
        assert store.queue_depth() == 0
        assert store.status()["rejected"] == 0
    finally:
        store.close()
    assert_central_holds_exactly(ctl, [result.kiosk_id], expected)
    print(f"\n{kills} kills mid-sync, {finished} runs finished first; {len(uuids)} ratings")


# -- c -------------------------------------------------------------------------------------
def test_c_central_restarted_in_the_middle_of_a_batch(central, ctl, counter_id, proxy, tmp_path):
    data_dir = tmp_path / "kiosk"
    store = open_store(data_dir)
    try:
        proxy.set_weights({"pass": 1})
        result = enrol(store, proxy.url, ctl, counter_id)
        uuids = record_ratings(store, 3000, random.Random(3), services_of(store))
        expected = expected_wire(store, uuids)
        restarts: list[str] = []
        ratings_seen = [0]

        def on_forward(method: str, path: str, n: int) -> None:
            if not path.startswith("/api/v1/kiosk/ratings"):
                return
            ratings_seen[0] += 1
            k = ratings_seen[0]
            if k in (2, 6):  # central is holding this batch right now: take it down
                time.sleep(0.005 * k)
                sig = signal.SIGKILL if k == 2 else signal.SIGTERM
                restarts.append(sig.name)

                def bounce() -> None:
                    if sig == signal.SIGKILL:
                        central.kill(sig)
                    else:
                        central.stop()
                    time.sleep(0.3)
                    central.start()

                threading.Thread(target=bounce, daemon=True).start()

        proxy.on_forward = on_forward
        drain_with_service(data_dir, store, timeout=180, batch_size=250)
        assert restarts == ["SIGKILL", "SIGTERM"]
        assert store.queue_depth() == 0
        assert_central_holds_exactly(ctl, [result.kiosk_id], expected)
    finally:
        proxy.on_forward = None
        store.close()
        if central.proc is None:
            central.start()


# -- d -------------------------------------------------------------------------------------
@pytest.mark.parametrize("days", [365, -365], ids=["year-ahead", "year-behind"])
def test_d_kiosk_clock_a_year_off(central, ctl, counter_id, tmp_path, days):
    from kiosk.sync.service import CentralSync

    offset = timedelta(days=days)
    data_dir = tmp_path / "kiosk"
    store = open_store(data_dir, offset=offset)
    try:
        result = enrol(store, central.url, ctl, counter_id)
        uuids = record_ratings(store, 30, random.Random(days), services_of(store))
        expected = expected_wire(store, uuids)
        kiosk_times = {u: store.rating(u)["kiosk_time"] for u in uuids}

        def skewed_now() -> datetime:
            return datetime.now().astimezone() + offset

        svc = CentralSync(data_dir, store=store, now=skewed_now, overrides=FAST)
        svc.start()
        try:
            svc.wait_started()
            svc.sync_now()
            wait_for(lambda: store.queue_depth() == 0 and svc.state().online, 60, "the sync")
            skew = svc.state().skew_seconds
        finally:
            svc.stop()
        assert skew == pytest.approx(offset.total_seconds(), abs=120)
        rows = assert_central_holds_exactly(ctl, [result.kiosk_id], expected)
        now = datetime.now().astimezone()
        for row in rows:
            kiosk_time = datetime.fromisoformat(row["kiosk_time"])
            received = datetime.fromisoformat(row["received_at"])
            assert kiosk_time == datetime.fromisoformat(kiosk_times[row["uuid"]]), (
                "kiosk's own time"
            )
            assert abs((received - now).total_seconds()) < 300, "central's receive time"
            assert row["skew_seconds"] == pytest.approx(offset.total_seconds(), abs=600)
            assert row["skew_flag"] is True
            assert row["rated_at"] == row["received_at"], "a flagged rating is dated on receipt"
        k = ctl("kiosk", kiosk=result.kiosk_id)
        assert k["skew_flag"] is True, "skew flagged on the kiosk's record"
        assert k["clock_skew_seconds"] == pytest.approx(offset.total_seconds(), abs=120)
    finally:
        store.close()


# -- e -------------------------------------------------------------------------------------
def test_e_revoked_kiosk_stops_keeps_ratings_and_resumes_after_re_enrolment(
    central, ctl, counter_id, tmp_path
):
    from kiosk.sync.cli import status_dict
    from kiosk.sync.service import CentralSync

    data_dir = tmp_path / "kiosk"
    store = open_store(data_dir)
    rng = random.Random(5)
    try:
        first = enrol(store, central.url, ctl, counter_id)
        before = record_ratings(store, 40, rng, services_of(store))
        drain_with_service(data_dir, store, timeout=60)
        assert ctl("revoke", kiosk=first.kiosk_id)["revoked"] is True
        after = record_ratings(store, 25, rng, services_of(store))

        svc = CentralSync(data_dir, store=store, overrides={**FAST, "interval_s": 1})
        svc.start()
        try:
            svc.wait_started()
            svc.sync_now()
            wait_for(lambda: svc.state().blocked is not None, 30, "the refusal")
            st = svc.state()
            assert "revoked" in st.blocked and "enrol it again" in st.last_error
            assert st.online is False
            time.sleep(2.5)  # the periodic job (1 s) does not hammer central
            assert store.queue_depth() == 25, "ratings stay queued"
            status = status_dict(store)
            assert status["blocked"] and "revoked" in status["last_sync_error"]
            assert status["queue_depth"] == 25

            out = subprocess.run(
                [sys.executable, "-m", "kiosk", "sync", "--once", "--data-dir", str(data_dir)],
                cwd=ROOT, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert out.returncode == 4 and "revoked" in out.stderr

            # Re-enrol through the service (what the staff screen does).
            code = ctl("code", counter=counter_id)["code"]
            done = threading.Event()
            outcome: list = []
            svc.enroll(central.url, code, lambda r: (outcome.append(r), done.set()))
            assert done.wait(30)
            second = outcome[0]
            assert second.kiosk_id != first.kiosk_id
            wait_for(lambda: store.queue_depth() == 0 and svc.state().online, 60, "resumed sync")
            assert svc.state().blocked is None
        finally:
            svc.stop()
        expected = expected_wire(store, before + after)
        rows = assert_central_holds_exactly(ctl, [first.kiosk_id, second.kiosk_id], expected)
        by_kiosk = {}
        for r in rows:
            by_kiosk.setdefault(r["kiosk"], set()).add(r["uuid"])
        assert by_kiosk[first.kiosk_id] == set(before)
        assert by_kiosk[second.kiosk_id] == set(after)
    finally:
        store.close()


# -- f -------------------------------------------------------------------------------------
def test_f_copy_status_flipped_on_central_shows_on_the_kiosk(
    central, ctl, counter_id, tmp_path, qtbot
):
    from kiosk.pin import PinGuard
    from kiosk.sync.service import CentralSync
    from kiosk.ui.screens.service import DocumentCard
    from kiosk.ui.window import KioskWindow
    from tests.kiosk.conftest import find, tap

    data_dir = tmp_path / "kiosk"
    store = open_store(data_dir)
    try:
        result = enrol(store, central.url, ctl, counter_id)
        flipped = None
        PinGuard(store).set_pin("1234")
        svc = CentralSync(data_dir, store=store, overrides=FAST)
        win = KioskWindow(store, svc, size=(1280, 800))
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        svc.start()
        try:
            svc.wait_started()
            flipped = ctl("flip_copy", kiosk=result.kiosk_id)
            code, doc = flipped["service"], flipped["document"]
            store.set_counter_services([code])

            def badge() -> str:
                win.go("welcome")
                tap(qtbot, find(win, "docs_action"))
                tap(qtbot, find(win, f"service_{code}"))
                cards = [c for c in win.findChildren(DocumentCard) if c.isVisible()]
                return next(c.badge.property("copy_status") for c in cards if c.doc.code == doc)

            assert badge() == "copy_required", "before the sync the kiosk shows the old status"
            cursor = store.catalogue_version()
            svc.sync_now()
            qtbot.waitUntil(
                lambda: svc.state().catalogue_version not in (None, cursor), timeout=30000
            )
            assert badge() == "no_copy"
            assert store.service(code).documents
            assert {d.code: d.copy_status for d in store.service(code).documents}[doc] == "no_copy"
        finally:
            svc.stop()
            win.unlocked = True
            win.close()
    finally:
        store.close()


def test_g_enrolment_answer_lost_then_the_same_code_retried(
    central, ctl, counter_id, proxy, tmp_path
):
    """Central enrols the kiosk but the answer is cut on the way back: staff try the same
    code again and the kiosk gets its (new) credential instead of "code already used"."""
    from kiosk.sync.client import SyncError
    from kiosk.sync.enrol import enrol as do_enrol

    store = open_store(tmp_path / "kiosk")
    try:
        code = ctl("code", counter=counter_id)["code"]
        proxy.set_weights({"pass": 1})
        proxy.forced_paths = ("/api/v1/kiosks/enroll",)
        # Central processes the request, the answer never arrives, three times in a row
        # (the kiosk tries three times itself).
        proxy.forced = ["cut", "cut", "cut"]
        with pytest.raises(SyncError):
            do_enrol(store, proxy.url, code, sleep=lambda s: None)
        assert not proxy.forced
        assert store.enrolment() is None, "nothing changes on the kiosk without an answer"
        assert store.catalogue_version() == "demo-1"
        result = do_enrol(store, proxy.url, code)
        assert result.catalogue_error is None, result.catalogue_error
        assert store.enrolment()["kiosk_id"] == result.kiosk_id
        assert store.service_point().id == result.service_point["id"], "central's catalogue"
        uuids = record_ratings(store, 20, random.Random(7), services_of(store))
        expected = expected_wire(store, uuids)
        drain_with_service(tmp_path / "kiosk", store, timeout=60)
        assert_central_holds_exactly(ctl, [result.kiosk_id], expected)
        # a different kiosk with the same code is still refused
        other = open_store(tmp_path / "other")
        try:
            with pytest.raises(SyncError) as refused:
                do_enrol(other, proxy.url, code)
            assert refused.value.kind == "bad_code"
        finally:
            other.close()
    finally:
        store.close()


def test_h_enrolled_through_a_lossy_link_never_offers_the_demo_services(
    central, ctl, counter_id, proxy, tmp_path
):
    """The enrolment answer is cut once (the kiosk retries the same attempt by itself),
    the first catalogue download is dropped: the kiosk still has central's catalogue from
    the moment it is enrolled, a citizen rates, and the rating ends on central."""
    data_dir = tmp_path / "kiosk"
    store = open_store(data_dir)
    try:
        assert store.catalogue_version() == "demo-1"
        proxy.set_weights({"pass": 1})
        proxy.forced_paths = ("/api/v1/kiosks/enroll", "/api/v1/kiosk/catalogue")
        proxy.forced = ["cut", "drop"]
        result = enrol(store, proxy.url, ctl, counter_id)
        assert proxy.stats["cut"] == 1
        assert store.service_point().id == result.service_point["id"] != "sp-demo-1030"
        assert store.catalogue_version().startswith("v1."), "central's cursor, not the demo's"
        offered = {s.code: s.name_th for s in store.counter_services()}
        assert offered, "central offers services at this counter"
        uuids = record_ratings(store, 5, random.Random(8), list(offered))
        picked = store.record_rating(5, next(iter(offered))).uuid
        expected = expected_wire(store, [*uuids, picked])
        drain_with_service(data_dir, store, timeout=60)
        assert proxy.stats["drop"] == 1, "the first catalogue download was lost"
        assert store.queue_depth() == 0 and store.status()["rejected"] == 0
        rows = assert_central_holds_exactly(ctl, [result.kiosk_id], expected)
        assert all(r["service_known"] or r["service_code"] is None for r in rows)
    finally:
        store.close()
