"""The ONE base class of every CounterPoint admin: agency scope, permissions, audit.

Every ``ModelAdmin`` of central derives from :class:`CounterPointAdmin` and every inline
from :class:`CounterPointInline`. They do three things, here and nowhere else:

1. **Agency scope** (decided by ``central.scope``): list and object querysets
   (``get_queryset``), the choices of every foreign key / many-to-many form field
   (``formfield_for_foreignkey`` / ``formfield_for_manytomany``), the choices of the
   related-object list filters (:class:`ScopedRelatedFilter`), and a last check before
   anything is saved (``save_model``: the object must be in the user's scope). An object of
   another agency is "not found" (Django's redirect to the admin index), exactly like an
   object that does not exist, so its existence does not leak either.
2. **Permissions by role**, not by Django's per-model permission rows (non-IT agency
   staff should not need a permissions matrix set up for them): a *central admin*
   (superuser or ``Membership.is_central``) gets ``central_can``, *agency staff* (a
   membership with an agency) get ``agency_can`` on objects in their scope, anybody else
   nothing. Each admin class says what its two roles may do (``ALL``, ``VIEW``, ...).
3. **Audit**: every add, change and delete made through the admin, including inline rows,
   many-to-many changes and bulk deletes, is written to ``central.audit`` with who, what,
   before and after (changed fields only), in the same transaction as the change. Custom
   actions call the ``central.fleet.services`` functions, which write their own entry.

Saving goes through the models' ``save()``/``delete()`` (never ``QuerySet.update``), so
the catalogue change sequence (``central.catalogue.changes``) is bumped by its signals and
kiosks get the edit in their next delta.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import ShowFacets
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from central import audit
from central.audit.models import AuditLog
from central.catalogue.models import CopyStatus, Document, Offering, Service
from central.directory.models import Counter
from central.fleet.models import Kiosk
from central.fleet.services import client_ip
from central.scope import SCOPE_PATHS, Scope, agency_id_of, scope_for
from central.web.labels import is_english
from central.web.safe_input import (
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    lookup_value_fits,
    valid_key,
)

ALL = frozenset({"view", "add", "change", "delete"})
EDIT = frozenset({"view", "add", "change"})
VIEW = frozenset({"view"})
NOTHING: frozenset[str] = frozenset()

# Never copied into the audit log: secrets, and bookkeeping that changes on every save.
AUDIT_SKIP = {
    "change_seq",
    "created_at",
    "updated_at",
    "updated_by",
    "code_hash",
    "credential_hash",
    "password",
    "last_login",
}


# -- scope ----------------------------------------------------------------------------------


def scope_of(request) -> Scope:
    """The request user's scope, computed once per request."""
    scope = getattr(request, "_cp_scope", None)
    if scope is None:
        scope = scope_for(getattr(request, "user", None))
        request._cp_scope = scope
    return scope


def role_of(request) -> str | None:
    """``"central"``, ``"agency"`` or None (may see nothing)."""
    scope = scope_of(request)
    if scope.is_central:
        return "central"
    if scope.agency_ids:
        return "agency"
    return None


def is_scoped(model) -> bool:
    return model._meta.label_lower in SCOPE_PATHS


def scoped(request, queryset):
    """``queryset`` narrowed to the user's scope if its model is agency-scoped."""
    if is_scoped(queryset.model):
        return scope_of(request).filter(queryset)
    return queryset


# -- names shown to people -------------------------------------------------------------------


def display(obj) -> str:
    """A name for ``obj`` in the current language (Thai or English), for choices, filters
    and autocomplete results."""
    if obj is None:
        return "—"
    if isinstance(obj, Kiosk):
        return f"{obj.public_id} · {display(obj.counter)}"
    if isinstance(obj, CopyStatus):
        return f"{display(obj.offering)} · {obj.document.code} · {obj.get_status_display()}"
    if isinstance(obj, AuditLog):
        return f"{obj.action} · {timezone.localtime(obj.at):%Y-%m-%d %H:%M} · {obj.actor_label}"
    if isinstance(obj, Service | Document):
        return f"{obj.code} — {_name(obj)}"
    if isinstance(obj, Counter):
        return f"{_name(obj.service_point)} / {_name(obj)}"
    if isinstance(obj, Offering):
        return f"{_name(obj.service_point)} × {obj.service.code}"
    if hasattr(obj, "name_th"):
        return _name(obj)
    return str(obj)


