"""Rollups of the ratings, kept current in the same transaction that stores the ratings
(``central.insights.rollups.add``), and the insights side's own tables (alerts, export
jobs). Every rollup row holds a score *histogram* (``n1`` .. ``n5``), so means, variances,
Bayesian scores and intervals all come from rollups, never from raw rows.

- ``PointMonth``: month x service point x service. Rankings, No Copy compliance,
  drill-down to province and service point. ``service_key`` is the service's id, or 0 for
  a rating whose service central did not know (counted for the point, for no service).
- ``AgencyDay``: local day x agency x service. Trends by day / week / month and the
  national / agency headline numbers.
- ``AgencyHour``: local day x agency x hour of day. The hour x weekday heat map.

``agency`` and ``province_code`` are copied from the service point when the rating is
stored (history stays where it happened if a point later moves agency). The rollups hold
no foreign-key constraints in the database (``db_constraint=False``; Django still cascades
deletes): they are derived data, and a constraint trigger per upserted row would cost the
ingest and the rebuild most of their time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from central.directory.models import Agency, ServicePoint
from central.scope import ScopedManager

HIST = ("n1", "n2", "n3", "n4", "n5")
DIMS = ("d_staff", "d_waiting_time", "d_steps", "d_documents", "d_facilities", "d_outcome")
# The same chips picked by dissatisfied citizens (score 1-2): what the unhappy talk about.
LOW_DIMS = tuple("l" + d for d in DIMS)
COUNTS = (*HIST, "copy_yes", "copy_no", *DIMS, *LOW_DIMS)


class _Counts(models.Model):
    objects = ScopedManager()
    unscoped = models.Manager()

    n1 = models.IntegerField(default=0)
    n2 = models.IntegerField(default=0)
    n3 = models.IntegerField(default=0)
    n4 = models.IntegerField(default=0)
    n5 = models.IntegerField(default=0)
    copy_yes = models.IntegerField(default=0)
    copy_no = models.IntegerField(default=0)
    d_staff = models.IntegerField(default=0)
    d_waiting_time = models.IntegerField(default=0)
    d_steps = models.IntegerField(default=0)
    d_documents = models.IntegerField(default=0)
    d_facilities = models.IntegerField(default=0)
    d_outcome = models.IntegerField(default=0)
    ld_staff = models.IntegerField(default=0)
    ld_waiting_time = models.IntegerField(default=0)
    ld_steps = models.IntegerField(default=0)
    ld_documents = models.IntegerField(default=0)
    ld_facilities = models.IntegerField(default=0)
    ld_outcome = models.IntegerField(default=0)

    class Meta:
        abstract = True


class PointMonth(_Counts):
    month = models.DateField(help_text="First day of the local (Asia/Bangkok) month.")
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    service_key = models.IntegerField(help_text="Service id; 0 = not a known service.")
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    province_code = models.CharField(max_length=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service_point", "month", "service_key"], name="pointmonth_key"
            )
        ]
        indexes = [
            models.Index(fields=["month", "agency"], name="pointmonth_month_agency"),
            models.Index(fields=["agency", "month"], name="pointmonth_agency_month"),
        ]


class AgencyDay(_Counts):
    day = models.DateField(help_text="Local (Asia/Bangkok) day.")
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    service_key = models.IntegerField(help_text="Service id; 0 = not a known service.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day", "service_key"], name="agencyday_key")
        ]
        indexes = [models.Index(fields=["day"], name="agencyday_day")]


class AgencyHour(models.Model):
    objects = ScopedManager()
    unscoped = models.Manager()
    day = models.DateField()
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    hour = models.PositiveSmallIntegerField()
    n = models.IntegerField(default=0)
    score_sum = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day", "hour"], name="agencyhour_key")
        ]
        indexes = [models.Index(fields=["day"], name="agencyhour_day")]


class Alert(models.Model):
    """A service point whose satisfaction dropped clearly below its own baseline, or whose
    declared No Copy is contradicted by citizens. One open alert per point and kind."""

    objects = ScopedManager()
    unscoped = models.Manager()

    DROP = "drop"
    NO_COPY = "no_copy"
    KIND_CHOICES = [(DROP, "Satisfaction drop"), (NO_COPY, "No Copy contradicted")]
    NEW, ACKNOWLEDGED, CLOSED = "new", "acknowledged", "closed"
    STATE_CHOICES = [(NEW, "New"), (ACKNOWLEDGED, "Acknowledged"), (CLOSED, "Closed")]

    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    state = models.CharField(max_length=20, choices=STATE_CHOICES, default=NEW)
    service_point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    raised_at = models.DateTimeField()
    month = models.DateField(help_text="The month the evidence is from.")
    summary_th = models.CharField(max_length=400)
    summary_en = models.CharField(max_length=400)
    evidence = models.JSONField(default=dict)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["agency", "state"], name="alert_agency_state")]

    def __str__(self) -> str:
        return f"{self.kind} {self.service_point_id} {self.state}"


class ExportJob(models.Model):
    """A big ratings export, run by ``python -m central insights_worker`` (no broker: the
    worker polls this table with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL)."""

    objects = ScopedManager()
    unscoped = models.Manager()

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATE_CHOICES = [(QUEUED, "Queued"), (RUNNING, "Running"), (DONE, "Done"), (FAILED, "Failed")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fmt = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    query = models.CharField(max_length=2000, help_text="The filters, as a URL query string.")
    state = models.CharField(max_length=10, choices=STATE_CHOICES, default=QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.BigIntegerField(default=0)
    path = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} {self.fmt} {self.state}"


class CounterMonth(models.Model):
    """Month x counter x service, score histogram only: the counters' fair ranking.
    Kept current by the ingest like the other rollups (one kiosk batch = one counter)."""

    objects = ScopedManager()
    unscoped = models.Manager()

    month = models.DateField(help_text="First day of the local (Asia/Bangkok) month.")
    counter = models.ForeignKey(
        "directory.Counter",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    service_key = models.IntegerField(help_text="Service id; 0 = not a known service.")
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    province_code = models.CharField(max_length=2)
    n1 = models.IntegerField(default=0)
    n2 = models.IntegerField(default=0)
    n3 = models.IntegerField(default=0)
    n4 = models.IntegerField(default=0)
    n5 = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["counter", "month", "service_key"], name="countermonth_key"
            )
        ]
        indexes = [models.Index(fields=["month", "agency"], name="countermonth_month_agency")]


class Snapshot(models.Model):
    """The rankings and compliance figures of one standard window (the last 90 / 180 /
    365 days, as whole local months like every page), computed from the rollups by
    ``central.insights.snapshots.refresh`` so the default pages read ~40,000 ready rows
    instead of aggregating a million rollup rows. Not agency data itself (its rows are)."""

    days = models.PositiveSmallIntegerField()
    start_month = models.DateField()
    end_month = models.DateField()
    refreshed_at = models.DateTimeField()
    seconds = models.FloatField(default=0, help_text="How long the refresh took.")
    priors = models.JSONField(default=dict, help_text="service id -> [mean, weight, sigma2]")

    class Meta:
        ordering = ["-refreshed_at", "-id"]
        indexes = [models.Index(fields=["days", "refreshed_at"], name="snapshot_days")]

    def __str__(self) -> str:
        return f"snapshot {self.days} d {self.start_month}..{self.end_month}"


class _Fair(models.Model):
    objects = ScopedManager()
    unscoped = models.Manager()

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    province_code = models.CharField(max_length=2)
    n = models.IntegerField()
    total = models.BigIntegerField(help_text="Sum of the scores.")
    prior_mean = models.FloatField()
    prior_weight = models.FloatField()
    sigma2 = models.FloatField()
    score = models.FloatField(help_text="Fair (Bayesian) score.")
    low = models.FloatField()
    high = models.FloatField()

    class Meta:
        abstract = True


class SnapshotPoint(_Fair):
    """One service point (``service_key = -1``: all its services) or one point x service,
    with its fair score and its citizens' photocopy answers."""

    service_key = models.IntegerField(help_text="Service id; -1 = all the point's services.")
    copy_yes = models.IntegerField(default=0)
    copy_no = models.IntegerField(default=0)
    declared = models.BooleanField(default=False, help_text="Declared No Copy (at refresh).")
    copy_low = models.FloatField(
        null=True, help_text="Lower end of the 95 % Wilson interval of the share asked."
    )

    class Meta:
        indexes = [
            models.Index(fields=["snapshot", "service_key", "score"], name="snappoint_score"),
            models.Index(fields=["snapshot", "agency"], name="snappoint_agency"),
            # the No Copy contradictions: declared pairs, strongest evidence first
            models.Index(
                fields=["snapshot", "-copy_low"],
                condition=models.Q(declared=True),
                name="snappoint_contradiction",
            ),
            # the "clearly worst" list: the few rows whose whole interval is below the mean
            models.Index(
                fields=["snapshot", "service_key", "high"],
                condition=models.Q(high__lt=models.F("prior_mean")),
                name="snappoint_clearly",
            ),
        ]


