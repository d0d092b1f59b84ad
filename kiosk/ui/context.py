"""What every screen reads while it draws: the language on screen and the pixel sizes.

The window owns one ``UiState`` and changes it (a language tap, a resize, the end of a
visit); screens read it in ``enter`` / ``retranslate`` and never change it.
"""

from __future__ import annotations

from kiosk.ui import theme

#: every visit starts in Thai
DEFAULT_LANG = "th"


class UiState:
    def __init__(self, lang: str, metrics: theme.Metrics) -> None:
        self.lang = lang
        self.metrics = metrics
