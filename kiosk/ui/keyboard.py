"""An on-screen keyboard for the optional comment: Thai Kedmanee and English QWERTY.

Why our own widget and not Qt Virtual Keyboard: the virtual keyboard needs Qt Quick, the
59 MB ``pyside6-addons`` wheel and ``libpulse0``, and did not show with a Widgets app
offscreen, so it could not be tested here. A plain grid of buttons types Thai on every
platform, is driven by the same taps as the rest of the kiosk, and follows the layout
(Kedmanee, ``TIS 820-2538``) Thai users already know from phones and PCs.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui import icons
from kiosk.ui.i18n import tr
from kiosk.ui.widgets import button

THAI = (
    ("ๅ/-ภถุึคตจขช", "+๑๒๓๔ู฿๕๖๗๘๙"),
    ("ๆไำพะัีรนยบลฃ", '๐"ฎฑธํ๊ณฯญฐ,ฅ'),
    ("ฟหกดเ้่าสวง", "ฤฆฏโฌ็๋ษศซ."),
    ("ผปแอิืทมใฝ", "()ฉฮฺ์?ฒฬฦ"),
)
ENGLISH = (
    ("1234567890", "!@#%&*()-+"),
    ("qwertyuiop", "QWERTYUIOP"),
    ("asdfghjkl'", 'ASDFGHJKL"'),
    ("zxcvbnm,.?", "ZXCVBNM;:!"),
)
LAYOUTS = {"th": THAI, "en": ENGLISH}
COMBINING = set("ุึัีิื้่็๋์ํฺู๊")


def key_caption(ch: str) -> str:
    """Thai vowel and tone marks sit on a consonant; show them on 'อ' so they are legible."""
    return "อ" + ch if ch in COMBINING else ch


class Keyboard(QWidget):
    """The keys, one page per layout and shift state. Pages are built once and swapped
    (a tap on shift or on the layout key moves nothing else on screen); the shift key
    stays lit while shifted."""

    typed = Signal(str)
    backspace = Signal()

    def __init__(self, lang: str = "th") -> None:
        super().__init__()
        self.layout_lang = lang
        self.shifted = False
        self.ui_lang = lang
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages)
        self._pages: dict[tuple[str, bool], tuple[QWidget, list[QPushButton]]] = {}
        self.bottom = bottom = QHBoxLayout()
        bottom.setSpacing(4)
        self.switch_btn = button(role="key", name="kb_switch")
        self.shift_btn = button(role="key", name="kb_shift")
        self.shift_btn.setCheckable(True)
        self.space_btn = button(role="key", name="kb_space")
        self.back_btn = button(role="key", name="kb_backspace")
        self.switch_btn.clicked.connect(self._switch)
        self.shift_btn.clicked.connect(self._shift)
        self.space_btn.clicked.connect(lambda: self.typed.emit(" "))
        self.back_btn.clicked.connect(self.backspace.emit)
        bottom.addWidget(self.switch_btn, 2)
        bottom.addWidget(self.shift_btn, 2)
        bottom.addWidget(self.space_btn, 6)
        bottom.addWidget(self.back_btn, 3)
        outer.addLayout(bottom)
        self.keys: list[QPushButton] = []
        self._build()

    def _page(self, lang: str, shifted: bool) -> tuple[QWidget, list[QPushButton]]:
        if (lang, shifted) not in self._pages:
            page = QWidget()
            grid = QGridLayout(page)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setSpacing(4)
            keys = []
            for r, (plain, upper) in enumerate(LAYOUTS[lang]):
                for c, ch in enumerate(upper if shifted else plain):
                    key = button(key_caption(ch), "key")
                    key.setProperty("char", ch)
                    key.clicked.connect(lambda _=False, ch=ch: self._type(ch))
                    grid.addWidget(key, r, c)
                    keys.append(key)
            self.pages.addWidget(page)
            self._pages[(lang, shifted)] = (page, keys)
        return self._pages[(lang, shifted)]

    def _build(self) -> None:
        """Show the page for the current layout and shift state."""
        page, self.keys = self._page(self.layout_lang, self.shifted)
        self.pages.setCurrentWidget(page)
        self.shift_btn.setChecked(self.shifted)
        # shifted: lit, and a check mark beside the word (not colour alone)
        px = max(12, self.shift_btn.fontMetrics().height() * 2 // 3)
        self.shift_btn.setIconSize(QSize(px, px))
        self.shift_btn.setIcon(QIcon(icons.check(px)) if self.shifted else QIcon())
        self.retranslate(self.ui_lang)

    def _type(self, ch: str) -> None:
        self.typed.emit(ch)
        if self.shifted and self.layout_lang == "en":
            self.shifted = False
            self._build()

    def set_layout(self, lang: str) -> None:
        """Show the Thai ("th") or English ("en") keys, unshifted."""
        self.layout_lang = lang
        self.shifted = False
        self._build()

    def _switch(self) -> None:
        self.set_layout("en" if self.layout_lang == "th" else "th")

    def _shift(self) -> None:
        self.shifted = not self.shifted
        self._build()

    def forget_pages_but(self, lang: str) -> None:
        """Keep only the page a new visit starts with (``lang``, unshifted) and the one
        on screen; the others are built again when a citizen asks for them."""
        current = self.pages.currentWidget()
        for key, (page, _keys) in list(self._pages.items()):
            if key != (lang, False) and page is not current:
                del self._pages[key]
                self.pages.removeWidget(page)
                page.deleteLater()

    def key_for(self, ch: str) -> QPushButton | None:
        """The key that types ``ch`` on the current page, if any (used by tests)."""
        return next((k for k in self.keys if k.property("char") == ch), None)

    def retranslate(self, lang: str) -> None:
        self.ui_lang = lang
        self.switch_btn.setText(
            tr("kb_lang_en" if self.layout_lang == "th" else "kb_lang_th", lang)
        )
        self.shift_btn.setText(tr("kb_shift", lang))
        self.space_btn.setText(tr("kb_space", lang))
        self.back_btn.setText(tr("kb_backspace", lang))
        # the stretch factors share the row out; none of these keys narrower than its
        # word ("แป้นบน" lost its last letter on a 480-pixel-wide screen)
        for key in (self.switch_btn, self.shift_btn, self.space_btn, self.back_btn):
            key.setMinimumWidth(key.sizeHint().width())
