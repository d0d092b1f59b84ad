"""The bundled Thai font: Sarabun, installed from PyPI (``fontpkg-sarabun``), never copied."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QFontDatabase

FONT_FILES = ("Sarabun-Regular.ttf", "Sarabun-SemiBold.ttf", "Sarabun-Bold.ttf")


def font_dir() -> Path:
    import fontpkg_sarabun

    return Path(fontpkg_sarabun.__file__).resolve().parent / "files"


@lru_cache(maxsize=1)
def load_fonts() -> str:
    """Register Sarabun with Qt (once per process) and return its family name."""
    family = ""
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(font_dir() / name))
        if font_id < 0:
            raise RuntimeError(f"could not load the bundled Thai font {font_dir() / name}")
        family = family or QFontDatabase.applicationFontFamilies(font_id)[0]
    return family
