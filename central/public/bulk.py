"""The HSDS bulk download: the whole directory as four JSON files in a zip
(``organizations.json``, ``services.json``, ``locations.json``,
``service_at_locations.json``), written under ``CP_DATA_DIR/hsds/`` and named by the data
version, so it is built once per change of the data, streamed into the zip (memory flat).
``python -m central hsds_bulk`` builds it ahead of the first download."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max

from central.catalogue import changes
from central.catalogue.models import Offering, Service
from central.directory.models import Agency, ServicePoint
from central.public import hsds
from central.public.common import published_services

log = logging.getLogger("central")
_building = threading.Lock()


class BaseURL:
    """Stands in for a request when building links outside one (``CP_PUBLIC_URL`` wins)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def build_absolute_uri(self, path: str) -> str:
        return f"{self.base}{path}"


def folder() -> Path:
    return Path(settings.DATA_DIR) / "hsds"


def version() -> str:
    """Changes whenever anything exported changes."""
    epoch, seq = changes.current()
    sp = ServicePoint.objects.aggregate(t=Max("updated_at"), n=Count("id"))
    ag = Agency.objects.aggregate(t=Max("updated_at"), n=Count("id"))
    svc = Service.objects.aggregate(t=Max("updated_at"), n=Count("id"))
    off = Offering.objects.aggregate(n=Count("id"))
    parts = [epoch, seq, sp["t"], sp["n"], ag["t"], ag["n"], svc["t"], svc["n"], off["n"]]
    stamp = "-".join(str(p.timestamp() if hasattr(p, "timestamp") else p) for p in parts)
    return stamp.replace(":", "_").replace("+", "_")


def current_path() -> Path:
    return folder() / f"hsds-{version()}.zip"


def latest() -> Path | None:
    """The newest file built (None if none): another process may be removing old ones."""
    found = []
    for path in folder().glob("hsds-*.zip"):
        try:
            found.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    return max(found)[1] if found else None


def _write_array(zf: zipfile.ZipFile, name: str, chunks: Iterable[list[dict]]) -> None:
    with zf.open(name, "w") as out:
        out.write(b"[")
        first = True
        for chunk in chunks:
            for item in chunk:
                out.write(
                    (b"" if first else b",\n") + json.dumps(item, ensure_ascii=False).encode()
                )
                first = False
        out.write(b"]\n")


def _chunks(qs, size: int = 2000):
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk")[:size])
        if not rows:
            return
        last = rows[-1].pk
        yield rows


def build(base: str) -> Path:
    """Write the current data to ``current_path()`` (if not there yet) and remove older
    files; returns the path. ``base``: scheme and host for links, unless CP_PUBLIC_URL."""
    path = current_path()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    request = BaseURL(base)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            _write_array(
                zf,
                "organizations.json",
                ([hsds.organization(a) for a in rows] for rows in _chunks(Agency.objects.all())),
            )
            _write_array(
                zf,
                "services.json",
                (
                    hsds.services_full(request, rows)
                    for rows in _chunks(published_services().select_related("agency"))
                ),
            )
            points = ServicePoint.objects.filter(is_active=True)
            _write_array(
                zf,
                "locations.json",
                ([hsds.location(request, sp) for sp in rows] for rows in _chunks(points)),
            )
            _write_array(
                zf,
                "service_at_locations.json",
                (
                    hsds.service_at_locations(request, rows, full=False)
                    for rows in _chunks(hsds.public_sal_queryset(), 1000)
                ),
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    for old in path.parent.glob("hsds-*.zip"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def build_in_background(base: str) -> None:
    """Start one build in a thread of this process (none if one is running here)."""
    if not _building.acquire(blocking=False):
        return

    def run() -> None:
        try:
            build(base)
        except Exception:
            log.exception("HSDS bulk export failed")
        finally:
            connection.close()
            _building.release()

    threading.Thread(target=run, name="hsds-bulk", daemon=True).start()
