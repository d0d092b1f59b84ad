"""Who runs what, where: agencies (a hierarchy), their service points and counters, and
which agency each admin user belongs to."""

from __future__ import annotations

import geothai
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,39}$",
    _("Use 1-40 lower-case letters, digits and hyphens, starting with a letter or digit."),
)


class Agency(models.Model):
    """A government agency or a unit of one. ``parent`` makes the hierarchy: staff of an
    agency see it and every agency below it (see ``central.scope``)."""

    code = models.CharField(
        max_length=40,
        unique=True,
        validators=[code_validator],
        verbose_name=_("Agency code"),
        help_text=_("Lower-case letters, digits and hyphens, e.g. dopa-bkk."),
    )
    name_th = models.CharField(max_length=200, verbose_name=_("Name (Thai)"))
    name_en = models.CharField(max_length=200, verbose_name=_("Name (English)"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("Parent agency"),
        help_text=_("Staff of the parent agency also see this agency's data."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("Last changed"))

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en or self.name_th

    def clean(self) -> None:
        # No cycles: walking up from the new parent must never reach this agency.
        seen = set()
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("An agency cannot be below itself.")})
            if node.pk in seen:  # pragma: no cover - a cycle already in the data
                break
            seen.add(node.pk)
            node = node.parent


def validate_province_code(value: str) -> None:
    if geothai.province(value) is None:
        raise ValidationError(_("%(value)r is not a DOPA province code."), params={"value": value})


def validate_district_code(value: str) -> None:
    if geothai.district(value) is None:
        raise ValidationError(_("%(value)r is not a DOPA district code."), params={"value": value})


def validate_subdistrict_code(value: str) -> None:
    if geothai.subdistrict(value) is None:
        raise ValidationError(
            _("%(value)r is not a DOPA subdistrict code."), params={"value": value}
        )


class ServicePoint(models.Model):
    """An office where citizens are served: the "pin" (coordinates, address, hours) and its
    Thai administrative area (DOPA province / district / subdistrict codes, checked against
    ``geothai``). The public id sent to kiosks is ``sp-000123`` (see ``public_id``)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="service_points", verbose_name=_("Agency")
    )
    code = models.CharField(
        max_length=40,
        unique=True,
        validators=[code_validator],
        help_text=_(
            "A short name that does not change: lower-case letters, digits and hyphens, e.g. cnx-mueang."
        ),
        verbose_name=_("Service point code"),
    )
    name_th = models.CharField(max_length=200, verbose_name=_("Name (Thai)"))
    name_en = models.CharField(max_length=200, verbose_name=_("Name (English)"))
    lat = models.FloatField(
        help_text=_("Click the map below, or type it, e.g. 13.746600."), verbose_name=_("Latitude")
    )
    lon = models.FloatField(
        help_text=_("Click the map below, or type it, e.g. 100.523200."),
        verbose_name=_("Longitude"),
    )
    address_th = models.CharField(max_length=500, verbose_name=_("Address (Thai)"))
    address_en = models.CharField(max_length=500, blank=True, verbose_name=_("Address (English)"))
    province_code = models.CharField(
        max_length=2,
        validators=[validate_province_code],
        verbose_name=_("Province"),
        help_text=_("Choose the province first, then the district and subdistrict."),
    )
    district_code = models.CharField(
        max_length=4, validators=[validate_district_code], verbose_name=_("District")
    )
    subdistrict_code = models.CharField(
        max_length=6, validators=[validate_subdistrict_code], verbose_name=_("Subdistrict")
    )
    hours_th = models.CharField(
        max_length=300,
        blank=True,
        verbose_name=_("Opening hours (Thai)"),
        help_text=_("In Thai, e.g. จันทร์–ศุกร์ 08:30–16:30 น."),
    )
    hours_en = models.CharField(
        max_length=300,
        blank=True,
        verbose_name=_("Opening hours (English)"),
        help_text=_("E.g. Mon–Fri 8:30–16:30 (closed on public holidays)."),
    )
    phone = models.CharField(
        max_length=40, blank=True, verbose_name=_("Phone"), help_text=_("E.g. 02 123 4567.")
    )
    is_active = models.BooleanField(
        default=True,
        verbose_name=_("Open to citizens"),
        help_text=_(
            "Listed in the public directory and the open data. Untick when the office is "
            "closed or not ready yet: citizens then do not see it."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("Last changed"))
    # For the public directory's name search: both names, lower case, kept by the database.
    # On PostgreSQL a trigram index serves ``LIKE '%...%'`` on it (migration 0003).
    search_name = models.GeneratedField(
        expression=Lower(Concat("name_th", Value(" "), "name_en")),
        output_field=models.CharField(max_length=401),
        db_persist=True,
        editable=False,
        verbose_name=_("Name for search"),
    )

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["name_en"]
        indexes = [
            # The public directory: area filters, the "near me" bounding box, ordering.
            models.Index(fields=["province_code", "district_code"], name="sp_area"),
            models.Index(fields=["lat", "lon"], name="sp_lat_lon"),
            models.Index(fields=["name_th"], name="sp_name_th"),
            models.Index(fields=["name_en"], name="sp_name_en"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90) & Q(lat__lte=90), name="servicepoint_lat_range"
            ),
            models.CheckConstraint(
                condition=Q(lon__gte=-180) & Q(lon__lte=180), name="servicepoint_lon_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_th

    @property
    def public_id(self) -> str:
        return f"sp-{self.pk:06d}"

    @property
    def map_url(self) -> str:
        lat, lon = f"{self.lat:.6f}", f"{self.lon:.6f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"

    def clean(self) -> None:
        errors = {}
        if self.lat is not None and not -90 <= self.lat <= 90:
            errors["lat"] = _("Latitude must be between -90 and 90.")
        if self.lon is not None and not -180 <= self.lon <= 180:
            errors["lon"] = _("Longitude must be between -180 and 180.")
        province, district, sub = self.province_code, self.district_code, self.subdistrict_code
        if district and province and not district.startswith(province):
            errors["district_code"] = _("This district is not in the chosen province.")
        if sub and district and not sub.startswith(district):
            errors["subdistrict_code"] = _("This subdistrict is not in the chosen district.")
        if errors:
            raise ValidationError(errors)


class Counter(models.Model):
    """One service counter of a service point; a kiosk is enrolled to a counter. Which
    services it offers by default is ``catalogue.Offering.counters``. Public id:
    ``ct-000456``."""

    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.PROTECT,
        related_name="counters",
        verbose_name=_("Service point"),
    )
    number = models.PositiveSmallIntegerField(
        help_text=_("The number shown at the counter."), verbose_name=_("Counter number")
    )
    name_th = models.CharField(max_length=200, verbose_name=_("Name (Thai)"))
    name_en = models.CharField(max_length=200, blank=True, verbose_name=_("Name (English)"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("Last changed"))

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["service_point", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_point", "number"], name="counter_number_unique_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_point} / {self.name_en or self.name_th}"

    @property
    def public_id(self) -> str:
        return f"ct-{self.pk:06d}"


class Membership(models.Model):
    """Which agency an admin user works for. ``is_central`` (or ``User.is_superuser``)
    makes a central admin who sees every agency; otherwise the user sees ``agency`` and its
    descendants. A user without a membership sees nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("User"),
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("Belongs to agency"),
    )
    is_central = models.BooleanField(
        default=False,
        help_text=_("A central admin sees and manages every agency."),
        verbose_name=_("Central admin"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_central=True) | Q(agency__isnull=False),
                name="membership_agency_or_central",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {'central' if self.is_central else self.agency}"
