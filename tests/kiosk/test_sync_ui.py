"""The UI with the real sync service: never frozen by the network, staff enrol by taps,
status and "sync now" show the real state, a catalogue change shows after a sync."""

from __future__ import annotations

import copy
import time
from datetime import datetime

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.pin import PinGuard
from kiosk.sync.enrol import enrol
from kiosk.sync.service import CentralSync
from kiosk.ui.i18n import tr
from tests.e2e.proxy import HangingServer
from tests.kiosk.conftest import STAFF_PIN, find, tap, visible_texts
from tests.kiosk.fake_central import FakeCentral

FAST = {"backoff_base_s": 30, "interval_s": 3600, "connect_timeout_s": 2, "read_timeout_s": 60}


@pytest.fixture
def fake():
    server = FakeCentral()
    yield server
    server.close()


def sync_window(store, qtbot, data_dir, overrides=FAST):
    from kiosk.ui.window import KioskWindow

    if not PinGuard(store).has_pin():
        PinGuard(store).set_pin(STAFF_PIN)
    svc = CentralSync(data_dir, store=store, overrides=overrides)
    win = KioskWindow(store, svc, size=(1280, 800))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    svc.start()
    assert svc.wait_started()
    return win, svc


def close_window(win, svc) -> None:
    svc.stop(timeout=0.2)
    win.unlocked = True
    win.close()


def timed_tap(qtbot, widget) -> float:
    t0 = time.perf_counter()
    tap(qtbot, widget)
    return time.perf_counter() - t0


def staff(win, qtbot) -> None:
    for _ in range(5):
        tap(qtbot, find(win, "staff_gesture"))
    for d in STAFF_PIN:
        tap(qtbot, find(win, f"pin_{d}"))
    tap(qtbot, find(win, "pin_ok"))
    assert win.current_screen().name == "staff_menu"


def test_the_ui_answers_taps_while_the_server_hangs(store, qtbot, data_dir, fake):
    """A server that accepts connections and never answers: the sync thread waits on it,
    the citizen keeps rating and every tap still moves the screen at once."""
    store.set_setting("min_rating_interval_s", 0)
    enrol(store, fake.url, "GOOD-CODE-0001")
    hang = HangingServer()
    rec = store.enrolment()
    store.set_enrolment(hang.url, rec["credential"], kiosk_id=rec["kiosk_id"])
    win, svc = sync_window(store, qtbot, data_dir)
    win.prebuild()  # as the app does right after its first frame (kiosk/app.py)
    try:
        svc.sync_now()
        qtbot.waitUntil(lambda: len(hang.accepted) >= 1, timeout=5000)
        assert svc.state().running
        slowest = 0.0
        for score in (5, 4, 3, 2, 1):
            slowest = max(slowest, timed_tap(qtbot, find(win, "rate_action")))
            assert win.current_screen().name == "rating"
            slowest = max(slowest, timed_tap(qtbot, find(win, f"face_{score}")))
            assert win.current_screen().name == "followup"
            win.reset_to_welcome()
        slowest = max(slowest, timed_tap(qtbot, find(win, "docs_action")))
        assert win.current_screen().name == "services"
        assert slowest < 0.25, f"a tap took {slowest * 1000:.0f} ms while sync hung"
        assert store.queue_depth() == 5
        assert svc.state().running, "the sync is still stuck on the hanging server"
        # Staff see it is running; "sync now" again does not block either.
        staff(win, qtbot)
        assert timed_tap(qtbot, find(win, "staff_sync_now")) < 0.25
        assert "ส่งคำขอซิงค์แล้ว" in find(win, "staff_notice").text()
        hang.close()  # the hung connection is cut: the pass fails with a clear error
        qtbot.waitUntil(lambda: svc.state().last_error is not None, timeout=10000)
        tap(qtbot, find(win, "staff_status"))
        # in words of the staff's language (the address and the socket error are logged)
        network = tr("sync_err_network", "th")
        qtbot.waitUntil(lambda: find(win, "st_last_error").text() == network, timeout=5000)
        assert find(win, "st_queued").text() == "5"
    finally:
        hang.close()
        close_window(win, svc)


def test_staff_enrol_by_taps_shows_the_place_and_fetches_the_catalogue(
    store, qtbot, data_dir, fake
):
    win, svc = sync_window(store, qtbot, data_dir)
    try:
        staff(win, qtbot)
        tap(qtbot, find(win, "staff_enrol"))
        scr = win.current_screen()
        assert scr.name == "staff_enrol"
        assert "ยังไม่ได้ลงทะเบียน" in find(win, "enrol_current").text()
        tap(qtbot, find(win, "enrol_url"))
        kb = scr.keyboard
        for key in ("http://",):
            tap(qtbot, next(b for b in scr.url_keys if b.property("char") == key))
        for ch in "127.0.0.1":
            tap(qtbot, kb.key_for(ch) if ch != "." else next(
                b for b in scr.url_keys if b.property("char") == "."))  # fmt: skip
        tap(qtbot, next(b for b in scr.url_keys if b.property("char") == ":"))
        for ch in str(fake.port):
            tap(qtbot, kb.key_for(ch))
        assert find(win, "enrol_url").text() == fake.url
        # The code is pasted (it comes from central's screen or an e-mail).
        tap(qtbot, find(win, "enrol_code"))
        QApplication.clipboard().setText("GOOD-CODE-0001")
        tap(qtbot, find(win, "enrol_paste"))
        assert find(win, "enrol_code").text() == "GOOD-CODE-0001"
        tap(qtbot, find(win, "enrol_submit"))
        qtbot.waitUntil(lambda: not scr.busy, timeout=10000)
        message = find(win, "enrol_message").text()
        sp = fake.catalogue["service_point"]
        assert sp["name_th"] in message and "ks-000001" in message
        assert store.enrolment()["kiosk_id"] == "ks-000001"
        qtbot.waitUntil(lambda: store.catalogue_version() == "c-1", timeout=5000)
        assert svc.state().enrolled and svc.state().server_url == fake.url
        qtbot.waitUntil(lambda: win.header.title.text() == sp["name_th"], timeout=5000)
        assert "ออนไลน์" in win.header.net.text()
    finally:
        close_window(win, svc)


