"""Build CounterPoint's distributions, the kiosk's one-folder build and its .deb.

One command (docs/packaging.md)::

    python3 installer/build.py all [--version 0.1.0] [--out dist]

``dists``     three wheels staged from this tree: counterpoint-protocol (``protocol/``),
              counterpoint-kiosk (``kiosk/`` with ``resources/`` copied in as package
              data) and counterpoint-central (``central/``); their dependencies are the
              root pyproject's ``protocol``/``kiosk``/``central`` extras.
``onefolder`` a PyInstaller one-folder build of the kiosk, made in a build virtualenv that
              holds only the kiosk wheel and PyInstaller (so nothing of central can leak in).
``deb``       the one-folder build wrapped in ``counterpoint-kiosk_<version>_<arch>.deb`` by
              dpkg-deb (installer/debian/: systemd unit under cage, maintainer scripts).
``all``       the three in order.

Standard library only: it runs with any Python 3.11, before anything is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
KIOSK_NAME = "counterpoint-kiosk"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def root_project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _toml(value: object) -> str:
    # JSON strings and lists of strings are valid TOML basic strings and arrays.
    return json.dumps(value, ensure_ascii=False)


def _pyproject(
    name: str,
    version: str,
    description: str,
    deps: list[str],
    packages: str,
    package_data: dict[str, list[str]],
    scripts: dict[str, str] | None = None,
) -> str:
    project = root_project()
    lines = [
        "[build-system]",
        'requires = ["setuptools>=77"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        f"name = {_toml(name)}",
        f"version = {_toml(version)}",
        f"description = {_toml(description)}",
        f"requires-python = {_toml(project['requires-python'])}",
        f"license = {_toml(project['license'])}",
        f"dependencies = {_toml(deps)}",
        "",
    ]
    if scripts:
        lines += ["[project.scripts]", *(f"{k} = {_toml(v)}" for k, v in scripts.items()), ""]
    lines += [
        "[tool.setuptools.packages.find]",
        f"include = {_toml([packages])}",
        "",
        "[tool.setuptools.package-data]",
        *(f"{_toml(k)} = {_toml(v)}" for k, v in package_data.items()),
        "",
    ]
    return "\n".join(lines)


def stage_dists(version: str, stage: Path) -> list[Path]:
    """Copy each distribution's package(s) into its own folder with its own pyproject."""
    project = root_project()
    extras = project.get("optional-dependencies", {})
    protocol_req = f"counterpoint-protocol=={version}"
    shutil.rmtree(stage, ignore_errors=True)
    dirs = []

    def stage_one(dist: str, package: str, pyproject: str) -> Path:
        d = stage / dist
        # symlinks=False: kiosk/resources (a symlink to ../resources) is copied as files.
        shutil.copytree(ROOT / package, d / package, symlinks=False, ignore=IGNORE)
        (d / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        dirs.append(d)
        return d

    stage_one(
        "counterpoint-protocol",
        "protocol",
        _pyproject(
            "counterpoint-protocol",
            version,
            "CounterPoint's kiosk-central sync protocol",
            list(project.get("dependencies", [])) + list(extras.get("protocol", [])),
            "protocol*",
            {"*": ["*.json"]},
        ),
    )
    kiosk = stage_one(
        KIOSK_NAME,
        "kiosk",
        _pyproject(
            KIOSK_NAME,
            version,
            "CounterPoint counter kiosk (PySide6)",
            [*extras["kiosk"], protocol_req],
            "kiosk*",
            {"kiosk": ["resources/*"], "*": ["*.json"]},
            scripts={KIOSK_NAME: "kiosk.cli:main"},
        ),
    )
    init = kiosk / "kiosk" / "__init__.py"
    text, n = re.subn(
        r'^APP_VERSION = ".*"$', f'APP_VERSION = "{version}"', init.read_text(), flags=re.M
    )
    if n != 1:
        raise SystemExit("build: APP_VERSION not found in kiosk/__init__.py")
    init.write_text(text)
    stage_one(
        "counterpoint-central",
        "central",
        _pyproject(
            "counterpoint-central",
            version,
            "CounterPoint central server (Django)",
            [*extras["central"], protocol_req],
            "central*",
            {
                "central": [
                    "templates/**/*",
                    "static/**/*",
                    "locale/*/LC_MESSAGES/*",
                    "vendor/**/*",
                    "comments/data/*",
                ],
                "*": ["*.json", "*.csv"],
            },
        ),
    )
    compile_catalogues(stage / "counterpoint-central" / "central")
    vendor_browser_libraries(stage / "counterpoint-central" / "central")
    return dirs


def vendor_browser_libraries(package: Path) -> None:
    """Chart.js, installed from npm by scripts/setup.sh (package.json), goes into the
    central wheel as ``central/vendor/chart.js/`` (central/settings.py serves it from there
    when there is no node_modules); never into the repository."""
    dist = ROOT / "node_modules" / "chart.js"
    if not (dist / "dist" / "chart.umd.js").is_file():
        print(
            "build: WARNING node_modules/chart.js is missing (scripts/setup.sh installs it "
            "with npm): the central wheel's insights pages will draw no charts",
            file=sys.stderr,
        )
        return
    target = package / "vendor" / "chart.js"
    target.mkdir(parents=True)
    for name in ("dist/chart.umd.min.js", "dist/chart.umd.js", "LICENSE.md"):
        shutil.copy(dist / name, target / Path(name).name)


def compile_catalogues(package: Path) -> None:
    """Central's Thai/English gettext catalogues: .po -> .mo (GNU msgfmt, Debian package
    gettext) in the staged copy; the .mo files are build products, not in git."""
    for po in sorted(package.glob("locale/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if shutil.which("msgfmt"):
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
        elif not mo.exists():
            raise SystemExit(f"build: msgfmt (Debian package gettext) is needed for {po}")


def build_dists(version: str, out: Path) -> list[Path]:
    stage = ROOT / "build" / "stage"
    dirs = stage_dists(version, stage)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("counterpoint_*.whl"):
        old.unlink()
    # Isolated builds: pip fetches setuptools>=77 from PyPI once, then from its cache.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), *map(str, dirs)],
        check=True,
    )
    wheels = sorted(out.glob("counterpoint_*.whl"))
    for w in wheels:
        print(f"built {w}")
    return wheels


def _venv_python(path: Path) -> Path:
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def kiosk_build_venv(out: Path) -> Path:
    """A virtualenv with only the kiosk wheel (and its dependencies) and PyInstaller."""
    env = ROOT / "build" / "venv-kiosk"
    py = _venv_python(env)
    if not py.exists():
        venv.create(env, with_pip=True)
    wheels = [
        str(sorted(out.glob(f"counterpoint_{name}-*.whl"))[-1]) for name in ("protocol", "kiosk")
    ]
    pyinstaller = root_project()["optional-dependencies"]["installer"]
    pip = [str(py), "-m", "pip", "install", "-q", "--find-links", str(out)]
    subprocess.run([*pip, *wheels, *pyinstaller], check=True)
    # The same version may have been installed from an earlier build of this tree.
    subprocess.run([*pip, "--no-deps", "--force-reinstall", *wheels], check=True)
    return py


def build_onefolder(out: Path) -> Path:
    py = kiosk_build_venv(out)
    target = out / KIOSK_NAME
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(
        [
            str(py),
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out),
            "--workpath",
            str(ROOT / "build" / "pyinstaller"),
            str(INSTALLER / "kiosk.spec"),
        ],
        check=True,
        cwd=INSTALLER,
    )
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"built {target} ({size / 1e6:.1f} MB)")
    return target


def deb_arch() -> str:
    try:
        return subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "amd64"


def build_deb(version: str, out: Path) -> Path:
    from debian_package import build_deb as _build  # installer/debian_package.py

    return _build(version=version, onefolder=out / KIOSK_NAME, out=out, arch=deb_arch())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="installer/build.py", description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["dists", "onefolder", "deb", "all"])
    parser.add_argument("--version", default=root_project()["version"])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if args.what in ("dists", "all"):
        build_dists(args.version, out)
    if args.what in ("onefolder", "all"):
        build_onefolder(out)
    if args.what in ("deb", "all"):
        print(f"built {build_deb(args.version, out)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(INSTALLER))
    sys.exit(main())
