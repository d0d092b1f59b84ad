"""The base of every screen: a language, a way back to the window, an enter hook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from kiosk.ui.window import KioskWindow


class Screen(QWidget):
    #: unique name used for navigation, tests and tour file names
    name = ""
    #: staff screens sit behind the PIN
    staff = False

    def __init__(self, win: KioskWindow) -> None:
        super().__init__()
        self.win = win
        self.setObjectName(f"screen_{self.name}")
        self.body = QVBoxLayout(self)
        m = win.metrics
        self.body.setContentsMargins(m.gap, m.gap, m.gap, m.gap)
        self.body.setSpacing(m.gap)

    @property
    def lang(self) -> str:
        return self.win.lang

    def enter(self, **params: Any) -> None:
        """Called each time the screen is shown, with the navigation parameters."""

    def retranslate(self) -> None:
        """Set every text in ``self.lang``."""

    def catalogue_changed(self) -> None:
        """A new catalogue arrived while this screen is shown: redraw from it."""
        self.retranslate()
