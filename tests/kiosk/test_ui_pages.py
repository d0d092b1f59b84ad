"""What the kiosk keeps between visits: the counter's service pages in Thai are built
ahead of time (a citizen's first tap on a service only swaps its page in), and what only
an English-speaking visit needed (its pages, other keyboard pages) goes when it ends."""

from __future__ import annotations

from kiosk.ui.screens.service import OTHER_PAGES_KEPT, PAGES_KEPT
from tests.kiosk.conftest import find, show, tap


def langs_of_pages(win) -> list[str]:
    return sorted(key[0] for key in win.page("service")._pages)


def test_thai_pages_are_built_ahead_and_swapped_in(window, qtbot, store):
    window.prebuild()
    services = store.counter_services()
    scr = window.page("service")
    assert langs_of_pages(window) == ["th"] * min(len(services), PAGES_KEPT)
    built = {key[2].code: page[0] for key, page in scr._pages.items()}
    show(qtbot, window, "services")
    tap(qtbot, find(window, f"service_{services[3].code}"))
    assert window.current_screen() is scr
    assert scr.scrollbox.widget().isVisible()
    shown = [w for w in built.values() if w.isVisible()]
    assert shown == [built[services[3].code]], "the page built ahead is the one shown"


def test_an_english_visit_leaves_only_thai_pages_behind(window, qtbot, store):
    window.prebuild()
    before = langs_of_pages(window)
    services = store.counter_services()
    tap(qtbot, find(window, "lang_en"))
    for svc in services[:3]:
        show(qtbot, window, "services")
        tap(qtbot, find(window, f"service_{svc.code}"))
    assert langs_of_pages(window).count("en") == 3
    assert langs_of_pages(window).count("th") == before.count("th"), "Thai pages stay"
    for svc in services[3 : 4 + OTHER_PAGES_KEPT]:
        show(qtbot, window, "service", code=svc.code)
    assert langs_of_pages(window).count("en") == OTHER_PAGES_KEPT, "a few, not every one"
    show(qtbot, window, "comment")
    kb = window.page("comment").keyboard
    kb.set_layout("en")
    kb.shift_btn.click()
    assert len(kb._pages) >= 2
    show(qtbot, window, "welcome")  # the visit is over
    assert langs_of_pages(window) == before, "Thai pages kept, English ones let go"
    assert list(kb._pages) == [("th", False)], "only the keys the next citizen starts with"
