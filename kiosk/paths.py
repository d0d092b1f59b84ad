"""Where the kiosk keeps its data and finds its bundled resources."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

APP_DIR_NAME = "counterpoint-kiosk"


def default_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/counterpoint-kiosk``, else ``~/.local/share/counterpoint-kiosk``.

    As the XDG Base Directory spec says, a relative ``XDG_DATA_HOME`` is ignored.
    """
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / APP_DIR_NAME
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "share" / APP_DIR_NAME


def resources_dir() -> Path:
    """The ``resources/`` folder: next to the ``kiosk`` package in the source tree (and in an
    editable install), or inside the bundle of a frozen (PyInstaller) build."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def demo_catalogue_path() -> Path:
    """The bundled demo catalogue, loaded on a kiosk's first start."""
    return resources_dir() / "demo_catalogue.json"
