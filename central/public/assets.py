"""Third-party browser assets served by central, straight from the installed packages
(never copied into the repository): a staticfiles *finder*.

- the Thai webfont Sarabun from PyPI ``fontpkg-sarabun`` -> ``/static/cp/fonts/*.ttf``
  (``cp/fonts.css`` declares the ``@font-face`` rules; the public pages and the admin link
  it, so a machine without Thai system fonts shows Thai, not boxes);
- Leaflet (the map on the public directory) from PyPI ``django-leaflet``, which ships the
  Leaflet release as static files -> ``/static/cp/vendor/leaflet/``. The Django app itself
  is not installed: only these files are used.

``runserver`` (DEBUG) serves them through this finder; in production ``collectstatic``
copies them into ``STATIC_ROOT`` with everything else. Add the finder to
``STATICFILES_FINDERS`` (central/settings.py does).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

FONT_FILES = ["Sarabun-Regular.ttf", "Sarabun-SemiBold.ttf", "Sarabun-Bold.ttf"]
LEAFLET_FILES = [
    "leaflet.js",
    "leaflet.js.map",  # leaflet.js names it: the manifest storage of collectstatic checks
    "leaflet.css",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
    "images/layers.png",
    "images/layers-2x.png",
]


def _package_dir(package: str, *parts: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)


# static prefix -> (package, folder inside it, files exposed)
BUNDLES: dict[str, tuple[str, tuple[str, ...], list[str]]] = {
    "cp/fonts": ("fontpkg_sarabun", ("files",), FONT_FILES),
    "cp/vendor/leaflet": ("leaflet", ("static", "leaflet"), LEAFLET_FILES),
}


class _PrefixedStorage(FileSystemStorage):
    """A package folder, collected under ``prefix`` (collectstatic reads ``.prefix``)."""

    def __init__(self, location: Path, prefix: str) -> None:
        super().__init__(location=str(location))
        self.prefix = prefix


class PackageAssetsFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        self.storages: dict[str, tuple[_PrefixedStorage, list[str]]] = {}
        for prefix, (package, parts, files) in BUNDLES.items():
            folder = _package_dir(package, *parts)
            if folder is not None and folder.is_dir():
                self.storages[prefix] = (_PrefixedStorage(folder, prefix), files)

    def check(self, **kwargs) -> list[Error]:
        errors = []
        for prefix, (package, _parts, files) in BUNDLES.items():
            entry = self.storages.get(prefix)
            missing = [f for f in files if entry is None or not entry[0].exists(f)]
            if missing:
                errors.append(
                    Error(
                        f"{package} is not installed (or lacks {', '.join(missing)}): "
                        f"/static/{prefix}/ cannot be served",
                        hint="pip install the central extra: pip install -e '.[central]'",
                        id="cp.E001",
                    )
                )
        return errors

    def find(self, path: str, find_all: bool = False, **kwargs) -> str | list[str]:
        find_all = find_all or kwargs.get("all", False)
        for prefix, (storage, files) in self.storages.items():
            if path.startswith(prefix + "/") and path[len(prefix) + 1 :] in files:
                found = storage.path(path[len(prefix) + 1 :])
                return [found] if find_all else found
        return []  # "not found", as Django's own finders say it

    def list(self, ignore_patterns) -> Iterator[tuple[str, FileSystemStorage]]:
        for storage, files in self.storages.values():
            for name in files:
                if storage.exists(name):
                    yield name, storage
