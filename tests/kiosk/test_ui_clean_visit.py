"""Every citizen starts clean: two citizens in a row through every screen, the second one
sees nothing of the first (top of every list, nothing selected, Thai, empty follow-ups,
the same calm thank-you whatever the score)."""

from __future__ import annotations

from PySide6.QtGui import QImage

from kiosk.ui import icons
from kiosk.ui.i18n import tr
from kiosk.ui.widgets import ScrollBox
from tests.kiosk.conftest import find, make_window, tap


def scroll_boxes(win) -> list[ScrollBox]:
    return [b for b in win.current_screen().findChildren(ScrollBox) if b.isVisible()]


def scroll_down_by_cue(qtbot, win) -> None:
    """Scroll as a citizen may: tap the "more below" cue until it goes."""
    box = max(scroll_boxes(win), key=lambda b: b.verticalScrollBar().maximum())
    assert box.more_below(), "this screen has more below (the test needs something to scroll)"
    while box.more_below():
        tap(qtbot, box.cue)
    assert box.verticalScrollBar().value() > 0


def assert_at_top(win) -> None:
    for box in scroll_boxes(win):
        assert box.verticalScrollBar().value() == 0, f"{win.current_screen().name} not at top"


def same_image(a, b) -> bool:
    return a.toImage().convertToFormat(QImage.Format_ARGB32) == b.toImage().convertToFormat(
        QImage.Format_ARGB32
    )


def citizen(qtbot, win, store, *, lang: str, score: int, scroll: bool, choose: bool) -> str:
    """One visit through every citizen screen; returns the rating's uuid."""
    assert win.current_screen().name == "welcome"
    assert win.lang == "th", "every visit starts in Thai"
    assert find(win, "lang_th").isChecked() and not find(win, "lang_en").isChecked()
    if lang == "en":
        tap(qtbot, find(win, "lang_en"))
    tap(qtbot, find(win, "docs_action"))
    assert win.current_screen().name == "services"
    assert_at_top(win)
    if scroll:
        scroll_down_by_cue(qtbot, win)
    svc = store.counter_services()[0]
    tap(qtbot, find(win, f"service_{svc.code}"))
    assert win.current_screen().name == "service"
    assert_at_top(win)
    first_card = win.current_screen().cards[0]
    assert first_card.visibleRegion().boundingRect().top() == 0, "first document in full view"
    if scroll:
        scroll_down_by_cue(qtbot, win)
    tap(qtbot, find(win, "rate_after"))
    assert win.current_screen().name == "rating"
    assert not find(win, "face_1").isChecked()
    tap(qtbot, find(win, f"face_{score}"))
    screen = win.current_screen()
    assert screen.name == "followup"
    assert screen.selected() == [], "no choice of an earlier citizen shows"
    question = find(win, "followup_question").text()
    expected = (
        "followup_wrong" if score <= 2 else "followup_well" if score >= 4 else "followup_about"
    )
    assert question == tr(expected, lang)
    uuid = screen.uuid
    if choose:
        tap(qtbot, find(win, "copy_yes"))
        tap(qtbot, find(win, "dim_staff"))
        assert screen.selected() == ["copy_yes", "dim_staff"]
    tap(qtbot, find(win, "comment_add"))
    comment = win.current_screen()
    assert comment.name == "comment"
    assert comment.edit.toPlainText() == "", "the comment box starts empty"
    kb = comment.keyboard
    assert kb.layout_lang == lang and not kb.shifted, "keyboard in the visit's language, unshifted"
    if choose:
        tap(qtbot, kb.shift_btn)
        assert kb.shifted and kb.shift_btn.isChecked()
        tap(qtbot, kb.key_for(kb.keys[5].property("char")))
    tap(qtbot, find(win, "send"))
    assert win.current_screen().name == "thanks"
    sign = find(win, "thanks_sign").pixmap()
    assert same_image(sign, icons.thanks(win.metrics.target)), "the same calm sign for all"
    qtbot.waitUntil(lambda: win.current_screen().name == "welcome", timeout=3000)
    return uuid


def test_two_citizens_in_a_row_the_second_starts_clean(store, qtbot):
    # a 7-inch 800x480 screen: the lists are long enough to scroll there
    store.set_setting("screen_diagonal_in", 7.0)
    store.set_setting("thanks_timeout_s", 0.2)
    window = make_window(store, qtbot, size=(800, 480))
    first = citizen(qtbot, window, store, lang="en", score=1, scroll=True, choose=True)
    assert window.lang == "th", "language back to Thai when the visit ends"
    second = citizen(qtbot, window, store, lang="th", score=5, scroll=False, choose=False)
    window.unlocked = True
    window.close()
    assert first != second
    a, b = store.rating(first), store.rating(second)
    assert a["dimensions"] == ["staff"] and a["asked_for_copy"] is True
    assert b["dimensions"] == [] and b["asked_for_copy"] is None and b["comment"] is None


def test_idle_reset_and_home_return_to_thai(window, qtbot, store):
    store.set_setting("idle_timeout_s", 0.1)
    store.set_setting("idle_warning_s", 0.2)
    tap(qtbot, find(window, "lang_en"))
    tap(qtbot, find(window, "docs_action"))
    assert window.lang == "en"
    qtbot.waitUntil(lambda: window.current_screen().name == "welcome", timeout=5000)
    assert window.lang == "th" and find(window, "lang_th").isChecked()
    tap(qtbot, find(window, "lang_en"))
    tap(qtbot, find(window, "docs_action"))
    tap(qtbot, find(window, "back"))
    assert window.current_screen().name == "welcome" and window.lang == "th"
