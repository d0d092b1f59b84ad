"""The catalogue change sequence and the signal handlers that keep ``change_seq`` current.

A kiosk's catalogue cursor is ``v1.<epoch>.<seq>``: "I have every change up to ``seq`` of
the database identified by ``epoch``". For that to be safe under concurrent admin edits,
a change and its stamp must become visible together, and stamps must become visible in
increasing order. Both hold because:

1. ``bump()`` increments the single ``ChangeCounter`` row with an UPDATE, which row-locks it
   until the surrounding transaction ends; a second writer waits on that lock, so stamps
   are committed in the order they were handed out (unlike a PostgreSQL SEQUENCE, which
   hands out numbers without waiting for earlier transactions to commit);
2. each handler stamps the changed row(s) in the same transaction as the bump (``touch_*``
   wrap both in ``transaction.atomic()``), after the change itself is written.

Lock order: every tracked model's ``pre_save``/``pre_delete`` first locks the counter
row (``SELECT ... FOR UPDATE``, inside a transaction), so catalogue-editing transactions always take the
counter before any catalogue row and two admins editing the same service cannot deadlock
(without it: A holds the counter and wants the service row B just saved, B holds that row
and wants the counter). Outside a transaction the lock is released at once (harmless).

Reading side (``central.api.catalogue``): the counter is read *before* the rows, so a
kiosk may be sent a change twice (harmless: it replaces by code) but never misses one.

What bumps what:

- ``Service`` saved; any of its ``ServiceStep``/``ServiceDocument`` saved or deleted; a
  ``Document`` it lists saved -> the service's ``change_seq`` (every service point);
- ``Offering`` saved, or any of its ``CopyStatus`` saved or deleted -> the offering's
  ``change_seq`` (one service point);
- ``Offering`` deleted (directly or by cascade) -> an ``OfferingTombstone``; so does a
  service's ``code`` changing, or an offering being moved to another service or point
  (the kiosk must drop the old code).

Bulk ORM operations (``QuerySet.update``, ``bulk_create``) send no signals: call
``touch_services`` / ``touch_offerings`` after them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from central.catalogue.models import (
    ChangeCounter,
    CopyStatus,
    Document,
    Offering,
    OfferingTombstone,
    Service,
    ServiceDocument,
    ServiceStep,
)


def _ensure_counter() -> None:
    if not ChangeCounter.objects.filter(pk=1).exists():
        try:
            with transaction.atomic():
                ChangeCounter.objects.create(pk=1, value=0, epoch=secrets.token_hex(4))
        except IntegrityError:  # created concurrently: fine
            pass


def current() -> tuple[str, int]:
    """``(epoch, value)`` of the change sequence now."""
    try:
        return ChangeCounter.objects.values_list("epoch", "value").get(pk=1)
    except ChangeCounter.DoesNotExist:
        _ensure_counter()
        return ChangeCounter.objects.values_list("epoch", "value").get(pk=1)


def bump() -> int:
    """Take the next sequence number. Call inside the transaction of the change it stamps;
    the counter row stays locked until that transaction ends."""
    with transaction.atomic():
        if not ChangeCounter.objects.filter(pk=1).update(value=F("value") + 1):
            _ensure_counter()
            ChangeCounter.objects.filter(pk=1).update(value=F("value") + 1)
        return ChangeCounter.objects.filter(pk=1).values_list("value", flat=True).get()


def lock() -> None:
    """Take the counter row lock now, until the surrounding transaction ends (nothing to
    do outside a transaction: each statement commits on its own)."""
    if not transaction.get_connection().in_atomic_block:
        return
    if not ChangeCounter.objects.select_for_update().filter(pk=1).exists():
        _ensure_counter()


def touch_services(ids: Iterable[int]) -> int | None:
    """Stamp these services (all their offerings change for every kiosk)."""
    ids = list(ids)
    if not ids:
        return None
    with transaction.atomic():
        seq = bump()
        Service.objects.filter(pk__in=ids).update(change_seq=seq)
    return seq


def touch_offerings(ids: Iterable[int]) -> int | None:
    """Stamp these offerings (one service at one service point each)."""
    ids = list(ids)
    if not ids:
        return None
    with transaction.atomic():
        seq = bump()
        Offering.objects.filter(pk__in=ids).update(change_seq=seq)
    return seq


def _tombstone(pairs: Iterable[tuple[int, str]]) -> None:
    pairs = list(pairs)
    if not pairs:
        return
    with transaction.atomic():
        seq = bump()
        OfferingTombstone.objects.bulk_create(
            OfferingTombstone(service_point_id=sp, service_code=code, change_seq=seq)
            for sp, code in pairs
        )


def _lock_first(sender, instance, **kwargs):
    lock()


def _service_saving(sender, instance, **kwargs):
    lock()
    instance._cp_old_code = None
    if instance.pk is not None:
        old = Service.objects.filter(pk=instance.pk).values_list("code", flat=True).first()
        if old is not None and old != instance.code:
            instance._cp_old_code = old


def _service_saved(sender, instance, **kwargs):
    old_code = getattr(instance, "_cp_old_code", None)
    with transaction.atomic():
        if old_code:
            points = Offering.objects.filter(service_id=instance.pk).values_list(
                "service_point_id", flat=True
            )
            _tombstone((sp, old_code) for sp in points)
        touch_services([instance.pk])


def _service_child_changed(sender, instance, **kwargs):
    touch_services([instance.service_id])


def _document_saved(sender, instance, **kwargs):
    touch_services(
        ServiceDocument.objects.filter(document_id=instance.pk).values_list("service_id", flat=True)
    )


def _offering_saving(sender, instance, **kwargs):
    lock()
    instance._cp_old_key = None
    if instance.pk is not None:
        old = (
            Offering.objects.filter(pk=instance.pk)
            .values_list("service_point_id", "service_id", "service__code")
            .first()
        )
        if old is not None and (old[0], old[1]) != (instance.service_point_id, instance.service_id):
            instance._cp_old_key = (old[0], old[2])


def _offering_saved(sender, instance, **kwargs):
    old_key = getattr(instance, "_cp_old_key", None)
    with transaction.atomic():
        if old_key:
            _tombstone([old_key])
        touch_offerings([instance.pk])


def _copy_status_changed(sender, instance, **kwargs):
    touch_offerings([instance.offering_id])


def _offering_deleting(sender, instance, **kwargs):
    lock()
    # Remember the code now: by post_delete a cascading Service delete may have removed it.
    instance._cp_service_code = (
        Service.objects.filter(pk=instance.service_id).values_list("code", flat=True).first()
    )


def _offering_deleted(sender, instance, **kwargs):
    code = getattr(instance, "_cp_service_code", None)
    if code is not None:
        _tombstone([(instance.service_point_id, code)])


def connect() -> None:
    """Connect the handlers (``CatalogueConfig.ready``)."""
    uid = "central.catalogue.changes"
    pre_save.connect(_service_saving, sender=Service, dispatch_uid=f"{uid}.service.pre")
    post_save.connect(_service_saved, sender=Service, dispatch_uid=f"{uid}.service")
    for model in (ServiceStep, ServiceDocument, Document, CopyStatus):
        name = model._meta.model_name
        pre_save.connect(_lock_first, sender=model, dispatch_uid=f"{uid}.lock.s.{name}")
        pre_delete.connect(_lock_first, sender=model, dispatch_uid=f"{uid}.lock.d.{name}")
    pre_delete.connect(_lock_first, sender=Service, dispatch_uid=f"{uid}.lock.d.service")
    for model in (ServiceStep, ServiceDocument):
        name = model._meta.model_name
        post_save.connect(_service_child_changed, sender=model, dispatch_uid=f"{uid}.s.{name}")
        post_delete.connect(_service_child_changed, sender=model, dispatch_uid=f"{uid}.d.{name}")
    post_save.connect(_document_saved, sender=Document, dispatch_uid=f"{uid}.document")
    pre_save.connect(_offering_saving, sender=Offering, dispatch_uid=f"{uid}.offering.pre")
    post_save.connect(_offering_saved, sender=Offering, dispatch_uid=f"{uid}.offering")
    post_save.connect(_copy_status_changed, sender=CopyStatus, dispatch_uid=f"{uid}.cs.save")
    post_delete.connect(_copy_status_changed, sender=CopyStatus, dispatch_uid=f"{uid}.cs.del")
    pre_delete.connect(_offering_deleting, sender=Offering, dispatch_uid=f"{uid}.off.pre")
    post_delete.connect(_offering_deleted, sender=Offering, dispatch_uid=f"{uid}.off.del")
