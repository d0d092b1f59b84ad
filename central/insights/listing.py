"""What the ratings list needs to hold at 40,000 service points and millions of rows: a
service point filter that searches (instead of a list of the first 300 points) and a
paginator that never counts more than ``CAP`` rows."""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from central.directory.models import ServicePoint
from central.web.adminkit import display, scope_of
from central.web.safe_input import ascii_int

CAP = 10_000


class CappedPaginator(Paginator):
    """``count`` is exact up to ``CAP`` and ``CAP + 1`` beyond (one bounded
    ``SELECT COUNT(*) FROM (... LIMIT CAP + 1)``), so a filtered list of millions of
    ratings never scans them all to number its pages."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: CAP + 1].count()


class ServicePointSearchFilter(admin.SimpleListFilter):
    """A searchable service point filter (in scope only); the choice list is just the
    chosen point, the search box asks ``/admin/insights/points.json``."""

    title = _("Service point")
    parameter_name = "service_point__id__exact"
    template = "admin/insights/point_filter.html"

    def lookups(self, request, model_admin):
        value = self.value()
        self.point = None
        if value and ascii_int(value, 18) is not None:
            self.point = (
                scope_of(request).filter(ServicePoint.objects.filter(pk=int(value))).first()
            )
        return [(str(self.point.pk), display(self.point))] if self.point else []

    def has_output(self) -> bool:
        return True

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            return queryset.filter(
                service_point_id=ascii_int(value, 18) or -1  # a malformed id matches nothing
            )
        return queryset

    def choices(self, changelist):
        hidden = [
            (key, value)
            for key, values in changelist.params.items()
            if key not in (self.parameter_name, "p")
            for value in (values if isinstance(values, list) else [values])
        ]
        yield {
            "selected": self.point is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
            "hidden": hidden,
            "label": display(self.point) if self.point else "",
            "value": self.point.pk if self.point else "",
        }
