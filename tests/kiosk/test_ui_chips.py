"""Every follow-up choice shows all of its words inside its chip: the text (wrapped where
the chip is narrow) within the chip's content rectangle, the check ring beside it, not
over the chip's border. Checked with the font's own metrics on every follow-up variant
(the question depends on the score), in Thai and English, on a 7-inch, a 10-inch, a
21.5-inch and a portrait screen (under Xvfb, "สถานที่และสิ่งอำนวยความสะดวก" had lost its
last letter at 1280x800 and its ring sat on the left border)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt

from kiosk.ui.widgets import Choice
from tests.kiosk.conftest import make_window, show

SIZES = [(800, 480, 7.0), (1280, 800, 10.1), (1920, 1080, 21.5), (800, 1280, 10.1)]
SCORES = (1, 3, 5)  # what went wrong / what was it about / what went well


def chip_problems(chip: Choice) -> list[str]:
    """Why ``chip``'s words or mark do not fit inside it (empty when they do)."""
    name, out = chip.objectName(), []
    inner = chip.contentsRect()
    text, icon = chip.text_label, chip.icon_label
    fm = text.fontMetrics()
    flags = int(text.alignment()) | (Qt.TextFlag.TextWordWrap.value if text.wordWrap() else 0)
    need = fm.boundingRect(QRect(0, 0, text.width(), 100_000), flags, text.text())
    if need.width() > text.width() or need.height() > text.height():
        out.append(
            f"{name}: {text.text()!r} needs {need.width()}x{need.height()},"
            f" has {text.width()}x{text.height()}"
        )
    for part, what in ((text, "text"), (icon, "mark")):
        if not inner.contains(part.geometry()):
            out.append(f"{name}: its {what} {part.geometry()} leaves the chip's inside {inner}")
    if icon.geometry().intersects(text.geometry()):
        out.append(f"{name}: the mark overlaps the words")
    return out


@pytest.mark.parametrize(("w", "h", "diag"), SIZES, ids=[f"{w}x{h}" for w, h, _ in SIZES])
def test_every_chip_shows_all_its_words(store, qtbot, w, h, diag):
    store.set_setting("screen_diagonal_in", diag)
    win = make_window(store, qtbot, size=(w, h))
    problems: list[str] = []
    try:
        for lang in ("th", "en"):
            for score in SCORES:
                ref = store.record_rating(score, None)
                show(qtbot, win, "followup", uuid=ref.uuid, score=score)
                win.set_language(lang)
                qtbot.wait(1)
                chips = [c for c in win.current_screen().findChildren(Choice) if c.isVisible()]
                assert len(chips) == 8, "yes, no and six topics"
                for chip in chips:
                    problems += [f"{w}x{h} {lang} score {score}: {p}" for p in chip_problems(chip)]
    finally:
        win.unlocked = True
        win.close()
    assert not problems, "\n".join(problems)


def test_the_chip_check_sees_clipping(store, qtbot):
    """The check is not blind: squeeze a chip below its words and it complains."""
    win = make_window(store, qtbot, size=(1280, 800))
    try:
        ref = store.record_rating(3, None)
        show(qtbot, win, "followup", uuid=ref.uuid, score=3)
        chip = win.current_screen().chips["facilities"]
        assert chip_problems(chip) == []
        chip.text_label.setWordWrap(False)
        chip.text_label.resize(chip.text_label.width() // 3, chip.text_label.height())
        assert chip_problems(chip)
    finally:
        win.unlocked = True
        win.close()
