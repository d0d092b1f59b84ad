"""Start a private Xvfb (a real X server in memory) for a test or a benchmark.

    with xvfb(1280, 800) as display:      # ":57"
        subprocess.run([...], env={**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"})

The server picks a free display number itself (``-displayfd``), listens on no TCP port
and is stopped (by its own pid) when the block ends. ``available()`` says whether the
``Xvfb`` binary is installed (``scripts/setup.sh`` installs Debian's ``xvfb``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator


def available() -> bool:
    return shutil.which("Xvfb") is not None


@contextlib.contextmanager
def xvfb(width: int = 1280, height: int = 800) -> Iterator[str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
