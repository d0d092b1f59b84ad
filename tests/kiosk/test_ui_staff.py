"""Staff mode: hidden gesture, PIN with lockout, counter setup, status, change PIN, leave."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from kiosk.pin import MAX_TRIES
from kiosk.ui.i18n import format_moment
from tests.kiosk.conftest import STAFF_PIN, find, make_window, show, tap


def gesture(qtbot, win) -> None:
    for _ in range(5):
        tap(qtbot, find(win, "staff_gesture"))


def type_pin(qtbot, win, pin: str) -> None:
    for d in pin:
        tap(qtbot, find(win, f"pin_{d}"))
    tap(qtbot, find(win, "pin_ok"))


def test_hidden_gesture_and_pin_open_staff_mode(window, qtbot):
    tap(qtbot, find(window, "staff_gesture"))
    assert window.current_screen().name == "welcome", "one tap is not the gesture"
    gesture(qtbot, window)
    assert window.current_screen().name == "pin"
    type_pin(qtbot, window, STAFF_PIN)
    assert window.current_screen().name == "staff_menu"


def test_staff_screens_need_the_pin(window, qtbot):
    show(qtbot, window, "staff_status")
    assert window.current_screen().name == "pin"


def test_wrong_pins_lock_the_pad_and_the_lock_grows(window, qtbot, clock, store):
    gesture(qtbot, window)
    for i in range(MAX_TRIES - 1):
        type_pin(qtbot, window, "0000")
        assert f"{MAX_TRIES - 1 - i}" in find(window, "pin_message").text()
    type_pin(qtbot, window, "0000")
    first = find(window, "pin_message").text()
    assert "30" in first
    assert not pad_open(window), "a locked pad is visibly disabled"
    clock.advance(1)
    qtbot.waitUntil(lambda: "29" in find(window, "pin_message").text(), timeout=2500)
    clock.advance(30)
    qtbot.waitUntil(lambda: pad_open(window), timeout=2500)
    shown = [w for w in window.findChildren(QWidget, "pin_message") if w.isVisible()]
    assert not shown, "the lock message goes with the lock"
    for _ in range(MAX_TRIES):
        type_pin(qtbot, window, "9999")
    assert "60" in find(window, "pin_message").text(), "the second lockout is longer"
    assert not pad_open(window)
    clock.advance(61)
    qtbot.waitUntil(lambda: pad_open(window), timeout=2500)
    type_pin(qtbot, window, STAFF_PIN)
    assert window.current_screen().name == "staff_menu"


def pad_open(win) -> bool:
    keys = [w for w in win.findChildren(QWidget) if w.objectName().startswith("pin_")]
    keys = [k for k in keys if k.objectName()[4:].isdigit() and k.isVisible()]
    assert len(keys) == 10
    return all(k.isEnabled() for k in keys)


def test_lockout_survives_a_restart(store, qtbot, clock):
    win = make_window(store, qtbot, clock)
    gesture(qtbot, win)
    for _ in range(MAX_TRIES):
        type_pin(qtbot, win, "0000")
    win.unlocked = True
    win.close()
    again = make_window(store, qtbot, clock)
    gesture(qtbot, again)
    assert again.current_screen().name == "pin"
    assert not pad_open(again), "still locked after the restart"
    assert "30" in find(again, "pin_message").text()
    again.unlocked = True
    again.close()


def test_first_run_asks_for_a_pin_then_counter_setup(store, qtbot):
    win = make_window(store, qtbot, pin=None)
    assert win.current_screen().name == "pin"
    assert not [w for w in win.findChildren(QWidget, "cancel") if w.isVisible()], "no way around it"
    type_pin(qtbot, win, "12")
    assert "4" in find(win, "pin_message").text()
    type_pin(qtbot, win, "5678")
    type_pin(qtbot, win, "5679")
    assert find(win, "pin_message").isVisible()  # mismatch
    type_pin(qtbot, win, "5678")
    type_pin(qtbot, win, "5678")
    assert win.current_screen().name == "staff_setup"
    win.unlocked = True
    win.close()


def test_counter_setup_changes_what_citizens_see(window, qtbot, store):
    gesture(qtbot, window)
    type_pin(qtbot, window, STAFF_PIN)
    tap(qtbot, find(window, "staff_setup"))
    tap(qtbot, find(window, "select_none"))
    target = store.all_services()[-1]
    tap(qtbot, find(window, f"toggle_{target.code}"))
    tap(qtbot, find(window, "save"))
    assert [s.code for s in store.counter_services()] == [target.code]
    show(qtbot, window, "services")
    assert list(window.current_screen().buttons) == [target.code]


def test_status_shows_queue_and_kiosk_facts(window, qtbot, store):
    store.record_rating(5, None)
    store.record_rating(2, None)
    gesture(qtbot, window)
    type_pin(qtbot, window, STAFF_PIN)
    tap(qtbot, find(window, "staff_status"))
    st = store.status()
    assert find(window, "st_queued").text() == str(st["queued"]) == "2"
    assert find(window, "st_kiosk_id").text() == st["kiosk_id"]
    assert find(window, "st_catalogue").text() == st["catalogue_version"]
    assert find(window, "st_app").text() == st["app_version"]


def test_change_pin(window, qtbot):
    gesture(qtbot, window)
    type_pin(qtbot, window, STAFF_PIN)
    tap(qtbot, find(window, "staff_change_pin"))
    type_pin(qtbot, window, "97531")
    type_pin(qtbot, window, "97531")
    assert window.current_screen().name == "staff_menu"
    tap(qtbot, find(window, "staff_back"))
    gesture(qtbot, window)
    type_pin(qtbot, window, STAFF_PIN)
    assert window.current_screen().name == "pin"
    type_pin(qtbot, window, "97531")
    assert window.current_screen().name == "staff_menu"


def test_kiosk_mode_cannot_be_closed_without_the_pin(store, qtbot):
    from PySide6.QtCore import Qt

    from kiosk.pin import PinGuard
    from kiosk.sync import LocalOnlySync
    from kiosk.ui.window import KioskWindow

    PinGuard(store).set_pin(STAFF_PIN)
    win = KioskWindow(store, LocalOnlySync(), kiosk_mode=True, size=(1024, 600))
    qtbot.addWidget(win)
    win.show_kiosk()
    assert win.windowFlags() & Qt.FramelessWindowHint
    assert win.windowFlags() & Qt.WindowStaysOnTopHint
    assert win.isFullScreen()
    win.close()
    assert win.isVisible(), "closing is refused in kiosk mode"
    gesture(qtbot, win)
    type_pin(qtbot, win, STAFF_PIN)
    tap(qtbot, find(win, "staff_leave"))
    assert win.isVisible(), "one tap on leave only asks"
    assert find(win, "leave_confirm").isVisible()
    tap(qtbot, find(win, "leave_no"))
    assert win.isVisible() and not find(win, "staff_setup").isHidden()
    tap(qtbot, find(win, "staff_leave"))
    tap(qtbot, find(win, "leave_yes"))
    assert not win.isVisible()


def _shown(window, name: str) -> list:
    return [w for w in window.findChildren(QWidget, name) if w.isVisible()]


def test_status_shows_a_refused_catalogue(window, qtbot, store):
    gesture(qtbot, window)
    type_pin(qtbot, window, STAFF_PIN)
    tap(qtbot, find(window, "staff_status"))
    assert not _shown(window, "st_catalogue_refused"), "nothing to report"
    store.record_catalogue_refusal("invalid catalogue: services[2].fee_th: must not be blank")
    window.current_screen().refresh()  # the page refreshes itself every 2 s
    qtbot.waitUntil(lambda: bool(_shown(window, "st_catalogue_refused")))
    shown = _shown(window, "st_catalogue_refused")[0].text()
    assert "services[2].fee_th: must not be blank" in shown
    # when, in local time with a Thai date (never a raw UTC timestamp)
    at = format_moment(store.status()["catalogue_refused_at"], window.lang)
    assert at and at in shown, "when it was refused, as staff read times"
    assert "+00:00" not in shown
    store.clear_catalogue_refusal()
    window.current_screen().refresh()
    qtbot.waitUntil(lambda: not _shown(window, "st_catalogue_refused"))
