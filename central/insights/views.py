"""The insights pages in central's admin site (``/admin/insights/...``): No Copy
compliance (the first page), the dashboard, fair rankings, fleet health, alerts, exports.

Every page: the user's scope (``central.scope``) and the URL's filters
(``central.insights.filters``, a foreign or malformed filter is refused with 4xx), Thai
first with English, each chart with its table and ``?csv=<table>`` for a CSV of that
table. Data for the charts goes into the page with ``json_script``; the JavaScript lives
in ``static/cp/insights.js`` (no inline script: the admin runs under a CSP).
"""

from __future__ import annotations

import csv
from collections.abc import Callable

import geothai
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from central.catalogue.models import Service
from central.directory.models import ServicePoint
from central.insights import data
from central.insights.filters import BadFilter, Filters, parse
from central.web.adminkit import display, role_of, scope_of
from central.web.labels import is_english

DIMENSION_WORDS = {
    "staff": _("staff"),
    "waiting_time": _("waiting time"),
    "steps": pgettext_lazy("rating dimension", "steps"),
    "documents": _("documents"),
    "facilities": _("facilities"),
    "outcome": _("outcome"),
}
WEEKDAYS = [
    _("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"),
    _("Sat"), _("Sun"),
]  # fmt: skip


class Table:
    """A table shown under a chart and downloadable as CSV (``?csv=<name>``)."""

    def __init__(self, name: str, title, header: list, rows: list[list]):
        self.name, self.title, self.header, self.rows = name, title, header, rows
        self.query = ""

    def html(self) -> str:
        """The table as HTML, built here rather than in a template loop (a trend table of
        hundreds of rows renders in a fraction of the time)."""
        head = "".join(f'<th scope="col">{escape(str(h))}</th>' for h in self.header)
        if self.rows:
            body = "".join(
                "<tr>" + "".join(f"<td>{escape(_shown(v))}</td>" for v in row) + "</tr>"
                for row in self.rows
            )
        else:
            empty = escape(str(_("No data for these filters")))
            body = f'<tr><td colspan="{len(self.header)}">{empty}</td></tr>'
        href = escape(f"?{self.query}&csv={self.name}" if self.query else f"?csv={self.name}")
        return mark_safe(  # noqa: S308 - every value above is escaped
            f'<div class="cp-table-wrap"><table class="cp-data"><caption>{escape(str(self.title))}'
            f' <a class="cp-csv" href="{href}">CSV</a></caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )


def _shown(value) -> str:
    return "—" if value is None else str(value)


def _options(choices, selected) -> str:
    return mark_safe(  # noqa: S308 - escaped
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) == str(selected) else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )


