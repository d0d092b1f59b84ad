"""Kiosk figures from PRODUCT.md: start time, tap latency, durable commit, memory.

    .venv/bin/python bench/kiosk.py [--starts 7] [--taps 300] [--commits 1000]

Prints one line per figure, then (last line) one JSON object with units in its keys.
Start time is measured from process spawn to the first paint of the Welcome screen, next
to a bare QWidget window started the same way; medians over alternating runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


# -- child processes ---------------------------------------------------------------------
_watchers: list = []


def exit_on_first_paint(widget) -> None:
    """Print DRAWN and end the process when ``widget`` is first painted."""
    from PySide6.QtCore import QEvent, QObject

    class Painted(QObject):
        def eventFilter(self, obj, ev):  # noqa: N802
            if ev.type() == QEvent.Paint:
                print("DRAWN", flush=True)
                os._exit(0)
            return False

    watcher = Painted()
    _watchers.append(watcher)  # keep it alive while the event loop runs
    widget.installEventFilter(watcher)


def child_bare() -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([])
    w = QWidget()
    w.resize(1280, 800)
    exit_on_first_paint(w)
    w.show()
    app.exec()


def child_start(data_dir: str) -> None:
    from kiosk.app import build_window, ensure_qapp

    app = ensure_qapp()
    win = build_window(Path(data_dir), kiosk_mode=False, size=(1280, 800))
    assert win.current_screen().name == "welcome"
    exit_on_first_paint(win.current_screen().rate)
    win.show()
    app.exec()


def child_rss(data_dir: str, n: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from kiosk.app import build_window, ensure_qapp

    app = ensure_qapp()
    win = build_window(Path(data_dir), kiosk_mode=False, size=(1280, 800))
    win.store.set_setting("min_rating_interval_s", 0)
    win.show()
    win.prebuild()
    for i in range(n):
        win.go("rating")
        face = win.screen("rating").faces[i % 5 + 1]
        QTest.mouseClick(face, Qt.LeftButton, pos=face.rect().center())
        win.screen("followup").chips["staff"].click()
        win.go("thanks")
        app.processEvents()
    assert win.store.queue_depth() >= n
    rss_kb = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )
    print(f"RSS {rss_kb}", flush=True)


# -- measurements ------------------------------------------------------------------------
def time_start(args: list[str]) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    t1 = time.perf_counter()
    assert "DRAWN" in out, out
    return (t1 - t0) * 1000


def prepare_data_dir(path: Path) -> None:
    from kiosk.pin import PinGuard
    from kiosk.storage import KioskStore

    store = KioskStore.open(path)
    PinGuard(store).set_pin("1234")
    store.close()


def measure_taps(data_dir: Path, n: int) -> list[float]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from kiosk.app import ensure_qapp
    from kiosk.storage import KioskStore
    from kiosk.sync import LocalOnlySync
    from kiosk.ui.window import KioskWindow

    app = ensure_qapp()
    store = KioskStore.open(data_dir)
    store.set_setting("min_rating_interval_s", 0)
    win = KioskWindow(store, LocalOnlySync(), size=(1280, 800))
    win.show()
    win.prebuild()
    app.processEvents()
    code = store.counter_services()[0].code

    targets = {
        "docs": lambda: win.screen("welcome").docs,
        "service": lambda: win.screen("services").buttons[code],
        "rate_after": lambda: win.screen("service").rate,
        "face": lambda: win.screen("rating").faces[4],
        "done": lambda: win.screen("followup").done,
        "home": lambda: win.screen("thanks").home,
    }
    cycle = ["docs", "service", "rate_after", "face", "done", "home"]
    samples = []
    for i in range(n):
        w = targets[cycle[i % len(cycle)]]()
        before = win.current_screen()
        t0 = time.perf_counter()
        QTest.mouseClick(w, Qt.LeftButton, pos=w.rect().center())
        win.repaint()  # draw the next frame now, synchronously
        t1 = time.perf_counter()
        assert win.current_screen() is not before
        samples.append((t1 - t0) * 1000)
        app.processEvents()
    win.unlocked = True
    win.close()
    store.close()
    return samples


def measure_commits(data_dir: Path, n: int) -> list[float]:
    from kiosk.storage import KioskStore

    store = KioskStore.open(data_dir)
    store.set_setting("min_rating_interval_s", 0)
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        store.record_rating(i % 5 + 1, None)
        samples.append((time.perf_counter() - t0) * 1000)
    store.close()
    return samples


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind = sys.argv[2]
        if kind == "bare":
            child_bare()
        elif kind == "start":
            child_start(sys.argv[3])
        elif kind == "rss":
            child_rss(sys.argv[3], int(sys.argv[4]))
        return

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--starts", type=int, default=7)
    ap.add_argument("--taps", type=int, default=300)
    ap.add_argument("--commits", type=int, default=1000)
    ap.add_argument("--ratings", type=int, default=1000)
    a = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp:
        tmp = Path(tmp)
        start_dir = tmp / "start"
        prepare_data_dir(start_dir)
        kiosk_ms, bare_ms = [], []
        for _ in range(a.starts):  # alternate so both see the same machine state
            bare_ms.append(time_start(["--child", "bare"]))
            kiosk_ms.append(time_start(["--child", "start", str(start_dir)]))
        print(f"cold start to Welcome drawn: runs {[round(x) for x in kiosk_ms]} ms")
        print(f"bare QWidget window drawn:   runs {[round(x) for x in bare_ms]} ms")

        taps = measure_taps(start_dir, a.taps)
        print(
            f"tap to next screen drawn: p50 {percentile(taps, 50):.1f} ms, p95 {percentile(taps, 95):.1f} ms ({len(taps)} taps)"
        )

        commits = measure_commits(tmp / "commit", a.commits)
        print(
            f"durable rating commit: p50 {percentile(commits, 50):.2f} ms, p99 {percentile(commits, 99):.2f} ms ({len(commits)} commits)"
        )

        rss_dir = tmp / "rss"
        prepare_data_dir(rss_dir)
        out = subprocess.run(
            [sys.executable, __file__, "--child", "rss", str(rss_dir), str(a.ratings)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        ).stdout
        rss_mb = int(out.split("RSS")[1].split()[0]) / 1024
        print(f"resident memory after {a.ratings} ratings through the UI: {rss_mb:.1f} MB")

    start_med, bare_med = statistics.median(kiosk_ms), statistics.median(bare_ms)
    figures = {
        "start_ms_median": round(start_med, 1),
        "bare_start_ms_median": round(bare_med, 1),
        "start_ratio_to_bare": round(start_med / bare_med, 2),
        "tap_ms_p50": round(percentile(taps, 50), 2),
        "tap_ms_p95": round(percentile(taps, 95), 2),
        "commit_ms_p50": round(percentile(commits, 50), 3),
        "commit_ms_p99": round(percentile(commits, 99), 3),
        "rss_mb": round(rss_mb, 1),
        "ratings_for_rss": a.ratings,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
