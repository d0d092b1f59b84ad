"""Queue-length history of the kiosks (``QueueSample``): sampled from the heartbeats'
``queue_depth`` by the insights worker, so the fleet page can show queues that are
*growing* (a kiosk that cannot upload), not only long ones. The heartbeat path itself
writes nothing more: one set-based INSERT per worker round does the sampling."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone

SAMPLE_EVERY = timedelta(minutes=15)
RETENTION = timedelta(days=7)
WINDOW = timedelta(hours=24)  # growth is judged over this
MIN_GROWTH = 20  # ratings more than at the start of the window
MIN_SAMPLES = 3


def sample(now=None) -> int:
    """Record the last heartbeat's queue of every kiosk whose queue is not empty and that
    has no sample in the last ``SAMPLE_EVERY``; drop samples older than ``RETENTION``."""
    from central.fleet.models import Kiosk, QueueSample

    now = now or timezone.now()
    q = connection.ops.quote_name
    kiosk, table = q(Kiosk._meta.db_table), q(QueueSample._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kiosk_id, at, depth) "
            f"SELECT k.id, k.last_seen, k.queue_depth FROM {kiosk} k "
            f"WHERE k.revoked_at IS NULL AND k.queue_depth > 0 AND k.last_seen IS NOT NULL "
            f"AND k.last_seen > %s AND NOT EXISTS (SELECT 1 FROM {table} s "
            f"WHERE s.kiosk_id = k.id AND (s.at = k.last_seen OR s.at > %s))",
            [adapt(now - RETENTION), adapt(now - SAMPLE_EVERY)],
        )
        added = cursor.rowcount
        cursor.execute(f"DELETE FROM {table} WHERE at < %s", [adapt(now - RETENTION)])
    return added


def growing(scope, now=None) -> dict[int, dict]:
    """kiosk id -> {first, last, samples, per_hour} for the kiosks in ``scope`` (a
    ``central.scope.Scope``) whose queue grew over the last ``WINDOW``: at least
    ``MIN_SAMPLES`` samples, the last one at least ``MIN_GROWTH`` above the first, and not
    going down at the last sample."""
    from central.fleet.models import QueueSample

    now = now or timezone.now()
    series: dict[int, list] = {}
    rows = (
        scope.filter(QueueSample.objects.filter(at__gte=now - WINDOW))
        .order_by("kiosk_id", "at")
        .values_list("kiosk_id", "at", "depth")
    )
    for kiosk_id, at, depth in rows:
        series.setdefault(kiosk_id, []).append((at, depth))
    out = {}
    for kiosk_id, points in series.items():
        if len(points) < MIN_SAMPLES:
            continue
        (t0, first), (_, before), (t1, last) = points[0], points[-2], points[-1]
        if last - first >= MIN_GROWTH and last >= before:
            hours = max((t1 - t0).total_seconds() / 3600, 0.25)
            out[kiosk_id] = {
                "first": first,
                "last": last,
                "samples": len(points),
                "per_hour": round((last - first) / hours, 1),
            }
    return out