def _csv_response(table: Table) -> HttpResponse:
    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow([str(h) for h in table.header])
        for row in table.rows:
            yield writer.writerow([_plain(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _plain(value):
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) and not _numeric(text) else text


def _numeric(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _refuse(status: int, reason: str) -> HttpResponse:
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


def insights_page(
    request, template: str, title, build: Callable[[object, Filters], dict], default_days=90
):
    """Scope + filters + context + tables; ``?csv=<table>`` answers that table's CSV."""
    from central.web.admin_site import site

    if role_of(request) is None:
        raise PermissionDenied
    scope = scope_of(request)
    try:
        f = parse(request.GET, scope, default_days=default_days)
    except BadFilter as exc:
        return _refuse(exc.status, exc.reason)
    context = build(scope, f)
    tables = {t.name: t for t in context.get("tables", [])}
    for table in tables.values():
        table.query = f.query()
    wanted = request.GET.get("csv")
    if wanted is not None:
        if wanted not in tables:
            return _refuse(404, f"csv: no table {wanted[:40]!r} on this page")
        return _csv_response(tables[wanted])
    context.update(
        site.each_context(request),
        title=title,
        f=f,
        filter_form=_filter_form(scope, f),
        tabs=_tabs(request, f),
        query=f.query(),
    )
    return TemplateResponse(request, template, context)


def _filter_form(scope, f: Filters) -> dict:
    agencies = [(a.pk, display(a)) for a in scope.agencies().order_by("code")]
    provinces = sorted(
        ((p.code, p.name_en if is_english() else p.name_th) for p in geothai.provinces()),
        key=lambda t: t[1],
    )
    services = [(s.pk, f"{s.code} — {s.name_en if is_english() else s.name_th}")
                for s in Service.objects.order_by("code")]  # fmt: skip
    return {
        "agency_options": _options(agencies, f.agency.pk if f.agency else ""),
        "province_options": _options(provinces, f.province or ""),
        "service_options": _options(services, f.service.pk if f.service else ""),
        "point_label": display(f.point) if f.point else "",
    }


TABS = [
    ("insights-compliance", pgettext_lazy("short", "No Copy compliance")),
    ("insights-dashboard", _("Dashboard")),
    ("insights-rankings", _("Rankings")),
    ("insights-alerts", _("Alerts")),
    ("insights-fleet", _("Fleet health")),
    ("insights-exports", _("Exports")),
    ("comments_commentanalysis_changelist", _("Comments")),
]


def _tabs(request, f: Filters) -> list[dict]:
    from django.urls import NoReverseMatch

    current = request.resolver_match.url_name if request.resolver_match else ""
    query = f.query()
    out = []
    for name, words in TABS:
        try:
            url = reverse(f"admin:{name}")
        except NoReverseMatch:
            continue
        out.append({"url": f"{url}?{query}", "label": words, "on": name == current})
    return out


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _label(obj) -> str:
    if obj is None:
        return str(_("unknown service"))
    if hasattr(obj, "name_th") and not hasattr(obj, "_meta"):  # geothai province
        return obj.name_en if is_english() else obj.name_th
    return display(obj)


# -- pages -----------------------------------------------------------------------------------


def compliance_view(request):
    def build(scope, f):
        c = data.compliance(scope, f)
        for r in c["contradictions"]:
            r["edit_url"] = (
                reverse("admin:catalogue_offering_change", args=[r["offering_id"]])
                if r["offering_id"]
                else None
            )
        trend_rows = [
            [r["month"].strftime("%Y-%m"), r["answers"], r["yes"] or 0, r["pct"]]
            for r in c["by_month"]
        ]
        chart = {
            "type": "line",
            "labels": [r[0] for r in trend_rows],
            "datasets": [{"label": str(_("% asked for a copy (No Copy offices)")),
                          "data": [r[3] for r in trend_rows]}],
            "y_max": 100,
        }  # fmt: skip
        tables = [
            Table(
                "contradictions",
                _("Declared No Copy, citizens still asked"),
                [
                    _("Service point"),
                    _("Service"),
                    _("Answers"),
                    _("Asked for a copy"),
                    "%",
                    # xgettext:no-python-format (a literal % sign, never %-formatted)
                    pgettext_lazy("confidence interval, spelled out", "95% interval"),
                ],
                [
                    [
                        display(r["point"]),
                        r["service"].code if r["service"] else "",
                        r["answers"],
                        r["yes"],
                        f"{100 * r['share']:.1f}",
                        f"{100 * r['low']:.1f}–{100 * r['high']:.1f}",
                    ]
                    for r in c["contradictions"]
                ],
            ),  # fmt: skip
            Table(
                "trend",
                _("Monthly trend"),
                [
                    _("Month"),
                    _("Answers"),
                    _("Asked for a copy"),
                    "%",
                ],
                trend_rows,
            ),  # fmt: skip
            Table(
                "agencies",
                _("By agency"),
                [
                    _("Agency"),
                    _("Answers"),
                    _("Asked for a copy"),
                    "%",
                    # xgettext:no-python-format (a literal % sign, never %-formatted)
                    pgettext_lazy("confidence interval, spelled out", "95% interval"),
                ],
                [
                    [display(r["obj"]), r["answers"], r["yes"] or 0, r["pct"], _ci(r["ci"])]
                    for r in c["by_agency"]
                ],
            ),  # fmt: skip
        ]
        return {"c": c, "chart": chart, "tables": tables, "refresh_minutes": _refresh_minutes()}

    return insights_page(
        request,
        "admin/insights/compliance.html",
        _("No Copy: declared vs. what citizens say"),
        build,
        default_days=180,
    )


def _refresh_minutes() -> int:
    from central.insights import snapshots

    return max(1, round(snapshots.refresh_every() / 60))


def _ci(ci) -> str:
    return "—" if not ci else f"{100 * ci[0]:.1f}–{100 * ci[1]:.1f}"


def dashboard_view(request):
    def build(scope, f):
        head = data.headline(scope, f)
        grain, trend = data.trend(scope, f)
        level, parts = data.breakdown(scope, f)
        services = data.by_service(scope, f)
        heat = data.heatmap(scope, f)
        dims = data.dimensions(scope, f)
        trend_rows = [
            [r["period"].isoformat(), r["n"], r["mean"], r["satisfied_pct"], r["copy_pct"]]
            for r in trend
        ]
        trend_chart = {
            "type": "bar",
            "labels": [r[0] for r in trend_rows],
            "datasets": [
                # xgettext:no-python-format (a literal % sign, never %-formatted)
                {"type": "line", "label": str(_("% satisfied (4–5)")),
                 "data": [r[3] for r in trend_rows], "yAxisID": "pct"},
                {"type": "bar", "label": str(pgettext_lazy("number of ratings", "Ratings")),
                 "data": [r[1] for r in trend_rows], "yAxisID": "n"},
            ],
            "dual": True,
        }  # fmt: skip
        level_words = {
            "agency": _("Agency"),
            "province": _("Province"),
            "point": _("Service point"),
            "counter": _("Counter"),
        }
        for r in parts:
            r["label"] = _label(r["obj"])
            r["url"] = (
                reverse("admin:insights-dashboard") + "?" + f.query(**r["link"])
                if r.get("link")
                else None
            )
        dim_chart = {
            "type": "bar",
            "labels": [str(DIMENSION_WORDS[r["name"]]) for r in dims["rows"]],
            "datasets": [
                {"label": str(_("everyone (%)")),
                 "data": [r["all_pct"] for r in dims["rows"]]},
                {"label": str(_("dissatisfied 1–2 (%)")),
                 "data": [r["low_pct"] for r in dims["rows"]]},
            ],
        }  # fmt: skip
        heat_max = max((c["n"] for day in heat for c in day), default=0) or 1
        heat_rows = []
        for index, day in enumerate(heat):
            heat_rows.append(
                {
                    "label": WEEKDAYS[index],
                    "cells": [
                        {**c, "level": min(5, round(5 * c["n"] / heat_max))} for c in day[7:19]
                    ],
                }
            )
        tables = [
            Table("trend", _("Trend"),
                  [_("Period"), pgettext_lazy("count", "Ratings"), _("Mean score"),
                   # xgettext:no-python-format (a literal % sign, never %-formatted)
                   _("% satisfied"), _("% asked for a copy")],
                  trend_rows),
            Table("breakdown", level_words[level],
                  [level_words[level], pgettext_lazy("count", "Ratings"), _("Mean score"),
                   # xgettext:no-python-format (a literal % sign, never %-formatted)
                   _("% satisfied"), _("% asked for a copy")],
                  [[r["label"], r["n"], r["mean"], r["satisfied_pct"], r["copy_pct"]]
                   for r in parts]),
            Table("services", _("By service"),
                  [_("Service"), pgettext_lazy("count", "Ratings"), _("Mean score"),
                   # xgettext:no-python-format (a literal % sign, never %-formatted)
                   _("% satisfied"), _("% asked for a copy")],
                  [[_label(r["service"]), r["n"], r["mean"], r["satisfied_pct"], r["copy_pct"]]
                   for r in services]),
            Table("dimensions", _("What it was about"),
                  [_("About"), _("Everyone"), "%",
                   _("Dissatisfied (1–2)"), "%"],
                  [[DIMENSION_WORDS[r["name"]], r["all"], r["all_pct"], r["low"], r["low_pct"]]
                   for r in dims["rows"]]),
            Table("heatmap", _("Weekday and hour"),
                  [_("Day"), *[f"{h:02d}:00" for h in range(24)]],
                  [[WEEKDAYS[i], *[c["n"] for c in day]] for i, day in enumerate(heat)]),
        ]  # fmt: skip
        return {
            "head": head,
            "grain": grain,
            "level": level,
            "level_label": level_words[level],
            "parts": parts,
            "services": services,
            "heat_rows": heat_rows,
            "heat_hours": [f"{h:02d}" for h in range(7, 19)],
            "dims": dims,
            "trend_chart": trend_chart,
            "dim_chart": dim_chart,
            "tables": tables,
            "dimension_words": {k: v for k, v in DIMENSION_WORDS.items()},
            "monthly_only": data.uses_point_rollup(f),
        }

    return insights_page(
        request, "admin/insights/dashboard.html", _("Satisfaction dashboard"),
        build,
    )  # fmt: skip


def rankings_view(request):
    def build(scope, f):
        ranks = data.rank_points(scope, f)
        counters = data.rank_counters(scope, f)
        services = data.rank_services(scope, f)

        def rows(items):
            return [
                [display(r["obj"]), display(r["obj"].agency), r["fair"].n,
                 f"{r['fair'].raw_mean:.2f}", f"{r['fair'].score:.2f}",
                 f"{r['fair'].low:.2f}–{r['fair'].high:.2f}", f"{r['fair'].prior_mean:.2f}"]
                for r in items
            ]  # fmt: skip

        def counter_rows(items):
            return [
                [display(r["obj"]), display(r["obj"].service_point.agency), r["fair"].n,
                 f"{r['fair'].raw_mean:.2f}", f"{r['fair'].score:.2f}",
                 f"{r['fair'].low:.2f}–{r['fair'].high:.2f}", f"{r['fair'].prior_mean:.2f}"]
                for r in items
            ]  # fmt: skip

        header = [_("Service point"), _("Agency"),
                  pgettext_lazy("count", "Ratings"), _("Raw mean"),
                  _("Fair score"),
                  # xgettext:no-python-format (a literal % sign, never %-formatted)
                  _("95% interval"),
                  pgettext_lazy("central value", "National mean")]  # fmt: skip
        tables = [
            Table("best", _("Best"), header, rows(ranks["best"])),
            Table("worst", _("Lowest"), header, rows(ranks["worst"])),
            Table("clearly_worst", _("Clearly worst"), header,
                  rows(ranks["clearly_worst"])),
            Table("services", _("Services"),
                  [_("Service"), pgettext_lazy("count", "Ratings"), _("Mean"),
                   # xgettext:no-python-format (a literal % sign, never %-formatted)
                   _("95% interval"), _("National mean")],
                  [[display(r["obj"]), r["n"], f"{r['mean']:.2f}",
                    f"{r['low']:.2f}–{r['high']:.2f}", f"{r['national']:.2f}"] for r in services]),
        ]  # fmt: skip
        counter_header = [_("Counter"), *header[1:]]
        tables += [
            Table("counters_best", _("Counters: best"), counter_header,
                  counter_rows(counters["best"])),
            Table("counters_worst", _("Counters: lowest"),
                  counter_header, counter_rows(counters["worst"])),
            Table("counters_clearly_worst",
                  _("Counters: clearly worst"), counter_header,
                  counter_rows(counters["clearly_worst"])),
        ]  # fmt: skip
        return {"ranks": ranks, "counters": counters, "tables": tables,
                "refresh_minutes": _refresh_minutes()}  # fmt: skip

    return insights_page(
        request, "admin/insights/rankings.html", _("Fair rankings"),
        build, default_days=365,
    )  # fmt: skip


def point_search(request):
    """Searchable service point picker (40,000 points): at most 20 matches in scope."""
    if role_of(request) is None:
        raise PermissionDenied
    term = request.GET.get("q", "").strip()[:60]
    qs = scope_of(request).filter(ServicePoint.objects.all())
    if term:
        from django.db.models import Q

        qs = qs.filter(
            Q(code__icontains=term) | Q(name_th__icontains=term) | Q(name_en__icontains=term)
        )
    points = qs.order_by("code")[:20]
    return JsonResponse({"results": [{"id": p.pk, "text": f"{display(p)} ({p.code})"}
                                     for p in points]})  # fmt: skip
