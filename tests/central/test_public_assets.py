"""Third-party browser assets come from installed packages, through central's staticfiles
finder: the Thai webfont (fontpkg-sarabun) on the public pages and in the admin, and
Leaflet (django-leaflet) for the directory's map. Nothing is copied into the repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import Client

from central.public.assets import BUNDLES, PackageAssetsFinder

REPO = Path(__file__).resolve().parents[2]


def test_font_and_leaflet_are_found_in_their_packages():
    font = finders.find("cp/fonts/Sarabun-Regular.ttf")
    assert font and "fontpkg_sarabun" in font and Path(font).read_bytes()[:4] == b"\x00\x01\x00\x00"
    leaflet = finders.find("cp/vendor/leaflet/leaflet.js")
    assert (
        leaflet and "site-packages" in leaflet and "Leaflet 1.9" in Path(leaflet).read_text()[:200]
    )
    assert finders.find("cp/vendor/leaflet/images/marker-icon.png")
    assert not finders.find("cp/fonts/../../settings.py")
    assert PackageAssetsFinder().check() == []


def test_collectstatic_lists_every_asset():
    listed = {f"{storage.prefix}/{path}" for path, storage in PackageAssetsFinder().list([])}
    expected = {f"{prefix}/{name}" for prefix, (_, _, files) in BUNDLES.items() for name in files}
    assert listed == expected


def test_no_font_or_leaflet_file_is_in_the_repository():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [f for f in tracked if f.endswith((".ttf", ".otf", ".woff", ".woff2"))]
    assert not [f for f in tracked if "leaflet" in f.lower() and f.endswith(".js")]


def test_fonts_css_declares_sarabun_from_the_package_files():
    css = Path(finders.find("cp/fonts.css")).read_text()
    for name in ("Sarabun-Regular.ttf", "Sarabun-Bold.ttf"):
        assert f'url("fonts/{name}")' in css and finders.find(f"cp/fonts/{name}")


def test_admin_pages_link_the_webfont(db):
    text = Client().get("/admin/login/").content.decode()
    assert '<link rel="stylesheet" href="/static/cp/fonts.css">' in text


def test_production_collectstatic_takes_the_package_assets(tmp_path):
    """``collectstatic`` with the production storage (WhiteNoise's compressed manifest,
    which follows every url() and sourceMappingURL and fails on a missing file) collects
    the font and Leaflet, and fonts.css points at the hashed font files."""
    import os
    import sys

    env = {
        **os.environ,
        "CP_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "k" * 50,
        "DEBUG": "0",
        "PYTHONPATH": str(REPO),
    }
    env.pop("PYTEST_VERSION", None)  # not TESTING: the production storage
    env.pop("DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "central", "collectstatic", "--noinput"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    static = tmp_path / "static" / "cp"
    assert list((static / "fonts").glob("Sarabun-Regular.*.ttf"))
    assert list((static / "vendor" / "leaflet").glob("leaflet.*.js"))
    css = next((static).glob("fonts.*.css")).read_text()
    assert 'url("fonts/Sarabun-Regular.' in css and ".ttf" in css
