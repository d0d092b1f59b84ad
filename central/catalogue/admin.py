"""Admin of the service catalogue (Citizen's Manual fields, steps, documents: central admins
edit, agency staff read), of what each service point offers, and of the per-document copy
status at each service point (agency staff edit their own).

Every save goes through the models (``save``/``delete``), so ``central.catalogue.changes``
bumps the change sequence and kiosks receive the edit in their next catalogue delta.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from central.catalogue import changes
from central.catalogue.models import (
    CopyStatus,
    Document,
    Offering,
    Service,
    ServiceDocument,
    ServiceStep,
)
from central.directory.models import Counter
from central.web import labels
from central.web.admin_site import site
from central.web.adminkit import (
    ALL,
    VIEW,
    CounterPointAdmin,
    CounterPointInline,
    display,
    scoped,
)
from central.web.safe_input import valid_ints


class AnnouncesCatalogueChange:
    """After a save, tell the user kiosks get the change at their next sync."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _epoch, seq = changes.current()
        self.message_user(
            request,
            _("Kiosks receive this change at their next sync (catalogue version %(seq)s).")
            % {"seq": seq},
        )


# -- the shared catalogue: central admins edit, agency staff read ----------------------------


class ServiceStepInline(CounterPointInline, admin.TabularInline):
    model = ServiceStep
    central_can = ALL
    agency_can = VIEW
    fields = ["order", "title_th", "title_en", "minutes"]
    ordering = ["order"]
    verbose_name = _("step")
    verbose_name_plural = _("Steps and times")


class ServiceDocumentInline(CounterPointInline, admin.TabularInline):
    model = ServiceDocument
    central_can = ALL
    agency_can = VIEW
    fields = ["order", "document", "originals", "copies"]
    autocomplete_fields = ["document"]
    ordering = ["order", "id"]
    verbose_name = _("document")
    verbose_name_plural = _("Required documents (per the Citizen's Manual)")


_WIDE = forms.TextInput(attrs={"class": "cp-wide"})
_TEXT = forms.Textarea(attrs={"rows": 3, "class": "cp-wide"})


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = "__all__"
        widgets = {
            **{name: _WIDE for name in ("name_th", "name_en", "agency_th", "agency_en")},
            **{name: _WIDE for name in ("fee_th", "fee_en")},
            **{
                name: _TEXT
                for name in (
                    "legal_basis_th",
                    "legal_basis_en",
                    "channels_th",
                    "channels_en",
                    "complaint_th",
                    "complaint_en",
                )
            },
        }


