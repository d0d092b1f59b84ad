"""Export pages: ``/admin/insights/exports/`` (the filters, the size known from the
rollups, download or queue buttons, the user's jobs), ``export.csv`` / ``export.xlsx``
(streamed) and a finished job's download. Every export and job is audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from central import audit
from central.directory.models import Membership
from central.fleet.services import client_ip
from central.insights import data, exports
from central.insights.filters import BadFilter, parse
from central.insights.models import ExportJob
from central.insights.views import _refuse, insights_page
from central.web.adminkit import role_of, scope_of

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def inline_max() -> int:
    return int(getattr(settings, "CP_EXPORT_INLINE_MAX_ROWS", exports.INLINE_MAX_ROWS))


def _own_agency(request):
    if role_of(request) != "agency":
        return None
    return Membership.objects.filter(user=request.user).values_list("agency_id", flat=True).first()


def _audit(request, action: str, fmt: str, f, rows: int, job=None) -> None:
    audit.record(
        action,
        None,
        actor=request.user,
        agency=_own_agency(request),
        object_type="ratings.rating" if job is None else "insights.exportjob",
        object_id=job.pk if job else None,
        after={"format": fmt, "filters": f.query(), "rows_estimated": rows},
        ip=client_ip(request),
    )


def exports_view(request):
    def build(scope, f):
        estimate = data.headline(scope, f)["n"] if not data.uses_point_rollup(f) else None
        if estimate is None:
            estimate = data.headline(scope, f)["n"]
        jobs = ExportJob.objects.scoped(scope).filter(user=request.user)[:20]
        return {
            "estimate": estimate,
            "inline": estimate <= inline_max(),
            "inline_max": inline_max(),
            "jobs": jobs,
            "tables": [],
        }

    return insights_page(request, "admin/insights/exports.html", _("Export ratings"), build)


def export_file(request, fmt: str):
    if role_of(request) is None:
        raise PermissionDenied
    if fmt not in CONTENT_TYPES:
        raise Http404("export.csv or export.xlsx")
    scope = scope_of(request)
    try:
        f = parse(request.GET, scope)
    except BadFilter as exc:
        return _refuse(exc.status, exc.reason)
    estimate = data.headline(scope, f)["n"]
    if estimate > inline_max():
        return _refuse(
            409,
            f"{estimate} ratings: too many for one download; queue it as a background job "
            "on the exports page",
        )
    _audit(request, "rating.export", fmt, f, estimate)
    stream = exports.csv_stream(scope, f) if fmt == "csv" else exports.xlsx_stream(scope, f)
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt)}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def queue_export(request):
    if role_of(request) is None:
        raise PermissionDenied
    scope = scope_of(request)
    try:
        f = parse(request.POST, scope)
    except BadFilter as exc:
        return _refuse(exc.status, exc.reason)
    fmt = request.POST.get("fmt", "")
    if fmt not in CONTENT_TYPES:
        return _refuse(400, "fmt: csv or xlsx")
    job = ExportJob.unscoped.create(
        user=request.user, agency_id=_own_agency(request), fmt=fmt, query=f.query()
    )
    _audit(request, "rating.export_job", fmt, f, data.headline(scope, f)["n"], job)
    return HttpResponseRedirect(reverse("admin:insights-exports") + "?" + f.query())


def download_job(request, job_id: int):
    if role_of(request) is None:
        raise PermissionDenied
    job = ExportJob.objects.scoped(scope_of(request)).filter(pk=job_id).first()
    if job is None or (job.user_id != request.user.pk and role_of(request) != "central"):
        raise Http404("no such export")
    if job.state != ExportJob.DONE or not job.path:
        return _refuse(409, f"export {job.pk} is {job.state}")
    audit.record(
        "rating.export_download",
        None,
        actor=request.user,
        agency=job.agency_id,
        object_type="insights.exportjob",
        object_id=job.pk,
        after={"query": job.query},
        ip=client_ip(request),
    )
    name = f"ratings-export-{job.pk}.{job.fmt}"
    return FileResponse(
        open(job.path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES[job.fmt],
    )
