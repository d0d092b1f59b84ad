"""Compiling the gettext catalogues in ``central/locale`` (docs/i18n.md).

The ``.po`` files are the source (in git); the ``.mo`` files Django reads are built at
install by ``scripts/setup.sh`` with Django's ``compilemessages`` (GNU gettext's
``msgfmt``, Debian package ``gettext``). ``compile_if_stale()`` does the same when a
``.mo`` is missing or older than its ``.po`` (the test suite calls it before it starts).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def stale_catalogues() -> list[Path]:
    """The ``.po`` files whose ``.mo`` is missing or older."""
    stale = []
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def compile_if_stale() -> list[Path]:
    """Run ``python -m central compilemessages`` if any catalogue is stale; returns them."""
    stale = stale_catalogues()
    if not stale:
        return []
    if shutil.which("msgfmt") is None:
        raise RuntimeError(
            "GNU gettext's msgfmt is missing: run scripts/setup.sh "
            "(or `apt-get install gettext`) to compile central/locale"
        )
    # compilemessages compiles every locale/ under its working directory: run it in
    # central/ so it never touches a virtualenv's site-packages.
    subprocess.run(
        [sys.executable, "-m", "central", "compilemessages"],
        cwd=LOCALE_DIR.parent,
        env={**os.environ, "DEBUG": "1"},  # compilemessages needs no SECRET_KEY
        check=True,
        capture_output=True,
    )
    return stale
