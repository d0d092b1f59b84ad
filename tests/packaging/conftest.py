"""Build artefacts shared by the packaging tests: built once per session (builds are
CPU-heavy), each fixture adding one step: the wheels, a fresh kiosk-only virtualenv, a
fresh central-only virtualenv, the PyInstaller one-folder build, the .deb."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "installer" / "build.py"
KIOSK_NAME = "counterpoint-kiosk"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh shell: no PYTHONPATH (the source tree must not leak in),
    no virtualenv, offscreen Qt."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update({"QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1", **extra})
    return env


def run(cmd: list[str], *, timeout: float = 900, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("env", clean_env())
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if out.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} exited {out.returncode}\n"
            f"stdout:\n{out.stdout[-3000:]}\nstderr:\n{out.stderr[-5000:]}"
        )
    return out


def build(what: str, out: Path, version: str | None = None) -> None:
    cmd = [sys.executable, str(BUILD), what, "--out", str(out)]
    if version:
        cmd += ["--version", version]
    run(cmd, timeout=1800, cwd=ROOT)


def make_venv(path: Path) -> Path:
    run([sys.executable, "-m", "venv", str(path)])
    return path / "bin" / "python"


def tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


# While developing: CP_TEST_PREBUILT=DIR reuses the artefacts of an earlier
# `installer/build.py all --out DIR` instead of building (CI never sets it).
PREBUILT = os.environ.get("CP_TEST_PREBUILT", "")


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory) -> Path:
    if PREBUILT:
        return Path(PREBUILT)
    out = tmp_path_factory.mktemp("dist")
    build("dists", out)
    return out


@pytest.fixture(scope="session")
def kiosk_venv(dist_dir, tmp_path_factory) -> Path:
    """A fresh virtualenv holding only counterpoint-kiosk (non-editable) and what it needs."""
    py = make_venv(tmp_path_factory.mktemp("venv") / "kiosk")
    run([str(py), "-m", "pip", "install", "-q", "--find-links", str(dist_dir), KIOSK_NAME])
    return py


@pytest.fixture(scope="session")
def onefolder(dist_dir) -> Path:
    """The PyInstaller one-folder build of the kiosk (made next to the wheels)."""
    if not PREBUILT:
        build("onefolder", dist_dir)
    return dist_dir / KIOSK_NAME


@pytest.fixture(scope="session")
def debs(onefolder) -> tuple[Path, Path]:
    """Two .debs of the one-folder build: package revisions -1 and -2 (an upgrade)."""
    out = onefolder.parent
    if not PREBUILT:
        build("deb", out, version="0.1.0-1")
        build("deb", out, version="0.1.0-2")
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    return out / f"{KIOSK_NAME}_0.1.0-1_{arch}.deb", out / f"{KIOSK_NAME}_0.1.0-2_{arch}.deb"
