"""Admin of citizens' ratings: a read-only, scoped list with filters, and a streaming CSV
export of exactly what the list shows (same filters, same scope)."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from central import audit
from central.directory.models import Membership
from central.fleet.services import client_ip
from central.insights.listing import CappedPaginator, ServicePointSearchFilter
from central.ratings.models import DIMENSIONS, Rating
from central.web.admin_site import site
from central.web.adminkit import VIEW, CounterPointAdmin, display, role_of
from central.web.safe_input import valid_ints

SCORE_WORDS = {
    1: _("very dissatisfied"),
    2: _("dissatisfied"),
    3: pgettext_lazy("score", "neutral"),
    4: pgettext_lazy("score", "satisfied"),
    5: _("very satisfied"),
}
DIMENSION_WORDS = {
    "staff": _("staff"),
    "waiting_time": _("waiting time"),
    "steps": pgettext_lazy("rating dimension", "steps"),
    "documents": _("documents"),
    "facilities": _("facilities"),
    "outcome": _("outcome"),
}
EXPORT_CHUNK = 2000


class ScoreFilter(admin.SimpleListFilter):
    title = _("Score")
    parameter_name = "score"

    def lookups(self, request, model_admin):
        return [(str(n), f"{n} · {words}") for n, words in SCORE_WORDS.items()]

    def queryset(self, request, queryset):
        value = self.value()
        if value in {"1", "2", "3", "4", "5"}:
            return queryset.filter(score=int(value))
        return queryset


class FlagFilter(admin.SimpleListFilter):
    title = _("Flags")
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [
            ("burst", _("burst (too soon)")),
            ("skew", _("kiosk clock wrong")),
            ("copy", _("asked for a photocopy")),
            ("comment", _("has a comment")),
            ("none", _("no flag")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "burst":
            return queryset.filter(interval_flag=True)
        if value == "skew":
            return queryset.filter(skew_flag=True)
        if value == "copy":
            return queryset.filter(asked_for_copy=True)
        if value == "comment":
            return queryset.exclude(comment=None).exclude(comment="")
        if value == "none":
            return queryset.filter(interval_flag=False, skew_flag=False)
        return queryset


@admin.register(Rating, site=site)
class RatingAdmin(CounterPointAdmin):
    central_can = VIEW | {"export"}
    agency_can = VIEW | {"export"}
    change_list_template = "admin/ratings/rating/change_list.html"

    class Media:
        js = ["cp/insights.js"]  # the searchable service point filter
        css = {"all": ["cp/insights.css"]}

    list_display = [
        "when",
        "score_badge",
        "place",
        "service_code",
        "dimension_words",
        "copy_asked",
        "flags",
        "comment_short",
    ]
    list_display_links = ["when"]
    list_filter = [
        ("rated_at", admin.DateFieldListFilter),
        ScoreFilter,
        FlagFilter,
        "service",
        ServicePointSearchFilter,
        "service_point__agency",
    ]
    paginator = CappedPaginator
    search_fields = ["comment", "service_point__code", "service__code"]
    show_full_result_count = False
    ordering = ["-rated_at", "-id"]
    fields = [
        "score_badge",
        "place",
        "service_name",
        "kiosk_name",
        "dimension_words",
        "copy_asked",
        "comment",
        "rated_at",
        "kiosk_time",
        "received_at",
        "flags",
        "uuid",
        "kiosk_seq",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("service_point", "counter", "service", "kiosk")
        )

    def has_export_permission(self, request):
        return self._can(request, "export")

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_csv)
        return [path("export.csv", export, name="ratings_rating_export"), *super().get_urls()]

    def _foreign_filter(self, request) -> str | None:
        """The first filter in the URL that names an agency or service point outside the
        user's scope (refused with 404 rather than silently giving an empty list or an
        export logged as if the filter applied)."""
        from central.directory.models import ServicePoint
        from central.web.adminkit import scope_of

        scope = scope_of(request)
        for key in ("service_point__agency__id__exact", "service_point__agency"):
            value = request.GET.get(key)
            ids = valid_ints([value]) if value is not None else []
            if value is not None and not (ids and scope.allows_agency(ids[0])):
                return f"{key}: no such agency in your scope"
        for key in ("service_point__id__exact", "service_point"):
            value = request.GET.get(key)
            ids = valid_ints([value]) if value is not None else []
            if value is not None and not (
                ids and scope.filter(ServicePoint.objects.filter(pk=ids[0])).exists()
            ):
                return f"{key}: no such service point in your scope"
        return None

    def changelist_view(self, request, extra_context=None):
        refused = self._foreign_filter(request)
        if refused:
            from django.http import HttpResponseNotFound

            return HttpResponseNotFound(refused, content_type="text/plain; charset=utf-8")
        extra_context = extra_context or {}
        from central.insights import listing

        extra_context["cp_count_cap"] = listing.CAP
        if self.has_export_permission(request):
            query = request.GET.copy()
            query.pop("p", None)
            extra_context["export_url"] = (
                reverse("admin:ratings_rating_export") + "?" + query.urlencode()
                if query
                else reverse("admin:ratings_rating_export")
            )
        return super().changelist_view(request, extra_context)

    # -- CSV export --
    def export_csv(self, request):
        """The ratings the list shows (same scope, filters and search), as CSV, streamed
        row by row from a server-side iterator: memory stays flat for millions of rows."""
        from django.core.exceptions import PermissionDenied

        if not (self.has_view_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        refused = self._foreign_filter(request)
        if refused:
            from django.http import HttpResponseNotFound

            return HttpResponseNotFound(refused, content_type="text/plain; charset=utf-8")
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # The list itself answers a bad filter with "?e=1"; send the user there.
            return HttpResponseRedirect(reverse("admin:ratings_rating_changelist") + "?e=1")
        queryset = changelist.get_queryset(request)
        columns = [
            ("uuid", "uuid"),
            ("rated_at", "rated_at"),
            ("received_at", "received_at"),
            ("kiosk_time", "kiosk_time"),
            ("service_point_id", "service_point"),
            ("service_point__code", "service_point_code"),
            ("service_point__name_th", "service_point_name_th"),
            ("service_point__province_code", "province_code"),
            ("service_point__agency__code", "agency_code"),
            ("counter_id", "counter"),
            ("counter__number", "counter_number"),
            ("kiosk_id", "kiosk"),
            ("service__code", "service_code"),
            ("score", "score"),
            *[(field, f"dim_{name}") for name, field in DIMENSIONS.items()],
            ("asked_for_copy", "asked_for_copy"),
            ("comment", "comment"),
            ("skew_flag", "skew_flag"),
            ("interval_flag", "interval_flag"),
            ("skew_seconds", "skew_seconds"),
        ]
        rows = queryset.values_list(*[c for c, _ in columns]).iterator(chunk_size=EXPORT_CHUNK)
        audit.record(
            "rating.export",
            None,
            actor=request.user,
            agency=_own_agency(request),
            object_type="ratings.rating",
            after={"filters": urlencode(sorted(request.GET.items()))},
            ip=client_ip(request),
        )
        header = [name for _, name in columns]
        response = StreamingHttpResponse(
            _csv_lines(header, rows, columns), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="ratings-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response

    # -- columns --
    @admin.display(description=_("Score"), ordering="score")
    def score_badge(self, obj):
        words = SCORE_WORDS.get(obj.score, "?")
        return format_html(
            '<span class="cp-score cp-score-{}">{} · {}</span>', obj.score, obj.score, words
        )

    @admin.display(description=_("Rated at"), ordering="rated_at")
    def when(self, obj):
        return format_html(
            '<span class="cp-nowrap">{}</span>',
            timezone.localtime(obj.rated_at).strftime("%Y-%m-%d %H:%M"),
        )

    @admin.display(
        description=_("Service point / counter"),
        ordering="service_point__code",
    )
    def place(self, obj):
        return format_html(
            '{}<br><span class="cp-muted">{}</span>',
            display(obj.service_point),
            _("counter %(number)s") % {"number": obj.counter.number},
        )

    @admin.display(description=_("Service"))
    def service_name(self, obj):
        return display(obj.service) if obj.service_id else "—"

    @admin.display(description=_("Kiosk"))
    def kiosk_name(self, obj):
        return obj.kiosk.public_id

    @admin.display(description=_("Service"), ordering="service__code")
    def service_code(self, obj):
        return obj.service.code if obj.service_id else "—"

    @admin.display(description=pgettext_lazy("rated aspects", "About"))
    def dimension_words(self, obj):
        words = [str(DIMENSION_WORDS[d]) for d in obj.dimensions]
        return ", ".join(words) or "—"

    @admin.display(description=_("Asked for copy"), ordering="asked_for_copy")
    def copy_asked(self, obj):
        if obj.asked_for_copy is None:
            return "—"
        if obj.asked_for_copy:
            return format_html('<span class="cp-badge cp-badge-warn">{}</span>', _("yes"))
        return _("no")

    @admin.display(description=_("Flags"))
    def flags(self, obj):
        out = []
        if obj.interval_flag:
            out.append(str(_("burst")))
        if obj.skew_flag:
            minutes = obj.skew_seconds / 60
            out.append(str(_("clock off %(minutes)s min") % {"minutes": format(minutes, "+.0f")}))
        if not out:
            return "—"
        return format_html('<span class="cp-badge cp-badge-warn">{}</span>', ", ".join(out))

    @admin.display(description=_("Comment"))
    def comment_short(self, obj):
        text = obj.comment or ""
        return text if len(text) <= 60 else text[:59] + "…"


class _Echo:
    def write(self, value):
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """One CSV cell: times in the server's time zone, booleans as 1/0, and text that a
    spreadsheet would run as a formula prefixed with an apostrophe (CSV injection)."""
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if hasattr(value, "astimezone"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_lines(header, rows, columns):
    writer = csv.writer(_Echo())
    public = {
        "service_point_id": "sp-{:06d}",
        "counter_id": "ct-{:06d}",
        "kiosk_id": "ks-{:06d}",
    }
    formats = [public.get(name) for name, _ in columns]
    yield "\ufeff" + writer.writerow(header)  # BOM: spreadsheets then read Thai as UTF-8
    for row in rows:
        yield writer.writerow(
            [
                fmt.format(v) if fmt and v is not None else _cell(v)
                for fmt, v in zip(formats, row, strict=True)
            ]
        )


def _own_agency(request):
    if role_of(request) != "agency":
        return None
    return Membership.objects.filter(user=request.user).values_list("agency_id", flat=True).first()
