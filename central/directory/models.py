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

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,39}$",
    "Use 1-40 lower-case letters, digits and hyphens, starting with a letter or digit.",
)


class Agency(models.Model):
    """A government agency or a unit of one. ``parent`` makes the hierarchy: staff of an
    agency see it and every agency below it (see ``central.scope``)."""

    code = models.CharField(max_length=40, unique=True, validators=[code_validator])
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name_en or self.name_th

    def clean(self) -> None:
        # No cycles: walking up from the new parent must never reach this agency.
        seen = set()
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "An agency cannot be below itself."})
            if node.pk in seen:  # pragma: no cover - a cycle already in the data
                break
            seen.add(node.pk)
            node = node.parent


def validate_province_code(value: str) -> None:
    if geothai.province(value) is None:
        raise ValidationError(f"{value!r} is not a DOPA province code.")


def validate_district_code(value: str) -> None:
    if geothai.district(value) is None:
        raise ValidationError(f"{value!r} is not a DOPA district code.")


def validate_subdistrict_code(value: str) -> None:
    if geothai.subdistrict(value) is None:
        raise ValidationError(f"{value!r} is not a DOPA subdistrict code.")


class ServicePoint(models.Model):
    """An office where citizens are served: the "pin" (coordinates, address, hours) and its
    Thai administrative area (DOPA province / district / subdistrict codes, checked against
    ``geothai``). The public id sent to kiosks is ``sp-000123`` (see ``public_id``)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="service_points")
    code = models.CharField(
        max_length=40, unique=True, validators=[code_validator], help_text="Stable short name."
    )
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    lat = models.FloatField(help_text="Latitude, WGS 84 degrees.")
    lon = models.FloatField(help_text="Longitude, WGS 84 degrees.")
    address_th = models.CharField(max_length=500)
    address_en = models.CharField(max_length=500, blank=True)
    province_code = models.CharField(max_length=2, validators=[validate_province_code])
    district_code = models.CharField(max_length=4, validators=[validate_district_code])
    subdistrict_code = models.CharField(max_length=6, validators=[validate_subdistrict_code])
    hours_th = models.CharField(max_length=300, blank=True)
    hours_en = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(
        default=True,
        help_text="Open to citizens: listed in the public directory and the open data. "
        "Off: closed or not ready yet, hidden from the public.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # For the public directory's name search: both names, lower case, kept by the database.
    # On PostgreSQL a trigram index serves ``LIKE '%...%'`` on it (migration 0002).
    search_name = models.GeneratedField(
        expression=Lower(Concat("name_th", Value(" "), "name_en")),
        output_field=models.CharField(max_length=401),
        db_persist=True,
        editable=False,
    )

    class Meta:
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
            errors["lat"] = "Latitude must be between -90 and 90."
        if self.lon is not None and not -180 <= self.lon <= 180:
            errors["lon"] = "Longitude must be between -180 and 180."
        province, district, sub = self.province_code, self.district_code, self.subdistrict_code
        if district and province and not district.startswith(province):
            errors["district_code"] = "This district is not in the chosen province."
        if sub and district and not sub.startswith(district):
            errors["subdistrict_code"] = "This subdistrict is not in the chosen district."
        if errors:
            raise ValidationError(errors)


class Counter(models.Model):
    """One service counter of a service point; a kiosk is enrolled to a counter. Which
    services it offers by default is ``catalogue.Offering.counters``. Public id:
    ``ct-000456``."""

    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="counters"
    )
    number = models.PositiveSmallIntegerField(help_text="Counter number shown at the office.")
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    is_central = models.BooleanField(
        default=False, help_text="Central admin: sees and manages every agency."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(is_central=True) | Q(agency__isnull=False),
                name="membership_agency_or_central",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {'central' if self.is_central else self.agency}"
