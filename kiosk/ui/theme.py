"""Colours, sizes and the one style sheet of the kiosk.

Sizes follow the physical screen: ``Metrics`` turns millimetres into pixels from the
configured screen diagonal (setting ``screen_diagonal_in``, default 10.1 inch) so every
touch target is at least 15 mm whatever the resolution. Colours are listed as
(foreground, background) pairs so a test can check each pair's contrast ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INK = "#14213D"  # body text
INK_MUTED = "#3D4A63"
PAGE = "#F5F7FB"
CARD = "#FFFFFF"
PRIMARY = "#0B4F9C"
PRIMARY_DARK = "#083B75"
ON_PRIMARY = "#FFFFFF"
HEADER = "#0B3D91"
ON_HEADER = "#FFFFFF"
NO_COPY_BG = "#E3F4E8"
NO_COPY_INK = "#0E4D2C"
COPY_BG = "#FFF1DC"
COPY_INK = "#6B3500"
ALERT_BG = "#FDE8E6"
ALERT_INK = "#8A1C1C"
ONLINE_INK = "#0E4D2C"
ONLINE_BG = "#D8F0DF"
OFFLINE_INK = "#5A3300"
OFFLINE_BG = "#FFE9C7"
CHIP_ON_BG = "#0B4F9C"
CHIP_ON_INK = "#FFFFFF"
DISABLED_INK = "#4A5568"
DISABLED_BG = "#E2E8F0"

# Face colours from very dissatisfied (1) to very satisfied (5); always shown with a word.
FACE_COLOURS = {1: "#C62828", 2: "#EF6C00", 3: "#F9A825", 4: "#7CB342", 5: "#2E7D32"}

# Every text colour on the background it is drawn on; contrast must be >= 4.5:1.
TEXT_PAIRS: dict[str, tuple[str, str]] = {
    "body": (INK, PAGE),
    "body_on_card": (INK, CARD),
    "muted": (INK_MUTED, PAGE),
    "muted_on_card": (INK_MUTED, CARD),
    "primary_button": (ON_PRIMARY, PRIMARY),
    "primary_button_pressed": (ON_PRIMARY, PRIMARY_DARK),
    "secondary_button": (PRIMARY, CARD),
    "header": (ON_HEADER, HEADER),
    "badge_no_copy": (NO_COPY_INK, NO_COPY_BG),
    "badge_copy": (COPY_INK, COPY_BG),
    "alert": (ALERT_INK, ALERT_BG),
    "online": (ONLINE_INK, ONLINE_BG),
    "offline": (OFFLINE_INK, OFFLINE_BG),
    "chip_on": (CHIP_ON_INK, CHIP_ON_BG),
    "disabled": (DISABLED_INK, DISABLED_BG),
}


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio between two ``#RRGGBB`` colours."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes for one window size on a screen of ``diagonal_in`` inches."""

    width: int
    height: int
    diagonal_in: float = 10.1

    @property
    def dpi(self) -> float:
        return math.hypot(self.width, self.height) / self.diagonal_in

    def mm(self, millimetres: float) -> int:
        return math.ceil(millimetres * self.dpi / 25.4)

    @property
    def target(self) -> int:
        """The smallest side of anything a finger must hit: 15 mm."""
        return self.mm(15)

    @property
    def key(self) -> int:
        """Keys of the optional on-screen keyboard: up to 10 mm, less where a full Thai
        row (13 keys) and five rows must fit the screen, never under 5.5 mm (a phone's
        keys are about 6 mm)."""
        by_width = (self.width - 2 * self.gap - 12 * 4) // 13
        by_height = (self.height - 2 * self.target - self.mm(20)) // 5
        return max(self.mm(5.5), min(self.mm(10), by_width, by_height))

    @property
    def body_px(self) -> int:
        """Body text: about 1/30 of the short side; never under 24 px on a screen of
        about 10 inches or more (PRODUCT.md), 20 px on a 7-inch one."""
        floor = 24 if self.diagonal_in >= 9.5 else 20
        return max(floor, min(40, round(min(self.width, self.height) / 30)))

    @property
    def title_px(self) -> int:
        return round(self.body_px * 1.45)

    @property
    def small_px(self) -> int:
        return max(18, round(self.body_px * 0.8))

    @property
    def gap(self) -> int:
        return max(8, self.mm(3))

    @property
    def portrait(self) -> bool:
        return self.height > self.width


