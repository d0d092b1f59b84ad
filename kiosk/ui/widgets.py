"""Small building blocks shared by the screens."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QIcon, QPainter, QPixmap, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QSpacerItem,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui import icons, theme
from kiosk.ui.i18n import tr


class Label(QLabel):
    """A label that repaints all of itself when its text changes.

    QLabel repaints only its contents rectangle on ``setText``; Thai vowel and tone marks
    reach above and below the line into the padding (alerts, badges), so pieces of the
    previous message stayed on screen under X11 (seen after five wrong PINs)."""

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        if text != self.text():
            super().setText(text)
            self.update()


def label(text: str = "", role: str | None = None, wrap: bool = True) -> QLabel:
    lab = Label(text)
    lab.setWordWrap(wrap)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        lab.setProperty("role", role)
    return lab


def wrap_lines(text: str, font: QFont, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` pixels at word boundaries (Thai
    ones too, as Qt finds them); a word longer than a line keeps a line of its own."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1, width))
        lines.append(text[line.textStart() : line.textStart() + line.textLength()].strip())
    layout.endLayout()
    return [part for part in lines if part] or [text]


def _phrases(text: str) -> list[str]:
    """The parts of ``text`` between spaces, an arrow kept with the word after it."""
    parts: list[str] = []
    for part in text.split():
        if parts and parts[-1] in ("←", "→"):
            parts[-1] += " " + part
        else:
            parts.append(part)
    return parts


class WrapButton(QPushButton):
    """A push button that is never narrower than its words.

    ``max_lines=1``: the button keeps its words on one line and a layout never squeezes
    it below them. ``max_lines=2``: where the button is narrower than its words on one
    line they go onto two, broken at a space if that fits (a phrase stays whole), else
    at a Thai word boundary; a layout may narrow it down to that and gives it the
    height its lines need. QPushButton itself cuts the words off where a row of buttons
    is wider than the screen ("ย้อนกลั" for ย้อนกลับ at 480x800). ``text()`` is the
    words as set."""

    def __init__(self, text: str = "", max_lines: int = 2) -> None:
        super().__init__()
        self.max_lines = max(1, max_lines)
        self._words = ""
        self._min_room: tuple[tuple, int] | None = None
        policy = QSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(self.max_lines > 1)
        self.setSizePolicy(policy)
        self.setText(text)

    def text(self) -> str:  # noqa: D401 - the words as set, not as wrapped
        return self._words

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        if text == self._words:
            return  # as QPushButton: the same words again change nothing
        self._words = text
        self._min_room = None
        self._flow()
        self.updateGeometry()

    # -- measuring --------------------------------------------------------------------
    def _chrome(self) -> int:
        """Border, padding and icon beside the words (pixels of width)."""
        opt = QStyleOptionButton()
        self.initStyleOption(opt)
        opt.rect = QRect(0, 0, 1000, 1000)
        inner = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, self)
        return 1000 - inner.width() + (0 if self.icon().isNull() else self.iconSize().width() + 4)

    def _lines(self, room: int) -> list[str]:
        text = self._words
        fm = self.fontMetrics()
        if self.max_lines == 1 or not text or fm.horizontalAdvance(text) <= room:
            return [text]
        lines: list[str] = []
        for part in _phrases(text):  # at spaces first
            joined = f"{lines[-1]} {part}" if lines else part
            if lines and fm.horizontalAdvance(joined) <= room:
                lines[-1] = joined
            else:
                lines.append(part)
        if len(lines) <= self.max_lines and all(fm.horizontalAdvance(x) <= room for x in lines):
            return lines
        return wrap_lines(text, self.font(), room)

    def _hint(self, lines: list[str]) -> QSize:
        """What QPushButton.sizeHint gives for ``lines`` (the style's padding, border and
        min-width/min-height included)."""
        opt = QStyleOptionButton()
        self.initStyleOption(opt)
        fm = self.fontMetrics()
        w = max(fm.horizontalAdvance(line) for line in lines) if any(lines) else 0
        h = fm.height() * max(1, len(lines))
        if not self.icon().isNull():
            w += self.iconSize().width() + 4
            h = max(h, self.iconSize().height())
        return self.style().sizeFromContents(
            QStyle.ContentsType.CT_PushButton, opt, QSize(w, h), self
        )

    def _narrowest_room(self) -> int:
        """The least room for the words on at most ``max_lines`` lines."""
        fm = self.fontMetrics()
        full = fm.horizontalAdvance(self._words)
        if self.max_lines == 1:
            return full
        key = (self._words, self.font().key())
        if self._min_room is not None and self._min_room[0] == key:
            return self._min_room[1]
        lo, hi = max(1, full // self.max_lines), max(1, full)
        while lo < hi:  # the narrowest room that needs no more than max_lines lines
            mid = (lo + hi) // 2
            lines = self._lines(mid)
            fits = len(lines) <= self.max_lines and all(
                fm.horizontalAdvance(line) <= mid for line in lines
            )
            lo, hi = (lo, mid) if fits else (mid + 1, hi)
        self._min_room = (key, lo)
        return lo

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self._hint([self._words])

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        lines = self._lines(self._narrowest_room())
        return self._hint(lines).expandedTo(QSize(0, self.sizeHint().height()))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return self.max_lines > 1

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return self._hint(self._lines(width - self._chrome())).height()

    # -- showing ----------------------------------------------------------------------
    def _flow(self) -> None:
        # the style sheet's min-width is a minimum size set on the widget, which layouts
        # take over minimumSizeHint: set our own, never below the words
        least = self.minimumSizeHint().width()
        if self.minimumWidth() != least:
            self.setMinimumWidth(least)
        shown = "\n".join(self._lines(self.width() - self._chrome()))
        if shown != QPushButton.text(self):
            QPushButton.setText(self, shown)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._flow()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._min_room = None
            self._flow()


def button(
    text: str = "", role: str | None = None, name: str | None = None, lines: int = 0
) -> QPushButton:
    """A touch button. ``lines`` 1: never narrower than its words (a ``WrapButton``
    kept on one line); 2: its words may take two lines where it is narrow (bars of
    buttons across a narrow screen); 0: a plain QPushButton (keys, whose rows are sized
    by the keyboard)."""
    btn = WrapButton(text, lines) if lines else QPushButton(text)
    btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if role:
        btn.setProperty("role", role)
    if name:
        btn.setObjectName(name)
    return btn


def set_role(widget: QWidget, role: str) -> None:
    """Change a widget's style role and make Qt re-apply the style sheet."""
    if widget.property("role") != role:
        widget.setProperty("role", role)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


