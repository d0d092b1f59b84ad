"""What fits a 10-inch 1280x800 screen without scrolling: every one of the counter's
services (as tiles with a chevron) and the whole follow-up screen; body text is at least
24 px there."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from kiosk.ui.widgets import ScrollBox
from tests.kiosk.conftest import show


def boxes(win) -> list[ScrollBox]:
    return [b for b in win.current_screen().findChildren(ScrollBox) if b.isVisible()]


def test_twelve_services_fit_as_tiles(window, qtbot, store):
    services = store.counter_services()
    assert len(services) == 12
    show(qtbot, window, "services")
    buttons = window.current_screen().buttons
    for svc in services:
        tile = buttons[svc.code]
        seen = tile.visibleRegion().boundingRect()
        assert seen.size() == tile.size(), f"{svc.code} is not wholly on screen"
        assert tile.chevron_label.pixmap() is not None and not tile.chevron_label.pixmap().isNull()
    assert all(not b.more_below() for b in boxes(window)), "nothing hidden below"


def test_followup_fits_without_scrolling(window, qtbot, store):
    ref = store.record_rating(2, None)
    show(qtbot, window, "followup", uuid=ref.uuid, score=2)
    assert all(b.verticalScrollBar().maximum() == 0 for b in boxes(window))


def test_body_text_is_at_least_24_px_on_a_10_inch_screen(window, qtbot, store):
    show(qtbot, window, "service", code=store.counter_services()[0].code)
    sizes = {
        lab.text()[:30]: lab.font().pixelSize()
        for lab in window.current_screen().findChildren(QLabel)
        if lab.isVisible() and lab.text()
    }
    small = {t: px for t, px in sizes.items() if 0 < px < 24}
    assert not small, small
