"""A service page's QR column fits the screen: both codes and their words are seen
without scrolling, on short landscape screens too (800x480 put the map code's words
below the edge, under a "More below" cue)."""

from __future__ import annotations

import pytest

from tests.kiosk.conftest import make_window, show


@pytest.mark.parametrize("size", [(800, 480), (1024, 600), (1280, 800), (1920, 1080)])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_qr_column_needs_no_scrolling(store, qtbot, size, lang):
    win = make_window(store, qtbot, size=size)
    try:
        win.set_language(lang)
        for svc in store.counter_services():
            show(qtbot, win, "service", code=svc.code)
            page = win.page("service")
            column = page.qr_scroll  # type: ignore[attr-defined]
            assert column.verticalScrollBar().maximum() == 0, (svc.code, size, lang)
            assert column.cue.isHidden(), "no 'More below' in the QR column"
            for name in ("qr_service", "qr_map"):
                code = column.findChild(object, name)
                if code is not None and code.isVisible():
                    assert code.width() >= win.metrics.mm(12), "still big enough to scan"
    finally:
        win.unlocked = True
        win.close()