class ScrollBox(QScrollArea):
    """A vertical scroll area for touch: kinetic finger scrolling (``QScroller``, touch
    gesture only, so taps on buttons inside go straight through with no press delay), no
    desktop scroll bar, and a "more below" cue at the bottom edge while there is more to
    see. A tap on the cue scrolls one page down (for a mouse, or a finger that does not
    know to drag)."""

    def __init__(self, inner: QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # as needed, but zero wide (theme): the content keeps its size and scrolls
        # (AlwaysOff would make Qt squeeze the content into the viewport instead)
        self.setWidget(inner)
        QScroller.grabGesture(self.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        self.cue = QPushButton(self)
        self.cue.setObjectName("more_below")
        self.cue.setProperty("role", "cue")
        self.cue.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cue.clicked.connect(self.page_down)
        self.cue.hide()
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(lambda *_: self._update_cue())
        bar.valueChanged.connect(lambda *_: self._update_cue())
        self.lang = "th"

    def retranslate(self, lang: str, icon_px: int) -> None:
        if (lang, icon_px) == getattr(self, "_worded", None):
            self._update_cue()
            return
        self._worded = (lang, icon_px)
        self.lang = lang
        self.cue.setText(tr("more_below", lang))
        self.cue.setIcon(QIcon(icons.chevron(icon_px, "#FFFFFF", down=True)))
        self.cue.setIconSize(QSize(icon_px, icon_px))
        self._update_cue()

    def swap(self, page: QWidget) -> None:
        """Show ``page`` instead of the page shown now, which is kept (hidden, not
        deleted): pages live side by side in one holder, so showing one again needs no
        new layout or style work. Set up with ``holder()``."""
        holder = self.widget()
        box = holder.layout() if holder is not None else None
        assert holder is not None and box is not None, "set up with page_holder()"
        if page.parentWidget() is not holder:
            box.addWidget(page)
        for other in holder.children():
            if isinstance(other, QWidget) and other is not page and not other.isHidden():
                other.hide()
        page.show()
        self.settle(show_new=False)

    def keep(self, page: QWidget) -> None:
        """Hold ``page`` hidden, styled, ready for ``swap`` (built ahead of time)."""
        holder = self.widget()
        box = holder.layout() if holder is not None else None
        assert holder is not None and box is not None, "set up with page_holder()"
        if page.parentWidget() is not holder:
            box.addWidget(page)
            page.hide()
        page.ensurePolished()

    def drop(self, page: QWidget) -> None:
        """Forget a page shown by ``swap``."""
        holder = self.widget()
        box = holder.layout() if holder is not None else None
        if box is not None:
            box.removeWidget(page)
        page.hide()
        page.deleteLater()

    def settle(self, show_new: bool = True) -> None:
        """Lay out rebuilt content now rather than at the next turns of the event loop."""
        inner = self.widget()
        layout = inner.layout() if inner is not None else None
        if inner is None or layout is None:
            return
        if show_new:
            for child in inner.findChildren(QWidget):
                # widgets just added to a visible parent show at the next turn of the
                # event loop (Qt queues it); show them now so the layout counts them
                if not child.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
                    child.show()
                child.ensurePolished()  # style sheet fonts and sizes, before measuring
        layout.invalidate()
        layout.activate()
        width = self.viewport().width()
        height = inner.heightForWidth(width) if inner.hasHeightForWidth() else -1
        hint = inner.minimumSizeHint()
        inner.resize(width, max(self.viewport().height(), height, hint.height()))

    def to_top(self) -> None:
        """Back to the top, as a new citizen must see it (stops a fling in progress)."""
        QScroller.scroller(self.viewport()).stop()
        self.verticalScrollBar().setValue(0)
        self._update_cue()

    def more_below(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() < bar.maximum()

    def page_down(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(min(bar.maximum(), bar.value() + max(1, self.viewport().height() * 3 // 4)))

    def _update_cue(self) -> None:
        show = self.more_below()
        if show:
            hint = self.cue.sizeHint()
            w = min(self.width(), max(hint.width(), self.width() // 3))
            self.cue.resize(w, hint.height())
            self.cue.move((self.width() - w) // 2, self.height() - hint.height())
            self.cue.raise_()
        self.cue.setVisible(show)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._update_cue()


def scroll_area(inner: QWidget) -> ScrollBox:
    return ScrollBox(inner)


def page_holder() -> QWidget:
    """The content of a ``ScrollBox`` whose pages are swapped (``ScrollBox.swap``)."""
    holder = QWidget()
    box = QVBoxLayout(holder)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(0)
    return holder


def clear_layout(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().hide()
            item.widget().deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


class IconText(QPushButton):
    """A big button with an icon above or beside a word-wrapped label.

    The labels ignore the mouse, so a tap anywhere on the button presses it.
    """

    def __init__(
        self,
        role: str = "primary",
        vertical: bool = False,
        name: str | None = None,
        chevron: bool = False,
    ):
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setProperty("role", role)
        if name:
            self.setObjectName(name)
        self.box = box = QBoxLayout(
            QBoxLayout.Direction.TopToBottom if vertical else QBoxLayout.Direction.LeftToRight, self
        )
        box.setContentsMargins(2, 2, 2, 2)
        box.setSpacing(12)
        self.icon_label = QLabel()
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # a tile that opens something ends in a chevron; otherwise the icon sits right
        # next to its words, the pair centred on the button
        self.chevron_label = QLabel() if chevron else None
        labels = [self.icon_label, self.text_label]
        if self.chevron_label is not None:
            labels.append(self.chevron_label)
        for lab in labels:
            lab.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            lab.setStyleSheet("background: transparent; color: inherit;")
        if vertical:
            box.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignCenter)
            box.addWidget(self.text_label, 1)
        elif self.chevron_label is not None:
            box.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignVCenter)
            box.addWidget(self.text_label, 1)
            box.addWidget(self.chevron_label, 0, Qt.AlignmentFlag.AlignVCenter)
        else:
            box.addStretch(1)
            box.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignVCenter)
            box.addWidget(self.text_label, 0)
            box.addStretch(1)
        # an invisible strut: the layout (which Qt asks for the height of a word-wrapped
        # button) is never lower than a finger's target (``set_min_height``)
        self._strut = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        box.addItem(self._strut)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_min_height(self, height: int) -> None:
        self.setMinimumHeight(height)
        self._strut.changeSize(
            0, max(0, height - 4), QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed
        )
        self.box.invalidate()

    def set_chevron(self, pixmap: QPixmap) -> None:
        if self.chevron_label is not None:
            self.chevron_label.setPixmap(pixmap)

    def set_vertical(self, vertical: bool) -> None:
        self.box.setDirection(
            QBoxLayout.Direction.TopToBottom if vertical else QBoxLayout.Direction.LeftToRight
        )

    def set_content(self, pixmap: QPixmap | None, text: str, colour: str | None = None) -> None:
        shown = (pixmap.cacheKey() if pixmap is not None else None, text, colour)
        if shown == getattr(self, "_shown", None):
            return  # unchanged: no new layout, no style sheet to re-apply
        self._shown = shown
        if pixmap is not None:
            self.icon_label.setPixmap(pixmap)
        self.icon_label.setVisible(pixmap is not None)
        self.text_label.setText(text)
        if colour:
            self.text_label.setStyleSheet(f"background: transparent; color: {colour};")

    def text(self) -> str:  # noqa: D401 - keeps QPushButton's API meaningful for tests
        return self.text_label.text()

    def sizeHint(self):  # noqa: N802 - Qt API
        hint = super().sizeHint()
        inner = self.box.sizeHint()
        return hint.expandedTo(inner)

    def minimumSizeHint(self):  # noqa: N802 - Qt API
        return super().minimumSizeHint().expandedTo(self.box.minimumSize())

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return self.box.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        """Tall enough for its wrapped words (a tile never squeezes two lines into one)."""
        return max(self.minimumHeight(), self.box.totalHeightForWidth(width))


class QrCode(QWidget):
    """A QR code drawn from its modules (one pixel each, shared between pages) at whole
    pixels per module: sharp, and a few hundred bytes instead of a full-size pixmap."""

    def __init__(self, url: str, size: int, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setProperty("url", url)
        self.modules = icons.qr_modules(url)
        n = self.modules.width()
        self.side = n * max(1, size // n)
        self.setFixedSize(self.side, self.side)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.drawImage(QRect(0, 0, self.side, self.side), self.modules)
        p.end()


class Header(QWidget):
    """Service point and counter, the online mark and the TH | EN switch.

    Five taps on the service point's name within four seconds is the hidden staff
    gesture (``staff_gesture`` signal).
    """

    language_chosen = Signal(str)
    staff_gesture = Signal()

    TAPS = 5
    WINDOW_S = 4.0

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "header")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 4)
        self.gesture_area = QPushButton()
        self.gesture_area.setObjectName("staff_gesture")
        self.gesture_area.setProperty("role", "hidden")
        self.gesture_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        names = QVBoxLayout(self.gesture_area)
        names.setContentsMargins(0, 0, 0, 0)
        names.setSpacing(0)
        self.title = label(role="header_title")
        self.subtitle = label(role="header_sub")
        for lab in (self.title, self.subtitle):
            lab.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            names.addWidget(lab)
        self.gesture_area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row.addWidget(self.gesture_area, 1)
        self.net = label(role="offline", wrap=False)
        self.net.setObjectName("net_mark")
        row.addWidget(self.net, 0, Qt.AlignmentFlag.AlignVCenter)
        self.lang_th = button(tr("lang_switch_th", "th"), "lang", "lang_th")
        self.lang_en = button(tr("lang_switch_en", "en"), "lang", "lang_en")
        for b, lang in ((self.lang_th, "th"), (self.lang_en, "en")):
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, lang=lang: self.language_chosen.emit(lang))
            row.addWidget(b, 0, Qt.AlignmentFlag.AlignVCenter)
        self._taps: list[float] = []
        self.gesture_area.clicked.connect(self._tap)

    def _tap(self) -> None:
        now = time.monotonic()
        self._taps = [t for t in self._taps if now - t < self.WINDOW_S] + [now]
        if len(self._taps) >= self.TAPS:
            self._taps.clear()
            self.staff_gesture.emit()

    def show_place(self, title: str, subtitle: str) -> None:
        self.title.setText(title)
        self.subtitle.setText(subtitle)

    def show_language(self, lang: str) -> None:
        self.lang_th.setChecked(lang == "th")
        self.lang_en.setChecked(lang == "en")

    def show_network(self, online: bool | None, lang: str) -> None:
        is_online = bool(online)
        self.net.setText(
            ("• " if is_online else "× ") + tr("online" if is_online else "offline", lang)
        )
        set_role(self.net, "online" if is_online else "offline")


class Choice(IconText):
    """A choice that shows its state by a mark as well as by colour: a check mark when
    selected, an empty ring when not. Its words wrap (Thai too) when the chip is narrower
    than they are, so nothing is cut off and the mark stays inside the chip's border."""

    def __init__(self, name: str, icon_px: int, role: str = "chip", min_height: int = 0) -> None:
        super().__init__(role, name=name)
        self.setCheckable(True)
        self.icon_px = icon_px
        # inside the rounded border: the ends of a pill are half its height wide
        pad = max(12, (min_height or icon_px * 2) // 4)
        self.setContentsMargins(pad, 2, pad, 2)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(max(6, icon_px // 3))
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if min_height:
            self.set_min_height(min_height)
        self.toggled.connect(self._show_mark)
        self._show_mark(False)

    def setText(self, text: str) -> None:  # noqa: N802 - QPushButton's API
        self.text_label.setText(text)

    def _show_mark(self, on: bool) -> None:
        px = self.icon_px
        self.icon_label.setPixmap(icons.check(px) if on else icons.circle(px))
        colour = theme.CHIP_ON_INK if on else theme.PRIMARY
        self.text_label.setStyleSheet(
            f"background: transparent; color: {colour}; font-weight: 600;"
        )

    def set_checked_quietly(self, on: bool) -> None:
        """Set the state without telling anyone (a new citizen starts with nothing)."""
        self.blockSignals(True)
        self.setChecked(on)
        self.blockSignals(False)
        self._show_mark(on)
