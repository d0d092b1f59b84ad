from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.storage import Document, Service, ServicePoint
from kiosk.ui import icons
from kiosk.ui.context import UiState
from kiosk.ui.i18n import format_date, pick, tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import button, label, page_holder, scroll_area

PAGES_KEPT = 12  # a counter's services in one language (each page costs about 0.6 MB)


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


class DocumentCard(QFrame):
    """One required document: name, originals, a copy-status badge with icon and words."""

    def __init__(self, doc: Document, lang: str, icon_px: int) -> None:
        super().__init__()
        self.setProperty("role", "card")
        self.setObjectName(f"doc_{doc.code}")
        self.doc = doc
        box = QVBoxLayout(self)
        box.addWidget(label(pick(lang, doc.name_th, doc.name_en), "section"))
        box.addWidget(label(originals_text(doc, lang)))
        row = QHBoxLayout()
        no_copy = doc.copy_status == "no_copy"
        icon = QLabel()
        icon.setPixmap(icons.no_copy(icon_px) if no_copy else icons.copies(icon_px))
        self.badge = label(copy_badge_text(doc, lang), "badge_no_copy" if no_copy else "badge_copy")
        self.badge.setObjectName("copy_badge")
        self.badge.setProperty("copy_status", doc.copy_status)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.badge, 1)
        box.addLayout(row)
        detail = (
            pick(lang, doc.verify_th, doc.verify_en)
            if no_copy
            else pick(lang, doc.reason_th, doc.reason_en)
        )
        if no_copy and doc.no_copy_since:
            since = tr("no_copy_since", lang, date=format_date(doc.no_copy_since, lang))
            detail = f"{detail} ({since})" if detail else since
        if detail:
            box.addWidget(label(detail, "muted"))


class ServiceNeeds(Protocol):
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
        self.back = button(name="back")
        self.back.clicked.connect(self.back_requested.emit)
        self.rate = button(role="primary", name="rate_after")
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
        qr_px = max(m.mm(22), min(m.width, m.height) // 5)
        self.qr_scroll.setMinimumHeight(qr_px + m.body_px * 3 if portrait else 0)
        self.qr_scroll.setMinimumWidth(0 if portrait else qr_px + m.gap * 2)
        page = self._pages.pop(key, None) or self._build(svc, sp, lang, m, qr_px)
        self._pages[key] = page
        while len(self._pages) > PAGES_KEPT:
            _key, (content, qr, _cards) = self._pages.popitem(last=False)
            self.scrollbox.drop(content)
            self.qr_scroll.drop(qr)
        content, qr, self.cards = page
        self.scrollbox.swap(content)
        self.qr_scroll.swap(qr)

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
        for doc in svc.documents:
            card = DocumentCard(doc, lang, max(24, m.body_px + 8))
            cards.append(card)
            content.addWidget(card)

        content.addWidget(label(tr("steps_title", lang), "section"))
        for step in svc.steps:
            minutes = tr("step_minutes", lang, n=step.minutes)
            title = pick(lang, step.title_th, step.title_en)
            content.addWidget(label(f"{step.order}. {title} — {minutes}"))
        total = label(tr("total_time", lang, n=svc.total_minutes), "section")
        total.setObjectName("total_time")
        fee = label(tr("fee", lang, fee=pick(lang, svc.fee_th, svc.fee_en)), "section")
        fee.setObjectName("fee")
        content.addWidget(total)
        content.addWidget(fee)
        if svc.demo:
            content.addWidget(label(tr("demo_note", lang), "muted"))
        content.addStretch(1)

        for key, url, name in (
            ("qr_service", svc.public_url, "qr_service"),
            ("qr_map", sp.map_url, "qr_map"),
        ):
            if not url:
                continue
            cell_widget = QWidget()
            cell = QVBoxLayout(cell_widget)
            cell.setContentsMargins(0, 0, 0, 0)
            img = QLabel()
            img.setObjectName(name)
            img.setProperty("url", url)
            img.setPixmap(QPixmap.fromImage(icons.qr_image(url, qr_px)))
            img.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cap = label(tr(key, lang), "muted")
            cap.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.addWidget(img)
            cell.addWidget(cap)
            qr_box.addWidget(cell_widget)
        qr_box.addStretch(1)
        return content_widget, qr_widget, cards
