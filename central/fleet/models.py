"""The kiosk fleet: one-time enrolment codes and the enrolled kiosks.

Secrets (enrolment codes, kiosk credentials) are stored only as SHA-256 hex digests; see
``central.fleet.services`` for how they are made and why a fast hash is enough.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from central.directory.models import Counter


class EnrolmentCode(models.Model):
    """A one-time code that enrols one kiosk to ``counter``. Valid until ``expires_at``,
    unless used (``used_at``) or withdrawn (``revoked_at``) first. Only the hash is stored:
    the code is shown once, when issued (``services.issue_enrolment_code``)."""

    counter = models.ForeignKey(
        Counter, on_delete=models.CASCADE, related_name="enrolment_codes", verbose_name=_("Counter")
    )
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=8,
        editable=False,
        help_text=_("Last characters of the code, to recognise it."),
        verbose_name=_("Code ends with"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Issued"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Issued by"),
    )
    expires_at = models.DateTimeField(verbose_name=_("Expires"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("Used"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("Withdrawn"))
    # The kiosk's id for the enrolment attempt that used the code: the same attempt may
    # retry (its answer lost on the way) and gets a fresh credential for the same kiosk.
    request_id = models.UUIDField(null=True, blank=True, editable=False)
    kiosk = models.OneToOneField(
        "Kiosk",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolment_code",
        help_text=_("The kiosk this code enrolled."),
        verbose_name=_("Kiosk enrolled with it"),
    )

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"…{self.hint} for {self.counter}"

    def state(self, now) -> str:
        """``used``, ``revoked``, ``expired`` or ``valid`` at ``now``."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "valid"


class Kiosk(models.Model):
    """An enrolled kiosk at a counter. ``credential_hash`` is the SHA-256 of the bearer
    credential it was given at enrolment. Fleet health (last seen, app version, queue
    depth, clock) is updated by every authenticated call and the heartbeat. Public id:
    ``ks-000001``."""

    counter = models.ForeignKey(
        Counter, on_delete=models.PROTECT, related_name="kiosks", verbose_name=_("Counter")
    )
    credential_hash = models.CharField(max_length=64, unique=True, editable=False)
    enrolled_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Enrolled"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("Revoked"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Revoked by"),
    )
    last_seen = models.DateTimeField(null=True, blank=True, verbose_name=_("Last seen"))
    last_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("Last IP address"))
    app_version = models.CharField(max_length=40, blank=True, verbose_name=_("App version"))
    queue_depth = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("Ratings waiting to upload")
    )
    last_kiosk_time = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("The kiosk's own clock at its last heartbeat."),
        verbose_name=_("Kiosk clock (last heartbeat)"),
    )
    clock_skew_seconds = models.FloatField(
        null=True,
        blank=True,
        help_text=_("Kiosk clock minus server clock at the last heartbeat."),
        verbose_name=_("Clock skew (seconds)"),
    )
    skew_flag = models.BooleanField(
        default=False,
        help_text=_("The kiosk's clock was more than 10 minutes off."),
        verbose_name=_("Clock off by over 10 min"),
    )
    # A catalogue the kiosk could not apply (it keeps its previous one): the reason it
    # reported in its heartbeat, and when. Empty once a catalogue applies again.
    catalogue_refused_reason = models.TextField(blank=True, default="")
    catalogue_refused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.public_id} @ {self.counter}" if self.pk else "new kiosk"

    @property
    def public_id(self) -> str:
        return f"ks-{self.pk:06d}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class QueueSample(models.Model):
    """A kiosk's upload queue length as its heartbeats reported it, sampled by the insights
    worker (at most one sample per kiosk per ``central.fleet.queues.SAMPLE_EVERY``, only
    kiosks with a non-empty queue, kept ``RETENTION``): how the fleet page tells a queue
    that is *growing* from one that is merely long."""

    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="+", db_index=False)
    at = models.DateTimeField(help_text="The heartbeat's time (the kiosk's last_seen).")
    depth = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["kiosk", "at"], name="queuesample_kiosk_at"),
            models.Index(fields=["at"], name="queuesample_at"),
        ]
