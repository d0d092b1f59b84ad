"""Storing a batch of ratings from one kiosk: per-item results, each UUID stored once.

Item-level faults (the item is ``rejected`` with a reason, the others go on): anything
inside one rating object — a missing or unknown field, a wrong type, a bad UUID, a score
outside 1-5, an unknown dimension, a comment over 500 characters, a bad ``kiosk_time``
(checked by ``protocol.models.Rating``).

A ``service_code`` that is not (and never was) offered at the kiosk's service point (an
old kiosk catalogue, a race with an admin's change) is not a fault: the rating is stored
and ``accepted`` all the same, with ``service`` null, the code in
``unknown_service_code`` and the reason in ``unknown_service_reason``; it counts for the
service point. A citizen's rating is never lost to a catalogue mismatch.

The envelope (JSON object ``{"ratings": [...]}`` of at most 500 objects) is checked by the
view; a fault there refuses the whole request with 400.

Idempotency without per-row queries, correct on SQLite and PostgreSQL and under
concurrency: every row of a request carries the request's random ``batch_id``; the batch
is written with one ``INSERT ... ON CONFLICT DO NOTHING`` (``bulk_create(ignore_conflicts=
True)``), then one indexed SELECT of ``uuid IN (...) AND batch_id = <ours>`` tells which
rows this request created (``accepted``); every other valid item already existed
(``duplicate``) — whether stored by an earlier sync or by a concurrent request that won the
unique-index race. A UUID repeated inside one batch is ``duplicate`` after its first use.

Clock skew (threshold 10 minutes): a rating's ``skew_flag`` is set when its ``kiosk_time``
is more than 10 minutes *after* central's receive time (impossible with a right clock),
when it is before 2024 (a reset clock), or when the kiosk's last heartbeat measured its
clock more than 10 minutes off. A ``kiosk_time`` long *before* the receive time is not by
itself flagged: that is what a rating queued offline looks like. ``rated_at`` is
``kiosk_time`` unless flagged, else ``received_at``. A future-dated rating also sets the
kiosk's ``skew_flag`` (the heartbeat measures and clears it).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models.base import ModelState

from central.api import sync_sql
from central.api.sync_sql import SyncKiosk
from central.catalogue.models import OfferingTombstone, Service
from central.comments.store import analyse_stored as analyse_comments
from central.insights import rollups
from central.ratings import store
from central.ratings.models import DIMENSIONS, Rating
from protocol import codec, constants, models
from protocol.pii import mask_optional as mask_pii

REASON_MAX_CHARS = constants.REASON_MAX_CHARS

SKEW_THRESHOLD = timedelta(minutes=10)
PLAUSIBLE_FLOOR = datetime(2024, 1, 1, tzinfo=UTC)


def _result(raw_uuid, status: str, reason: str | None = None) -> models.RatingResult:
    shown = raw_uuid[:100] if isinstance(raw_uuid, str) else None
    return models.RatingResult(
        uuid=shown, status=status, reason=reason[:REASON_MAX_CHARS] if reason else None
    )


def resolve_service_codes(service_point_id: int, codes: set[str]) -> dict[str, int]:
    """code -> service id, for codes offered at this service point now or in the past."""
    if not codes:
        return {}
    found = sync_sql.service_codes(service_point_id, codes)
    missing = codes - found.keys()
    if missing:
        past = set(
            OfferingTombstone.objects.filter(
                service_point_id=service_point_id, service_code__in=missing
            ).values_list("service_code", flat=True)
        )
        if past:
            found.update(Service.objects.filter(code__in=past).values_list("code", "id"))
    return found


def validate_items(items: list[dict]) -> tuple[list, list[tuple[int, models.Rating]]]:
    """Each item checked on its own against ``protocol.models.Rating``: (one result slot
    per item, ``rejected`` with its reason for a bad one; the valid ones with their index)."""
    results: list[models.RatingResult | None] = [None] * len(items)
    valid: list[tuple[int, models.Rating]] = []
    for index, raw in enumerate(items):
        try:
            valid.append((index, codec.convert(raw, models.Rating)))
        except codec.ProtocolError as exc:
            results[index] = _result(raw.get("uuid"), "rejected", str(exc))
    return results, valid


# A new Rating's attributes before any is set (built once): a sync batch's rows are made
# by copying it and setting the wire values, not by Model.__init__'s per-field keyword
# handling (a fifth of a ratings request's Python time with the ORM building the rest).
_BLANK_RATING: dict | None = None


def _new_rating(values: dict) -> Rating:
    global _BLANK_RATING
    if _BLANK_RATING is None:
        _BLANK_RATING = {k: v for k, v in vars(Rating()).items() if k != "_state"}
    row = Rating.__new__(Rating)
    row._state = ModelState()
    row.__dict__.update(_BLANK_RATING)
    row.__dict__.update(values)
    return row


def ingest(kiosk: SyncKiosk, items: list[dict], now: datetime) -> list[models.RatingResult]:
    """Validate and store ``items`` for ``kiosk`` (as returned by
    ``sync_sql.kiosk_for_ratings``: with its service point, agency and province); one
    result per item, in order."""
    results, valid = validate_items(items)

    service_point_id = kiosk.service_point_id  # loaded by fleet.authenticate
    service_ids = resolve_service_codes(
        service_point_id,
        {item.service_code for _, item in valid if item.service_code},
    )
    batch_id = uuid.uuid4()
    first_index: dict[uuid.UUID, int] = {}
    rows: list[Rating] = []
    future_skew = False
    for index, item in valid:
        code = item.service_code
        unknown = code is not None and code not in service_ids
        key = uuid.UUID(item.uuid)
        if key in first_index:
            results[index] = _result(items[index]["uuid"], "duplicate")
            continue
        first_index[key] = index
        kiosk_time = models.parse_time(item.kiosk_time)
        skew = kiosk_time - now
        ahead = skew > SKEW_THRESHOLD
        future_skew = future_skew or ahead
        flagged = ahead or kiosk.skew_flag or kiosk_time < PLAUSIBLE_FLOOR
        dims = set(item.dimensions)
        rows.append(
            _new_rating(
                dict(
                    uuid=key,
                    kiosk_id=kiosk.pk,
                    service_point_id=service_point_id,
                    counter_id=kiosk.counter_id,
                    service_id=service_ids.get(code) if code else None,
                    unknown_service_code=code if unknown else "",
                    unknown_service_reason=constants.UNKNOWN_SERVICE_REASON if unknown else "",
                    score=item.score,
                    asked_for_copy=item.asked_for_copy,
                    comment=mask_pii(item.comment),
                    kiosk_time=kiosk_time,
                    kiosk_seq=item.seq,
                    received_at=now,
                    rated_at=now if flagged else kiosk_time,
                    skew_seconds=skew.total_seconds(),
                    skew_flag=flagged,
                    interval_flag=item.interval_flag,
                    batch_id=batch_id,
                    **{field: name in dims for name, field in DIMENSIONS.items()},
                )
            )
        )

    if rows:
        # Keys in UUID order: concurrent requests with overlapping UUIDs then take the
        # unique-index locks in the same order and cannot deadlock each other. The key
        # table decides which rows are new; only those are stored and added to the
        # rollups, all in one transaction.
        rows.sort(key=lambda row: row.uuid)
        with transaction.atomic():
            ours = store.claim_keys([row.uuid for row in rows], batch_id)
            fresh = [row for row in rows if row.uuid in ours]
            if fresh:
                store.insert(fresh)
                rollups.add(fresh, kiosk.agency_id, kiosk.province_code)
                analyse_comments(fresh)
            if future_skew and not kiosk.skew_flag:
                sync_sql.set_skew_flag(kiosk.pk)
        for key, index in first_index.items():
            status = "accepted" if key in ours else "duplicate"
            results[index] = _result(items[index]["uuid"], status)
    return results  # type: ignore[return-value]