def stylesheet(m: Metrics, family: str) -> str:
    """The application style sheet for metrics ``m``; widgets pick rules by ``role``."""
    t = m.target
    r = max(8, t // 6)
    return f"""
* {{ font-family: "{family}"; font-size: {m.body_px}px; color: {INK}; }}
QWidget#KioskRoot, QStackedWidget, QScrollArea, QScrollArea > QWidget > QWidget {{
    background: {PAGE};
}}
QLabel[role="title"] {{ font-size: {m.title_px}px; font-weight: 700; }}
QLabel[role="subtitle"] {{ color: {INK_MUTED}; }}
QLabel[role="muted"] {{ color: {INK_MUTED}; font-size: {m.body_px}px; }}
QLabel[role="section"] {{ font-size: {round(m.body_px * 1.15)}px; font-weight: 700; }}
QWidget[role="header"] {{ background: {HEADER}; }}
QLabel[role="header_title"] {{ color: {ON_HEADER}; font-weight: 700; }}
QLabel[role="header_sub"] {{ color: {ON_HEADER}; font-size: {m.small_px}px; }}
QLabel[role="online"] {{ color: {ONLINE_INK}; background: {ONLINE_BG}; border-radius: {r}px;
    padding: 2px 10px; font-size: {m.small_px}px; }}
QLabel[role="offline"] {{ color: {OFFLINE_INK}; background: {OFFLINE_BG}; border-radius: {r}px;
    padding: 2px 10px; font-size: {m.small_px}px; }}
QLabel[role="alert"] {{ color: {ALERT_INK}; background: {ALERT_BG}; border-radius: {r}px;
    padding: {m.gap}px; font-weight: 600; }}
QFrame[role="card"] {{ background: {CARD}; border: 1px solid #C5CEDC; border-radius: {r}px; }}
QFrame[role="card"] QLabel {{ background: transparent; }}
QLabel[role="badge_no_copy"] {{ color: {NO_COPY_INK}; background: {NO_COPY_BG};
    border-radius: {r}px; padding: 6px 12px; font-weight: 700; }}
QLabel[role="badge_copy"] {{ color: {COPY_INK}; background: {COPY_BG};
    border-radius: {r}px; padding: 6px 12px; font-weight: 700; }}
QPushButton {{ min-height: {t - 12}px; min-width: {t - 36}px; border-radius: {r}px;
    padding: 4px 16px; background: {CARD}; color: {PRIMARY}; border: 2px solid {PRIMARY};
    font-weight: 600; }}
QPushButton:pressed {{ background: #DCE6F5; }}
QPushButton:disabled {{ color: {DISABLED_INK}; background: {DISABLED_BG}; border-color: {DISABLED_BG}; }}
QPushButton[role="primary"] {{ background: {PRIMARY}; color: {ON_PRIMARY}; border-color: {PRIMARY};
    font-size: {round(m.body_px * 1.2)}px; font-weight: 700; }}
QPushButton[role="primary"]:pressed {{ background: {PRIMARY_DARK}; }}
QPushButton[role="primary"]:disabled {{ color: {DISABLED_INK}; background: {DISABLED_BG}; border-color: {DISABLED_BG}; }}
QPushButton[role="lang"] {{ background: transparent; color: {ON_HEADER}; border-color: {ON_HEADER};
    font-weight: 700; padding: 4px 4px; min-width: {t - 12}px; }}
QPushButton[role="lang"]:checked {{ background: {ON_HEADER}; color: {HEADER}; }}
QPushButton[role="chip"] {{ border-radius: {t // 2}px; }}
QPushButton[role="chip"]:checked {{ background: {CHIP_ON_BG}; color: {CHIP_ON_INK}; border-color: {CHIP_ON_BG}; }}
QPushButton[role="service"] {{ text-align: left; padding: 8px {m.gap}px; color: {INK}; background: {CARD};
    border: 2px solid #C5CEDC; }}
QPushButton[role="service"]:pressed {{ background: #DCE6F5; }}
QPushButton[role="cue"] {{ background: {PRIMARY}; color: {ON_PRIMARY}; border-color: {PRIMARY};
    border-radius: {t // 2}px; padding: 4px {m.gap}px; }}
QPushButton[role="service"]:checked {{ background: {CHIP_ON_BG}; color: {CHIP_ON_INK}; }}
QPushButton[role="face"] {{ background: {CARD}; border: 2px solid #C5CEDC; padding: 4px; color: {INK};
    min-width: {t - 12}px; }}
QPushButton[role="face"]:pressed {{ background: #DCE6F5; }}
QPushButton[role="key"] {{ min-width: {m.key - 2}px; min-height: {m.key - 2}px; padding: 0px; color: {INK};
    font-size: {m.small_px}px; border: 1px solid #AEB9CC; }}
QPushButton[role="key"]:checked {{ background: {CHIP_ON_BG}; color: {CHIP_ON_INK}; border: 3px solid {INK}; }}
QPushButton[role="hidden"] {{ background: transparent; border: none; }}
QPlainTextEdit {{ background: {CARD}; border: 2px solid {PRIMARY}; border-radius: {r}px; padding: 8px; }}
QScrollBar:vertical {{ width: 0px; }}
QDialog, QFrame[role="overlay"] {{ background: {CARD}; border: 3px solid {PRIMARY}; border-radius: {r}px; }}
"""
