"""The filters of every insights page, export and chart CSV, read from the URL and checked
against the user's scope: a malformed value or an agency / service point outside the
user's scope is refused (:class:`BadFilter`, answered with 400 / 404 and the reason),
never silently ignored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import geothai
from django.utils import timezone

from central.catalogue.models import Service
from central.directory.models import Agency, ServicePoint
from central.scope import Scope, agency_and_below
from central.web.safe_input import ascii_int

MAX_DAYS = 3 * 366
GRAINS = ("day", "week", "month")


class BadFilter(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Filters:
    start: date
    end: date
    grain: str = "day"
    agency: Agency | None = None
    province: str | None = None
    point: ServicePoint | None = None
    service: Service | None = None
    min_n: int = 30

    @property
    def months(self) -> tuple[date, date]:
        return date(self.start.year, self.start.month, 1), date(self.end.year, self.end.month, 1)

    @property
    def agency_ids(self) -> frozenset[int] | None:
        return agency_and_below(self.agency.pk) if self.agency else None

    def query(self, **overrides) -> str:
        """These filters as a URL query string (for links, exports and CSVs)."""
        from urllib.parse import urlencode

        values = {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "grain": self.grain,
            "agency": self.agency.pk if self.agency else None,
            "province": self.province,
            "point": self.point.pk if self.point else None,
            "service": self.service.pk if self.service else None,
        }
        values.update(overrides)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _int(params, name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    number = ascii_int(raw, 12)
    if number is None:
        raise BadFilter(400, f"{name}: {raw[:40]!r} is not an id")
    return number


def _date(params, name: str, default: date) -> date:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw[:10]) if len(raw) == 10 else date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(400, f"{name}: {raw[:40]!r} is not a date (YYYY-MM-DD)") from None


def parse(params, scope: Scope, *, default_days: int = 90) -> Filters:
    today = timezone.localdate()
    end = _date(params, "to", today)
    start = _date(params, "from", end - timedelta(days=default_days - 1))
    if start > end:
        raise BadFilter(400, "from: must not be after to")
    if (end - start).days > MAX_DAYS:
        raise BadFilter(400, f"the date range may cover at most {MAX_DAYS} days")
    grain = params.get("grain", "day").strip() or "day"
    if grain not in GRAINS:
        raise BadFilter(400, f"grain: one of {', '.join(GRAINS)}")
    f = Filters(start=start, end=end, grain=grain)
    agency_id = _int(params, "agency")
    if agency_id is not None:
        if not scope.allows_agency(agency_id):
            raise BadFilter(404, "agency: no such agency in your scope")
        f.agency = Agency.objects.filter(pk=agency_id).first()
        if f.agency is None:
            raise BadFilter(404, "agency: no such agency in your scope")
    province = params.get("province", "").strip()
    if province:
        if len(province) != 2 or geothai.province(province) is None:
            raise BadFilter(400, f"province: {province[:10]!r} is not a province code")
        f.province = province
    point_id = _int(params, "point")
    if point_id is not None:
        f.point = scope.filter(ServicePoint.objects.filter(pk=point_id)).first()
        if f.point is None:
            raise BadFilter(404, "point: no such service point in your scope")
        if f.agency is not None and f.point.agency_id not in f.agency_ids:
            raise BadFilter(400, "point: not in the chosen agency")
    service_id = _int(params, "service")
    if service_id is not None:
        f.service = Service.objects.filter(pk=service_id).first()
        if f.service is None:
            raise BadFilter(404, "service: no such service")
    min_n = _int(params, "min")
    if min_n is not None:
        f.min_n = max(1, min(min_n, 100_000))
    return f
