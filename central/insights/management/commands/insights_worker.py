"""``python -m central insights_worker [--once]``: the insights background worker, no
broker: takes queued export jobs from the database (SELECT ... FOR UPDATE SKIP LOCKED on
PostgreSQL, so several workers can run), writes their files, samples the kiosks' queue
lengths, refreshes the rankings / compliance snapshots, raises alerts, keeps the next
months' rating partitions ready, and sends the daily alert digest when ``--digest`` is
given (run it once a day from cron / a systemd timer)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from central.fleet import queues
from central.insights import alerts, exports, snapshots
from central.insights.models import ExportJob
from central.ratings import partitions


def take_job() -> ExportJob | None:
    with transaction.atomic():
        qs = ExportJob.unscoped.filter(state=ExportJob.QUEUED).order_by("created_at", "id")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True)
        job = qs.select_related("user").first()
        if job is None:
            return None
        ExportJob.unscoped.filter(pk=job.pk).update(state=ExportJob.RUNNING)
        return job


def run_jobs() -> int:
    done = 0
    while (job := take_job()) is not None:
        try:
            exports.run_job(job)
        except Exception as exc:  # noqa: BLE001 - a job fails, the worker goes on
            ExportJob.unscoped.filter(pk=job.pk).update(
                state=ExportJob.FAILED, finished_at=timezone.now(), error=str(exc)[:500]
            )
        done += 1
    return done


class Command(BaseCommand):
    help = "Run queued exports, raise alerts, prepare rating partitions (and send digests)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One round, then exit.")
        parser.add_argument("--interval", type=float, default=10.0, help="Seconds between rounds.")
        parser.add_argument(
            "--digest", action="store_true", help="Send the daily alert digest e-mails."
        )

    def handle(self, *args, **options):
        while True:
            partitions.ensure_around_today()
            jobs = run_jobs()
            sampled = queues.sample()
            refreshed = snapshots.refresh_due()
            raised = alerts.scan()
            sent = alerts.send_digest() if options["digest"] else 0
            if options["once"]:
                self.stdout.write(
                    f"exports: {jobs}, queue samples: {sampled}, snapshots refreshed: "
                    f"{refreshed or 'none due'}, alerts raised: {raised}, digests sent: {sent}"
                )
                return
            time.sleep(options["interval"])
