"""Every screen warns, then returns to Welcome after inactivity."""

from __future__ import annotations

import pytest

from tests.kiosk.conftest import find, show, tap


@pytest.fixture
def fast_idle(store):
    store.set_setting("idle_timeout_s", 0.3)
    store.set_setting("idle_warning_s", 0.6)


@pytest.mark.parametrize("screen", ["services", "rating", "staff_menu"])
def test_idle_warning_then_reset_to_welcome(window, qtbot, fast_idle, screen):
    window.staff_unlocked = True
    window.set_language("en")
    show(qtbot, window, screen)
    overlay = window.overlay
    qtbot.waitUntil(overlay.isVisible, timeout=3000)
    assert window.current_screen().name == screen, "a warning comes first"
    assert "seconds" in find(window, "idle_countdown").text()
    qtbot.waitUntil(lambda: window.current_screen().name == "welcome", timeout=5000)
    assert not overlay.isVisible()
    assert window.lang == "th", "the next citizen starts in Thai"
    assert not window.staff_unlocked, "staff mode is locked again"


def test_keep_going_cancels_the_reset(window, qtbot, fast_idle, store):
    show(qtbot, window, "services")
    qtbot.waitUntil(window.overlay.isVisible, timeout=3000)
    store.set_setting("idle_timeout_s", 30)
    tap(qtbot, find(window, "idle_stay"))
    assert not window.overlay.isVisible()
    qtbot.wait(900)
    assert window.current_screen().name == "services"


def test_taps_keep_the_screen_alive(window, qtbot, store):
    store.set_setting("idle_timeout_s", 0.5)
    show(qtbot, window, "services")
    title = window.current_screen().title
    for _ in range(6):
        qtbot.wait(200)
        tap(qtbot, title)
    assert not window.overlay.isVisible()
    assert window.current_screen().name == "services"
