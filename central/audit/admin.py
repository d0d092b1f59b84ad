"""The audit log, read-only and scoped: agency staff see the entries of their agencies,
central admins see everything (including entries with no agency, e.g. catalogue edits)."""

from __future__ import annotations

import json

from django.apps import apps
from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from central.audit.models import AuditLog
from central.web.admin_site import site
from central.web.adminkit import VIEW, CounterPointAdmin, display


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


VERBS = {
    "add": _("added"),
    "change": _("changed"),
    "delete": _("deleted"),
    "revoke": pgettext_lazy("audit action", "revoked"),
    "issue": _("issued"),
    "enrol": _("enrolled"),
    "export": _("exported"),
    "login": _("logged in"),
    "logout": _("logged out"),
    "login_failed": _("failed login"),
    "lockout": _("locked out after failed logins"),
}


def action_name(action: str) -> str:
    """``servicepoint.change`` -> "แก้ไข · จุดให้บริการ" (in the user's language)."""
    subject, _, verb = action.rpartition(".")
    words = VERBS.get(verb)
    if words is None:
        return action
    model = next(
        (m for m in apps.get_models() if m._meta.model_name == subject.replace("_", "")), None
    )
    return f"{words} · {model._meta.verbose_name}" if model else str(words)


class ActionFilter(admin.SimpleListFilter):
    """The actions in the log, named in the user's language (not as stored codes)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = model_admin.get_queryset(request).order_by().values_list("action", flat=True)
        actions = actions.distinct()
        return sorted(((a, action_name(a)) for a in actions[:200]), key=lambda c: c[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        qs = model_admin.get_queryset(request).exclude(object_type="")
        types = qs.order_by().values_list("object_type", flat=True).distinct()
        return sorted(((t, object_type_name(t)) for t in types[:200]), key=lambda c: c[1])

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


def object_type_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


@admin.register(AuditLog, site=site)
class AuditLogAdmin(CounterPointAdmin):
    central_can = VIEW
    agency_can = VIEW
    list_display = ["when", "actor_label", "what", "target", "fields_changed", "agency_name"]
    list_display_links = ["when"]
    list_filter = [("at", admin.DateFieldListFilter), ActionFilter, ObjectTypeFilter, "agency"]
    search_fields = ["actor_label", "action", "object_type", "object_id"]
    date_hierarchy = None
    fields = [
        "when",
        "actor_label",
        "what",
        "target",
        "agency_name",
        "ip",
        "changes",
    ]
    readonly_fields = fields
    ordering = ["-at", "-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency")

    @admin.display(description=_("When"), ordering="at")
    def when(self, obj):
        return format_html(
            '<span class="cp-nowrap">{}</span>',
            timezone.localtime(obj.at).strftime("%Y-%m-%d %H:%M"),
        )

    @admin.display(description=_("Action"), ordering="action")
    def what(self, obj):
        verb = obj.action.rsplit(".", 1)[-1]
        words = VERBS.get(verb)
        if words is None:
            return obj.action
        return format_html('{} <span class="cp-muted">({})</span>', words, obj.action)

    @admin.display(description=_("Object"), ordering="object_type")
    def target(self, obj):
        if not obj.object_type:
            return "—"
        suffix = f" #{obj.object_id}" if obj.object_id else ""
        return f"{object_type_name(obj.object_type)}{suffix}"

    @admin.display(description=_("Fields"))
    def fields_changed(self, obj):
        keys = set()
        for snapshot in (obj.before, obj.after):
            if isinstance(snapshot, dict):
                keys.update(snapshot)
        shown = ", ".join(sorted(keys)[:6])
        return shown + (" …" if len(keys) > 6 else "") if keys else "—"

    @admin.display(description=_("Agency"), ordering="agency__code")
    def agency_name(self, obj):
        return display(obj.agency) if obj.agency_id else _("— central")

    @admin.display(description=_("Before → after"))
    def changes(self, obj):
        before, after = obj.before or {}, obj.after or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return format_html("<pre>{}</pre>", _shown({"before": before, "after": after}))
        keys = sorted(set(before) | set(after))
        if not keys:
            return "—"
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td class="cp-before">{}</td><td>{}</td></tr>',
            ((k, _shown(before.get(k)), _shown(after.get(k))) for k in keys),
        )
        return format_html(
            '<table class="cp-audit-table"><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>',
            _("Field"),
            pgettext_lazy("audit diff column", "Before"),
            pgettext_lazy("audit diff column", "After"),
            rows,
        )
