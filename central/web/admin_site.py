"""The CounterPoint admin site, mounted at ``/admin/`` by ``central/urls.py``.

Who may log in: an active staff user (``is_staff``) who is a central admin or belongs to
an agency (``central.scope``). Everything else is decided per model by
``central.web.adminkit.CounterPointAdmin``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from central.audit.models import AuditLog
from central.catalogue.models import Offering
from central.directory.models import ServicePoint
from central.fleet.models import EnrolmentCode, Kiosk
from central.fleet.services import kiosks_needing_attention
from central.ratings.models import Rating
from central.scope import scope_for
from central.web import geo
from central.web.adminkit import display, role_of, scope_of

# The order of the apps and models on the admin home page and in the sidebar.
APP_ORDER = ["directory", "catalogue", "fleet", "ratings", "audit", "auth"]
MODEL_ORDER = [
    "servicepoint",
    "counter",
    "agency",
    "offering",
    "copystatus",
    "service",
    "document",
    "kiosk",
    "enrolmentcode",
    "rating",
    "auditlog",
    "user",
]


class ScopedAutocompleteView(AutocompleteJsonView):
    """Django's autocomplete (already scoped: it uses the target admin's get_queryset),
    showing names in the user's language."""

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": display(obj)}


class LoginForm(AdminAuthenticationForm):
    """Django's admin login, which also refuses a staff account that belongs to no agency
    (it could see nothing) with a message saying what to do."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if scope_for(user).is_empty:
            raise forms.ValidationError(
                _("This account does not belong to an agency yet: ask a central admin."),
                code="no_membership",
            )


class CounterPointAdminSite(admin.AdminSite):
    site_header = _("CounterPoint administration")
    site_title = "CounterPoint"
    index_title = _("What do you want to do?")
    site_url = None
    enable_nav_sidebar = True
    login_form = LoginForm

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_staff and role_of(request) is not None)

    def each_context(self, request):
        context = super().each_context(request)
        context["cp_role"] = role_of(request) if request.user.is_authenticated else None
        if context["cp_role"] == "agency":
            names = [display(a) for a in scope_of(request).agencies()[:5]]
            context["cp_scope_label"] = ", ".join(names)
        return context

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)

        def app_key(app):
            label = app["app_label"]
            return APP_ORDER.index(label) if label in APP_ORDER else len(APP_ORDER)

        def model_key(model):
            name = model["object_name"].lower()
            return MODEL_ORDER.index(name) if name in MODEL_ORDER else len(MODEL_ORDER)

        app_list.sort(key=app_key)
        for app in app_list:
            app["models"].sort(key=model_key)
        return app_list

    def index(self, request, extra_context=None):
        recent = scope_of(request).filter(AuditLog.objects.all()).order_by("-at", "-id")[:8]
        extra_context = {
            "cp_tasks": self._tasks(request),
            "cp_tasks_title": _("Start here"),
            "cp_recent": list(recent),
            "cp_recent_title": _("Latest changes"),
            "cp_headline": self._headline(request),
            **(extra_context or {}),
        }
        return super().index(request, extra_context)

    def _headline(self, request) -> dict | None:
        """The user's scope in numbers (last 30 days, from the insights rollups)."""
        from central.insights.headline import for_index

        return for_index(scope_of(request))

    def _tasks(self, request) -> list[dict]:
        """Shortcuts to the everyday jobs, for the models this user may see."""

        def can(model, verb="view"):
            model_admin = self._registry.get(model)
            if model_admin is None:
                return False
            return getattr(model_admin, f"has_{verb}_permission")(request)

        tasks = []
        if can(ServicePoint):
            tasks.append(
                {
                    "url": reverse("admin:directory_servicepoint_changelist"),
                    "title": _("Pin and edit service points"),
                    "help": _("Map pin, address, opening hours, phone, counters"),
                }
            )
        if can(Offering):
            tasks.append(
                {
                    "url": reverse("admin:catalogue_offering_changelist"),
                    "title": _("Services offered and copy status"),
                    "help": _("What each office offers; which documents still need a photocopy"),
                }
            )
        if can(EnrolmentCode, "add"):
            tasks.append(
                {
                    "url": reverse("admin:fleet_enrolmentcode_issue"),
                    "title": _("Enrol a new kiosk"),
                    "help": _("Issue a one-time enrolment code (text and QR) for a counter"),
                }
            )
        if can(Kiosk):
            attention = kiosks_needing_attention(scope_of(request))
            problems = []
            if attention["offline"]:
                n = attention["offline"]
                problems.append(str(_("%(n)s offline") % {"n": n}))
            if attention["skew"]:
                n = attention["skew"]
                problems.append(str(_("%(n)s with a wrong clock") % {"n": n}))
            alert = " · ".join(problems)
            tasks.append(
                {
                    "url": reverse("admin:fleet_kiosk_changelist"),
                    "title": _("Check the kiosks"),
                    "help": ngettext(
                        "%(n)s kiosk: last seen, version, queue",
                        "%(n)s kiosks: last seen, version, queue",
                        attention["total"],
                    )
                    % {"n": attention["total"]},
                    "alert": alert,
                }
            )
        if can(Rating):
            tasks.append(
                {
                    "url": reverse("admin:ratings_rating_changelist"),
                    "title": _("Citizens' ratings"),
                    "help": _("Filter by office, service, score, date; download CSV"),
                }
            )
        return tasks

    def autocomplete_view(self, request):
        return ScopedAutocompleteView.as_view(admin_site=self)(request)

    def get_urls(self):
        extra = [
            path("geo/districts/", self.admin_view(geo.districts), name="geo-districts"),
            path("geo/subdistricts/", self.admin_view(geo.subdistricts), name="geo-subdistricts"),
            *self._insights_urls(),
        ]
        return extra + super().get_urls()

    def _insights_urls(self):
        from central.insights import urls as insights_urls

        return insights_urls.admin_urls(self)


site = CounterPointAdminSite(name="admin")
