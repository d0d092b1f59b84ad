"""The audit log: who changed what, when, for which agency."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from central.directory.models import Agency


class AuditLog(models.Model):
    """One recorded action. ``actor`` is the admin user (null for kiosks and the system;
    ``actor_label`` always says who, e.g. ``kiosk:ks-000001``). ``agency`` is the agency
    whose data was touched, used for scoping. ``before``/``after`` are JSON snapshots of
    the changed fields. Write it through ``central.audit.record``."""

    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("When"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        verbose_name=_("User"),
    )
    actor_label = models.CharField(max_length=150, verbose_name=_("Who"))
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        verbose_name=_("Agency"),
    )
    action = models.CharField(max_length=80, db_index=True, verbose_name=_("Action"))
    object_type = models.CharField(max_length=80, blank=True, verbose_name=_("Object type"))
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("Object id"))
    before = models.JSONField(
        null=True, blank=True, encoder=DjangoJSONEncoder, verbose_name=_("Before")
    )
    after = models.JSONField(
        null=True, blank=True, encoder=DjangoJSONEncoder, verbose_name=_("After")
    )
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"
