"""Kiosk figures from PRODUCT.md and issue 8: start time, screen transitions, durable
commit, memory after a full session; offscreen and under a real X server (Xvfb).

    .venv/bin/python bench/kiosk.py [--starts 7] [--taps 300] [--commits 1000] [--ratings 1000]
                                    [--only start]

Prints one line per figure, then (last line) one JSON object with units in its keys.
Start time is measured from process spawn to the first paint of the Welcome screen (the
kiosk started as ``python -m kiosk --windowed`` starts it: command line, storage, window;
its sync service starts after that frame), next to a bare QWidget window started the
same way; medians over interleaved runs (bare and kiosk, offscreen and X11, in turn, so
all see the same machine state), with the kiosk's bytecode compiled once beforehand as
in the installed (frozen) kiosk. Each start also reports the CPU time its process had
used by the first frame (``time.process_time``), which a loaded machine changes far less
than the wall clock. ``--only start`` runs only the start figures. A transition is a tap
until the next screen is drawn (``repaint()``), per kind of transition. The full session
visits every citizen and staff screen in both languages, both keyboard layouts, then
records ``--ratings`` ratings through the UI, with the event loop turning between steps
as in the running kiosk; resident memory is read after it.
Without Xvfb installed the X11 figures are left out (null).
"""

from __future__ import annotations

import argparse
import contextlib
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
            if ev.type() == QEvent.Type.Paint:
                print(f"DRAWN {time.process_time() * 1000:.1f}", flush=True)
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
    """The kiosk's own start (``python -m kiosk --windowed``), ended at Welcome's first
    paint."""
    from kiosk.ui.window import KioskWindow

    show = KioskWindow.show_kiosk

    def show_and_watch(win: KioskWindow) -> None:
        current = win.current_screen()
        assert current is not None and current.name == "welcome"
        exit_on_first_paint(current.rate)
        show(win)

    KioskWindow.show_kiosk = show_and_watch  # type: ignore[method-assign]
    from kiosk.cli import main as kiosk_main

    kiosk_main(["--windowed", "--size", "1280x800", "--data-dir", data_dir])


def child_rss(data_dir: str, n: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from kiosk.app import build_window, ensure_qapp
    from kiosk.tour import tour_steps

    _app = ensure_qapp()  # kept alive for the whole session

    def turn() -> None:
        """One turn of the event loop, as the running kiosk's app.exec() gives it:
        processEvents() alone never deletes widgets given to deleteLater() (freed
        staff screens, replaced pages), which the real kiosk does."""
        QTest.qWait(1)

    win = build_window(Path(data_dir), kiosk_mode=False, size=(1280, 800))
    win.store.set_setting("min_rating_interval_s", 0)
    win.show()
    win.prebuild()
    # every citizen and staff screen in both languages (the tour's steps), both keyboards
    for lang in ("th", "en"):
        for _stem, action in tour_steps(win):
            win.set_language(lang)
            action()
            turn()
        for svc in win.store.counter_services():  # every service's page
            win.go("service", code=svc.code)
            turn()
        win.go("comment")
        kb = win.page("comment").keyboard
        for layout in ("th", "en"):
            kb.set_layout(layout)
            kb.shift_btn.click()
            turn()
    win.staff_unlocked = False
    win.go("welcome")
    for i in range(n):
        win.go("rating")
        face = win.page("rating").faces[i % 5 + 1]
        QTest.mouseClick(face, Qt.LeftButton, pos=face.rect().center())
        win.page("followup").chips["staff"].click()
        win.go("thanks")
        turn()
    assert win.store.queue_depth() >= n
    rss_kb = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )
    print(f"RSS {rss_kb}", flush=True)


def child_taps(data_dir: str, n: int) -> None:
    print("TAPS " + json.dumps(measure_taps(Path(data_dir), n)), flush=True)


# -- measurements ------------------------------------------------------------------------
# The installed kiosk is frozen with its bytecode (PyInstaller, docs/packaging.md): it
# never compiles its sources at start. A checkout run with PYTHONDONTWRITEBYTECODE=1 (as
# here) would compile every kiosk module on every start (about 45 ms of CPU), so the
# children keep bytecode in a private folder, filled by one untimed start first.
PYCACHE: dict[str, str] = {}


def platform_env(display: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYCACHE)
    if display is None:
        return dict(env, QT_QPA_PLATFORM="offscreen")
    return dict(env, QT_QPA_PLATFORM="xcb", DISPLAY=display)


def run_child(args: list[str], display: str | None, timeout: float = 600) -> str:
    return subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=platform_env(display),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    ).stdout


def time_start(args: list[str], display: str | None = None) -> tuple[float, float]:
    """(wall-clock ms from spawn to the first frame, the child's CPU ms by then)."""
    env = platform_env(display)
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
    return (t1 - t0) * 1000, float(out.split("DRAWN")[1].split()[0])


