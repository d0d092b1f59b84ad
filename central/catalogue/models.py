"""The service catalogue (Citizen's Manual fields), what each service point offers, and
per service point and document whether a photocopy is still asked for (copy status).

Every row that can change what a kiosk shows carries ``change_seq``: the value of the
global ``ChangeCounter`` when it last changed. ``central.catalogue.changes`` keeps these up
to date from model signals, in the same transaction as the change; the kiosk catalogue
cursor is a position in that sequence (see docs/data-model.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from central.directory.models import Agency, Counter, ServicePoint

catalogue_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9_]{1,39}$",
    "Use 2-40 upper-case letters, digits and underscores, starting with a letter.",
)

NO_FEE_TH = "ไม่มีค่าธรรมเนียม"
NO_FEE_EN = "No fee"


def fee_texts(amount: Decimal) -> tuple[str, str]:
    """Default Thai/English fee wording for an amount in baht: never blank."""
    amount = Decimal(amount)
    if amount == 0:
        return NO_FEE_TH, NO_FEE_EN
    shown = f"{int(amount):,}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{shown} บาท", f"{shown} baht"


class ChangeCounter(models.Model):
    """One row (pk=1): the global catalogue change sequence. ``value`` only grows; it is
    incremented with an UPDATE that row-locks it, in the same transaction as the change it
    stamps, so stamps become visible in the order they were handed out. ``epoch`` is random
    per database, so a cursor from another (or a restored) database is recognised."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=16)

    def __str__(self) -> str:
        return f"{self.epoch}.{self.value}"


class Document(models.Model):
    """A kind of document citizens bring (ID card, house registration, ...)."""

    code = models.CharField(max_length=40, unique=True, validators=[catalogue_code_validator])
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    note_th = models.TextField(blank=True)
    note_en = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_en}"


class Service(models.Model):
    """One service as described by its Citizen's Manual (คู่มือสำหรับประชาชน): names,
    responsible agency, steps and times, fee (never blank), legal basis, channels and where
    to complain. ``is_demo`` marks invented values (steps, times, fees) in demo data."""

    code = models.CharField(max_length=40, unique=True, validators=[catalogue_code_validator])
    name_th = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
        help_text="Agency that owns this manual (optional; for scoping and reports).",
    )
    agency_th = models.CharField(max_length=300, help_text="Responsible agency, as printed.")
    agency_en = models.CharField(max_length=300, blank=True)
    fee_amount = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    fee_th = models.CharField(
        max_length=300, blank=True, help_text=f"Left blank: filled in ('{NO_FEE_TH}' for 0)."
    )
    fee_en = models.CharField(
        max_length=300, blank=True, help_text=f"Left blank: filled in ('{NO_FEE_EN}' for 0)."
    )
    total_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Total processing time; blank: the sum of the steps."
    )
    legal_basis_th = models.TextField(blank=True)
    legal_basis_en = models.TextField(blank=True)
    channels_th = models.TextField(blank=True)
    channels_en = models.TextField(blank=True)
    complaint_th = models.TextField(blank=True)
    complaint_en = models.TextField(blank=True)
    is_demo = models.BooleanField(
        default=False, help_text="Steps, times or fees are demo values, not the official manual."
    )
    is_published = models.BooleanField(
        default=True,
        help_text="Shown to citizens (public directory, open data). Off: a draft, "
        "hidden from the public.",
    )
    change_seq = models.BigIntegerField(default=0, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(fee_amount__gte=0), name="service_fee_not_negative"),
            models.CheckConstraint(condition=~Q(fee_th=""), name="service_fee_th_not_blank"),
            models.CheckConstraint(condition=~Q(fee_en=""), name="service_fee_en_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_en or self.name_th}"

    def _fill_fee_texts(self) -> None:
        default_th, default_en = fee_texts(self.fee_amount or Decimal("0"))
        if not (self.fee_th or "").strip():
            self.fee_th = default_th
        if not (self.fee_en or "").strip():
            self.fee_en = default_en

    def clean(self) -> None:
        if self.fee_amount is not None and self.fee_amount < 0:
            raise ValidationError({"fee_amount": "A fee cannot be negative."})
        self._fill_fee_texts()

    def save(self, *args, **kwargs) -> None:
        self._fill_fee_texts()
        super().save(*args, **kwargs)


class ServiceStep(models.Model):
    """One step of a service, in order, with its processing time in minutes."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    title_th = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["service", "order"]
        constraints = [
            models.UniqueConstraint(fields=["service", "order"], name="step_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service.code} #{self.order}: {self.title_en or self.title_th}"


class ServiceDocument(models.Model):
    """A document a service requires, per its manual: how many originals and copies. The
    copy count here is the manual's; a service point's actual practice is ``CopyStatus``."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_documents")
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="service_documents"
    )
    order = models.PositiveSmallIntegerField(default=0)
    originals = models.PositiveSmallIntegerField(default=1)
    copies = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["service", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "document"], name="service_document_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service.code}: {self.document.code}"


