"""Alerts for an agency: a service point whose satisfaction dropped clearly below its own
baseline, or whose declared No Copy citizens contradict. Raised by the worker
(``insights_worker``), handled on ``/admin/insights/alerts/`` (new -> acknowledged ->
closed, each step audited), optionally mailed as a daily digest.

Drop rule (per service point, from the monthly rollups): the last two months (this one and
the previous) against the six before; raised when the mean fell by at least
``DROP_MIN`` points AND the fall is at least ``DROP_Z`` standard errors
(``(base - recent) / sqrt(var_r / n_r + var_b / n_b)``), with at least ``MIN_RECENT`` and
``MIN_BASE`` ratings. No Copy rule: the compliance page's contradiction rule over the last
90 days. One alert per point, kind and month.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from django.core.mail import send_mail
from django.db.models import Sum
from django.utils import timezone

from central import audit
from central.directory.models import Agency, Membership
from central.insights import data, stats
from central.insights.filters import Filters
from central.insights.models import HIST, Alert, PointMonth
from central.scope import Scope

DROP_MIN = 0.3
DROP_Z = 3.0
MIN_RECENT = 20
MIN_BASE = 50


def _month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def scan(today: date | None = None) -> int:
    """Raise the alerts the data calls for; returns how many were raised."""
    today = today or timezone.localdate()
    this_month = date(today.year, today.month, 1)
    recent_from = _month_add(this_month, -1)
    base_from = _month_add(recent_from, -6)
    hist: dict[tuple[int, bool], list[int]] = defaultdict(lambda: [0] * 5)
    agency_of: dict[int, int] = {}
    rows = (
        PointMonth.unscoped.filter(month__gte=base_from, month__lte=this_month)
        .values("service_point_id", "agency_id", "month")
        .annotate(**{c: Sum(c) for c in HIST})
    )
    for row in rows.iterator(chunk_size=5000):
        recent = row["month"] >= recent_from
        target = hist[(row["service_point_id"], recent)]
        for i, c in enumerate(HIST):
            target[i] += row[c]
        agency_of[row["service_point_id"]] = row["agency_id"]
    raised = 0
    for sp_id, agency_id in agency_of.items():
        r, b = hist.get((sp_id, True)), hist.get((sp_id, False))
        if not r or not b or stats.n_of(r) < MIN_RECENT or stats.n_of(b) < MIN_BASE:
            continue
        mr, mb = stats.mean_of(r), stats.mean_of(b)
        se = math.sqrt(
            (stats.var_of(r) or 0) / stats.n_of(r) + (stats.var_of(b) or 0) / stats.n_of(b)
        )
        if mb - mr < DROP_MIN or se == 0 or (mb - mr) / se < DROP_Z:
            continue
        raised += _raise(
            Alert.DROP, sp_id, agency_id, this_month,
            f"ความพึงพอใจลดลงจาก {mb:.2f} เป็น {mr:.2f} (จาก {stats.n_of(r)} การประเมินล่าสุด)",
            f"Satisfaction fell from {mb:.2f} to {mr:.2f} ({stats.n_of(r)} recent ratings)",
            {"recent_mean": round(mr, 3), "recent_n": stats.n_of(r), "base_mean": round(mb, 3),
             "base_n": stats.n_of(b), "z": round((mb - mr) / se, 2)},
        )  # fmt: skip
    f = Filters(start=today - timedelta(days=89), end=today)
    for row in data.compliance(Scope(is_central=True), f)["contradictions"]:
        point = row["point"]
        code = row["service"].code if row["service"] else "?"
        raised += _raise(
            Alert.NO_COPY, point.pk, point.agency_id, this_month,
            f"ประกาศไม่เรียกสำเนา ({code}) แต่ประชาชน {row['yes']} จาก {row['answers']} คนบอกว่าถูกขอสำเนา",
            f"Declared No Copy ({code}) but {row['yes']} of {row['answers']} citizens were asked for a copy",
            {"service": code, "yes": row["yes"], "answers": row["answers"],
             "low": round(row["low"], 3)},
        )  # fmt: skip
    return raised


def _raise(kind, sp_id, agency_id, month, th, en, evidence) -> int:
    if Alert.unscoped.filter(kind=kind, service_point_id=sp_id, month=month).exists():
        return 0
    alert = Alert.unscoped.create(
        kind=kind,
        service_point_id=sp_id,
        agency_id=agency_id,
        raised_at=timezone.now(),
        month=month,
        summary_th=th[:400],
        summary_en=en[:400],
        evidence=evidence,
    )
    audit.record("alert.raise", alert, actor=None, after={"kind": kind, **evidence})
    return 1


TRANSITIONS = {
    "acknowledge": ({Alert.NEW}, Alert.ACKNOWLEDGED),
    "close": ({Alert.NEW, Alert.ACKNOWLEDGED}, Alert.CLOSED),
    "reopen": ({Alert.CLOSED}, Alert.ACKNOWLEDGED),
}


def transition(alert: Alert, action: str, user, ip: str | None = None) -> bool:
    allowed, target = TRANSITIONS[action]
    if alert.state not in allowed:
        return False
    before = alert.state
    alert.state, alert.changed_at, alert.changed_by = target, timezone.now(), user
    alert.save(update_fields=["state", "changed_at", "changed_by"])
    audit.record(f"alert.{action}", alert, actor=user, before={"state": before},
                 after={"state": target}, ip=ip)  # fmt: skip
    return True


def send_digest(now=None) -> int:
    """One e-mail per staff member whose scope has alerts raised in the last 24 hours."""
    now = now or timezone.now()
    fresh = list(
        Alert.unscoped.filter(raised_at__gte=now - timedelta(days=1), state=Alert.NEW)
        .select_related("service_point")
        .order_by("agency_id", "-raised_at")
    )
    if not fresh:
        return 0
    parents = dict(Agency.objects.values_list("pk", "parent_id"))

    def chain(agency_id):
        while agency_id is not None:
            yield agency_id
            agency_id = parents.get(agency_id)

    sent = 0
    memberships = Membership.objects.select_related("user").filter(
        user__is_active=True, user__is_staff=True
    )
    for m in memberships:
        if not m.user.email:
            continue
        mine = [a for a in fresh if m.is_central or m.agency_id in set(chain(a.agency_id))]
        if not mine:
            continue
        lines = [
            f"- {a.service_point.name_th} / {a.service_point.name_en}: {a.summary_th} | {a.summary_en}"
            for a in mine
        ]
        send_mail(
            f"CounterPoint: การแจ้งเตือนใหม่ {len(mine)} รายการ / {len(mine)} new alerts",
            "การแจ้งเตือนใหม่ใน 24 ชั่วโมงที่ผ่านมา / New alerts in the last 24 hours:\n\n"
            + "\n".join(lines)
            + "\n\n/admin/insights/alerts/",
            None,
            [m.user.email],
        )
        sent += 1
    return sent
