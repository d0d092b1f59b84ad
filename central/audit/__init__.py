"""The audit log. Record an action with :func:`record`::

from central import audit
audit.record("kiosk.revoke", kiosk, actor=request.user, before={...}, after={...})
"""

from __future__ import annotations

from typing import Any


def record(
    action: str,
    obj: Any = None,
    *,
    actor: Any = None,
    agency: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    ip: str | None = None,
):
    """Write one AuditLog row and return it.

    ``action``: dotted verb such as ``kiosk.enrol``, ``kiosk.revoke``,
    ``enrolment_code.issue``. ``obj``: the model instance acted on (gives object type and
    id, and the agency via ``central.scope.agency_id_of`` unless ``agency`` is given).
    ``actor``: a user, a label string (``"kiosk:ks-000001"``) or None (``"system"``).
    ``before``/``after``: JSON-serialisable snapshots (dates and decimals are fine).
    Runs inside the caller's transaction, so a rolled-back change leaves no entry.
    """
    from central.audit.models import AuditLog
    from central.scope import agency_id_of

    user = None
    if actor is None:
        label = "system"
    elif isinstance(actor, str):
        label = actor
    else:
        user = actor if getattr(actor, "is_authenticated", False) else None
        label = actor.get_username() if user is not None else "anonymous"
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id if object_id is not None else obj.pk
    agency_id = getattr(agency, "pk", agency)
    if agency_id is None and obj is not None:
        agency_id = agency_id_of(obj)
    return AuditLog.objects.create(
        action=action,
        actor=user,
        actor_label=label[:150],
        agency_id=agency_id,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        before=before,
        after=after,
        ip=ip,
    )