@pytest.mark.parametrize(
    "url, code, key, fragment",
    [
        ("central.example", "GOOD-CODE-0001", "ที่อยู่เซิร์ฟเวอร์ไม่ถูกต้อง", "https://"),
        (None, "WRONG", "ระบบกลางไม่รับรหัสนี้", "enrolment_code_unknown"),
        ("http://127.0.0.1:9", "GOOD-CODE-0001", "ติดต่อเซิร์ฟเวอร์ไม่ได้", "refused"),
        ("https", "GOOD-CODE-0001", "เชื่อมต่อแบบปลอดภัยไม่สำเร็จ", "Secure connection"),
    ],
)
def test_staff_enrol_errors_are_clear_and_change_nothing(
    store, qtbot, data_dir, fake, url, code, key, fragment, caplog
):
    caplog.set_level("INFO", logger="kiosk")
    if url is None:
        url = fake.url
    elif url == "https":
        url = fake.url.replace("http://", "https://")
    before = (store.enrolment(), store.catalogue_version())
    win, svc = sync_window(store, qtbot, data_dir)
    try:
        staff(win, qtbot)
        win.go("staff_enrol")
        scr = win.current_screen()
        scr.url.setText(url)
        scr.code.setText(code)
        tap(qtbot, find(win, "enrol_submit"))
        qtbot.waitUntil(
            lambda: not scr.busy and bool(find(win, "enrol_message").text()), timeout=15000
        )
        assert key in find(win, "enrol_message").text()
        # the raw words of the network or central go to the log, not to the Thai screen
        detail = [w for w in win.findChildren(QWidget, "enrol_detail") if w.isVisible()]
        assert not detail
        assert fragment in caplog.text
        assert (store.enrolment(), store.catalogue_version()) == before
        assert not svc.state().enrolled
    finally:
        close_window(win, svc)


def test_a_catalogue_change_shows_on_screen_after_the_next_sync(store, qtbot, data_dir, fake):
    enrol(store, fake.url, "GOOD-CODE-0001")
    svc_code = next(
        s["code"]
        for s in fake.catalogue["services"]
        if any(d["copy_status"] == "copy_required" for d in s["documents"])
    )
    store.set_counter_services([svc_code])
    win, svc = sync_window(store, qtbot, data_dir)
    try:
        tap(qtbot, find(win, "docs_action"))
        tap(qtbot, find(win, f"service_{svc_code}"))
        badges = {c.badge.property("copy_status") for c in _cards(win)}
        assert "copy_required" in badges
        svc_payload = copy.deepcopy(
            next(s for s in fake.catalogue["services"] if s["code"] == svc_code)
        )
        for d in svc_payload["documents"]:
            d.update(copy_status="no_copy", copies=0, no_copy_since="2026-01-01",
                     verify_th="ตรวจจากบัตร", verify_en="Checked on the card")  # fmt: skip
        delta = copy.deepcopy(fake.catalogue)
        delta.update(cursor="c-2", full=False, services=[svc_payload])
        fake.deltas["c-1"] = delta
        svc.sync_now()
        qtbot.waitUntil(lambda: svc.state().catalogue_version == "c-2", timeout=10000)
        win.go("welcome")
        tap(qtbot, find(win, "docs_action"))
        tap(qtbot, find(win, f"service_{svc_code}"))
        assert {c.badge.property("copy_status") for c in _cards(win)} == {"no_copy"}
    finally:
        close_window(win, svc)


def _cards(win):
    from kiosk.ui.screens.service import DocumentCard

    return [c for c in win.findChildren(DocumentCard) if c.isVisible()]


def test_a_failed_sync_is_told_in_words_of_the_chosen_language(store, qtbot, data_dir, fake):
    """No raw exception text and no UTC timestamps on the staff screens."""
    from kiosk.ui.i18n import format_moment, tr
    from tests.kiosk.test_sync_enrol import closed_port

    enrol(store, fake.url, "GOOD-CODE-0001")
    rec = store.enrolment()
    store.set_enrolment(
        f"http://127.0.0.1:{closed_port()}", rec["credential"], kiosk_id=rec["kiosk_id"]
    )
    store.record_sync_attempt(ok=True, error=None)  # an earlier good sync, for the date
    win, svc = sync_window(store, qtbot, data_dir)
    try:
        staff(win, qtbot)
        tap(qtbot, find(win, "staff_sync_now"))
        expected = tr("sync_done_failed", "th", error=tr("sync_err_network", "th"))
        qtbot.waitUntil(lambda: find(win, "staff_notice").text() == expected, timeout=15000)
        tap(qtbot, find(win, "staff_status"))
        assert find(win, "st_last_error").text() == tr("sync_err_network", "th")
        shown = find(win, "st_last_sync").text()
        assert shown == format_moment(store.status()["last_sync_at"], "th")
        assert str(datetime.now().year + 543) in shown, "a Thai (Buddhist era) date"
        texts = " ".join(t for t in visible_texts(win))
        for raw in ("Could not reach", "Errno", "+00:00", "Traceback"):
            assert raw not in texts
    finally:
        close_window(win, svc)
