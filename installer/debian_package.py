"""Wrap the kiosk's one-folder build in a .deb with dpkg-deb (called by installer/build.py).

Layout of the package (docs/packaging.md):
  /opt/counterpoint-kiosk/                   the PyInstaller one-folder build
  /usr/bin/counterpoint-kiosk                symlink to its program (export-queue, status...)
  /lib/systemd/system/counterpoint-kiosk.service
  /etc/pam.d/counterpoint-kiosk              logind session for cage on tty1 (a conffile)
  /usr/share/doc/counterpoint-kiosk/         README, copyright
Nothing under /var/lib/counterpoint-kiosk: the data folder belongs to the kiosk, created
by postinst, never listed in the package, so dpkg never replaces or removes it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent / "debian"
NAME = "counterpoint-kiosk"
DEPENDS = [
    "cage",
    "xwayland",  # cage 0.1.4 refuses to start without it
    "passwd",
    "libc6 (>= 2.36)",
    # Qt's xcb/wayland platform plugins and fonts need these at run time.
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libxkbcommon0",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "libdbus-1-3",
    "libthai0",
]
README = """CounterPoint counter kiosk
==========================

The kiosk runs as the system user cpkiosk inside cage on tty1 (counterpoint-kiosk.service),
restarted on a crash and by the systemd watchdog when its screen freezes. Its database
(queued ratings, enrolment) is /var/lib/counterpoint-kiosk: upgrades and removal keep it,
only purge deletes it.

  journalctl -u counterpoint-kiosk            its log
  sudo -u cpkiosk counterpoint-kiosk status --data-dir /var/lib/counterpoint-kiosk
  sudo -u cpkiosk counterpoint-kiosk enroll --server URL --code CODE \\
       --data-dir /var/lib/counterpoint-kiosk
  counterpoint-kiosk export-queue FILE --data-dir /var/lib/counterpoint-kiosk

See docs/operations.md in the CounterPoint sources.
"""
COPYRIGHT = """Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: CounterPoint

Files: *
License: MIT
Comment: Bundles Python, Qt (PySide6, LGPL-3), the Sarabun font (OFL-1.1) and the
 Python packages listed by `pip list` in its build environment, under their own licences.
"""


def _tree_kib(path: Path) -> int:
    return (
        sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) // 1024
    )


def build_deb(*, version: str, onefolder: Path, out: Path, arch: str) -> Path:
    if not (onefolder / NAME).is_file():
        raise SystemExit(f"build: no one-folder build at {onefolder} (run: build.py onefolder)")
    root = out / "deb-root"
    shutil.rmtree(root, ignore_errors=True)
    opt = root / "opt" / NAME
    shutil.copytree(onefolder, opt, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / NAME).symlink_to(f"/opt/{NAME}/{NAME}")
    unit_dir = root / "lib" / "systemd" / "system"
    unit_dir.mkdir(parents=True)
    shutil.copy(HERE / f"{NAME}.service", unit_dir / f"{NAME}.service")
    (root / "etc" / "pam.d").mkdir(parents=True)
    shutil.copy(HERE / "pam", root / "etc" / "pam.d" / NAME)
    doc = root / "usr" / "share" / "doc" / NAME
    doc.mkdir(parents=True)
    (doc / "README").write_text(README)
    (doc / "copyright").write_text(COPYRIGHT)

    control = root / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(
        "\n".join(
            [
                f"Package: {NAME}",
                f"Version: {version}",
                f"Architecture: {arch}",
                "Maintainer: CounterPoint <ops@counterpoint.invalid>",
                f"Installed-Size: {_tree_kib(root)}",
                f"Depends: {', '.join(DEPENDS)}",
                "Section: misc",
                "Priority: optional",
                "Description: CounterPoint counter kiosk for Thai government service points",
                " Offline-first touchscreen kiosk: documents a service needs, copy status, one-tap",
                " ratings queued durably and synced to CounterPoint central. Runs inside cage",
                " from a systemd unit with a watchdog.",
                "",
            ]
        )
    )
    (control / "conffiles").write_text(f"/etc/pam.d/{NAME}\n")
    for script in ("postinst", "prerm", "postrm"):
        shutil.copy(HERE / script, control / script)
        (control / script).chmod(0o755)
    # Modes do not depend on the builder's umask.
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        elif path.parent == control:
            path.chmod(0o755 if path.name in ("postinst", "prerm", "postrm") else 0o644)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
    deb = out / f"{NAME}_{version}_{arch}.deb"
    subprocess.run(
        # zstd (dpkg >= 1.21.18, Debian 12): seconds, where xz took minutes on a busy machine.
        ["dpkg-deb", "--root-owner-group", "-Zzstd", "--build", str(root), str(deb)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(root)
    return deb
