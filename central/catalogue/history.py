"""The history of declared No Copy (``DeclaredNoCopy``): which (service point, service)
pairs declared No Copy for every document, and since when.

:func:`sync` compares today's declarations (an offering whose copy statuses all say
``no_copy``) with the open periods and closes or opens periods where they differ. It is
called after every copy-status save or delete (signals in ``central.catalogue.apps``) for
that one offering, and for everything by the insights worker before it refreshes the
snapshots (which also catches bulk changes that send no signals). A pair seen declared for
the first time starts at its documents' latest ``no_copy_since`` (what the office
declared); a later change starts at the moment central saw it."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Count, Max, Q
from django.utils import timezone


def declared_now(service_point_id: int | None = None, service_id: int | None = None) -> dict:
    """(point, service) -> latest no_copy_since, for offerings declared No Copy today."""
    from central.catalogue.models import CopyStatus, Offering

    qs = Offering.objects.all()
    if service_point_id is not None:
        qs = qs.filter(service_point_id=service_point_id, service_id=service_id)
    rows = (
        qs.annotate(
            total=Count("copy_statuses"),
            other=Count("copy_statuses", filter=~Q(copy_statuses__status=CopyStatus.NO_COPY)),
            since=Max("copy_statuses__no_copy_since"),
        )
        .filter(total__gt=0, other=0)
        .values_list("service_point_id", "service_id", "since")
    )
    return {(sp, s): since for sp, s, since in rows}


def sync(service_point_id: int | None = None, service_id: int | None = None, now=None) -> int:
    """Bring the periods up to date (for one pair, or all). Returns how many changed."""
    from central.catalogue.models import DeclaredNoCopy

    now = now or timezone.now()
    declared = declared_now(service_point_id, service_id)
    periods = DeclaredNoCopy.objects.all()
    if service_point_id is not None:
        periods = periods.filter(service_point_id=service_point_id, service_id=service_id)
    open_pairs = {
        (sp, s): pk
        for pk, sp, s in periods.filter(valid_to=None).values_list(
            "pk", "service_point_id", "service_id"
        )
    }
    ended = [pk for pair, pk in open_pairs.items() if pair not in declared]
    if ended:
        DeclaredNoCopy.objects.filter(pk__in=ended).update(valid_to=now)
    new = [pair for pair in declared if pair not in open_pairs]
    if new:
        known = set(
            periods.filter(valid_to__isnull=False).values_list("service_point_id", "service_id")
        )
        zone = timezone.get_current_timezone()
        rows = []
        for sp, s in new:
            since = declared[(sp, s)]
            start = now
            if (sp, s) not in known and since is not None:
                start = min(now, datetime.combine(since, time.min, zone))
            rows.append(DeclaredNoCopy(service_point_id=sp, service_id=s, valid_from=start))
        DeclaredNoCopy.objects.bulk_create(rows, batch_size=2000)
    return len(ended) + len(new)


def _on_change(sender, instance, **kwargs) -> None:
    from central.catalogue.models import Offering

    offering = (
        instance
        if isinstance(instance, Offering)
        else Offering.objects.filter(pk=instance.offering_id).first()
    )
    if offering is not None:
        sync(offering.service_point_id, offering.service_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from central.catalogue.models import CopyStatus, Offering

    post_save.connect(_on_change, sender=CopyStatus, dispatch_uid="history-copystatus-save")
    post_delete.connect(_on_change, sender=CopyStatus, dispatch_uid="history-copystatus-delete")
    post_delete.connect(_on_change, sender=Offering, dispatch_uid="history-offering-delete")