def _name(obj) -> str:
    th, en = getattr(obj, "name_th", ""), getattr(obj, "name_en", "")
    return (en or th) if is_english() else (th or en)


class DisplayModelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display(obj)


class DisplayModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return display(obj)


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related-object list filter whose choices are limited to the user's scope (Django's
    own lists every row of the related table, which would show other agencies' names)."""

    limit = 300

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        qs = scoped(request, related._default_manager.all())
        relations = [f.name for f in related._meta.concrete_fields if f.many_to_one]
        if relations:
            qs = qs.select_related(*relations)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            qs = qs.order_by(*ordering)
        return [(obj.pk, display(obj)) for obj in qs[: self.limit]]


# -- audit -----------------------------------------------------------------------------------


def _related_label(obj, field) -> str | None:
    pk = getattr(obj, field.attname)
    if pk is None:
        return None
    try:
        return f"{display(getattr(obj, field.name))} (#{pk})"
    except field.related_model.DoesNotExist:
        return f"#{pk}"


def snapshot(obj) -> dict:
    """The audit-worthy field values of ``obj`` (foreign keys as "name (#id)", many-to-many
    as a sorted list of names), JSON-ready through DjangoJSONEncoder."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in AUDIT_SKIP:
            continue
        if field.is_relation:
            data[field.name] = _related_label(obj, field)
        else:
            data[field.name] = field.value_from_object(obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(display(o) for o in getattr(obj, field.name).all())
    return data


def db_snapshot(obj) -> dict | None:
    """``snapshot`` of the row as it is in the database now (before an edit is saved)."""
    if obj.pk is None:
        return None
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(current) if current is not None else None


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the keys whose values differ."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after.keys() | before.keys() if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in sorted(keys)}, {k: after.get(k) for k in sorted(keys)}


def audit_admin(request, verb: str, obj, before=None, after=None, *, agency_id=None, pk=None):
    """Write one audit entry for an admin ``verb`` (add/change/delete) on ``obj``."""
    model = type(obj)
    object_id = pk if pk is not None else obj.pk
    if agency_id is None and is_scoped(model):
        agency_id = agency_id_of(obj)
    return audit.record(
        f"{model._meta.model_name}.{verb}",
        None,
        actor=request.user,
        agency=agency_id,
        before=before,
        after=after,
        object_type=model._meta.label_lower,
        object_id=object_id,
        ip=client_ip(request),
    )


# -- the base classes ------------------------------------------------------------------------


class ScopedPermissionsMixin:
    """Role-based permissions plus object scope, for ModelAdmin and InlineModelAdmin."""

    central_can: frozenset[str] = ALL
    agency_can: frozenset[str] = ALL

    def _allowed(self, request) -> frozenset[str]:
        role = role_of(request)
        if role == "central":
            return self.central_can
        if role == "agency":
            return self.agency_can
        return NOTHING

    def _can(self, request, verb: str, obj=None) -> bool:
        if verb not in self._allowed(request):
            return False
        if obj is not None and is_scoped(type(obj)) and obj.pk is not None:
            return scope_of(request).allows(obj)
        return True

    def has_view_permission(self, request, obj=None):
        return self._can(request, "view", obj) or self._can(request, "change", obj)

    def has_add_permission(self, request, obj=None):
        return self._can(request, "add", obj)

    def has_change_permission(self, request, obj=None):
        return self._can(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._can(request, "delete", obj)

    def has_module_permission(self, request):
        return bool(self._allowed(request))

    # Scope of lists and of every related-object choice.
    def get_queryset(self, request):
        return scoped(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        if "queryset" not in kwargs:
            qs = self.get_field_queryset(None, db_field, request)
            kwargs["queryset"] = qs if qs is not None else related._default_manager.all()
        kwargs["queryset"] = scoped(request, kwargs["queryset"])
        kwargs.setdefault("form_class", DisplayModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        if "queryset" not in kwargs:
            qs = self.get_field_queryset(None, db_field, request)
            kwargs["queryset"] = qs if qs is not None else related._default_manager.all()
        kwargs["queryset"] = scoped(request, kwargs["queryset"])
        kwargs.setdefault("form_class", DisplayModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CounterPointAdmin(ScopedPermissionsMixin, admin.ModelAdmin):
    """Base of every CounterPoint ModelAdmin (see the module docstring)."""

    show_facets = ShowFacets.NEVER
    list_per_page = 50
    save_on_top = False

    def get_list_filter(self, request):
        """Related-object filters get scoped choices."""
        out = []
        for item in super().get_list_filter(request):
            if isinstance(item, str):
                try:
                    field = _resolve_field(self.model, item)
                except FieldDoesNotExist:
                    field = None
                if field is not None and field.is_relation and field.related_model is not None:
                    item = (item, ScopedRelatedFilter)
            out.append(item)
        return out

    def lookup_allowed(self, lookup, value, request=None):
        """A list filter from the query string whose value cannot fit its integer column
        (``?counter=99999999999999999999``) is refused (400) instead of failing later."""
        if not lookup_value_fits(self.model, lookup, value):
            return False
        return super().lookup_allowed(lookup, value, request)

    def response_action(self, request, queryset):
        """Django's action handling, after refusing (400) rows ticked with a malformed key:
        Django would put them straight into ``pk__in`` and fail with a 500."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(valid_key(self.model._meta.pk, value) for value in selected):
            return HttpResponseBadRequest(
                _("The selected rows are not valid ids."),
                content_type="text/plain; charset=utf-8",
            )
        return super().response_action(request, queryset)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = display(obj)
            context["cp_object_label"] = display(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- saving: scope check + audit --
    def save_model(self, request, obj, form, change):
        self._check_scope(request, obj)
        request._cp_audit_before = db_snapshot(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Django's own order (m2m, then inlines), with the main object's audit entry
        # written once its many-to-many fields are saved.
        form.save_m2m()
        obj = form.instance
        before, after = diff(getattr(request, "_cp_audit_before", None), snapshot(obj))
        if not change or after:
            audit_admin(request, "change" if change else "add", obj, before, after)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        deleted = {id(f.instance): f.instance.pk for f in formset.deleted_forms}
        befores, agencies = {}, {}
        for inline_form in formset.initial_forms:
            inline_obj = inline_form.instance
            if inline_obj.pk is None:
                continue
            if id(inline_obj) in deleted or inline_form.has_changed():
                befores[inline_obj.pk] = db_snapshot(inline_obj)
            if id(inline_obj) in deleted and is_scoped(type(inline_obj)):
                agencies[inline_obj.pk] = agency_id_of(inline_obj)
        super().save_formset(request, form, formset, change)
        for inline_obj in formset.new_objects:
            self._check_scope(request, inline_obj)
            audit_admin(request, "add", inline_obj, None, snapshot(inline_obj))
        for inline_obj, _fields in formset.changed_objects:
            self._check_scope(request, inline_obj)
            before, after = diff(befores.get(inline_obj.pk), snapshot(inline_obj))
            if after:
                audit_admin(request, "change", inline_obj, before, after)
        for inline_obj in formset.deleted_objects:
            pk = deleted.get(id(inline_obj))
            audit_admin(
                request,
                "delete",
                inline_obj,
                befores.get(pk),
                None,
                agency_id=agencies.get(pk),
                pk=pk,
            )

    @staticmethod
    def _check_scope(request, obj) -> None:
        """Refuse (and so roll back the whole save) an object outside the user's scope."""
        if is_scoped(type(obj)) and not scope_of(request).allows(obj):
            raise PermissionDenied("This object is outside your agency's scope.")

    def delete_model(self, request, obj):
        pk, before = obj.pk, snapshot(obj)
        agency_id = agency_id_of(obj) if is_scoped(type(obj)) else None
        super().delete_model(request, obj)
        audit_admin(request, "delete", obj, before, None, agency_id=agency_id, pk=pk)

    def delete_queryset(self, request, queryset):
        doomed = [
            (o, o.pk, snapshot(o), agency_id_of(o) if is_scoped(type(o)) else None)
            for o in queryset
        ]
        super().delete_queryset(request, queryset)
        for obj, pk, before, agency_id in doomed:
            audit_admin(request, "delete", obj, before, None, agency_id=agency_id, pk=pk)


class CounterPointInline(ScopedPermissionsMixin):
    """Mix into an inline (``class X(CounterPointInline, admin.TabularInline)``). Its
    rows are audited by the parent admin's ``save_formset``."""

    extra = 0
    show_change_link = False


def _resolve_field(model, path: str):
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model
        if model is None:
            break
    return field