class SnapshotCounter(_Fair):
    counter = models.ForeignKey(
        "directory.Counter", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    service_key = models.IntegerField(help_text="Service id; -1 = all the counter's services.")

    class Meta:
        indexes = [
            models.Index(fields=["snapshot", "service_key", "score"], name="snapcounter_score"),
            models.Index(fields=["snapshot", "agency"], name="snapcounter_agency"),
            models.Index(
                fields=["snapshot", "service_key", "high"],
                condition=models.Q(high__lt=models.F("prior_mean")),
                name="snapcounter_clearly",
            ),
        ]


class SnapshotCount(models.Model):
    """How many rows of a snapshot (points or counters, per service key) have each count
    ``n``: the national "ranked / too few ratings" numbers of a central admin's ranking
    without counting 40,000-80,000 rows per request. National totals: read only for a
    central admin's unfiltered ranking (other scopes count their own rows)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=8)
    service_key = models.IntegerField()
    n = models.IntegerField()
    rows = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "entity", "service_key"], name="snapcount_key")]


class SnapshotCopy(models.Model):
    """Photocopy answers per month x agency x service, split by the copy status declared
    *in that month* (the compliance trend and the per-agency shares)."""

    objects = ScopedManager()
    unscoped = models.Manager()

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    service_key = models.IntegerField()
    declared = models.BooleanField()
    yes = models.IntegerField()
    no = models.IntegerField()