def prepare_data_dir(path: Path) -> None:
    from kiosk.pin import PinGuard
    from kiosk.storage import KioskStore

    store = KioskStore.open(path)
    PinGuard(store).set_pin("1234")
    store.close()


def measure_taps(data_dir: Path, n: int) -> dict[str, list[float]]:
    """Milliseconds from a tap until the next screen is drawn, by transition (and, as
    ``cpu:<transition>``, the CPU time the process spent on it: on a loaded machine the
    wall-clock time mostly measures the wait for a core)."""
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
    codes = [s.code for s in store.counter_services()]

    targets = {
        "welcome>services": lambda i: win.page("welcome").docs,
        "services>service": lambda i: win.page("services").buttons[codes[i % len(codes)]],
        "service>rating": lambda i: win.page("service").rate,
        "rating>followup": lambda i: win.page("rating").faces[i % 5 + 1],
        "followup>comment": lambda i: win.page("followup").comment,
        "comment>thanks": lambda i: win.page("comment").send,
        "thanks>welcome": lambda i: win.page("thanks").home,
    }
    cycle = list(targets)
    samples: dict[str, list[float]] = {k: [] for k in cycle}
    cpu: dict[str, list[float]] = {k: [] for k in cycle}  # the process's CPU time
    for i in range(n):
        kind = cycle[i % len(cycle)]
        w = targets[kind](i // len(cycle))
        before = win.current_screen()
        c0, t0 = time.process_time(), time.perf_counter()
        QTest.mouseClick(w, Qt.LeftButton, pos=w.rect().center())
        win.repaint()  # draw the next frame now, synchronously
        t1, c1 = time.perf_counter(), time.process_time()
        assert win.current_screen() is not before, kind
        samples[kind].append((t1 - t0) * 1000)
        cpu[kind].append((c1 - c0) * 1000)
        app.processEvents()
    win.unlocked = True
    win.close()
    store.close()
    return {**samples, **{f"cpu:{k}": v for k, v in cpu.items()}}


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
        elif kind == "taps":
            child_taps(sys.argv[3], int(sys.argv[4]))
        return

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--starts", type=int, default=7)
    ap.add_argument("--taps", type=int, default=300)
    ap.add_argument("--commits", type=int, default=1000)
    ap.add_argument("--ratings", type=int, default=1000)
    ap.add_argument(
        "--only", choices=("all", "start"), default="all", help="start: only the start figures"
    )
    a = ap.parse_args()

    from bench.xvfb import available, xvfb

    print(f"machine load (1, 5, 15 min): {os.getloadavg()}")
    with contextlib.ExitStack() as stack:
        display = stack.enter_context(xvfb(1280, 800)) if available() else None
        figures = run_all(a, display)
    print(f"machine load after: {os.getloadavg()}")
    print(json.dumps(figures))


def split_taps(raw: dict[str, list[float]]) -> tuple[dict, dict]:
    """(wall-clock ms, CPU ms) by transition, from what ``measure_taps`` returned."""
    cpu = {k[4:]: v for k, v in raw.items() if k.startswith("cpu:")}
    return {k: v for k, v in raw.items() if not k.startswith("cpu:")}, cpu


def summarise_taps(
    name: str, taps: dict[str, list[float]], cpu: dict[str, list[float]]
) -> tuple[float, float, str, float]:
    """(wall p50, wall p95, worst transition by wall p95, CPU p95) over every tap."""
    every = [x for values in taps.values() for x in values]
    worst = max(taps, key=lambda k: percentile(taps[k], 95))
    for kind, values in taps.items():
        print(
            f"  {name} {kind}: p50 {percentile(values, 50):.1f} ms, "
            f"p95 {percentile(values, 95):.1f} ms ({len(values)}); CPU p50 "
            f"{percentile(cpu[kind], 50):.1f} ms, p95 {percentile(cpu[kind], 95):.1f} ms"
        )
    every_cpu = [x for values in cpu.values() for x in values]
    return percentile(every, 50), percentile(every, 95), worst, percentile(every_cpu, 95)


def start_figures(
    runs: dict[str, list[float]], cpu: dict[str, list[float]], display: str | None
) -> dict:
    med = {k: statistics.median(v) for k, v in runs.items() if v}
    cpu_med = {k: statistics.median(v) for k, v in cpu.items() if v}
    return {
        "start_ms_median": round(med["kiosk"], 1),
        "bare_start_ms_median": round(med["bare"], 1),
        "start_ratio_to_bare": round(med["kiosk"] / med["bare"], 2),
        "start_x11_ms_median": round(med["kiosk_x11"], 1) if display else None,
        "bare_start_x11_ms_median": round(med["bare_x11"], 1) if display else None,
        "start_ratio_to_bare_x11": (
            round(med["kiosk_x11"] / med["bare_x11"], 2) if display else None
        ),
        "start_cpu_ms_median": round(cpu_med["kiosk"], 1),
        "bare_start_cpu_ms_median": round(cpu_med["bare"], 1),
        "start_cpu_ratio_to_bare": round(cpu_med["kiosk"] / cpu_med["bare"], 2),
        "start_x11_cpu_ms_median": round(cpu_med["kiosk_x11"], 1) if display else None,
        "bare_start_x11_cpu_ms_median": round(cpu_med["bare_x11"], 1) if display else None,
    }


def run_all(a: argparse.Namespace, display: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp:
        tmp = Path(tmp)
        start_dir = tmp / "start"
        prepare_data_dir(start_dir)
        PYCACHE["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        time_start(["--child", "start", str(start_dir)])  # untimed: writes the bytecode
        runs: dict[str, list[float]] = {"bare": [], "kiosk": [], "bare_x11": [], "kiosk_x11": []}
        cpu: dict[str, list[float]] = {k: [] for k in runs}
        for _ in range(a.starts):  # interleaved so all see the same machine state
            for key, args, disp in (
                ("bare", ["--child", "bare"], None),
                ("kiosk", ["--child", "start", str(start_dir)], None),
                ("bare_x11", ["--child", "bare"], display),
                ("kiosk_x11", ["--child", "start", str(start_dir)], display),
            ):
                if key.endswith("x11") and display is None:
                    continue
                wall, used = time_start(args, disp)
                runs[key].append(wall)
                cpu[key].append(used)
        for key, values in runs.items():
            if values:
                print(
                    f"start to first frame, {key}: runs {[round(x) for x in values]} ms, "
                    f"CPU by then {[round(x) for x in cpu[key]]} ms"
                )
        starts = start_figures(runs, cpu, display)
        if a.only == "start":
            return {**starts, "starts": a.starts}

        raw = json.loads(run_child(["taps", str(start_dir), str(a.taps)], None).split("TAPS ")[1])
        taps, taps_cpu = split_taps(raw)
        print("screen transitions (tap to next screen drawn), offscreen:")
        tap50, tap95, worst, tap95_cpu = summarise_taps("offscreen", taps, taps_cpu)
        x11, x11_cpu = None, {}
        if display is not None:
            out = run_child(["taps", str(start_dir), str(a.taps)], display)
            x11, x11_cpu = split_taps(json.loads(out.split("TAPS ")[1]))
            print("screen transitions, X11 (Xvfb):")
            x50, x95, xworst, x95_cpu = summarise_taps("x11", x11, x11_cpu)

        commits = measure_commits(tmp / "commit", a.commits)
        print(
            f"durable rating commit: p50 {percentile(commits, 50):.2f} ms, p99 {percentile(commits, 99):.2f} ms ({len(commits)} commits)"
        )

        rss = {}
        for name, disp in (("offscreen", None), ("x11", display)):
            if name == "x11" and disp is None:
                continue
            rss_dir = tmp / f"rss-{name}"
            prepare_data_dir(rss_dir)
            out = run_child(["rss", str(rss_dir), str(a.ratings)], disp)
            rss[name] = int(out.split("RSS")[1].split()[0]) / 1024
            print(
                f"resident memory after a full session ({name}: every screen, both "
                f"languages and keyboards, {a.ratings} ratings): {rss[name]:.1f} MB"
            )

    figures = {
        **starts,
        "tap_ms_p50": round(tap50, 2),
        "tap_ms_p95": round(tap95, 2),
        "tap_cpu_ms_p95": round(tap95_cpu, 2),
        "transition_worst_offscreen": worst,
        "tap_x11_ms_p50": round(x50, 2) if x11 else None,
        "tap_x11_ms_p95": round(x95, 2) if x11 else None,
        "tap_x11_cpu_ms_p95": round(x95_cpu, 2) if x11 else None,
        "transition_worst_x11": xworst if x11 else None,
        "services_to_service_x11_ms_p95": (
            round(percentile(x11["services>service"], 95), 2) if x11 else None
        ),
        "services_to_service_x11_cpu_ms_p95": (
            round(percentile(x11_cpu["services>service"], 95), 2) if x11 else None
        ),
        "commit_ms_p50": round(percentile(commits, 50), 3),
        "commit_ms_p99": round(percentile(commits, 99), 3),
        "rss_mb": round(rss["offscreen"], 1),
        "rss_mb_full_session": round(rss.get("x11", rss["offscreen"]), 1),
        "ratings_for_rss": a.ratings,
        "starts": a.starts,
    }
    return figures


if __name__ == "__main__":
    main()
