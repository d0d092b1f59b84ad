"""The base of every screen.

A screen is built from a ``UiState`` (language and sizes, read-only) and the narrow
``Needs`` object its module declares; it tells the world what happened through typed Qt
signals. It never reaches into the window: the ``Navigator`` (kiosk/ui/navigator.py)
connects those signals and alone decides which screen comes next
(tests/test_boundaries.py keeps it so).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.ui import theme
from kiosk.ui.context import UiState


class Screen(QWidget):
    #: unique name used for navigation, tests and tour file names
    name = ""
    #: staff screens sit behind the PIN
    staff = False
    #: storage failed under this screen (a ``StorageError``): staff must be told
    storage_failed = Signal(object)

    def __init__(self, ui: UiState, deps: object = None) -> None:
        super().__init__()
        self.ui = ui
        self.setObjectName(f"screen_{self.name}")
        self.body = QVBoxLayout(self)
        m = ui.metrics
        self.body.setContentsMargins(m.gap, m.gap, m.gap, m.gap)
        self.body.setSpacing(m.gap)

    @property
    def lang(self) -> str:
        return self.ui.lang

    @property
    def metrics(self) -> theme.Metrics:
        return self.ui.metrics

    def enter(self, **params: Any) -> None:
        """Called each time the screen is shown, with the navigation parameters."""

    def retranslate(self) -> None:
        """Set every text in ``self.lang``."""

    def visit_ended(self) -> None:
        """A citizen's visit is over (Welcome is next): let go of what only that visit
        needed (pages in another language, ...)."""

    def catalogue_changed(self) -> None:
        """A new catalogue arrived while this screen is shown: redraw from it."""
        self.retranslate()
