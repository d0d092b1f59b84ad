"""Thai must render as Thai: every visible character on every screen has a glyph."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QRawFont
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from kiosk.tour import tour_steps
from kiosk.ui.fonts import FONT_FILES, font_dir
from kiosk.ui.i18n import LANGS, STRINGS
from tests.kiosk.conftest import make_window, visible_texts


def raw_fonts() -> list[QRawFont]:
    return [QRawFont(str(font_dir() / name), 24) for name in FONT_FILES]


def missing_chars(text: str) -> set[str]:
    fonts = raw_fonts()
    return {
        ch
        for ch in text
        if not ch.isspace() and not all(f.supportsCharacter(ord(ch)) for f in fonts)
    }


def tofu_glyphs(text: str, font: QFont) -> bool:
    """True when ``font`` as Qt resolves it (no fallback fonts) lacks a glyph of ``text``.

    (QTextLayout would be the other strict check, but its beginLayout/endLayout drop a
    reference to None on every call in PySide6 6.12, which crashes a long test run.)
    """
    raw = QRawFont.fromFont(font)
    if raw.familyName() != font.family():
        return True
    shown = "".join(ch for ch in text if not ch.isspace())
    return 0 in raw.glyphIndexesForString(shown)


def test_every_string_exists_in_both_languages_and_has_glyphs(qapp):
    for key, pair in STRINGS.items():
        assert len(pair) == len(LANGS) and all(pair), key
        for text in pair:
            assert not missing_chars(text), f"{key}: no glyph for {missing_chars(text)}"


def test_font_check_is_strict(qapp):
    """The check itself must be able to fail: a character Sarabun lacks is caught."""
    assert missing_chars("★")
    from kiosk.ui.fonts import load_fonts

    assert tofu_glyphs("★", QFont(load_fonts()))
    assert not tofu_glyphs("ไม่ต้องใช้สำเนา", QFont(load_fonts()))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", [(1280, 800), (800, 480)])
def test_every_screen_renders_every_character(store, qtbot, lang, size):
    win = make_window(store, qtbot, size=size)
    checked = 0
    try:
        for stem, action in tour_steps(win):
            win.set_language(lang)
            action()
            win.set_language(lang)
            texts = visible_texts(win)
            assert texts, stem
            for text in texts:
                assert not missing_chars(text), (
                    f"{stem}/{lang}: no glyph for {missing_chars(text)} in {text!r}"
                )
            for w in win.findChildren(QWidget):
                if w.isVisible() and isinstance(w, QLabel | QAbstractButton) and w.text():
                    assert w.font().family() == win.family, (
                        f"{stem}: {w.text()!r} not in the bundled font"
                    )
                    assert not tofu_glyphs(w.text(), w.font()), (
                        f"{stem}/{lang}: box in {w.text()!r}"
                    )
                    checked += 1
                if w.isVisible() and callable(getattr(w, "texts", None)):  # draws its text
                    for text in w.texts():
                        assert w.font().family() == win.family, f"{stem}: {text!r}"
                        assert not tofu_glyphs(text, w.font()), f"{stem}/{lang}: box in {text!r}"
                        checked += 1
    finally:
        win.unlocked = True
        win.close()
    assert checked > 100
