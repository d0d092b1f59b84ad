"""Admin of agencies, service points (map pin, address, Thai admin area, hours, counters)
and admin users with their agency membership."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from central.directory.models import Agency, Counter, Membership, ServicePoint
from central.web import geo
from central.web.admin_site import site
from central.web.adminkit import (
    ALL,
    NOTHING,
    VIEW,
    CounterPointAdmin,
    CounterPointInline,
    display,
    role_of,
    scope_of,
)

# -- agencies --------------------------------------------------------------------------------


@admin.register(Agency, site=site)
class AgencyAdmin(CounterPointAdmin):
    central_can = ALL
    agency_can = VIEW
    list_display = ["code", "name_th", "name_en", "parent_name"]
    search_fields = ["code", "name_th", "name_en"]
    fields = ["code", "name_th", "name_en", "parent"]
    ordering = ["code"]

    @admin.display(description=_("Parent agency"), ordering="parent__code")
    def parent_name(self, obj):
        return display(obj.parent) if obj.parent_id else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


# -- service points --------------------------------------------------------------------------


class ServicePointForm(forms.ModelForm):
    """Province / district / subdistrict as linked selects filled from ``geothai``; the
    model still validates the codes (and that they nest)."""

    class Meta:
        model = ServicePoint
        fields = "__all__"
        widgets = {
            "name_th": forms.TextInput(attrs={"class": "cp-wide"}),
            "name_en": forms.TextInput(attrs={"class": "cp-wide"}),
            "address_th": forms.Textarea(attrs={"rows": 2, "class": "cp-wide"}),
            "address_en": forms.Textarea(attrs={"rows": 2, "class": "cp-wide"}),
            "hours_th": forms.TextInput(attrs={"class": "cp-wide"}),
            "hours_en": forms.TextInput(attrs={"class": "cp-wide"}),
            "lat": forms.NumberInput(attrs={"step": "0.000001", "class": "cp-coord"}),
            "lon": forms.NumberInput(attrs={"step": "0.000001", "class": "cp-coord"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province = self._current("province_code")
        district = self._current("district_code")
        blank = [("", "— " + str(_("choose")) + " —")]
        area_fields = [
            ("province_code", geo.province_choices(), "province", "admin:geo-districts"),
            ("district_code", geo.district_choices(province), "district", "admin:geo-subdistricts"),
            ("subdistrict_code", geo.subdistrict_choices(district), "subdistrict", None),
        ]
        for name, choices, level, url_name in area_fields:
            if name not in self.fields:
                continue
            attrs = {"data-cp-area": level, "class": "cp-area"}
            if url_name:
                attrs["data-url"] = reverse(url_name)
            current = self._current(name)
            if current and current not in {c for c, _ in choices}:
                choices = [(current, current), *choices]  # keep an unknown code visible
            self.fields[name].widget = forms.Select(choices=blank + choices, attrs=attrs)

    def _current(self, name: str) -> str:
        if self.is_bound:
            return (self.data.get(self.add_prefix(name)) or "").strip()
        value = self.initial.get(name) or getattr(self.instance, name, "") or ""
        return str(value)


class CounterInline(CounterPointInline, admin.TabularInline):
    model = Counter
    fields = ["number", "name_th", "name_en", "kiosk_summary", "enrol_link"]
    readonly_fields = ["kiosk_summary", "enrol_link"]
    verbose_name = _("counter")
    verbose_name_plural = _("Counters at this service point")

    @admin.display(description=_("Kiosks"))
    def kiosk_summary(self, obj):
        if obj.pk is None:
            return "—"
        return kiosk_summary(obj)

    @admin.display(description=_("Enrol a kiosk"))
    def enrol_link(self, obj):
        return enrol_link(obj)


def kiosk_summary(counter: Counter) -> str:
    kiosks = list(counter.kiosks.all())
    if not kiosks:
        return str(_("no kiosk yet"))
    live = [k for k in kiosks if k.revoked_at is None]
    return format_html_join(
        " ",
        '<a href="{}">{}</a>',
        ((reverse("admin:fleet_kiosk_change", args=[k.pk]), k.public_id) for k in live),
    ) or str(_("all revoked"))


def enrol_link(counter: Counter) -> str:
    if counter.pk is None:
        return str(_("save first, then issue a code"))
    url = reverse("admin:fleet_enrolmentcode_issue") + f"?counter={counter.pk}"
    return format_html(
        '<a class="button cp-small-button" href="{}">{}</a>',
        url,
        _("Issue enrolment code"),
    )


@admin.register(ServicePoint, site=site)
class ServicePointAdmin(CounterPointAdmin):
    central_can = ALL
    agency_can = ALL
    form = ServicePointForm
    inlines = [CounterInline]
    list_display = [
        "code",
        "name",
        "agency_name",
        "area",
        "counter_count",
        "kiosk_count",
        "pin",
        "updated_at",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["agency", "is_active"]
    search_fields = ["code", "name_th", "name_en", "address_th", "address_en", "phone"]
    ordering = ["code"]
    readonly_fields = ["map_picker", "public_id_shown"]
    fieldsets = [
        (
            pgettext_lazy("fieldset", "Service point"),
            {"fields": ["agency", "code", "public_id_shown", "name_th", "name_en", "is_active"]},
        ),
        (
            _("Map pin"),
            {"fields": [("lat", "lon"), "map_picker"]},
        ),
        (
            _("Address and administrative area"),
            {
                "fields": [
                    "address_th",
                    "address_en",
                    "province_code",
                    "district_code",
                    "subdistrict_code",
                ]
            },
        ),
        (
            _("Opening hours and phone"),
            {"fields": ["hours_th", "hours_en", "phone"]},
        ),
    ]

    class Media:
        js = ["cp/map_picker.js", "cp/area_select.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("agency")
            .annotate(
                cp_counters=Count("counters", distinct=True),
                cp_kiosks=Count("counters__kiosks", distinct=True),
            )
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if role_of(request) == "agency" and "agency" not in initial:
            membership = Membership.objects.filter(user=request.user).first()
            if membership is not None:
                initial["agency"] = membership.agency_id
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if (
            db_field.name == "agency"
            and role_of(request) == "agency"
            and scope_of(request).agencies().count() == 1
        ):
            field.empty_label = None
        return field

    @admin.display(description=_("Name"), ordering="name_th")
    def name(self, obj):
        return display(obj)

    @admin.display(description=_("Agency"), ordering="agency__code")
    def agency_name(self, obj):
        return display(obj.agency)

    @admin.display(description=_("Area"), ordering="province_code")
    def area(self, obj):
        return geo.area_names(obj.province_code, obj.district_code, obj.subdistrict_code)

    @admin.display(description=_("Counters"), ordering="cp_counters")
    def counter_count(self, obj):
        return obj.cp_counters

    @admin.display(description=pgettext_lazy("short", "Kiosks"), ordering="cp_kiosks")
    def kiosk_count(self, obj):
        return obj.cp_kiosks

    @admin.display(description=_("Pin"))
    def pin(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener" title="OpenStreetMap">{}, {}</a>',
            obj.map_url,
            f"{obj.lat:.5f}",
            f"{obj.lon:.5f}",
        )

    @admin.display(description=_("Id sent to kiosks"))
    def public_id_shown(self, obj):
        return obj.public_id if obj and obj.pk else "—"

    @admin.display(description=_("Map"))
    def map_picker(self, obj):
        has_point = obj is not None and obj.lat is not None and obj.lon is not None
        osm = obj.map_url if has_point else "https://www.openstreetmap.org/#map=6/13.0/101.0"
        return format_html(
            '<div class="cp-map-wrap">'
            '<div class="cp-map" data-lat-input="id_lat" data-lon-input="id_lon"'
            ' data-lat="{}" data-lon="{}"'
            ' data-msg-offline="{}" data-msg-hint="{}" data-msg-locate="{}"'
            ' data-msg-zoom-in="{}" data-msg-zoom-out="{}"></div>'
            '<p class="cp-map-links"><a class="cp-osm-link" href="{}" target="_blank"'
            ' rel="noopener">{}</a></p>'
            '<noscript><p class="help">{}</p></noscript>'
            "</div>",
            f"{obj.lat:.6f}" if has_point else "",
            f"{obj.lon:.6f}" if has_point else "",
            _(
                "The map could not load (no internet?). Type the latitude and longitude above, or open OpenStreetMap, find the office and copy its coordinates."
            ),
            _("Click the map to place the pin · drag to move · + / − to zoom"),
            _("Use my current location"),
            _("Zoom in"),
            _("Zoom out"),
            osm,
            _("Open this place in OpenStreetMap ↗"),
            _("The map needs JavaScript: type the latitude and longitude above."),
        )


# -- counters --------------------------------------------------------------------------------


@admin.register(Counter, site=site)
class CounterAdmin(CounterPointAdmin):
    central_can = ALL
    agency_can = ALL
    list_display = ["counter_name", "number", "service_point_name", "kiosks", "enrol"]
    list_display_links = ["counter_name"]
    list_filter = ["service_point__agency"]
    search_fields = [
        "name_th",
        "name_en",
        "service_point__code",
        "service_point__name_th",
        "service_point__name_en",
    ]
    autocomplete_fields = ["service_point"]
    fields = ["service_point", "number", "name_th", "name_en", "kiosks", "enrol"]
    readonly_fields = ["kiosks", "enrol"]
    ordering = ["service_point__code", "number"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("service_point").prefetch_related("kiosks")
        )

    @admin.display(description=_("Counter"), ordering="name_th")
    def counter_name(self, obj):
        return display(obj)

    @admin.display(description=_("Service point"), ordering="service_point__code")
    def service_point_name(self, obj):
        return display(obj.service_point)

    @admin.display(description=_("Kiosks"))
    def kiosks(self, obj):
        return kiosk_summary(obj) if obj.pk else "—"

    @admin.display(description=_("Enrol a kiosk"))
    def enrol(self, obj):
        return enrol_link(obj)


# -- admin users -----------------------------------------------------------------------------


class MembershipInline(CounterPointInline, admin.StackedInline):
    model = Membership
    central_can = ALL
    agency_can = NOTHING
    can_delete = False
    max_num = 1
    min_num = 1
    fields = ["agency", "is_central"]
    verbose_name = _("Agency membership")
    verbose_name_plural = _("Agency membership")


User = get_user_model()


@admin.register(User, site=site)
class CounterPointUserAdmin(CounterPointAdmin, UserAdmin):
    """Admin users; central admins only. Each needs a membership: an agency (sees that
    agency and the ones below it) or "central admin" (sees everything)."""

    central_can = ALL
    agency_can = NOTHING
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "membership_label", "is_active"]
    list_filter = ["is_active", "membership__is_central", "membership__agency"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
        (
            _("Access"),
            {"fields": ["is_active", "is_staff", "is_superuser"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("membership__agency")

    @admin.display(description=pgettext_lazy("belongs to", "Agency"))
    def membership_label(self, obj):
        membership = getattr(obj, "membership", None)
        if membership is None:
            return _("— none (cannot log in)")
        if membership.is_central:
            return _("central admin")
        return display(membership.agency)

    def has_delete_permission(self, request, obj=None):
        # Not one's own account: the session (and its audit entry) would point at a user
        # that no longer exists. Another central admin can delete it.
        if obj is not None and obj.pk == request.user.pk:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        if queryset.filter(pk=request.user.pk).exists():
            raise PermissionDenied(
                _("You cannot delete your own account: ask another central admin.")
            )
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.is_staff = True  # every account made here is an admin account
        super().save_model(request, obj, form, change)
