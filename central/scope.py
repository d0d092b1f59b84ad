"""Agency scope: which rows an admin user may see and change. The ONE place it is decided.

Rules:

- a superuser, or a user whose ``Membership.is_central`` is set, is a *central admin* and
  sees everything;
- any other active user with a ``Membership`` sees the rows of its agency **and of every
  agency below it** (``Agency.parent``);
- a user without a membership, inactive or anonymous, sees nothing.

Use it like this (views, admin classes, exports, dashboards)::

    from central.scope import scope_for

    scope = scope_for(request.user)
    points = scope.filter(ServicePoint.objects.all())       # only what the user may see
    if not scope.allows(kiosk):                              # an object fetched by id
        raise PermissionDenied
    form.fields["agency"].queryset = scope.agencies()       # choices for a form

Every scoped model is listed in ``SCOPE_PATHS`` with the lookup from the model to its
``Agency``; ``Scope.filter`` raises ``TypeError`` for a model that is not listed, so a new
model cannot be shown unscoped by accident (fail closed).

The catalogue itself (``Service``, ``ServiceStep``, ``ServiceDocument``, ``Document``) is
shared by every agency and is not scoped: agency staff may read it; who may edit it is a
permission question (central admins), not a scope question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Manager, Model, Q, QuerySet

# model label -> lookup path from that model to its Agency ("" = the model is Agency).
SCOPE_PATHS: dict[str, str] = {
    "directory.agency": "",
    "directory.servicepoint": "agency",
    "directory.counter": "service_point__agency",
    "directory.membership": "agency",
    "catalogue.offering": "service_point__agency",
    "catalogue.copystatus": "offering__service_point__agency",
    "fleet.enrolmentcode": "counter__service_point__agency",
    "fleet.kiosk": "counter__service_point__agency",
    "fleet.queuesample": "kiosk__counter__service_point__agency",
    "ratings.rating": "service_point__agency",
    "audit.auditlog": "agency",
    "insights.pointmonth": "agency",
    "insights.agencyday": "agency",
    "insights.agencyhour": "agency",
    "insights.alert": "agency",
    "insights.exportjob": "agency",
    "insights.countermonth": "agency",
    "insights.snapshotpoint": "agency",
    "insights.snapshotcounter": "agency",
    "insights.snapshotcopy": "agency",
    "comments.commentanalysis": "rating__service_point__agency",
}


def _path_for(model: type[Model]) -> str:
    try:
        return SCOPE_PATHS[model._meta.label_lower]
    except KeyError:
        raise TypeError(
            f"{model._meta.label} is not agency-scoped; add it to central.scope.SCOPE_PATHS"
        ) from None


def _descendants(root_ids: set[int]) -> frozenset[int]:
    """``root_ids`` and every agency below them (one query over the small Agency table)."""
    from central.directory.models import Agency

    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    seen: set[int] = set()
    stack = list(root_ids)
    while stack:
        pk = stack.pop()
        if pk in seen:
            continue
        seen.add(pk)
        stack.extend(children.get(pk, ()))
    return frozenset(seen)


@dataclass(frozen=True)
class Scope:
    """What one user may see. Build it with :func:`scope_for`; it is immutable and cheap to
    keep for a request (``agency_ids`` is computed once)."""

    is_central: bool = False
    agency_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        """True when the user may see nothing at all."""
        return not self.is_central and not self.agency_ids

    def filter(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` narrowed to the rows this scope may see.

        Works for every model in ``SCOPE_PATHS``; raises ``TypeError`` for any other model.
        Rows with no agency (e.g. system audit entries) are visible to central admins only.
        """
        path = _path_for(queryset.model)
        if self.is_central:
            return queryset
        if not self.agency_ids:
            return queryset.none()
        lookup = f"{path}__in" if path else "pk__in"
        return queryset.filter(**{lookup: self.agency_ids})

    def q(self, model: type[Model], prefix: str = "") -> Q:
        """The same condition as a ``Q`` for ``model``, optionally reached through
        ``prefix`` (e.g. ``scope.q(Kiosk, "kiosk__")`` to filter another model by its
        kiosk). ``Q()`` for central admins; a never-true ``Q`` for an empty scope."""
        if self.is_central:
            return Q()
        path = _path_for(model)
        if not self.agency_ids:
            return Q(pk__in=[])
        lookup = f"{prefix}{path}__in" if path else f"{prefix}pk__in"
        return Q(**{lookup: self.agency_ids})

    def allows_agency(self, agency: Any) -> bool:
        """May this scope see (and, with the right permission, change) ``agency``'s data?
        ``agency`` is an Agency or its pk; ``None`` (no agency) is central-only."""
        if self.is_central:
            return True
        agency_id = getattr(agency, "pk", agency)
        return agency_id is not None and agency_id in self.agency_ids

    def allows(self, obj: Model) -> bool:
        """May this scope see ``obj`` (an instance of a model in ``SCOPE_PATHS``)?"""
        _path_for(type(obj))
        if self.is_central:
            return True
        return self.allows_agency(agency_id_of(obj))

    def agencies(self) -> QuerySet:
        """The agencies in scope (for form choices and filters)."""
        from central.directory.models import Agency

        return self.filter(Agency.objects.all())


def scope_for(user: Any) -> Scope:
    """The scope of ``user`` (a ``User``, ``AnonymousUser`` or None). See the module doc."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(is_central=True)
    from central.directory.models import Membership

    membership = Membership.objects.filter(user=user).only("agency_id", "is_central").first()
    if membership is None:
        return Scope()
    if membership.is_central:
        return Scope(is_central=True)
    if membership.agency_id is None:
        return Scope()
    return Scope(agency_ids=_descendants({membership.agency_id}))


def agency_id_of(obj: Model) -> int | None:
    """The pk of the Agency ``obj`` belongs to, following ``SCOPE_PATHS`` (None if the
    object has none, e.g. a system audit entry). Follows already-loaded relations; at
    most one query per hop otherwise."""
    path = _path_for(type(obj))
    if not path:
        return obj.pk
    first, _, rest = path.partition("__")
    if not rest:
        return getattr(obj, f"{first}_id")
    related = getattr(obj, first)
    if related is None:
        return None
    return agency_id_of(related) if related._meta.label_lower in SCOPE_PATHS else None


class ScopeRequired(RuntimeError):
    """A query on an agency-scoped insights table was made without a scope."""


class ScopedManager(Manager):
    """The default manager of the insights tables (rollups, alerts, export jobs): a query
    must say whose data it reads, ``Model.objects.scoped(scope)``; ``Model.objects.all()``
    (or any other query that forgot the scope) raises :class:`ScopeRequired` instead of
    quietly returning every agency's rows (pretix's scoped managers are the model).
    Internal code that really means "all rows" (ingest, rebuild, the worker, tests) says
    so with ``Model.unscoped``."""

    def get_queryset(self) -> QuerySet:
        raise ScopeRequired(
            f"{self.model._meta.label}: query it with .objects.scoped(scope) "
            "(central.scope) or, for internal work, .unscoped"
        )

    def scoped(self, scope: Scope) -> QuerySet:
        return scope.filter(QuerySet(self.model, using=self._db))


def agency_and_below(agency_id: int) -> frozenset[int]:
    """``agency_id`` and every agency below it (for an agency filter on a page)."""
    return _descendants({agency_id})