@admin.register(Service, site=site)
class ServiceAdmin(AnnouncesCatalogueChange, CounterPointAdmin):
    central_can = ALL
    agency_can = VIEW
    form = ServiceForm
    inlines = [ServiceStepInline, ServiceDocumentInline]
    list_display = [
        "code",
        "name",
        "responsible",
        "fee",
        "minutes",
        "offered_at",
        "is_demo",
        "change_seq",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["is_demo", "is_published", "agency"]
    search_fields = ["code", "name_th", "name_en", "agency_th", "agency_en"]
    ordering = ["code"]
    readonly_fields = ["change_seq", "updated_at"]
    fieldsets = [
        (
            _("Service"),
            {"fields": ["code", "name_th", "name_en", "is_demo", "is_published"]},
        ),
        (
            _("Responsible agency"),
            {"fields": ["agency", "agency_th", "agency_en"]},
        ),
        (
            _("Fee and time"),
            {"fields": ["fee_amount", "fee_th", "fee_en", "total_minutes"]},
        ),
        (
            pgettext_lazy("admin fieldset", "From the Citizen's Manual"),
            {
                "fields": [
                    "legal_basis_th",
                    "legal_basis_en",
                    "channels_th",
                    "channels_en",
                    "complaint_th",
                    "complaint_en",
                ]
            },
        ),
        (
            _("Kiosk sync"),
            {"fields": ["change_seq", "updated_at"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cp_offered=Count("offerings"))

    @admin.display(description=_("Service name"), ordering="name_th")
    def name(self, obj):
        return obj.name_en if labels.is_english() else obj.name_th

    @admin.display(description=_("Agency"), ordering="agency_th")
    def responsible(self, obj):
        return (obj.agency_en or obj.agency_th) if labels.is_english() else obj.agency_th

    @admin.display(description=_("Fee"), ordering="fee_amount")
    def fee(self, obj):
        return obj.fee_en if labels.is_english() else obj.fee_th

    @admin.display(description=_("Minutes"), ordering="total_minutes")
    def minutes(self, obj):
        return obj.total_minutes if obj.total_minutes is not None else "Σ"

    @admin.display(description=_("Offered at"), ordering="cp_offered")
    def offered_at(self, obj):
        return obj.cp_offered


@admin.register(Document, site=site)
class DocumentAdmin(AnnouncesCatalogueChange, CounterPointAdmin):
    central_can = ALL
    agency_can = VIEW
    list_display = ["code", "name_th", "name_en", "used_by"]
    search_fields = ["code", "name_th", "name_en"]
    ordering = ["code"]
    fields = ["code", "name_th", "name_en", "note_th", "note_en"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cp_used=Count("service_documents"))

    @admin.display(description=_("Used by services"), ordering="cp_used")
    def used_by(self, obj):
        return obj.cp_used


# -- per service point: offerings and copy status (agency staff edit their own) ---------------


class CopyStatusForm(forms.ModelForm):
    class Meta:
        model = CopyStatus
        fields = [
            "offering",
            "document",
            "status",
            "copies",
            "reason_th",
            "reason_en",
            "no_copy_since",
            "verify_th",
            "verify_en",
        ]
        widgets = {
            "status": forms.RadioSelect(attrs={"class": "cp-copy-status"}),
            "reason_th": forms.Textarea(attrs={"rows": 3, "class": "cp-wide"}),
            "reason_en": forms.Textarea(attrs={"rows": 3, "class": "cp-wide"}),
            "verify_th": forms.Textarea(attrs={"rows": 3, "class": "cp-wide"}),
            "verify_en": forms.Textarea(attrs={"rows": 3, "class": "cp-wide"}),
            # A native date picker; it needs ISO dates whatever the language.
            "no_copy_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            self.fields["status"].choices = CopyStatus.STATUS_CHOICES


COPY_STATUS_FIELDS = [
    "document",
    "status",
    "copies",
    "reason_th",
    "reason_en",
    "no_copy_since",
    "verify_th",
    "verify_en",
]


class CopyStatusInline(CounterPointInline, admin.StackedInline):
    model = CopyStatus
    form = CopyStatusForm
    central_can = ALL
    agency_can = ALL
    fields = COPY_STATUS_FIELDS
    verbose_name = _("copy status of a document")
    verbose_name_plural = _("Copy status of each document at this service point")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        document = formset.form.base_fields.get("document")
        if document is not None:
            if obj is not None:
                document.queryset = Document.objects.filter(
                    service_documents__service_id=obj.service_id
                ).order_by("service_documents__order", "code")
            else:
                document.queryset = Document.objects.none()
        return formset


class OfferingForm(forms.ModelForm):
    class Meta:
        model = Offering
        fields = ["service_point", "service", "counters"]
        widgets = {"counters": forms.CheckboxSelectMultiple}


@admin.register(Offering, site=site)
class OfferingAdmin(AnnouncesCatalogueChange, CounterPointAdmin):
    central_can = ALL
    agency_can = ALL
    form = OfferingForm
    inlines = [CopyStatusInline]
    list_display = [
        "service_point_name",
        "service_name",
        "counter_list",
        "copy_summary",
        "change_seq",
        "updated_at",
    ]
    list_display_links = ["service_point_name", "service_name"]
    list_filter = ["service_point__agency", "service_point", "service"]
    search_fields = [
        "service_point__code",
        "service_point__name_th",
        "service_point__name_en",
        "service__code",
        "service__name_th",
        "service__name_en",
    ]
    autocomplete_fields = ["service_point", "service"]
    readonly_fields = ["documents_overview", "public_page", "change_seq", "updated_at"]
    fieldsets = [
        (None, {"fields": ["service_point", "service", "counters"]}),
        (
            _("Documents and what kiosks show"),
            {"fields": ["documents_overview", "public_page"]},
        ),
        (_("Kiosk sync"), {"fields": ["change_seq", "updated_at"]}),
    ]
    ordering = ["service_point__code", "service__code"]

    class Media:
        js = ["cp/copy_status.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("service_point", "service")
            .prefetch_related("counters", "copy_statuses")
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        counters = form.base_fields.get("counters")
        if counters is not None:
            if request.method == "POST":
                sp_id = request.POST.get("service_point")
            elif obj is not None:
                sp_id = obj.service_point_id
            else:
                sp_id = request.GET.get("service_point")
            sp_ids = valid_ints([sp_id]) if sp_id else []
            if sp_ids:
                qs = Counter.objects.filter(service_point_id=sp_ids[0]).order_by("number")
                counters.queryset = scoped(request, qs)
                counters.label_from_instance = counter_label
            else:
                counters.queryset = Counter.objects.none()
                counters.help_text = _(
                    "Choose the service point and press 'Save and continue editing', then tick the counters."
                )
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "counters" and hasattr(field.widget, "can_add_related"):
            field.widget.can_add_related = False  # counters are added on the service point
        return field

    def save_formset(self, request, form, formset, change):
        if formset.model is CopyStatus:
            for inline_form in formset.forms:
                if inline_form.has_changed():
                    inline_form.instance.updated_by = request.user
        super().save_formset(request, form, formset, change)

    @admin.display(description=_("Service point"), ordering="service_point__code")
    def service_point_name(self, obj):
        return display(obj.service_point)

    @admin.display(description=_("Service"), ordering="service__code")
    def service_name(self, obj):
        return display(obj.service)

    @admin.display(description=_("Counters"))
    def counter_list(self, obj):
        return ", ".join(str(c.number) for c in obj.counters.all()) or "—"

    @admin.display(description=_("Copy status"))
    def copy_summary(self, obj):
        statuses = list(obj.copy_statuses.all())
        no_copy = sum(1 for s in statuses if s.status == CopyStatus.NO_COPY)
        required = len(statuses) - no_copy
        return copy_summary_html(no_copy, required)

    @admin.display(description=_("Documents of this service here"))
    def documents_overview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        statuses = {cs.document_id: cs for cs in obj.copy_statuses.all()}
        rows = []
        for sd in (
            ServiceDocument.objects.filter(service_id=obj.service_id)
            .select_related("document")
            .order_by("order", "id")
        ):
            status = statuses.get(sd.document_id)
            rows.append((display(sd.document), sd.originals, sd.copies, status_words(status, sd)))
        if not rows:
            return _("This service needs no documents.")
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("Document"),
            pgettext_lazy("short", "Originals"),
            pgettext_lazy("column", "Copies per manual"),
            _("Kiosks show"),
        )
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        note = _("A document without a copy status below uses the manual's number of copies.")
        return format_html(
            '<table class="cp-doc-table">{}{}</table><p class="help">{}</p>', head, body, note
        )

    @admin.display(description=_("Public page (the kiosk's QR)"))
    def public_page(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("public-service", args=[obj.service.code]) + (
            f"?sp={obj.service_point.public_id}"
        )
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)


def counter_label(counter: Counter) -> str:
    """A counter inside its own service point's page: number and name only."""
    name = (counter.name_en or counter.name_th) if labels.is_english() else counter.name_th
    return f"{counter.number} · {name}"


def status_words(status: CopyStatus | None, sd: ServiceDocument | None = None) -> str:
    """What the kiosk says about this document, as a badge with words."""
    if status is None:
        copies = sd.copies if sd is not None else 0
        if copies:
            return format_html(
                '<span class="cp-badge cp-badge-manual">{}</span>',
                ngettext("Per manual: %(copies)s copy", "Per manual: %(copies)s copies", copies)
                % {"copies": copies},
            )
        return format_html(
            '<span class="cp-badge cp-badge-manual">{}</span>',
            _("Per manual: no copy"),
        )
    if status.status == CopyStatus.NO_COPY:
        return format_html(
            '<span class="cp-badge cp-badge-nocopy">✓ {}</span>',
            _("No copy since %(date)s") % {"date": format(status.no_copy_since, "%Y-%m-%d")},
        )
    return format_html(
        '<span class="cp-badge cp-badge-copy">❐ {}</span>',
        ngettext("%(copies)s copy required", "%(copies)s copies required", status.copies)
        % {"copies": status.copies},
    )


def copy_summary_html(no_copy: int, required: int) -> str:
    if not no_copy and not required:
        return format_html('<span class="cp-muted">{}</span>', _("all per manual"))
    parts = []
    if no_copy:
        parts.append(
            format_html(
                '<span class="cp-badge cp-badge-nocopy">✓ {}</span>',
                _("%(n)s no copy") % {"n": no_copy},
            )
        )
    if required:
        parts.append(
            format_html(
                '<span class="cp-badge cp-badge-copy">❐ {}</span>',
                _("%(n)s copy required") % {"n": required},
            )
        )
    return format_html_join(" ", "{}", ((p,) for p in parts))


@admin.register(CopyStatus, site=site)
class CopyStatusAdmin(CounterPointAdmin):
    central_can = ALL
    agency_can = ALL
    form = CopyStatusForm
    list_display = [
        "service_point_name",
        "service_code",
        "document_name",
        "status_badge",
        "reason_or_verify",
        "updated_by",
        "updated_at",
    ]
    list_display_links = ["status_badge"]
    list_filter = [
        "status",
        "document",
        "offering__service",
        "offering__service_point__agency",
    ]
    search_fields = [
        "offering__service_point__code",
        "offering__service_point__name_th",
        "offering__service_point__name_en",
        "offering__service__code",
        "document__code",
        "document__name_th",
    ]
    autocomplete_fields = ["offering"]
    fields = ["offering", *COPY_STATUS_FIELDS]
    ordering = ["offering__service_point__code", "offering__service__code", "document__code"]

    class Media:
        js = ["cp/copy_status.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "offering__service_point", "offering__service", "document", "updated_by"
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        document = form.base_fields.get("document")
        if document is not None and obj is not None:
            document.queryset = Document.objects.filter(
                service_documents__service_id=obj.offering.service_id
            )
        return form

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("Service point"), ordering="offering__service_point__code")
    def service_point_name(self, obj):
        return display(obj.offering.service_point)

    @admin.display(description=_("Service"), ordering="offering__service__code")
    def service_code(self, obj):
        return obj.offering.service.code

    @admin.display(description=_("Document"), ordering="document__code")
    def document_name(self, obj):
        return display(obj.document)

    @admin.display(description=_("Copy status"), ordering="status")
    def status_badge(self, obj):
        return status_words(obj)

    @admin.display(description=_("Why / how verified instead"))
    def reason_or_verify(self, obj):
        if obj.status == CopyStatus.NO_COPY:
            return (obj.verify_en or obj.verify_th) if labels.is_english() else obj.verify_th
        return (obj.reason_en or obj.reason_th) if labels.is_english() else obj.reason_th
