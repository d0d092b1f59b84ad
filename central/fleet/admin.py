"""Admin of the kiosk fleet: one-time enrolment codes (issued per counter, shown once as text
and QR code) and the enrolled kiosks with their health, and revoking either (audited by
``central.fleet.services``)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from central.directory.models import Counter
from central.fleet import services as fleet
from central.fleet.models import EnrolmentCode, Kiosk
from central.web.admin_site import site
from central.web.adminkit import VIEW, CounterPointAdmin, display, scoped
from central.web.safe_input import valid_ints

ONLINE_MINUTES = 15
STALE_HOURS = fleet.STALE_HOURS


# -- enrolment codes -------------------------------------------------------------------------


class IssueCodeForm(forms.Form):
    counter = forms.ModelChoiceField(
        queryset=Counter.objects.none(),
        label=_("Counter the kiosk will serve"),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["counter"]
        field.widget = AutocompleteSelect(
            EnrolmentCode._meta.get_field("counter"), site, attrs={"style": "width: 32em"}
        )
        field.label_from_instance = display
        # Setting the queryset after the widget binds the widget's choices to it.
        field.queryset = scoped(request, Counter.objects.select_related("service_point"))


class CodeStateFilter(admin.SimpleListFilter):
    title = _("Code state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("valid", _("valid")),
            ("used", _("used")),
            ("expired", _("expired")),
            ("revoked", _("withdrawn")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "valid":
            return queryset.filter(used_at=None, revoked_at=None, expires_at__gt=now)
        if value == "used":
            return queryset.exclude(used_at=None)
        if value == "expired":
            return queryset.filter(used_at=None, revoked_at=None, expires_at__lte=now)
        if value == "revoked":
            return queryset.filter(used_at=None).exclude(revoked_at=None)
        return queryset


STATE_WORDS = {
    "valid": ("cp-badge-ok", _("valid")),
    "used": ("cp-badge-muted", _("used")),
    "expired": ("cp-badge-muted", _("expired")),
    "revoked": ("cp-badge-bad", _("withdrawn")),
}


@admin.register(EnrolmentCode, site=site)
class EnrolmentCodeAdmin(CounterPointAdmin):
    """Codes are issued on their own page (``issue/``): the code is shown once, as text and
    as a QR code, and only its hash is kept. "Add" leads there."""

    central_can = VIEW | {"add", "revoke"}
    agency_can = VIEW | {"add", "revoke"}
    list_display = [
        "code_hint",
        "state_badge",
        "counter_name",
        "created_at",
        "created_by",
        "expires_at",
        "kiosk_link",
    ]
    list_display_links = ["code_hint"]
    list_filter = [CodeStateFilter, "counter__service_point__agency"]
    search_fields = ["hint", "counter__name_th", "counter__service_point__code"]
    actions = ["revoke_codes"]
    fields = [
        "code_hint",
        "state_badge",
        "counter_name",
        "created_at",
        "created_by",
        "expires_at",
        "used_at",
        "revoked_at",
        "kiosk_link",
    ]
    readonly_fields = fields
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("counter__service_point", "created_by", "kiosk")
        )

    def has_revoke_permission(self, request):
        return self._can(request, "revoke")

    def get_urls(self):
        issue = self.admin_site.admin_view(self.issue_view)
        return [path("issue/", issue, name="fleet_enrolmentcode_issue"), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        url = reverse("admin:fleet_enrolmentcode_issue")
        if request.GET.get("counter"):
            url += "?" + urlencode({"counter": request.GET["counter"]})
        return HttpResponseRedirect(url)

    def issue_view(self, request):
        """GET: choose a counter. POST: issue a code and show it once (text + QR)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Issue an enrolment code"),
            "ttl_hours": settings.CP_ENROLMENT_CODE_TTL_HOURS,
            "server_url": settings.CP_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/"),
        }
        if request.method == "POST":
            form = IssueCodeForm(request.POST, request=request)
            if form.is_valid():
                counter = form.cleaned_data["counter"]
                row, code = fleet.issue_enrolment_code(counter, by=request.user)
                from central.web.qr import qr_svg

                context.update(
                    code=code,
                    row=row,
                    counter=counter,
                    counter_label=display(counter),
                    qr=qr_svg(code, label=str(_("Enrolment code"))),
                    title=pgettext_lazy("plural", "Enrolment code"),
                )
                response = TemplateResponse(
                    request, "admin/fleet/enrolmentcode/issued.html", context
                )
                response["Cache-Control"] = "no-store"
                return response
        else:
            initial = {}
            if request.GET.get("counter"):
                counter_ids = valid_ints([request.GET["counter"]])
                counter = (
                    scoped(request, Counter.objects.all()).filter(pk=counter_ids[0]).first()
                    if counter_ids
                    else None
                )
                if counter is None:
                    raise Http404("No such counter.")
                initial["counter"] = counter.pk
                context["counter_label"] = display(counter)
            form = IssueCodeForm(initial=initial, request=request)
        context.update(form=form, media=self.media + form.media)
        return TemplateResponse(request, "admin/fleet/enrolmentcode/issue.html", context)

    @admin.action(
        description=_("Withdraw the selected unused codes"),
        permissions=["revoke"],
    )
    def revoke_codes(self, request, queryset):
        done = sum(fleet.revoke_enrolment_code(row, by=request.user) for row in queryset)
        self.message_user(
            request,
            ngettext("%(n)s code withdrawn.", "%(n)s codes withdrawn.", done) % {"n": done},
            messages.SUCCESS,
        )

    @admin.display(description=_("Code"), ordering="hint")
    def code_hint(self, obj):
        return f"…{obj.hint}"

    @admin.display(description=_("State"))
    def state_badge(self, obj):
        css, words = STATE_WORDS[obj.state(timezone.now())]
        return format_html('<span class="cp-badge {}">{}</span>', css, words)

    @admin.display(description=_("Counter"), ordering="counter__name_th")
    def counter_name(self, obj):
        return display(obj.counter)

    @admin.display(description=pgettext_lazy("registered kiosk", "Kiosk"))
    def kiosk_link(self, obj):
        if obj.kiosk_id is None:
            return "—"
        url = reverse("admin:fleet_kiosk_change", args=[obj.kiosk_id])
        return format_html('<a href="{}">{}</a>', url, obj.kiosk.public_id)


