"""Ratings exports under the insights filters: CSV and XLSX, streamed from a server-side
cursor (memory flat at any size). An export bigger than ``INLINE_MAX_ROWS`` (known
beforehand from the rollups, no count over raw rows) becomes an :class:`ExportJob` that
``python -m central insights_worker`` writes to ``$CP_DATA_DIR/exports/`` for download."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from central.insights import xlsx
from central.insights.filters import Filters
from central.insights.rollups import local_zone
from central.ratings.models import DIMENSIONS, Rating
from central.scope import Scope

INLINE_MAX_ROWS = 200_000
CHUNK = 5000
COLUMNS = [
    ("uuid", "uuid"),
    ("rated_at", "rated_at"),
    ("received_at", "received_at"),
    ("service_point_id", "service_point"),
    ("service_point__code", "service_point_code"),
    ("service_point__name_th", "service_point_name_th"),
    ("service_point__province_code", "province_code"),
    ("service_point__agency__code", "agency_code"),
    ("counter__number", "counter_number"),
    ("kiosk_id", "kiosk"),
    ("service__code", "service_code"),
    ("unknown_service_code", "unknown_service_code"),
    ("score", "score"),
    *[(field, f"dim_{name}") for name, field in DIMENSIONS.items()],
    ("asked_for_copy", "asked_for_copy"),
    ("comment", "comment"),
    ("skew_flag", "skew_flag"),
    ("interval_flag", "interval_flag"),
]
HEADER = [name for _, name in COLUMNS]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def queryset(scope: Scope, f: Filters):
    zone = local_zone()
    qs = scope.filter(Rating.objects.all()).filter(
        rated_at__gte=datetime.combine(f.start, time.min, zone),
        rated_at__lt=datetime.combine(f.end + timedelta(days=1), time.min, zone),
    )
    if f.agency is not None:
        qs = qs.filter(service_point__agency_id__in=f.agency_ids)
    if f.province:
        qs = qs.filter(service_point__province_code=f.province)
    if f.point is not None:
        qs = qs.filter(service_point_id=f.point.pk)
    if f.service is not None:
        qs = qs.filter(service_id=f.service.pk)
    return qs.order_by()


def rows(scope: Scope, f: Filters):
    """Export rows as Python values (times as local ISO text, ids as public ids)."""
    zone = local_zone()
    for row in queryset(scope, f).values_list(*[c for c, _ in COLUMNS]).iterator(chunk_size=CHUNK):
        out = list(row)
        out[0] = str(out[0])
        out[1] = out[1].astimezone(zone).isoformat(timespec="seconds")
        out[2] = out[2].astimezone(zone).isoformat(timespec="seconds")
        out[3] = f"sp-{out[3]:06d}"
        out[9] = f"ks-{out[9]:06d}"
        yield out


def _csv_cell(value):
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_stream(scope: Scope, f: Filters):
    from django.db import connection

    if connection.vendor == "postgresql":
        from central.insights import pg_export

        yield from pg_export.csv_chunks(scope, f, HEADER)
        return
    yield from csv_portable(scope, f)


def csv_portable(scope: Scope, f: Filters):
    """The CSV written by Python from a chunked cursor (SQLite; the reference the
    PostgreSQL COPY path is tested against)."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    yield ("\ufeff" + writer.writerow(HEADER)).encode()
    batch = []
    for row in rows(scope, f):
        batch.append(writer.writerow([_csv_cell(v) for v in row]))
        if len(batch) >= 1000:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def xlsx_stream(scope: Scope, f: Filters):
    from django.db import connection

    if connection.vendor == "postgresql":
        from central.insights import pg_export

        return xlsx.stream(HEADER, pg_export.xml_rows(scope, f), prerendered=True)
    return xlsx_portable(scope, f)


def xlsx_portable(scope: Scope, f: Filters):
    def cells():
        for row in rows(scope, f):
            yield [
                ("'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v) for v in row
            ]

    return xlsx.stream(HEADER, cells())


def filename(fmt: str) -> str:
    return f"ratings-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


def exports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_job(job) -> None:
    """Write one export job's file (called by the worker)."""
    from django.http import QueryDict

    from central.insights.filters import parse
    from central.insights.models import ExportJob
    from central.scope import scope_for

    scope = scope_for(job.user)
    f = parse(QueryDict(job.query), scope)
    target = exports_dir() / f"export-{job.pk}.{job.fmt}"
    stream = csv_stream(scope, f) if job.fmt == "csv" else xlsx_stream(scope, f)
    with open(target, "wb") as out:
        for chunk in stream:
            out.write(chunk)
    ExportJob.unscoped.filter(pk=job.pk).update(
        state=ExportJob.DONE, finished_at=timezone.now(), path=str(target)
    )
