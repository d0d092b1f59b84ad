from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from kiosk.sync import SyncState
from kiosk.ui.context import UiState
from kiosk.ui.i18n import format_moment, sync_error_text, tr
from kiosk.ui.screens.base import Screen
from kiosk.ui.widgets import button, label, scroll_area


def human_bytes(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


class StaffStatusNeeds(Protocol):
    def status(self) -> dict: ...
    def rejected_ratings(self, limit: int) -> list[dict]: ...
    def sync_state(self) -> SyncState: ...
    def attention(self, lang: str) -> str | None: ...


class StaffStatusScreen(Screen):
    """What staff need to see to know the kiosk is healthy, refreshed every 2 s."""

    name = "staff_status"
    staff = True
    back_requested = Signal()

    def __init__(self, ui: UiState, deps: StaffStatusNeeds) -> None:
        super().__init__(ui)
        self.deps = deps
        self.title = label(role="title")
        self.problem = label(role="alert")
        self.problem.setObjectName("status_problem")
        inner = QWidget()
        self.grid = QGridLayout(inner)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(ui.metrics.gap * 2)
        self.values: dict[str, object] = {}
        self.body.addWidget(self.title)
        self.body.addWidget(self.problem)
        self.scrollbox = scroll_area(inner)
        self.body.addWidget(self.scrollbox, 1)
        nav = QHBoxLayout()
        self.back = button(name="back", lines=1)
        self.back.clicked.connect(self.back_requested.emit)
        nav.addWidget(self.back)
        nav.addStretch(1)
        self.body.addLayout(nav)
        self.timer = QTimer(self)
        self.timer.setInterval(2000)
        self.timer.timeout.connect(self.refresh)

    def enter(self, **params: object) -> None:
        self.refresh()
        self.timer.start()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.timer.stop()
        super().hideEvent(event)

    def rows(self) -> list[tuple[str, str, str]]:
        """(object name, caption key, value) for every status line."""
        lang = self.lang
        st = self.deps.status()
        sync = self.deps.sync_state()
        never, none_ = tr("st_never", lang), tr("st_none", lang)
        last_sync = st.get("last_sync_at") or sync.last_sync_at
        enrolled = st.get("enrolled_to") or (
            sync.server_url if sync.enrolled else tr("st_not_enrolled", lang)
        )
        failed = st.get("last_sync_error") or sync.last_error
        last_error = sync_error_text(sync.last_error_kind, lang) if failed else none_
        recovery = self.recovery_text(st)
        refused = [
            (
                f"st_rejected_{r['seq']}",
                "st_rejected",
                tr("st_rejected_item", lang, seq=r["seq"], reason=r["reason"] or none_),
            )
            for r in self.deps.rejected_ratings(5)
        ]
        blocked = [("st_blocked", "st_blocked", tr("sync_blocked", lang))] if sync.blocked else []
        if st.get("catalogue_refused"):  # never silent: central is told in the heartbeat too
            at = format_moment(st.get("catalogue_refused_at"), lang) or "?"
            why = st["catalogue_refused"]
            text = tr("st_catalogue_refused_item", lang, at=at, reason=why)
            blocked.append(("st_catalogue_refused", "st_catalogue_refused", text))
        return (
            blocked
            + [
                ("st_queued", "st_queued", str(st.get("queued", 0))),
                ("st_rejected", "st_rejected", str(st.get("rejected", 0))),
                ("st_last_sync", "st_last_sync", format_moment(last_sync, lang) or never),
                ("st_last_error", "st_last_error", last_error),
                ("st_catalogue", "st_catalogue", str(st.get("catalogue_version") or none_)),
                ("st_disk", "st_disk", human_bytes(st.get("free_disk_bytes"))),
                ("st_db", "st_db", human_bytes(st.get("db_bytes"))),
                ("st_app", "st_app", str(st.get("app_version"))),
                ("st_kiosk_id", "st_kiosk_id", str(st.get("kiosk_id"))),
                ("st_central_id", "st_central_id", str(sync.kiosk_id or none_)),
                ("st_enrolled", "st_enrolled", str(enrolled)),
                ("st_storage", "st_storage", self.deps.attention(lang) or tr("st_ok", lang)),
                ("st_recovery", "st_recovery", recovery or none_),
            ]
            + refused
        )

    def recovery_text(self, st: dict) -> str | None:
        """The last recovery from a damaged database: when, where the file went, how
        many queued ratings were salvaged and how many were lost."""
        path = st.get("recovery")
        if not path:
            return None
        info = st.get("recovery_info") or {}
        lang = self.lang
        text = tr("recovered_at", lang, at=format_moment(info.get("at"), lang), path=path)
        salvaged, lost = info.get("salvaged_ratings", 0), info.get("lost_ratings")
        if lost is None:
            counts = tr("st_salvage_unknown", lang, salvaged=salvaged)
        else:
            counts = tr("st_salvage", lang, salvaged=salvaged, lost=lost)
        return f"{text}. {counts}"

    def refresh(self) -> None:
        lang = self.lang
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.values = {}
        for r, (name, key, value) in enumerate(self.rows()):
            cap = label(tr(key, lang), "section")
            val = label(value)
            val.setObjectName(name)
            self.grid.addWidget(cap, r, 0)
            self.grid.addWidget(val, r, 1)
            self.values[name] = val
        self.grid.setColumnStretch(1, 1)
        attention = self.deps.attention(lang)
        self.problem.setText(attention or "")
        self.problem.setVisible(attention is not None)
        self.scrollbox.settle()

    def retranslate(self) -> None:
        self.title.setText(tr("staff_status", self.lang))
        self.back.setText(tr("back", self.lang))
        if self.isVisible():
            self.refresh()
