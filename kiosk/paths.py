"""Where the kiosk keeps its data and finds its bundled resources."""

from __future__ import annotations

import os
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
    """The kiosk's bundled resources (demo catalogue), read as package data of ``kiosk``.

    ``kiosk/resources`` is a symlink to the top-level ``resources/`` folder in the source
    tree (and so in an editable install); the wheel build and the PyInstaller build copy
    the files into ``kiosk/resources/`` (docs/packaging.md). The kiosk is never installed
    zipped, so the package data is a real folder.
    """
    from importlib.resources import files  # here, not at import: ~8 ms of a cold start

    return Path(str(files("kiosk") / "resources"))


def demo_catalogue_path() -> Path:
    """The bundled demo catalogue, loaded on a kiosk's first start."""
    return resources_dir() / "demo_catalogue.json"
