from __future__ import annotations

import math
from collections import OrderedDict
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.storage import Document, Service, ServicePoint
from kiosk.ui import icons, theme
from kiosk.ui.context import DEFAULT_LANG, UiState
from kiosk.ui.i18n import format_date, pick, tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import QrCode, button, label, page_holder, scroll_area

PAGES_KEPT = 12  # a counter's services in Thai (each page costs about 0.25 MB)
OTHER_PAGES_KEPT = 4  # pages in another language, only while its visit lasts


def copy_badge_text(doc: Document, lang: str) -> str:
    """The words on a document's copy-status badge."""
    if doc.copy_status == "no_copy":
        # "we check it digitally" only where the No Copy policy applies (it has a date);
        # an original-only document simply needs no copy
        return tr("badge_no_copy" if doc.no_copy_since else "badge_no_copy_plain", lang)
    if doc.copies == 1:
        return tr("badge_copy_one", lang)
    return tr("badge_copy_n", lang, n=doc.copies)


def originals_text(doc: Document, lang: str) -> str:
    if doc.originals <= 0:
        return tr("no_original", lang)
    return tr("originals" if doc.originals == 1 else "originals_plural", lang, n=doc.originals)


class Badge(QObject):
    """What a document's copy-status badge says (the card draws it): its words, its
    style role and the status it stands for."""

    def __init__(self, text: str, copy_status: str, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("copy_badge")
        self.setProperty("copy_status", copy_status)
        self.setProperty("role", "badge_no_copy" if copy_status == "no_copy" else "badge_copy")
        self._text = text

    def text(self) -> str:
        return self._text


def _text_layout(text: str, font: QFont, width: int) -> tuple[QTextLayout, int]:
    """``text`` wrapped at word boundaries (Thai ones too) to ``width``; its height."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    y = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1, width))
        line.setPosition(QPointF(0, y))
        y += line.height()
    layout.endLayout()
    return layout, math.ceil(y)


class DocumentCard(QFrame):
    """One required document: name, originals, a copy-status badge (icon + words on the
    status colour) and why / how it is checked instead.

    One widget that lays out and draws its own text: a service page holds one per
    document, and a card of five labels and two layouts cost five times the memory
    (every styled widget keeps its own style-sheet caches)."""

    MARGIN, SPACING, PAD_X, PAD_Y = 12, 6, 12, 6

    def __init__(self, doc: Document, lang: str, icon_px: int, radius: int = 8) -> None:
        super().__init__()
        self.setProperty("role", "card")
        self.setObjectName(f"doc_{doc.code}")
        self.doc = doc
        self.no_copy = doc.copy_status == "no_copy"
        self.icon_px, self.radius = icon_px, radius
        self.name = pick(lang, doc.name_th, doc.name_en)
        self.originals = originals_text(doc, lang)
        self.badge = Badge(copy_badge_text(doc, lang), doc.copy_status, self)
        detail = (
            pick(lang, doc.verify_th, doc.verify_en)
            if self.no_copy
            else pick(lang, doc.reason_th, doc.reason_en)
        )
        if self.no_copy and doc.no_copy_since:
            since = tr("no_copy_since", lang, date=format_date(doc.no_copy_since, lang))
            detail = f"{detail} ({since})" if detail else since
        self.detail = detail or ""
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._heights: dict[int, int] = {}  # by width (layouts ask at a few widths)
        # laid-out text while the card is on screen (let go when it is hidden)
        self._drawn: tuple[int, list[tuple[str, QTextLayout, int]]] | None = None

    def texts(self) -> list[str]:
        """Every text the card shows (for tests and the tour)."""
        return [t for t in (self.name, self.originals, self.badge.text(), self.detail) if t]

    # -- fonts and layout -------------------------------------------------------------------
    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        self.ensurePolished()
        body = QFont(self.font())
        px = body.pixelSize() if body.pixelSize() > 0 else 24
        section = QFont(body)
        section.setPixelSize(round(px * 1.15))
        section.setWeight(QFont.Weight.Bold)
        badge = QFont(body)
        badge.setWeight(QFont.Weight.Bold)
        return body, section, badge

    def _blocks(self, width: int) -> list[tuple[str, QTextLayout, int]]:
        """(kind, layout, height) for every paragraph at card width ``width``."""
        body, section, badge = self._fonts()
        inner = width - 2 * (self.MARGIN + self.frameWidth())
        badge_w = inner - self.icon_px - self.SPACING * 2 - 2 * self.PAD_X
        blocks = [
            ("name", *_text_layout(self.name, section, inner)),
            ("originals", *_text_layout(self.originals, body, inner)),
            ("badge", *_text_layout(self.badge.text(), badge, badge_w)),
        ]
        if self.detail:
            blocks.append(("detail", *_text_layout(self.detail, body, inner)))
        return blocks

    def _block_height(self, kind: str, height: int) -> int:
        return max(self.icon_px, height + 2 * self.PAD_Y) if kind == "badge" else height

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        if width not in self._heights:
            if len(self._heights) > 8:
                self._heights.clear()
            blocks = self._blocks(width)
            h = sum(self._block_height(kind, bh) for kind, _l, bh in blocks)
            h += self.SPACING * (len(blocks) - 1) + 2 * (self.MARGIN + self.frameWidth())
            self._heights[width] = h
        return self._heights[width]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        width = max(self.width(), 400)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self.icon_px * 4, self.heightForWidth(max(self.width(), self.icon_px * 4)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self.height() < self.heightForWidth(self.width()):
            self.updateGeometry()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._heights.clear()  # measured with another font
            self._drawn = None
        super().changeEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._drawn = None
        super().hideEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)  # the card's own background and border (style sheet)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        x = y = self.MARGIN + self.frameWidth()
        colours = {
            "name": theme.INK,
            "originals": theme.INK,
            "detail": theme.INK_MUTED,
            "badge": theme.NO_COPY_INK if self.no_copy else theme.COPY_INK,
        }
        if self._drawn is None or self._drawn[0] != self.width():
            self._drawn = (self.width(), self._blocks(self.width()))
        for kind, layout, height in self._drawn[1]:
            block_h = self._block_height(kind, height)
            if kind == "badge":
                icon = icons.no_copy(self.icon_px) if self.no_copy else icons.copies(self.icon_px)
                p.drawPixmap(x, y, icon)
                left = x + self.icon_px + self.SPACING * 2
                text_w = math.ceil(
                    max(layout.lineAt(i).naturalTextWidth() for i in range(layout.lineCount()))
                )
                pill = QRectF(left, y, text_w + 2 * self.PAD_X, height + 2 * self.PAD_Y)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(theme.NO_COPY_BG if self.no_copy else theme.COPY_BG))
                p.drawRoundedRect(pill, self.radius, self.radius)
                p.setPen(QColor(colours[kind]))
                layout.draw(p, QPointF(left + self.PAD_X, y + self.PAD_Y))
            else:
                p.setPen(QColor(colours[kind]))
                layout.draw(p, QPointF(x, y))
            y += block_h + self.SPACING
        p.end()


class ServiceNeeds(Protocol):
    def counter_services(self) -> list[Service]: ...
    def service(self, code: str) -> Service | None: ...
    def service_point(self) -> ServicePoint: ...


class ServiceScreen(Screen):
    """One service: documents with copy status, steps and times, fee, QR codes."""

    name = "service"
    back_requested = Signal()
    #: the citizen was served: rate, tied to this service (its code)
    rate_requested = Signal(str)

    def __init__(self, ui: UiState, deps: ServiceNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        self.service: Service | None = None
        self.title = label(role="title")
        self.title.setObjectName("service_title")
        self.agency = label(role="subtitle")
        self.body.addWidget(self.title)
        self.body.addWidget(self.agency)
        self.split = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.scrollbox = scroll_area(page_holder())
        self.split.addWidget(self.scrollbox, 3)
        self.qr_scroll = scroll_area(page_holder())
        self.split.addWidget(self.qr_scroll, 1)
        self.body.addLayout(self.split, 1)
        nav = QHBoxLayout()
        self.back = button(name="back", lines=1)
        self.back.clicked.connect(self.back_requested.emit)
        self.rate = button(role="primary", name="rate_after", lines=2)
        self.rate.clicked.connect(
            lambda: self.rate_requested.emit(self.service.code if self.service else "")
        )
        nav.addWidget(self.back)
        nav.addStretch(1)
        nav.addWidget(self.rate)
        self.body.addLayout(nav)
        self.cards: list[DocumentCard] = []
        self._built: tuple | None = None  # what is drawn: rebuilt only when it changes
        # Built pages (documents, QR codes) by service, language and size: opening a
        # service again swaps its page in instead of building it (the tap stays fast).
        self._pages: OrderedDict[tuple, tuple[QWidget, QWidget, list[DocumentCard]]] = OrderedDict()

    def catalogue_changed(self) -> None:
        """A new catalogue arrived: show the current service as it is now."""
        if self.service is not None:
            self.service = self.deps.service(self.service.code)
        self.retranslate()

    def enter(self, code: str | None = None, **params: object) -> None:
        if code is not None:
            self.service = self.deps.service(code)

    def retranslate(self) -> None:
        lang, m = self.lang, self.metrics
        self.back.setText(tr("back", lang))
        self.rate.setText(tr("rate_after", lang))
        sp = self.deps.service_point()
        key = (lang, m, self.service, sp)
        if key == self._built:
            return
        self._built = key
        svc = self.service
        self.title.setText(pick(lang, svc.name_th, svc.name_en) if svc else "")
        self.agency.setText(pick(lang, svc.agency_th, svc.agency_en) if svc else "")
        portrait = m.portrait
        self.split.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        qr_px = self._qr_px()
        self.qr_scroll.setMinimumHeight(qr_px + m.body_px * 3 if portrait else 0)
        beside = self._captions_beside()
        caption_w = self._caption_w() if beside else 0
        self.qr_scroll.setMinimumWidth(0 if portrait else qr_px + m.gap * 2 + caption_w)
        content, qr, self.cards = self._page(key)
        self.scrollbox.swap(content)
        self.qr_scroll.swap(qr)

    def _qr_px(self) -> int:
        m = self.metrics
        px = max(m.mm(22), min(m.width, m.height) // 5)
        if self._captions_beside():
            # two codes, one above the other, in the height left beside the documents
            # (with room for a title on two lines): smaller on a short screen, not cut off
            px = min(px, (self._qr_height() - m.title_px * 3 // 2 - m.gap) // 2)
        return max(m.mm(12), px)

    def _qr_height(self) -> int:
        """About the height of the QR column on a landscape screen: the window less the
        header, the service's title and agency, the buttons' row and the margins."""
        m = self.metrics
        header = m.body_px * 11 // 5 + 8
        title = m.title_px * 3 // 2 + m.body_px * 8 // 5
        return m.height - header - title - (m.target + m.gap) - 2 * m.gap

    def _captions_beside(self) -> bool:
        """On a short landscape screen (800x480, 1024x600) a code and its words below it,
        twice, do not fit the column: then the words stand beside each code."""
        m = self.metrics
        if m.portrait:
            return False
        px = max(m.mm(22), min(m.width, m.height) // 5)
        under = 2 * (px + 5 * m.body_px // 2) + m.gap  # (words on up to two lines)
        return under > self._qr_height()

    def _caption_w(self) -> int:
        return self.metrics.body_px * 15 // 2

    def _page(self, key: tuple) -> tuple[QWidget, QWidget, list[DocumentCard]]:
        """The page for ``key`` (language, metrics, service, service point): kept, or
        built now. Up to ``PAGES_KEPT`` in the default language are kept (built ahead of
        time) and ``OTHER_PAGES_KEPT`` in another, the least recently shown going first."""
        lang, m, svc, sp = key
        page = self._pages.pop(key, None) or self._build(svc, sp, lang, m, self._qr_px())
        self._pages[key] = page
        same = [k for k in self._pages if (k[0] == DEFAULT_LANG) == (lang == DEFAULT_LANG)]
        limit = PAGES_KEPT if lang == DEFAULT_LANG else OTHER_PAGES_KEPT
        for old in same[: max(0, len(same) - limit)]:  # (the page asked for comes last)
            self._drop(old)
        return page

    def _drop(self, key: tuple) -> None:
        content, qr, _cards = self._pages.pop(key)
        self.scrollbox.drop(content)
        self.qr_scroll.drop(qr)

    def prebuild_pages(self) -> None:
        """Build the pages of this counter's services in the default language ahead of
        time (after the first frame), so a citizen's first tap on each only swaps."""
        sp = self.deps.service_point()
        for svc in self.deps.counter_services()[:PAGES_KEPT]:
            key = (DEFAULT_LANG, self.metrics, svc, sp)
            if key in self._pages:
                continue
            content, qr, _cards = self._page(key)
            self.scrollbox.keep(content)
            self.qr_scroll.keep(qr)

    def visit_ended(self) -> None:
        """The next citizen starts in the default language: let the other pages go."""
        for key in [k for k in self._pages if k[0] != DEFAULT_LANG]:
            if key == self._built:  # (this screen is not on screen: Welcome is)
                self._built, self.cards = None, []
            self._drop(key)

    def _build(
        self, svc: Service | None, sp, lang: str, m, qr_px: int
    ) -> tuple[QWidget, QWidget, list[DocumentCard]]:
        content_widget, qr_widget = QWidget(), QWidget()
        content = QVBoxLayout(content_widget)
        content.setContentsMargins(0, 0, m.gap, 0)
        content.setSpacing(m.gap)
        qr_box = QBoxLayout(
            QBoxLayout.Direction.LeftToRight if m.portrait else QBoxLayout.Direction.TopToBottom,
            qr_widget,
        )
        qr_box.setContentsMargins(0, 0, 0, 0)
        cards: list[DocumentCard] = []
        if svc is None:
            return content_widget, qr_widget, cards
        content.addWidget(label(tr("documents_title", lang), "section"))
        radius = max(8, m.target // 6)
        for doc in svc.documents:
            card = DocumentCard(doc, lang, max(24, m.body_px + 8), radius)
            cards.append(card)
            content.addWidget(card)

        content.addWidget(label(tr("steps_title", lang), "section"))
        steps = [
            f"{step.order}. {pick(lang, step.title_th, step.title_en)}"
            f" — {tr('step_minutes', lang, n=step.minutes)}"
            for step in svc.steps
        ]
        if steps:  # one label for all the steps: fewer widgets, same text
            steps_label = label("\n".join(steps))
            steps_label.setObjectName("steps")
            content.addWidget(steps_label)
        total = label(tr("total_time", lang, n=svc.total_minutes), "section")
        total.setObjectName("total_time")
        fee = label(tr("fee", lang, fee=pick(lang, svc.fee_th, svc.fee_en)), "section")
        fee.setObjectName("fee")
        content.addWidget(total)
        content.addWidget(fee)
        if svc.demo:
            content.addWidget(label(tr("demo_note", lang), "muted"))
        content.addStretch(1)

        beside = not m.portrait and self._captions_beside()
        for key, url, name in (
            ("qr_service", svc.public_url, "qr_service"),
            ("qr_map", sp.map_url, "qr_map"),
        ):
            if not url:
                continue
            cap = label(tr(key, lang), "muted")
            if beside:  # a short screen: the words beside the code, the column fits
                cell = QBoxLayout(QBoxLayout.Direction.LeftToRight)
                cell.setSpacing(m.gap)
                cap.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                cap.setFixedWidth(self._caption_w())
                code = QrCode(url, qr_px, name)
                cell.addWidget(code, 0, Qt.AlignmentFlag.AlignVCenter)
                cell.addSpacing(max(0, qr_px - code.side))  # the words of both in line
            else:
                cell = QBoxLayout(QBoxLayout.Direction.TopToBottom)
                cap.setAlignment(Qt.AlignmentFlag.AlignCenter)
                cell.addWidget(QrCode(url, qr_px, name), 0, Qt.AlignmentFlag.AlignHCenter)
            cell.setContentsMargins(0, 0, 0, 0)
            cell.addWidget(cap)
            qr_box.addLayout(cell)
        qr_box.addStretch(1)
        return content_widget, qr_widget, cards
