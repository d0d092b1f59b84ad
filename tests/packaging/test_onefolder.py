"""The PyInstaller one-folder build: small enough, self-contained (Thai font and demo
catalogue inside), tours every screen offscreen, and runs inside cage (wlroots' headless
backend) sending systemd's READY=1 and watchdog pings through it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.packaging.conftest import KIOSK_NAME, ROOT, clean_env, run, tree_size

# The session fixtures build (minutes on a busy machine) inside the first test's time.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

TOUR_STEMS = re.findall(r'yield "([\w-]+)"', (ROOT / "kiosk" / "tour.py").read_text())
MAX_MB = 150


def test_onefolder_is_small_and_holds_font_and_catalogue(onefolder):
    size = tree_size(onefolder)
    print(f"one-folder build: {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)")
    assert size < MAX_MB * 1e6
    inside = onefolder / "_internal"
    assert (inside / "kiosk" / "resources" / "demo_catalogue.json").is_file()
    assert list(inside.glob("fontpkg_sarabun/files/Sarabun-Regular.ttf"))
    for unused in ("libQt6Quick", "libQt6Qml", "libQt6Network", "libQt6Pdf", "libgtk-3"):
        assert not list(inside.rglob(f"{unused}*")), unused
    assert not (inside / "PySide6" / "Qt" / "translations").exists()
    assert not list(inside.rglob("django")) and not list(inside.rglob("central"))


def test_onefolder_tours_every_screen(onefolder, tmp_path):
    out = tmp_path / "tour"
    env = clean_env()
    env.pop("PYTHONHOME", None)
    run(
        [str(onefolder / KIOSK_NAME), "tour", "--data-dir", str(tmp_path / "d"), "--out", str(out)],
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    expected = {f"{stem}-{lang}.png" for stem in TOUR_STEMS for lang in ("th", "en")}
    assert {p.name for p in out.glob("*.png")} == expected
    from PySide6.QtGui import QImage

    for png in out.glob("*.png"):
        image = QImage(str(png))
        assert (image.width(), image.height()) == (1280, 800), png.name
        colours = {image.pixel(x, y) for x in range(0, 1280, 37) for y in range(0, 800, 23)}
        assert len(colours) > 3, f"{png.name} looks blank"


@pytest.mark.skipif(shutil.which("cage") is None, reason="cage not installed (scripts/setup.sh)")
def test_onefolder_runs_inside_cage_headless(onefolder, tmp_path, request):
    """cage refuses to run as root, so the kiosk runs as nobody; wlroots' headless backend
    with the pixman renderer (no GPU here). The kiosk connects to cage's Wayland display,
    and systemd's READY=1 and WATCHDOG=1 reach our NOTIFY_SOCKET through cage."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run the kiosk as another user (cage refuses root)")
    base = Path(tempfile.mkdtemp(prefix="cp-cage-"))  # pytest's folders are 0700, root's
    base.chmod(0o755)
    runtime, data = base / "run", base / "data"
    for d in (runtime, data):
        d.mkdir()
        os.chown(d, 65534, 65534)
        d.chmod(0o700)
    request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
    # Where nobody can run it (the build sits under pytest's 0700 folder), as /opt would be.
    app = base / "app"
    shutil.copytree(onefolder, app, symlinks=True)
    notify_path = str(runtime / "notify.sock")
    env = clean_env(
        HOME=str(data),
        XDG_RUNTIME_DIR=str(runtime),
        WLR_BACKENDS="headless",
        WLR_LIBINPUT_NO_DEVICES="1",
        WLR_RENDERER="pixman",
        QT_QPA_PLATFORM="wayland",
        NOTIFY_SOCKET=notify_path,
        WATCHDOG_USEC="1000000",
    )
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)
    log = tmp_path / "cage.log"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(notify_path)
        os.chmod(notify_path, 0o777)
        cage = subprocess.Popen(
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "cage",
                "-d",
                "--",
                str(app / KIOSK_NAME),
                "run",
                "--data-dir",
                str(data),
            ],
            cwd=tmp_path,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        got: list[str] = []
        shot = runtime / "screen.png"
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and got.count("WATCHDOG=1") < 3:
                sock.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    got.append(sock.recv(4096).decode())
                except TimeoutError:
                    break
            # What cage shows, through wlroots' screencopy (grim), as a person would see it.
            displays = [p.name for p in runtime.glob("wayland-*") if p.suffix != ".lock"]
            if shutil.which("grim") and displays:
                time.sleep(2)  # the screens built after the first frame
                subprocess.run(
                    ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
                    + ["grim", str(shot)],
                    env=dict(env, WAYLAND_DISPLAY=displays[0]),
                    timeout=60,
                    check=True,
                )
        finally:
            os.killpg(cage.pid, signal.SIGTERM)
            try:
                cage.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(cage.pid, signal.SIGKILL)
                cage.wait()
    text = log.read_text(errors="replace")
    assert any(m.startswith("READY=1") for m in got), f"no READY=1 through cage:\n{text[-3000:]}"
    assert got.count("WATCHDOG=1") >= 3, f"{got}\n{text[-3000:]}"
    assert "kiosk running" in text
    if shutil.which("grim"):
        from PySide6.QtGui import QColor, QImage

        image = QImage(str(shot))
        assert (image.width(), image.height()) == (1280, 720)  # the headless output, filled
        colours = {image.pixel(x, y) for x in range(0, 1280, 31) for y in range(0, 720, 17)}
        assert len(colours) > 8, "cage shows a blank screen"
        header = QColor(image.pixel(5, 5))
        assert header.blue() > 100 and header.red() < 60, "no kiosk header at the top"
