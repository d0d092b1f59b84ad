"""Demo ratings that tell a story: ``python -m central demo --ratings N``.

On top of the demo service points (``central.demo.seed``) this adds one enrolled demo
kiosk per counter (with a spread of app versions, one offline for days, one with a growing
queue, one that refused a catalogue, one with a wrong clock, for the fleet page) and ``N``
ratings over the last 26 weeks, stored exactly as the ingest stores them (rating keys,
ratings, rollups in one transaction per service point):

- daily and weekly rhythm: office hours with morning and after-lunch peaks, few ratings
  at weekends;
- some offices clearly worse (``WORSE``), one that got worse over the last six weeks
  (``DROPPING``, so an alert fires);
- offices that declared No Copy where citizens still report being asked for a copy
  (``COPY_ASKERS``), next to offices that keep their word.

Deterministic for a given ``seed``; each run adds ``N`` new ratings.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from central.catalogue.models import CopyStatus, Offering
from central.directory.models import Counter, ServicePoint
from central.fleet.models import Kiosk
from central.fleet.services import hash_secret
from central.insights import rollups
from central.ratings.models import DIMENSIONS, Rating, RatingKey

WORSE = {"bkk-bangkapi": 1.3, "dlt-kkn": 1.0}  # code -> how much lower the mean score is
DROPPING = {"ska-hatyai": 1.6}  # code -> drop over the last 6 weeks
COPY_ASKERS = {"cmi-mueang": 0.45, "bkk-chatuchak": 0.30}  # code -> share asked for a copy
BUSY = {"bkk-pathumwan": 3.0, "bkk-chatuchak": 2.0, "dlt-bkk1": 2.5}  # relative volume
WEEKS = 26
# Local hour -> weight: 08:30-16:30 with peaks at 09-11 and 13-14.
HOURS = {8: 3, 9: 9, 10: 10, 11: 8, 12: 3, 13: 7, 14: 7, 15: 5, 16: 2}
WEEKDAY_WEIGHT = [1.2, 1.0, 1.0, 1.0, 1.1, 0.08, 0.03]  # Monday busiest, weekends few
APP_VERSIONS = ["1.4.2", "1.4.2", "1.4.2", "1.4.1", "1.3.0"]


def ensure_kiosks(rng: random.Random, now: datetime) -> dict[int, Kiosk]:
    """One demo kiosk per counter (created once; health fields refreshed each run)."""
    out: dict[int, Kiosk] = {}
    counters = list(Counter.objects.select_related("service_point").order_by("id"))
    for index, counter in enumerate(counters):
        kiosk = counter.kiosks.filter(revoked_at=None).order_by("id").first()
        if kiosk is None:
            kiosk = Kiosk.objects.create(
                counter=counter,
                credential_hash=hash_secret("demo-" + secrets.token_urlsafe(24)),
                app_version=APP_VERSIONS[index % len(APP_VERSIONS)],
            )
        kiosk.last_seen = now - timedelta(minutes=rng.randint(1, 20))
        kiosk.queue_depth = rng.randint(0, 3)
        kiosk.clock_skew_seconds = rng.uniform(-4, 4)
        kiosk.skew_flag = False
        kiosk.catalogue_refused_reason = ""
        kiosk.catalogue_refused_at = None
        if index == 2:  # unplugged on Friday
            kiosk.last_seen = now - timedelta(days=3, hours=2)
            kiosk.queue_depth = 41
        elif index == 5:  # online but not getting its ratings out: its queue grows
            kiosk.queue_depth = 1250
            _growing_queue(kiosk, now)
        elif index == 7:
            kiosk.catalogue_refused_reason = "service_code ID_LOST: step 3 has no title_th"
            kiosk.catalogue_refused_at = now - timedelta(hours=5)
        elif index == 9:
            kiosk.clock_skew_seconds = -3600 * 7.0  # set to UTC instead of Bangkok time
            kiosk.skew_flag = True
        kiosk.save()
        out[counter.pk] = kiosk
    return out


def _growing_queue(kiosk: Kiosk, now: datetime) -> None:
    """A day of hourly queue samples rising to 1,250 (the fleet page's growing queues)."""
    from central.fleet.models import QueueSample

    QueueSample.objects.filter(kiosk=kiosk).delete()
    QueueSample.objects.bulk_create(
        QueueSample(kiosk=kiosk, at=now - timedelta(hours=h), depth=1250 - 50 * h)
        for h in range(20, -1, -1)
    )


def _no_copy_services() -> set[tuple[int, int]]:
    """(service point id, service id) pairs where the office declared No Copy for every
    document it has a status for."""
    statuses: dict[tuple[int, int], set[str]] = defaultdict(set)
    for sp, service, status in CopyStatus.objects.values_list(
        "offering__service_point_id", "offering__service_id", "status"
    ):
        statuses[(sp, service)].add(status)
    return {key for key, found in statuses.items() if found == {CopyStatus.NO_COPY}}


def _score(rng: random.Random, mean: float) -> int:
    value = rng.gauss(mean, 0.9)
    return max(1, min(5, round(value)))


def add_ratings(count: int, seed: int = 20261201, now: datetime | None = None) -> dict:
    """Add ``count`` demo ratings; returns a summary."""
    rng = random.Random(seed + Rating.objects.count())
    now = now or timezone.now()
    zone = rollups.local_zone()
    points = {sp.pk: sp for sp in ServicePoint.objects.all()}
    if not points or count <= 0:
        return {"ratings": 0}
    kiosks = ensure_kiosks(rng, now)
    offerings = defaultdict(list)  # counter id -> service ids
    for counter_id, service_id in Offering.objects.filter(counters__isnull=False).values_list(
        "counters", "service_id"
    ):
        offerings[counter_id].append(service_id)
    counters = [c for c in Counter.objects.order_by("id") if c.pk in kiosks]
    weights = [BUSY.get(points[c.service_point_id].code, 1.0) for c in counters]
    no_copy = _no_copy_services()
    start_day = (now.astimezone(zone) - timedelta(weeks=WEEKS)).date()
    days = [start_day + timedelta(days=i) for i in range(WEEKS * 7)]
    day_weights = [WEEKDAY_WEIGHT[d.weekday()] * (0.8 + 0.4 * rng.random()) for d in days]
    hours, hour_weights = list(HOURS), list(HOURS.values())
    batch_id = uuid.uuid4()
    by_point: dict[int, list[Rating]] = defaultdict(list)
    for seq in range(count):
        counter = rng.choices(counters, weights)[0]
        sp = points[counter.service_point_id]
        day = rng.choices(days, day_weights)[0]
        local = datetime(
            day.year, day.month, day.day, rng.choices(hours, hour_weights)[0],
            rng.randrange(60), rng.randrange(60), tzinfo=zone,
        )  # fmt: skip
        if local > now:
            local = now - timedelta(minutes=rng.randrange(1, 600))
        services = offerings.get(counter.pk) or [None]
        service_id = rng.choice(services)
        mean = 4.25 - WORSE.get(sp.code, 0.0)
        weeks_ago = (now - local).days / 7
        if sp.code in DROPPING and weeks_ago < 6:
            mean -= DROPPING[sp.code] * (1 - weeks_ago / 6) + 0.4
        score = _score(rng, mean)
        asked = None
        if rng.random() < 0.65:  # most citizens answer the photocopy question
            if service_id is not None and (sp.pk, service_id) in no_copy:
                share = COPY_ASKERS.get(sp.code, 0.04)
            else:
                share = 0.75
            asked = rng.random() < share
        dims = set()
        if rng.random() < 0.55:
            dims = set(rng.sample(list(DIMENSIONS), rng.choice([1, 1, 2])))
            if score <= 2 and rng.random() < 0.6:
                dims.add("waiting_time")
        kiosk_time = local.astimezone(UTC)
        by_point[sp.pk].append(
            Rating(
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                kiosk_id=kiosks[counter.pk].pk,
                service_point_id=sp.pk,
                counter_id=counter.pk,
                service_id=service_id,
                score=score,
                asked_for_copy=asked,
                comment=None,
                kiosk_time=kiosk_time,
                kiosk_seq=seq,
                received_at=kiosk_time + timedelta(seconds=rng.randint(5, 900)),
                rated_at=kiosk_time,
                skew_seconds=0.0,
                skew_flag=False,
                interval_flag=rng.random() < 0.01,
                batch_id=batch_id,
                **{field: name in dims for name, field in DIMENSIONS.items()},
            )
        )
    from central.ratings import partitions

    partitions.ensure(start_day, now.date())
    for sp_id, rows in by_point.items():
        with transaction.atomic():
            RatingKey.objects.bulk_create(
                [RatingKey(uuid=r.uuid, batch_id=batch_id) for r in rows], batch_size=1000
            )
            Rating.objects.bulk_create(rows, batch_size=1000)
            rollups.add(rows, points[sp_id].agency_id, points[sp_id].province_code)
    from central.insights import snapshots

    for days in snapshots.WINDOWS:
        snapshots.refresh(days)
    return {"ratings": count, "kiosks": len(kiosks), "weeks": WEEKS}
