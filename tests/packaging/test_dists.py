"""The distributions install and run as a user would install them: non-editable, each into
a fresh virtualenv with only its own dependencies, outside the source tree."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, clean_env, make_venv, run, tree_size

# The session fixtures build (minutes on a busy machine) inside the first test's time.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

TOUR_STEMS = re.findall(r'yield "([\w-]+)"', (ROOT / "kiosk" / "tour.py").read_text())


def _site_packages(py: Path) -> Path:
    return Path(
        run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )


def _cannot_import(py: Path, module: str, cwd: Path) -> bool:
    probe = subprocess.run(
        [str(py), "-c", f"import {module}"], cwd=cwd, env=clean_env(), capture_output=True
    )
    return probe.returncode != 0 and b"ModuleNotFoundError" in probe.stderr


def test_wheels_hold_their_own_packages_only(dist_dir):
    names = {w.name.split("-")[0]: w for w in dist_dir.glob("*.whl")}
    assert set(names) == {"counterpoint_protocol", "counterpoint_kiosk", "counterpoint_central"}
    tops = {
        dist: {n.split("/")[0] for n in zipfile.ZipFile(w).namelist() if ".dist-info" not in n}
        for dist, w in names.items()
    }
    assert tops == {
        "counterpoint_protocol": {"protocol"},
        "counterpoint_kiosk": {"kiosk"},
        "counterpoint_central": {"central"},
    }
    kiosk_files = zipfile.ZipFile(names["counterpoint_kiosk"]).namelist()
    assert "kiosk/resources/demo_catalogue.json" in kiosk_files
    meta = zipfile.ZipFile(names["counterpoint_kiosk"]).read(
        next(n for n in kiosk_files if n.endswith(".dist-info/METADATA"))
    )
    assert b"License-Expression: MIT" in meta
    assert b"Requires-Dist: counterpoint-protocol==" in meta
    assert b"django" not in meta.lower()
    assert b"pythainlp" not in meta.lower()  # the kiosk masks comments with protocol.pii only
    central_files = zipfile.ZipFile(names["counterpoint_central"]).namelist()
    for shipped in ("sentiment.npz", "sentiment_vocab.json"):  # the comment sentiment model
        assert f"central/comments/data/{shipped}" in central_files


def test_installed_kiosk_tours_every_screen_without_central(kiosk_venv, tmp_path):
    py = kiosk_venv
    # Nothing of central, Django or psycopg is there; kiosk comes from site-packages.
    for module in ("central", "django", "psycopg"):
        assert _cannot_import(py, module, tmp_path), module
    where = run([str(py), "-c", "import kiosk; print(kiosk.__file__)"], cwd=tmp_path).stdout
    assert str(_site_packages(py)) in where and str(ROOT) not in where

    data, out = tmp_path / "data", tmp_path / "tour"
    started = time.monotonic()
    result = run(
        [str(py), "-m", "kiosk", "tour", "--data-dir", str(data), "--out", str(out)],
        cwd=tmp_path,
        timeout=300,
    )
    print(f"installed kiosk tour: {time.monotonic() - started:.1f} s")
    pngs = sorted(out.glob("*.png"))
    expected = {f"{stem}-{lang}.png" for stem in TOUR_STEMS for lang in ("th", "en")}
    assert {p.name for p in pngs} == expected, result.stderr[-2000:]
    from PySide6.QtGui import QImage

    for png in pngs:
        image = QImage(str(png))
        assert (image.width(), image.height()) == (1280, 800), png.name
        colours = {image.pixel(x, y) for x in range(0, 1280, 37) for y in range(0, 800, 23)}
        assert len(colours) > 3, f"{png.name} looks blank"

    # The demo catalogue came from the package data; Sarabun renders Thai.
    status = json.loads(
        run(
            [str(py), "-m", "kiosk", "status", "--json", "--data-dir", str(data)], cwd=tmp_path
        ).stdout
    )
    assert status["catalogue_cursor"].startswith("demo") and not status["catalogue_from_central"]
    font_check = (
        "from kiosk.app import ensure_qapp; ensure_qapp()\n"
        "from PySide6.QtGui import QFont, QRawFont\n"
        "from kiosk.ui.fonts import load_fonts\n"
        "family = load_fonts(); raw = QRawFont.fromFont(QFont(family, 20))\n"
        "missing = [c for c in 'บัตรประจำตัวประชาชนผู้ใช้' if not raw.supportsCharacter(ord(c))]\n"
        "print(family, raw.familyName(), len(missing))\n"
    )
    family, raw_family, missing = run([str(py), "-c", font_check], cwd=tmp_path).stdout.split()
    assert family == raw_family == "Sarabun" and missing == "0"

    site = _site_packages(py)
    size = sum(
        tree_size(p) for p in site.iterdir() if not p.name.startswith(("pip", "setuptools", "_"))
    )
    print(f"installed kiosk (site-packages without pip/setuptools): {size / 2**20:.0f} MiB")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_installed_central_runs_without_qt(dist_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("central-venv")
    py = make_venv(tmp / "venv")
    run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "-q",
            "--find-links",
            str(dist_dir),
            "counterpoint-central",
        ]
    )
    for module in ("PySide6", "kiosk"):
        assert _cannot_import(py, module, tmp), module
    env = clean_env(CP_DATA_DIR=str(tmp / "data"), DEBUG="0", SECRET_KEY="pkg-" + "s" * 60)
    env.pop("DATABASE_URL", None)
    run([str(py), "-m", "central", "migrate", "-v", "0"], cwd=tmp, env=env, timeout=300)
    port = _free_port()
    env["ALLOWED_HOSTS"] = "127.0.0.1"
    server = subprocess.Popen(
        [str(py), "-m", "gunicorn", "central.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=tmp,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json") as r:
                    spec = json.load(r)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-3000:]
                assert time.monotonic() < deadline, "central did not answer within 60 s"
                time.sleep(0.2)
        assert "/api/v1/kiosk/ratings" in spec["paths"]
        # Templates come from the package data: the admin login page renders.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/") as r:
            assert r.status == 200 and b"<form" in r.read()
    finally:
        server.terminate()
        server.wait(timeout=20)
    if (ROOT / "node_modules" / "chart.js").is_dir():  # scripts/setup.sh installs it (npm)
        found = run(
            [str(py), "-m", "central", "findstatic", "vendor/chart.js/chart.umd.min.js"],
            cwd=tmp,
            env=env,
        ).stdout
        assert "site-packages/central/vendor/chart.js/chart.umd.min.js" in found, found
