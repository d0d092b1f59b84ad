"""The kiosk's cold start pays only for what Welcome draws: the sync service (APScheduler,
requests, the protocol client, hashing), the other screens and the staff code are
imported after Welcome's first frame, not before it (docs/kiosk.md, "Start"). A child
process starts the kiosk as ``python -m kiosk --windowed`` does (offscreen) and lists the
modules loaded when Welcome is first painted, then again once the sync service runs, so
the gain cannot slip away unnoticed and the deferred work is shown to happen."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import build_parser, plain_run
from kiosk.pin import PinGuard
from kiosk.storage import KioskStore

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.ui.window import KioskWindow

show = KioskWindow.show_kiosk
seen = {}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "at_first_frame" not in seen:
            seen["at_first_frame"] = sorted(sys.modules)
            seen["screen"] = self.win.current_screen().name
            seen["sync_then"] = type(self.win.sync).__name__
            QTimer.singleShot(0, self.after)
        return False

    def after(self):
        deadline = time.monotonic() + 20
        while type(self.win.sync).__name__ != "CentralSync" and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.01)
        seen["sync_after"] = type(self.win.sync).__name__
        seen["sync_started"] = bool(self.win.sync.wait_started(20))
        seen["later"] = sorted(sys.modules)
        print("MODULES " + json.dumps(seen), flush=True)
        self.win.sync.stop()
        os._exit(0)

watcher = FirstPaint()

def show_and_watch(win):
    watcher.win = win
    win.current_screen().rate.installEventFilter(watcher)
    show(win)

KioskWindow.show_kiosk = show_and_watch
from kiosk.cli import main
main(["--windowed", "--size", "1280x800", "--data-dir", sys.argv[1]])
"""

# Deferred until after the first frame; none of these may be loaded when Welcome shows.
NOT_BEFORE_FIRST_FRAME = [
    "apscheduler",
    "requests",
    "urllib3",
    "ssl",
    "http.client",
    "urllib.request",
    "email",
    "hashlib",
    "concurrent.futures",
    "logging.handlers",
    "msgspec",
    "protocol.models",
    "kiosk.sync.service",
    "kiosk.sync.client",
    "kiosk.sync.engine",
    "kiosk.sync.enrol",
    "kiosk.sync.cli",
    "kiosk.queue_cli",
    "kiosk.pin",
    "kiosk.tour",
    "kiosk.ui.keyboard",
    "kiosk.ui.screens.services",
    "kiosk.ui.screens.service",
    "kiosk.ui.screens.rating",
    "kiosk.ui.screens.followup",
    "kiosk.ui.screens.staff_status",
]


@pytest.fixture(scope="module")
def start(tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("start-data")
    store = KioskStore.open(data)
    PinGuard(store).set_pin("1234")  # not a first start: Welcome is what shows
    store.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(data)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "MODULES " in out.stdout, out.stderr[-3000:]
    return json.loads(out.stdout.split("MODULES ", 1)[1])


def loaded(modules: list[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_welcome_is_drawn_without_the_sync_service_or_other_screens(start):
    assert start["screen"] == "welcome"
    early = [n for n in NOT_BEFORE_FIRST_FRAME if loaded(start["at_first_frame"], n)]
    assert early == [], f"imported before Welcome's first frame: {early}"
    assert start["sync_then"] == "SyncService", "no sync service yet: only a placeholder"


def test_the_sync_service_starts_right_after_the_first_frame(start):
    assert start["sync_after"] == "CentralSync"
    assert start["sync_started"], "the scheduler runs"
    assert loaded(start["later"], "apscheduler") and loaded(start["later"], "requests")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["run"],
        ["--windowed"],
        ["run", "--windowed", "--size", "800x480"],
        ["--data-dir", "/tmp/x", "run", "--size=1920x1080"],
        ["run", "--data-dir=/tmp/y"],
    ],
)
def test_the_quick_start_reads_the_command_line_as_the_full_parser_does(argv):
    quick = plain_run(argv)
    assert quick is not None
    full = build_parser().parse_args(argv)
    for key in ("command", "windowed", "size", "data_dir"):
        assert getattr(quick, key, None) == getattr(full, key, None), key


@pytest.mark.parametrize(
    "argv",
    [["tour", "--out", "x"], ["status"], ["--help"], ["--size"], ["--size", "big"], ["bogus"]],
)
def test_anything_else_goes_to_the_full_parser(argv):
    assert plain_run(argv) is None
    assert isinstance(build_parser(), argparse.ArgumentParser)