# -- kiosks ----------------------------------------------------------------------------------


def duration_words(delta: timedelta) -> str:
    """A short, rounded duration: "5 นาที" / "5 min", "3 ชม." / "3 h", "2 วัน" / "2 days"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 120:
        return gettext("%(minutes)s min") % {"minutes": minutes}
    hours = minutes // 60
    if hours < 48:
        return gettext("%(hours)s h") % {"hours": hours}
    days = hours // 24
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}


def health(kiosk: Kiosk, now=None) -> tuple[str, str]:
    """(css class, words) for a kiosk's state."""
    now = now or timezone.now()
    if kiosk.revoked_at is not None:
        return "cp-badge-bad", str(_("⊘ revoked"))
    if kiosk.last_seen is None:
        return "cp-badge-muted", str(_("never seen"))
    age = now - kiosk.last_seen
    ago = duration_words(age)
    if age <= timedelta(minutes=ONLINE_MINUTES):
        return "cp-badge-ok", str(_("● online (%(ago)s ago)") % {"ago": ago})
    if age <= timedelta(hours=STALE_HOURS):
        return "cp-badge-warn", str(_("◐ last seen %(ago)s ago") % {"ago": ago})
    return "cp-badge-bad", str(_("○ offline for %(ago)s") % {"ago": ago})