class Offering(models.Model):
    """Service point × service: this office offers this service. ``counters`` is central's
    default list of the counters serving it (a kiosk's staff may narrow it)."""

    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.CASCADE, related_name="offerings"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="offerings")
    counters = models.ManyToManyField(Counter, blank=True, related_name="offerings")
    change_seq = models.BigIntegerField(default=0, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service_point", "service"]
        constraints = [
            models.UniqueConstraint(fields=["service_point", "service"], name="offering_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_point} × {self.service.code}"


class OfferingTombstone(models.Model):
    """Written when an Offering is deleted, so catalogue deltas can tell kiosks to drop the
    service. ``service_point_id`` is a plain number (no foreign key) so deleting a whole
    service point never trips over its own tombstones."""

    service_point_id = models.BigIntegerField()
    service_code = models.CharField(max_length=40)
    change_seq = models.BigIntegerField()
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["service_point_id", "change_seq"], name="tombstone_point_seq")
        ]

    def __str__(self) -> str:
        return f"sp {self.service_point_id} − {self.service_code} @ {self.change_seq}"


class CopyStatus(models.Model):
    """Per offering and document: does this office still ask for photocopies?

    - ``copy_required``: ``copies`` >= 1 and a reason (why a copy is still needed);
    - ``no_copy``: no copies, ``no_copy_since`` (date) and how the office verifies instead
      (smart card reader, DOPA Linkage Center, ...).

    Without a row, the manual's ``ServiceDocument.copies`` applies (see the API)."""

    COPY_REQUIRED = "copy_required"
    NO_COPY = "no_copy"
    STATUS_CHOICES = [(COPY_REQUIRED, "Copy required"), (NO_COPY, "No copy")]

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="copy_statuses")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="copy_statuses")
    status = models.CharField(max_length=20, choices=STATUS_CHOICES)
    copies = models.PositiveSmallIntegerField(default=0)
    reason_th = models.TextField(blank=True, help_text="Why a copy is still needed.")
    reason_en = models.TextField(blank=True)
    no_copy_since = models.DateField(null=True, blank=True)
    verify_th = models.TextField(blank=True, help_text="How the office verifies instead.")
    verify_en = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "copy statuses"
        constraints = [
            models.UniqueConstraint(fields=["offering", "document"], name="copy_status_unique"),
            models.CheckConstraint(
                condition=(
                    Q(status="copy_required", copies__gte=1, no_copy_since__isnull=True)
                    | Q(status="no_copy", copies=0, no_copy_since__isnull=False)
                ),
                name="copy_status_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offering}: {self.document.code} {self.status}"

    def clean(self) -> None:
        errors = {}
        if self.status == self.COPY_REQUIRED:
            if not self.copies or self.copies < 1:
                errors["copies"] = "Say how many copies are required (at least 1)."
            if self.no_copy_since is not None:
                errors["no_copy_since"] = "Only for No Copy."
            if not self.reason_th.strip():
                errors["reason_th"] = "Say why a copy is still required."
        elif self.status == self.NO_COPY:
            if self.copies:
                errors["copies"] = "No Copy means 0 copies."
            if self.no_copy_since is None:
                errors["no_copy_since"] = "Say since when no copy is asked for."
            if not self.verify_th.strip():
                errors["verify_th"] = "Say how the office verifies the document instead."
        if self.offering_id and self.document_id:
            listed = ServiceDocument.objects.filter(
                service_id=self.offering.service_id, document_id=self.document_id
            ).exists()
            if not listed:
                errors["document"] = "This service does not require this document."
        if errors:
            raise ValidationError(errors)