class HealthFilter(admin.SimpleListFilter):
    title = _("Kiosk state")
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return [
            # Translators: the Thai names the window; the English "online" does not.
            ("online", pgettext("kiosk health filter", "online") % {"minutes": ONLINE_MINUTES}),
            ("stale", _("seen within %(hours)s h") % {"hours": STALE_HOURS}),
            ("offline", pgettext("kiosk health filter", "offline") % {"hours": STALE_HOURS}),
            ("never", _("never seen")),
            ("revoked", pgettext_lazy("kiosk state", "revoked")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        live = queryset.filter(revoked_at=None)
        online_since = now - timedelta(minutes=ONLINE_MINUTES)
        stale_since = now - timedelta(hours=STALE_HOURS)
        return {
            "online": lambda: live.filter(last_seen__gte=online_since),
            "stale": lambda: live.filter(last_seen__lt=online_since, last_seen__gte=stale_since),
            "offline": lambda: live.filter(last_seen__lt=stale_since),
            "never": lambda: live.filter(last_seen=None),
            "revoked": lambda: queryset.exclude(revoked_at=None),
        }.get(self.value(), lambda: queryset)()


class CatalogueFilter(admin.SimpleListFilter):
    """Kiosks that could not apply central's last catalogue (they said so in their
    heartbeat and keep their previous one)."""

    title = _("Catalogue")
    parameter_name = "catalogue"

    def lookups(self, request, model_admin):
        return [
            ("refused", _("catalogue refused")),
            ("ok", _("OK")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "refused":
            return queryset.exclude(catalogue_refused_reason="")
        if self.value() == "ok":
            return queryset.filter(catalogue_refused_reason="")
        return queryset


@admin.register(Kiosk, site=site)
class KioskAdmin(CounterPointAdmin):
    central_can = VIEW | {"revoke"}
    agency_can = VIEW | {"revoke"}
    change_form_template = "admin/fleet/kiosk/change_form.html"
    list_display = [
        "kiosk_id",
        "state",
        "place",
        "app_version",
        "queue",
        "clock",
        "catalogue",
    ]
    list_display_links = ["kiosk_id"]
    list_filter = [
        HealthFilter,
        "skew_flag",
        CatalogueFilter,
        "app_version",
        "counter__service_point__agency",
    ]
    search_fields = [
        "app_version",
        "counter__name_th",
        "counter__service_point__code",
        "counter__service_point__name_th",
        "counter__service_point__name_en",
    ]
    actions = ["revoke_kiosks"]
    fields = [
        "kiosk_id",
        "state",
        "place",
        "enrolled_at",
        "last_seen",
        "last_ip",
        "app_version",
        "queue_depth",
        "last_kiosk_time",
        "clock",
        "catalogue",
        "catalogue_refused_reason",
        "catalogue_refused_at",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = fields
    ordering = ["id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("counter__service_point", "revoked_by")

    def has_revoke_permission(self, request, obj=None):
        return self._can(request, "revoke", obj)

    def get_urls(self):
        revoke = self.admin_site.admin_view(self.revoke_view)
        return [
            path("<int:object_id>/revoke/", revoke, name="fleet_kiosk_revoke"),
            *super().get_urls(),
        ]

    def revoke_view(self, request, object_id):
        """POST only: revoke one kiosk (the button on its page)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        kiosk = self.get_queryset(request).filter(pk=object_id).first()
        if kiosk is None:
            raise Http404("No such kiosk.")
        if not self.has_revoke_permission(request, kiosk):
            raise PermissionDenied
        if fleet.revoke_kiosk(kiosk, by=request.user, ip=fleet.client_ip(request)):
            self.message_user(
                request,
                _("%(kiosk)s revoked: it can no longer sync; enrol it again with a new code.")
                % {"kiosk": kiosk.public_id},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("This kiosk was already revoked."), messages.INFO)
        return HttpResponseRedirect(reverse("admin:fleet_kiosk_change", args=[kiosk.pk]))

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["can_revoke"] = (
            obj is not None and obj.revoked_at is None and self.has_revoke_permission(request, obj)
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    @admin.action(
        description=_("Revoke the selected kiosks"),
        permissions=["revoke"],
    )
    def revoke_kiosks(self, request, queryset):
        ip = fleet.client_ip(request)
        done = sum(fleet.revoke_kiosk(k, by=request.user, ip=ip) for k in queryset)
        self.message_user(
            request,
            ngettext("%(n)s kiosk revoked.", "%(n)s kiosks revoked.", done) % {"n": done},
            messages.SUCCESS,
        )

    @admin.display(description=pgettext_lazy("short", "Kiosk"), ordering="id")
    def kiosk_id(self, obj):
        return format_html('<span class="cp-nowrap">{}</span>', obj.public_id)

    @admin.display(description=_("State"), ordering="last_seen")
    def state(self, obj):
        css, words = health(obj)
        return format_html('<span class="cp-badge {}">{}</span>', css, words)

    @admin.display(description=_("Service point / counter"))
    def place(self, obj):
        url = reverse("admin:directory_servicepoint_change", args=[obj.counter.service_point_id])
        return format_html('<a href="{}">{}</a>', url, display(obj.counter))

    @admin.display(description=_("Queued"), ordering="queue_depth")
    def queue(self, obj):
        if obj.queue_depth is None:
            return "—"
        if obj.queue_depth >= 100:
            return format_html('<span class="cp-badge cp-badge-warn">{}</span>', obj.queue_depth)
        return obj.queue_depth

    @admin.display(description=_("Clock"), ordering="skew_flag")
    def clock(self, obj):
        if obj.skew_flag:
            seconds = obj.clock_skew_seconds or 0
            return format_html(
                '<span class="cp-badge cp-badge-warn">⚠ {}</span>',
                _("off by %(minutes)s min") % {"minutes": format(seconds / 60, "+.0f")},
            )
        if obj.clock_skew_seconds is None:
            return "—"
        return format_html(
            '<span class="cp-badge cp-badge-ok">✓ {}</span>', pgettext_lazy("clock", "OK")
        )

    @admin.display(description=_("Catalogue"), ordering="catalogue_refused_at")
    def catalogue(self, obj):
        if obj.catalogue_refused_reason:
            return format_html(
                '<span class="cp-badge cp-badge-bad" title="{}">⚠ {}</span>',
                obj.catalogue_refused_reason,
                _("catalogue refused"),
            )
        return format_html('<span class="cp-badge cp-badge-ok">✓ {}</span>', _("OK"))
